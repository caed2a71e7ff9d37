#!/bin/sh
# tests/interop/interop.sh - the interop formats through the command line.
#
#  seeds/     QEMU's own example objects compile and decide as their authors
#             meant (NAME.tbl: a decision table, read by tbl_read of
#             tests/lib.sh; NAME.TARGET.warn:
#             the expected stderr of compiling them);
#  policies/  (and ../policies/) compiled for intel and amd (or the
#             targets of a "# targets:" line), then through every format
#             and back: qemu, qemu-rfc, policy, kvmtool and qemu-arm compile
#             to a filter that decides as the original on every event (arm64:
#             the same records); json describes the same bytes (x86); c
#             compiles (cc -std=c11 -pedantic) into the same bytes.  Both
#             from the policy and from the blob (-d --format F);
#  bad/       malformed QEMU objects (NAME.json, for intel) and arm64
#             strings (NAME.arm): exit 65, exactly NAME.err on stderr (a
#             located error), no output file.
# Run by `make check` from the top build folder (or by hand from there).
# REGEN=1 writes the actual bad/*.err and seeds/*.warn: review the diff.
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
. "$TESTS_SRCDIR/lib.sh"
dir=$TESTS_SRCDIR/interop
tool=$TESTS_BUILDDIR/interop/interop-test
test -x "$tool" || bail "no $tool (build first)"

# ---- seeds -----------------------------------------------------------------
for json in "$dir"/seeds/*.json; do
	name=$(basename "$json" .json)
	for t in intel amd; do
		begin "seed $name on $t: compiles, with the expected warnings"
		(cd "$dir/seeds" && exec "$PMUFC" --cpu generic --target $t "$name.json" -o "$tmp/blob") \
			2>"$tmp/err" || { fail "seed $name on $t: compile failed"; show "$tmp/err"; continue; }
		want=$dir/seeds/$name.$t.warn
		test -n "${REGEN:-}" && { if test -s "$tmp/err"; then cp "$tmp/err" "$want"; else rm -f "$want"; fi; }
		if test -f "$want"; then
			cmp -s "$want" "$tmp/err" || { fail "seed $name on $t: warnings"; diff -u "$want" "$tmp/err" | show -; }
		elif test -s "$tmp/err"; then
			fail "seed $name on $t: unexpected stderr"; show "$tmp/err"
		fi
	done
	tbl_read "$dir/seeds/$name.tbl" >"$tmp/rows"
	while read -r lineno t ev want; do
		case $t in
		error) fail "seeds/$name.tbl:$lineno: $ev $want"; continue ;;
		intel | amd) ;;
		*) continue ;;
		esac
		begin "seed $name on $t: $ev $want, by the object and its blob"
		got=$("$PMUFC" --cpu generic --target "$t" -w --check "$ev" "$json" | cut -d: -f1)
		test "$got" = "$want" || fail "seed $name on $t: $ev is $got, meant $want"
		# The compiled blob says the same.
		"$PMUFC" --cpu generic --target "$t" -w "$json" -o "$tmp/blob" &&
			got=$("$PMUFC" --cpu generic --target "$t" --check "$ev" "$tmp/blob" | cut -d: -f1)
		test "$got" = "$want" || fail "seed $name on $t: $ev is $got in the blob, meant $want"
	done <"$tmp/rows"
done

# ---- round trips -----------------------------------------------------------
# back FORMAT FILE T BLOB WHAT: FILE (in FORMAT) decides as BLOB on T.
back() {
	begin "$5: decides as the blob"
	case $1 in
	json)
		"$tool" json-bytes "$2" "$4" >"$tmp/why" || { fail "$5: json is not the blob: $(cat "$tmp/why")"; return; } ;;
	c)
		if test "$3" = arm64; then
			write='fwrite(pmufc_filter, sizeof(pmufc_filter), 1, stdout) != 1'
		else
			write='fwrite(&pmufc_filter, sizeof(pmufc_filter), 1, stdout) != 1'
		fi
		printf '#include <stdio.h>\n#include "%s"\nint main(void)\n{\n    return %s;\n}\n' "$2" "$write" >"$tmp/main.c"
		${CC:-cc} -std=c11 -pedantic -Wall -Wextra -Werror -o "$tmp/c.out" "$tmp/main.c" 2>"$tmp/why" ||
			{ fail "$5: the C does not compile"; show "$tmp/why"; return; }
		"$tmp/c.out" >"$tmp/c.bin" && cmp -s "$tmp/c.bin" "$4" || fail "$5: the C object is not the blob" ;;
	*)
		"$PMUFC" --cpu generic --target "$3" -w "$2" -o "$tmp/back" 2>"$tmp/why" ||
			{ fail "$5: does not compile back"; show "$tmp/why"; return; }
		if test "$3" = arm64; then
			# Synthesis is a function of the decisions: the same records.
			cmp -s "$4" "$tmp/back" || fail "$5: not the same records"
		else
			"$tool" same "$3" "$4" "$tmp/back" >"$tmp/why" || fail "$5: $(cat "$tmp/why")"
		fi ;;
	esac
}

have_cc=1
${CC:-cc} --version >/dev/null 2>&1 || { have_cc=; note "interop: no C compiler (${CC:-cc}): --format c is not compiled"; }
for pf in "$dir"/policies/*.pf "$TESTS_SRCDIR"/../policies/*.pf; do
	test -f "$pf" || continue
	name=$(basename "$pf" .pf)
	# "# targets: arm64" (as in policies/) or intel and amd.
	targets=$(sed -n 's/^# targets: *//p' "$pf" | head -n 1 | tr ',' ' ')
	test -n "$targets" || targets="intel amd"
	for t in $targets; do
		case $t in
		intel | amd) formats="qemu qemu-rfc policy json c" ;;
		arm64) formats="kvmtool qemu-arm policy c" ;;
		*) continue ;;
		esac
		run="--cpu generic --target $t -w"
		# shellcheck disable=SC2086
		"$PMUFC" $run "$pf" -o "$tmp/blob" 2>"$tmp/err" || { fail "$name on $t: compile"; show "$tmp/err"; continue; }
		for f in $formats; do
			test $f = c && test -z "$have_cc" && continue
			test $f = c && test $t = arm64 && ! test -s "$tmp/blob" && continue # no records, no array
			case $f in qemu | json) ext=json ;; qemu-rfc) ext=rfc.json ;; policy) ext=pf ;; c) ext=c ;; *) ext=$f ;; esac
			# shellcheck disable=SC2086
			"$PMUFC" $run --format $f "$pf" -o "$tmp/x.$ext" || { fail "$name on $t: --format $f"; continue; }
			back $f "$tmp/x.$ext" $t "$tmp/blob" "$name on $t, --format $f"
			# shellcheck disable=SC2086
			"$PMUFC" $run -d --format $f "$tmp/blob" -o "$tmp/y.$ext" || { fail "$name on $t: -d --format $f"; continue; }
			back $f "$tmp/y.$ext" $t "$tmp/blob" "$name on $t, -d --format $f"
		done
	done
