#!/bin/sh
# tests/models.sh - CPU models by the names people use (lang/models.c):
#   a. perf's names in any case, the aliases (zen4, genoa, spr, icx,
#      graviton3, neoverse-n2, ...) and CPUID/MIDR strings name models;
#   b. an unknown name gets "did you mean" with the closest names, and its
#      hint for a CPUID string fits the target; so do unknown targets,
#      formats and ABIs (base/suggest.c), and misspelt keywords;
#   c. an unknown model in a policy no longer hides the policy's other
#      errors: one run reports them all (checked against the clearly
#      closest model, said in a note).
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")" && pwd)}"
. "$TESTS_SRCDIR/lib.sh"
cd "$tmp" || bail "cannot enter $tmp"

# a. names: the header line of --list-events names the model found.
while read -r given model; do
	run "$PMUFC" --list-events --cpu "$given"
	first=$(head -n 1 "$tmp/out")
	case $first in
	"# $model ("*) ok "--cpu $given is $model" ;;
	*) bad "--cpu $given: '$first' (exit $st), expected $model" ;;
	esac
done <<'LIST'
SapphireRapids sapphirerapids
SKYLAKE skylake
zen4 amdzen4
genoa amdzen4
milan amdzen3
zen5 amdzen5
spr sapphirerapids
icx icelakex
skx skylakex
graviton3 neoverse-v1
neoverse-n2 neoverse-n2-v2
GenuineIntel-6-8E skylake
0x00000000410fd0c0 neoverse-n1
LIST

# b. did you mean
for pair in skylak:skylake sapphirerapid:sapphirerapids icelak:icelake zen44:amdzen4; do
	given=${pair%%:*} near=${pair#*:}
	expect 64 "--cpu $given" "$PMUFC" --list-events --cpu "$given"
	has "$tmp/err" "did you mean $near?" "--cpu $given: did you mean $near"
done
printf 'target arm64;\ncpu qwertyuiop;\ndefault deny;\n' >arm.pf
expect 65 "an arm64 policy with an unknown cpu" "$PMUFC" arm.pf -o x.bin
has "$tmp/err" "0x00000000410fd0c0" "the hint for an arm64 target is a MIDR, not an Intel CPUID string"
hasnt "$tmp/err" "GenuineIntel" "no Intel CPUID string offered for arm64"

# ... and for the command line's other words.
printf 'default deny;\n' >p.pf
while read -r opt given near; do
	expect 64 "$opt $given" "$PMUFC" "$opt" "$given" p.pf -o x.bin
	has "$tmp/err" "did you mean '$near'?" "$opt $given: did you mean $near"
done <<'LIST'
--target arm arm64
--target amdd amd
--format jsn json
--format qemu-arn qemu-arm
--abi mask masked
LIST
expect 64 "--target sparc" "$PMUFC" --target sparc p.pf -o x.bin
hasnt "$tmp/err" "did you mean" "--target sparc: nothing close, nothing suggested"

# ... and for the language's keywords, where the parser expected one.
printf 'defualt deny;\nalow event cycles;\nallow x86 selct=0x3c;\nfoo;\n' >k.pf
expect 65 "misspelt keywords" "$PMUFC" -t intel k.pf -o x.bin
has "$tmp/err" "k.pf:1:1: error: unexpected identifier 'defualt', expected 'allow', 'deny', 'default', 'target', 'cpu', 'include' or 'expect': did you mean 'default'?" "defualt: did you mean 'default'"
has "$tmp/err" "k.pf:2:1: error: unexpected identifier 'alow', expected" "alow: reported in the same run"
has "$tmp/err" "did you mean 'allow'?" "alow: did you mean 'allow'"
has "$tmp/err" "did you mean 'select'?" "selct: did you mean 'select'"
grep "k.pf:4:1: error" "$tmp/err" >foo.err
if test -s foo.err && ! grep -q "did you mean" foo.err; then ok "foo: nothing close, nothing suggested"
else bad "foo: $(cat foo.err)"; fi

# c. every error in one run
printf 'cpu skylak;\ndefault deny;\nallow event INST_RETIRED.ANY_P;\nallow x86 select=0x1ff;\nalow event cycles;\n' >s.pf
expect 65 "a policy with an unknown cpu and three more errors" "$PMUFC" -t intel s.pf -o x.bin
grep ': error: ' "$tmp/err" >errors
if test "$(wc -l <errors)" -eq 3 && grep -q '^s.pf:1:5: error: unknown CPU model .skylak.: did you mean skylake' errors &&
    grep -q '^s.pf:4:18: error: select 0x1ff is out of range' errors && grep -q '^s.pf:5:1: error: ' errors; then
	ok "one run: the model, the select and the syntax error; the model's name INST_RETIRED.ANY_P resolved (as skylake)"
else
	bad "one run: $(cat errors)"
fi
has "$tmp/err" "note: the rest is checked as if it said skylake" "the note says which model the rest was checked as"
test -e x.bin && bad "an output was written" || ok "nothing written"

finish
