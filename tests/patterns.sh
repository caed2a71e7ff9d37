#!/bin/sh
# tests/patterns.sh - `event PATTERN` (shell-style * and ?) in policies:
# a pattern decides exactly as the policy that lists its names by hand
# (the filters compared on every event with blobtool cmp), whatever the
# case, with ? as one character, in scopes; a pattern that matches nothing
# is a located error with close names; `--list-events PATTERN` shows what
# a pattern matches, and today's FILE operand stays a FILE.
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")" && pwd)}"
. "$TESTS_SRCDIR/lib.sh"
blobtool=$TESTS_BUILDDIR/blobtool
cases=$TESTS_SRCDIR/patterns-cases
test -x "$blobtool" || bail "no $blobtool (make check builds it)"
cd "$tmp" || bail "no $tmp"

# agree WHAT TARGET CPU A B: both policies compile for TARGET with --cpu
# CPU (-: the policies' own cpu statement), and their filters decide
# alike on every event (and fixed counter).
agree() {
	begin "$1"
	cpu="--cpu $3"; test "$3" = - && cpu=
	# shellcheck disable=SC2086
	if ! "$PMUFC" --target "$2" $cpu "$4" -o a.bin 2>a.err; then
		fail "$4 does not compile:"; show a.err; return
	fi
	# shellcheck disable=SC2086
	if ! "$PMUFC" --target "$2" $cpu "$5" -o b.bin 2>b.err; then
		fail "$5 does not compile:"; show b.err; return
	fi
	"$blobtool" cmp "$2" a.bin b.bin >cmp.out 2>&1 || { fail "$4 and $5 decide differently:"; show cmp.out; }
}

# The issue's trap, written by names: every ls_any_fills_from_sys.* and
# ls_dmnd_fills_from_sys.* name of Zen 4, by pattern and by hand.
printf 'default allow;\ndeny event ls_any_fills_from_sys.*;\ndeny event ls_dmnd_fills_from_sys.*;\n' >pat.pf
agree "two patterns decide as the 22 names listed by hand (amdzen4)" amd amdzen4 pat.pf "$cases/zen4-fills-by-hand.pf"
printf 'default allow;\ndeny event LS_ANY_FILLS_FROM_SYS.*, event Ls_Dmnd_Fills_From_Sys.*;\n' >upper.pf
agree "patterns match case-insensitively" amd amdzen4 upper.pf pat.pf
printf 'default allow;\ndeny amd event ls_any_fills_from_sys.*, amd event ls_dmnd_fills_from_sys.*;\n' >amd.pf
agree "a scoped pattern (amd event) decides as the unscoped one on amd" amd amdzen4 amd.pf pat.pf
printf 'default allow;\ndeny x86 event ls_?mnd_fills_from_sys.*, event ls_any_*_from_sys.*;\n' >mixed.pf
agree "? is one character, * may stand in the middle" amd amdzen4 mixed.pf pat.pf

# ?: exactly one character (INST_RETIRED.ANY?? is ANY_P, not ANY).
printf 'default allow;\ndeny event INST_RETIRED.ANY??;\n' >q.pf
printf 'default allow;\ndeny event INST_RETIRED.ANY_P;\n' >q-hand.pf
agree "? stands for one character (skylake INST_RETIRED.ANY??)" intel skylake q.pf q-hand.pf
printf 'default deny;\nallow event inst_retired.*;\n' >intel.pf
printf 'default deny;\nallow event INST_RETIRED.ANY, event INST_RETIRED.ANY_P, event INST_RETIRED.NOP,\n  event INST_RETIRED.PREC_DIST, event INST_RETIRED.TOTAL_CYCLES_PS;\n' >intel-hand.pf
agree "an Intel pattern covers the fixed counter of a name it matches" intel skylake intel.pf intel-hand.pf