done

# ---- malformed input ---------------------------------------------------------
# QEMU objects (for intel) and arm64 strings: NAME.EXT -> NAME.err.
for file in "$dir"/bad/*.json "$dir"/bad/*.arm; do
	test -f "$file" || continue
	base=$(basename "$file")
	name=${base%.*}
	t=intel
	case $base in *.arm) t=arm64 ;; esac
	begin "bad/$base: refused, exit 65, its located error"
	rm -f "$tmp/out"
	(cd "$dir/bad" && exec "$PMUFC" --cpu generic --target $t "$base" -o "$tmp/out") 2>"$tmp/err"
	rc=$?
	test -n "${REGEN:-}" && cp "$tmp/err" "$dir/bad/$name.err"
	test $rc = 65 || fail "bad/$base: exit $rc, expected 65"
	test -e "$tmp/out" && fail "bad/$base: refused but wrote the output"
	cmp -s "$dir/bad/$name.err" "$tmp/err" || { fail "bad/$base: diagnostics"; diff -u "$dir/bad/$name.err" "$tmp/err" | show -; }
done

# ---- options ---------------------------------------------------------------
begin "--id 9lives: refused, exit 64"
"$PMUFC" --cpu generic --target intel --format qemu --id '9lives' "$dir/policies/deny-all.pf" -o - \
	>/dev/null 2>"$tmp/err"
test $? = 64 || fail "--id 9lives: expected exit 64"
begin "--id vm1.pmu: in the object"
"$PMUFC" --cpu generic --target intel --format qemu --id vm1.pmu "$dir/policies/allow-list.pf" -o - |
	grep -q '"id":"vm1.pmu"' || fail "--id vm1.pmu: not in the object"
begin "an arm64 string for intel: a located error, exit 65"
"$PMUFC" --cpu generic --target intel "$dir/bad/beyond.arm" -o "$tmp/out" 2>"$tmp/err"
test $? = 65 && grep -q 'not one for intel' "$tmp/err" || fail "an arm64 string for intel: expected a located error"
begin "--format kvmtool for intel: refused, exit 64"
"$PMUFC" --cpu generic --target intel --format kvmtool "$dir/policies/allow-list.pf" -o - >/dev/null 2>&1
test $? = 64 || fail "--format kvmtool for intel: expected exit 64"
begin "--format yaml: refused, exit 64"
"$PMUFC" --format yaml "$dir/policies/deny-all.pf" -o - >/dev/null 2>&1
test $? = 64 || fail "--format yaml: expected exit 64"

finish
