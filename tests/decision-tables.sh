#!/bin/sh
# tests/decision-tables.sh - decision tables: a policy and events -> allow or deny.
#
# Each tests/decide/NAME.tbl (tests/selftest/ for kernel-selftest.sh) is a
# decision table as tests/README.md ("Decision tables") and tbl_read of
# tests/lib.sh, its one reader, define: `policy FILE` (relative to the
# table), `toobig TARGET` (FILE fits in no filter there: only the policy
# is asked, and the compile must be refused), `filter TARGET ...` (a
# literal filter, blobtool make arguments: pmufc's blobs must decide
# exactly like it on every event of TARGET, and the table's events are
# asked of it too), and rows of events with what they must be, e.g.
# `intel 0xd0 0x00-0x03 allow`, `intel fixed=1-2 allow`.
# Every event is asked with `pmufc --check EVENT --target TARGET` of the
# policy, of its blobs compiled with --abi auto and --abi masked, and of
# the literal filter if any: all must answer as the table says (first
# word).  One case per literal filter and per event.
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")" && pwd)}"
. "$TESTS_SRCDIR/lib.sh"
: "${tables:=decide}"
blobtool=$TESTS_BUILDDIR/blobtool
test -x "$blobtool" || bail "no $blobtool (make check builds it)"

# ask WHAT FILE TARGET EVENT WANT: --check FILE, compare the first word.
ask() {
	"$PMUFC" --cpu generic --target "$3" --check "$4" "$2" </dev/null >"$tmp/check" 2>"$tmp/check.err"
	rc=$?
	read -r word rest <"$tmp/check"
	word=${word%:}
	if test $rc != 0 || test "$word" != "$5"; then
		fail "$tbl:$lineno: $3 $4: $1 says '${word:-}' (exit $rc), the table says $5"
		cat "$tmp/check" "$tmp/check.err" | show - 10
		return 1
	fi
}

dir=$TESTS_SRCDIR/$tables
for tblpath in "$dir"/*.tbl; do
	tbl=$(basename "$tblpath")
	tbl_read "$tblpath" >"$tmp/rows"
	begin "$tbl: the policy compiles"
	awk '$2 == "error"' "$tmp/rows" >"$tmp/errors"
	while read -r lineno _ why; do fail "$tbl:$lineno: $why"; done <"$tmp/errors"
	policy=$(awk '$2 == "policy" { print $3; exit }' "$tmp/rows")
	if test -z "$policy" || ! test -f "$dir/$policy"; then
		fail "$tbl: no policy, or '$policy' does not exist"
		continue
	fi
	rm -f "$tmp"/*.bin
	# The blobs of each target the table asks about.
	for t in $(awk '$2 == "intel" || $2 == "amd" { print $2 } $2 == "filter" { print $3 }' "$tmp/rows" | sort -u); do
		if grep -q "^[0-9]* toobig $t\$" "$tmp/rows"; then
			(cd "$dir" && exec "$PMUFC" --cpu generic --target "$t" "$policy" -o "$tmp/x.bin") 2>/dev/null
			rc=$?
			test $rc = 65 || fail "$tbl: $policy on $t: exit $rc, but the table says it is too big"
			continue
		fi
		for abi in auto masked; do
			(cd "$dir" && exec "$PMUFC" --cpu generic -w --target "$t" --abi $abi "$policy" -o "$tmp/$t.$abi.bin") 2>"$tmp/err" ||
				{ fail "$tbl: $policy does not compile for $t --abi $abi:"; show "$tmp/err"; }
		done
	done
	# Literal filters: build them, compare with pmufc's on every event.
	while read -r lineno key t rest; do
		test "$key" = filter || continue
		begin "$tbl:$lineno: the literal $t filter decides as pmufc's blobs"
		# shellcheck disable=SC2086 # rest is words
		if ! "$blobtool" make "$tmp/$t.filter.bin" $rest </dev/null; then
			fail "$tbl:$lineno: bad filter line"
			continue
		fi
		for abi in auto masked; do
			test -f "$tmp/$t.$abi.bin" || continue
			"$blobtool" cmp "$t" "$tmp/$t.filter.bin" "$tmp/$t.$abi.bin" </dev/null >"$tmp/cmp" 2>&1 ||
				{ fail "$tbl:$lineno: pmufc's $t blob (--abi $abi) and the literal filter differ:"; show "$tmp/cmp"; }
		done
	done <"$tmp/rows"
	# The decisions.
	while read -r lineno t ev want; do
		case $t in intel | amd) ;; *) continue ;; esac
		begin "$tbl:$lineno: $t $ev $want"
		ask "the policy" "$dir/$policy" "$t" "$ev" "$want" || continue
		for abi in auto masked; do
			test -f "$tmp/$t.$abi.bin" || continue
			ask "the blob (--abi $abi)" "$tmp/$t.$abi.bin" "$t" "$ev" "$want" || continue 2
		done
		if test -f "$tmp/$t.filter.bin"; then
			ask "the literal filter" "$tmp/$t.filter.bin" "$t" "$ev" "$want"
		fi
	done <"$tmp/rows"
done
finish