# Generic names: without a model, and on the targets a model is not for.
printf 'default allow;\ndeny event *cycles;\n' >gen.pf
printf 'default allow;\ndeny event cycles, event ref-cycles;\n' >gen-hand.pf
agree "a pattern over the generic names (intel, no model)" intel generic gen.pf gen-hand.pf
agree "a pattern over the generic names (amd, ref-cycles has no encoding)" amd generic gen.pf gen-hand.pf
printf 'default allow;\ndeny amd event *cycles, intel event ref-*;\n' >scopes-generic.pf
printf 'default allow;\ndeny event ref-cycles;\n' >scopes-intel.pf
agree "scopes: an amd pattern does not apply on intel (generic names)" intel generic scopes-generic.pf scopes-intel.pf
printf 'default allow;\ndeny intel event *cycles, amd event ls_any_fills_from_sys.*;\n' >scopes.pf
printf 'default allow;\ndeny event ls_any_fills_from_sys.*;\n' >scopes-amd.pf
agree "scopes: the amd pattern of the same policy on amd" amd amdzen4 scopes.pf scopes-amd.pf

# A lone * is still the set of every value, not a pattern.
printf 'default deny;\nallow x86 select=0xc0 umask=*;\n' >star.pf
printf 'default deny;\nallow x86 select=0xc0 umask=0x00-0xff;\n' >star-hand.pf
agree "a lone * stays select=/umask='s every value" intel generic star.pf star-hand.pf

# Errors, exactly: located, with the names that share the longest start;
# a scope's pattern that matches nothing on its targets; no model; a
# pattern where a number belongs.
for c in nomatch scope-nomatch no-model misplaced; do
	begin "error: $c"
	# no-model: --cpu generic, so that the host's model stays out of it
	model=; test "$c" = no-model && model="--cpu generic"
	# shellcheck disable=SC2086
	"$PMUFC" --target amd $model "$cases/$c.pf" -o out.bin >out 2>err
	st=$?
	sed "s|^$cases/||" err >err.rel
	test "$st" = 65 || fail "exit $st, expected 65"
	same "$cases/$c.err" err.rel "$c: stderr"
	test -s out && fail "$c: output on stdout"
	test -e out.bin && fail "$c: an output file was written"
done

# The list form: the names a pattern matches, as a policy would.
begin "--list-events --cpu amdzen4 PATTERN: golden"
"$PMUFC" --list-events --cpu amdzen4 'LS_DMND_*' >out 2>err || fail "exit $?"
same "$cases/list-zen4-dmnd.txt" out "the listing"
run "$PMUFC" list events --cpu amdzen4 'LS_DMND_*'
begin "list events PATTERN = --list-events PATTERN"
test "$st" = 0 || fail "exit $st"
same "$cases/list-zen4-dmnd.txt" "$tmp/out" "list events"
begin "--list-events PATTERN over the generic names, no model"
"$PMUFC" --list-events --cpu generic --target intel '*CYCLES' >out 2>err || fail "exit $?"
same "$cases/list-generic-cycles.txt" out "the listing"
expect 65 "--list-events: a pattern that matches nothing" "$PMUFC" --list-events --cpu amdzen4 'ls_dmd_*'
has "$tmp/err" "pmufc: no event matches 'ls_dmd_*' on amdzen4 (did you mean 'ls_dmnd_fills_from_sys.all', 'ls_dmnd_fills_from_sys.alternate_memories' or 'ls_dmnd_fills_from_sys.dram_io_far'?)" \
	"--list-events: the error suggests close names"
run "$PMUFC" --json --list-events --cpu skylake 'inst_retired.any*'
begin "--json --list-events PATTERN: the pattern and only its names"
test "$st" = 0 || fail "exit $st"
grep -q '"pattern": "inst_retired.any\*"' "$tmp/out" || fail "no pattern field"
test "$(grep -c '"name"' "$tmp/out")" = 2 || { fail "not 2 names:"; show "$tmp/out"; }
# An existing file stays today's FILE, even named like a pattern.
cp "$cases/zen4-fills-by-hand.pf" 'by*hand.pf'
run "$PMUFC" --list-events --cpu amdzen4 'by*hand.pf'
begin "--list-events FILE: a file whose name has a * is still a FILE"
test "$st" = 0 || fail "exit $st"
grep -q 'decided by by\*hand.pf' "$tmp/out" || { fail "not the decided listing:"; show "$tmp/out" 3; }
grep -q '^ls_any_fills_from_sys.all  *select=0x44 umask=0xff  *deny$' "$tmp/out" || fail "no decision column"

finish
