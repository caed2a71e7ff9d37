#!/bin/sh
# tests/diff.sh - pmufc diff A B (src/cli/diff.c, src/core/diff.c):
#   a. every case of diff-cases/cases gives exactly its diff-cases/NAME.out (text),
#      its exit code (0 alike, 1 different) and nothing on stderr;
#   b. any input: a filter's bytes, a QEMU object, a kvmtool string against
#      their own policy decide alike (exit 0), a filter against another
#      policy as the policies do; standard input;
#   c. errors exit above 1: no such file (66), a bad policy (65), one
#      operand, both standard input, inputs for different targets (64);
#   d. --json: the envelope, the counts and each difference, field by
#      field (grep on jansson's indented output: no python3 needed).
# REGEN=1 rewrites diff-cases/NAME.out from the current pmufc.
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")" && pwd)}"
. "$TESTS_SRCDIR/lib.sh"

dir=$TESTS_SRCDIR/diff-cases

# a. the goldens
grep -v "^#" "$dir/cases" >"$tmp/cases"
while read -r name want args; do
	test -n "$name" || continue
	begin "diff/$name: $args"
	# shellcheck disable=SC2086 # args are words
	(cd "$dir" && exec "$PMUFC" diff $args) >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	if test -n "${REGEN:-}"; then
		cp "$tmp/out" "$dir/$name.out"
	fi
	test "$rc" = "$want" || fail "exit $rc, expected $want"
	test -s "$tmp/err" && { fail "stderr not empty:"; show "$tmp/err"; }
	same "$dir/$name.out" "$tmp/out" "diff/$name.out"
done <"$tmp/cases"

# b. any input
cp "$TESTS_SRCDIR/../policies/tier-standard.pf" "$TESTS_SRCDIR/../policies/tier-basic.pf" \
	"$TESTS_SRCDIR/../policies/architectural.pf" "$TESTS_SRCDIR/../policies/no-llc.pf" "$tmp/"
cd "$tmp" || bail "cannot enter $tmp"
"$PMUFC" --target amd tier-standard.pf -o std.amd.bin 2>/dev/null || bail "cannot compile tier-standard for amd"
"$PMUFC" --target intel tier-standard.pf -o std.intel.bin 2>/dev/null || bail "cannot compile tier-standard for intel"
"$PMUFC" --target arm64 "$dir/arm-b.pf" -o arm-b.bin 2>/dev/null || bail "cannot compile arm-b.pf"
expect 0 "a filter against its own policy (amd)" "$PMUFC" diff --target amd std.amd.bin tier-standard.pf
has "$tmp/out" "amd: no differences in 1048576 events" "amd: no differences, all 2^20 events"
expect 0 "a filter against its own policy (intel, fixed counters too)" \
	"$PMUFC" diff --target intel tier-standard.pf std.intel.bin
has "$tmp/out" "intel: no differences in 65568 events" "intel: 2^16 events and 32 fixed counters"
expect 0 "an arm64 record file against its policy" "$PMUFC" diff --target arm64 arm-b.bin "$dir/arm-b.pf"
"$PMUFC" --format kvmtool -o arm-b.txt "$dir/arm-b.pf" 2>/dev/null || bail "cannot write arm-b.pf as a kvmtool string"
expect 0 "a kvmtool range string against its policy (arm64 by its form)" "$PMUFC" diff arm-b.txt "$dir/arm-b.pf"
has "$tmp/out" "arm64: no differences in 65536 events" "a range string is arm64's"
"$PMUFC" --format qemu --target amd -o std.amd.json tier-standard.pf 2>/dev/null || bail "cannot write a QEMU object"
expect 0 "a QEMU object against its policy" "$PMUFC" diff --target amd std.amd.json tier-standard.pf
expect 0 "a QEMU object against its filter (--cpu chooses amd)" "$PMUFC" diff --cpu amdzen4 std.amd.json std.amd.bin
expect 1 "a filter against another policy" "$PMUFC" diff --target amd --cpu amdzen4 std.amd.bin "$TESTS_SRCDIR/../policies/tier-enhanced.pf"
(cd "$dir/../../policies" && "$PMUFC" diff --cpu amdzen4 tier-standard.pf tier-enhanced.pf) >"$tmp/want" 2>/dev/null
sed -n '3,$p' "$tmp/want" >"$tmp/want.body"
sed -n '3,$p' "$tmp/out" >"$tmp/out.body"
begin "a filter diffs as its policy does"
same "$tmp/want.body" "$tmp/out.body" "filter vs policy"
expect 1 "standard input as A" sh -c '"$1" diff --cpu generic - "$2" <"$3"' sh "$PMUFC" \
	tier-standard.pf tier-basic.pf
