#!/bin/sh
# tests/layout.sh - the source tree keeps its stages (ARCHITECTURE.md).
#
# src/ is one folder per stage, in this order: base, kernel, lang (with
# the top-level grammar/), core, formats, then api, cli and shim side by
# side.  A file may include headers of its own stage and of earlier ones,
# never of a later stage or of a sibling (cli does not use the public API;
# the shim is loaded into VMMs and takes only base and kernel).  Project
# headers are included by stage path ("kernel/blob_x86.h"), so that every
# include says where it goes; the exceptions are the front end's
# grammar/ headers, the generated event table's events/evtab.h, config.h
# and the public include/pmufc.h.  This reads only the source tree.
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")" && pwd)}"
pf_no_pmufc=1
. "$TESTS_SRCDIR/lib.sh"
cd "$TESTS_SRCDIR/.." || bail "no source tree at $TESTS_SRCDIR/.."

rank() {
	case $1 in
	base) echo 0 ;;
	kernel) echo 1 ;;
	lang | grammar) echo 2 ;;
	core) echo 3 ;;
	formats) echo 4 ;;
	api | cli) echo 5 ;;
	shim) echo 6 ;;
	*) echo - ;;
	esac
}

# 1. Nothing in src/ outside a stage folder, no unknown folder.
stray=$(find src -mindepth 1 -maxdepth 1 -type f -name '*.[ch]' | sort)
if test -z "$stray"; then ok "every source of src/ is in a stage folder"; else
	bad "sources outside a stage folder: $stray"; fi
for d in src/*/; do
	d=${d%/}
	d=${d#src/}
	if test "$(rank "$d")" = -; then bad "src/$d is not a stage of ARCHITECTURE.md"; fi
done

# 2. Includes go only to the same or an earlier stage.
out=$(
	for f in src/*/*.[ch] grammar/*.y grammar/*.l grammar/*.h; do
		test -f "$f" || continue
		d=$(basename "$(dirname "$f")")
		r=$(rank "$d")
		sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f" |
		    while read -r inc; do
			case $inc in
			*/*) ;;
			parse.h | parser.h | evtab.h | config.h | pmufc.h) continue ;;
			*) echo "$f: \"$inc\" names no stage"; continue ;;
			esac
			s=${inc%%/*}
			test "$s" = "$d" && continue
			test "$d" = grammar && test "$s" = lang && continue
			test "$d" = lang && test "$s" = grammar && continue
			ir=$(rank "$s")
			if test "$ir" = -; then
				echo "$f: \"$inc\": no stage $s"
			elif test "$d" = shim && test "$ir" -gt 1; then
				echo "$f: \"$inc\": the shim takes only base and kernel"
			elif test "$ir" -ge "$r"; then
				echo "$f: \"$inc\": $d (stage $r) includes $s (stage $ir)"
			fi
		done
	done
)
if test -z "$out"; then ok "no file includes a later stage or a sibling"; else
	bad "includes against the stage order:"
	echo "$out" | sed 's/^/# /'
fi

# 3. Each stage's sources are listed in its own Makefile.inc, and every
# listed file exists.
for d in base kernel lang core formats cli; do
	mk=src/$d/Makefile.inc
	if ! test -f "$mk"; then bad "$mk missing"; continue; fi
	missing=
	for f in src/$d/*.[ch]; do
		grep -q "$f\\b" "$mk" || missing="$missing $f"
	done
	for f in $(grep -o "src/$d/[A-Za-z0-9_]*\\.[ch]" "$mk"); do
		test -f "$f" || missing="$missing $f(listed, absent)"
	done
	if test -z "$missing"; then ok "$mk lists src/$d/"; else bad "$mk:$missing"; fi
done

# 4. Every warning has a kind (pf_warn, base/diag.h): one made with
# pf_diag(PF_SEV_WARNING) would print no [-WKIND] and could not be
# silenced or made an error alone.
out=$(grep -rn 'PF_SEV_WARNING' src grammar --include='*.[chyl]' |
	grep -v '^src/base/diag\.' | grep -v 'sev == PF_SEV_WARNING' | grep -v 'PF_SEV_WARNING ?' |
	grep -v 'diag_at(m, PF_SEV_WARNING')
if test -z "$out"; then ok "every warning has a kind"; else
	bad "warnings without a kind (use pf_warn):"
	echo "$out" | sed 's/^/# /'
fi

finish