has "$tmp/out" "--- A -" "standard input is named '-'"

# c. errors
expect 66 "no such file" "$PMUFC" diff tier-basic.pf "$tmp/no-such.pf"
printf 'allow select=;\n' >bad.pf
expect 65 "a bad policy" "$PMUFC" diff tier-basic.pf bad.pf
has "$tmp/err" "bad.pf:1:" "the bad policy's error is located"
test -s "$tmp/out" && bad "nothing on stdout after an error" || ok "nothing on stdout after an error"
expect 64 "one operand" "$PMUFC" diff tier-basic.pf
expect 64 "both standard input" "$PMUFC" diff - -
expect 64 "A for intel, B for amd" "$PMUFC" diff "$dir/intel-only.pf" "$dir/amd-a.pf"
has "$tmp/err" "say which with --target" "the conflict says what to do"
expect 1 "the same with --target" "$PMUFC" diff --target amd --cpu generic "$dir/intel-only.pf" "$dir/amd-a.pf"

# d. --json, field by field
jhas() { # jhas TEXT WHAT: a line of $tmp/out is TEXT (leading blanks aside)
	if sed 's/^ *//' "$tmp/out" | grep -qxF -- "$1"; then ok "json: $2"; else bad "json: $2: no line '$1'"; fi
}
expect 1 "--json of fixed-a.pf and fixed-b.pf" "$PMUFC" diff --json --cpu skylake "$dir/fixed-a.pf" "$dir/fixed-b.pf"
sed -n 2p "$tmp/out" | grep -qxF '  "schema": 1,' && ok "json: schema first" || bad "json: schema is not first"
sed -n 3p "$tmp/out" | grep -qxF '  "kind": "diff",' && ok "json: kind second" || bad "json: kind is not second"
jhas '"count": 3,' "count of all targets"
jhas '"target": "intel",' "target"
jhas '"model": "skylake",' "the naming model"
jhas '"events": 65568,' "the space: 2^16 events and 32 fixed counters"
jhas '"only_a": 1,' "only_a"
jhas '"only_b": 2,' "only_b"
test "$(grep -c '"allowed_by": "B"' "$tmp/out")" = 2 && ok "json: two differences allowed by B" ||
	bad "json: not two allowed_by B"
test "$(grep -c '"allowed_by": "A"' "$tmp/out")" = 1 && ok "json: one allowed by A" ||
	bad "json: not one allowed_by A"
jhas '"event": "select=0xc0 umask=0x01",' "the event as pmufc reads it"
jhas '"kind": "fixed",' "a fixed-counter difference"
jhas '"fixed_lo": 1,' "fixed_lo"
jhas '"name": "INST_RETIRED.PREC_DIST",' "a name of the model"
jhas '"name": "CPU_CLK_UNHALTED.REF_TSC",' "a fixed counter's name"
expect 0 "--json of the same policy twice (intel and amd)" "$PMUFC" diff --json --cpu generic tier-basic.pf tier-basic.pf
jhas '"count": 0,' "count 0"
test "$(grep -c '"target": ' "$tmp/out")" = 2 && ok "json: two targets for an untargeted policy" ||
	bad "json: not two targets"
jhas '"events": 1048576,' "amd's 2^20 events"
jhas '"differences": []' "no differences"
jhas '"model": null,' "no model: null"
expect 1 "--json on arm64" "$PMUFC" diff --json --cpu neoverse-n1 "$dir/arm-a.pf" "$dir/arm-b.pf"
jhas '"kind": "arm",' "an arm64 range"
jhas '"arm_lo": 16384,' "arm_lo"
jhas '"arm_hi": 20479,' "arm_hi"
jhas '"count": 4104,' "arm64 count"
expect 65 "--json and a bad policy" "$PMUFC" diff --json tier-basic.pf bad.pf
test -s "$tmp/out" && bad "json: nothing on stdout after an error" || ok "json: nothing on stdout after an error"

finish
