#!/bin/sh
# tests/lint.sh - the lints for silent gaps and the diagnostics that say
# what was meant (pmufc.policy(5) WARNINGS and ERRORS):
#   - each lint (combined-umask, fixed-twin, overridden) on its trap, with
#     exactly lint-cases/NAME.err; silenced by -Wno-KIND, an error with
#     -Werror=KIND (exit 65, nothing written); the fix its notes give, put
#     where they say, compiles with -W and decides the trap's events as
#     lint-cases/cases says; policies near the traps draw nothing;
#   - the shipped policies (each target of its '# targets:' line, with the
#     generic names and with a model of each vendor) draw no lint warning,
#     and bench/corpus and tests/golden draw exactly the ones listed in
#     lint-cases/corpus.expected (real traps, each said why);
#   - an include not found lists the folders searched and a close file; a
#     name known only under another scope suggests the scope; an unknown
#     model's hint fits the target;
#   - one policy with an error of each kind reports all of them in one run.
# REGEN=1 rewrites the .err files: review the diff.  corpus.expected is
# kept by hand, each warning with its reason.
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")" && pwd)}"
. "$TESTS_SRCDIR/lib.sh"
cases=$TESTS_SRCDIR/lint-cases
top=$TESTS_SRCDIR/..
cd "$tmp" || bail "no $tmp"

# golden NAME FILE: FILE is lint-cases/NAME.err (REGEN=1: becomes it).
golden() {
	if test -n "${REGEN:-}"; then cp "$2" "$cases/$1.err"; fi
	same "$cases/$1.err" "$2" "$1: stderr"
}

# The shipped policy folder as pmufc prints it (its build tree's source
# folder, or the installed one), for the goldens: POLICIES.
# pmufc prints the Makefile's abs_top_srcdir as it is ("/x/_build/.." when
# configured as ../configure), which is TESTS_SRCDIR without its /tests.
pol0=${TESTS_SRCDIR%/tests}/policies
pol1=$(cd "$top/policies" && pwd)
pol2=$(cd "$top/policies" && pwd -P)
unpath() {
	sed -e "s|$cases/||g" -e "s|$pol0|POLICIES|g" -e "s|$pol1|POLICIES|g" -e "s|$pol2|POLICIES|g" "$1"
}

# fixes ERR: the fixes the notes of ERR give, one a line as "LINE WHERE
# TEXT" (WHERE before or after policy line LINE; fixed-twin's 'deny
# fixed' goes at the end, after line 100000).
fixes() {
	awk '
	function quoted(s) { sub(/^[^\047]*: \047/, "", s); sub(/\047.*$/, "", s); return s }
	/: warning: .*\[-W(combined-umask|fixed-twin)\]$/ {
		split($0, f, ":"); wline = f[2]
		if ($0 ~ /add \047deny fixed 0x[0-9a-f]+;\047/) {
			s = $0; sub(/.*add \047/, "", s); sub(/\047.*/, "", s); print 100000, "after", s
		}
		next
	}
	/^pmufc: note: .*add right after that rule: \047/ { print wline, "after", quoted($0); next }
	/: note: .*add right (before|after) this rule: \047/ {
		split($0, f, ":"); where = $0 ~ /right before/ ? "before" : "after"
		print f[2], where, quoted($0)
	}' "$1"
}

# apply POLICY FIXES: POLICY with the fixes inserted, on stdout.
apply() {
	awk 'NR == FNR { n++; line[n] = $1; where[n] = $2; $1 = $2 = ""; sub(/^  */, ""); text[n] = $0; next }
	{
		for (i = 1; i <= n; i++) if (line[i] == FNR && where[i] == "before") print text[i]
		print
		for (i = 1; i <= n; i++) if (line[i] == FNR && where[i] == "after") print text[i]
	}
	END { for (i = 1; i <= n; i++) if (line[i] == 100000) print text[i] }' "$2" "$1"
}

# --- the lints on their traps, and the policies near them ---------------
while read -r name kind args; do
	case $name in '#'* | '' | after) continue ;; esac
	pf=$cases/$name.pf
	begin "$name: $kind"
	# shellcheck disable=SC2086
	"$PMUFC" $args "$pf" -o out.bin >out 2>err
	st=$?
	unpath err >err.rel
	test "$st" = 0 || fail "exit $st"
	test -s out.bin || fail "no filter written"
	if test "$kind" = quiet; then
		test -s err && { fail "warnings on a policy without a trap:"; show err; }
		# shellcheck disable=SC2086
		"$PMUFC" -W $args "$pf" -o out.bin 2>err || { fail "-W fails:"; show err; }
		continue
	fi
	golden "$name" err.rel
	others=$(grep -o '\[-W[a-z-]*\]' err | sort -u | grep -v -x -F "[-W$kind]")
	test -z "$others" || fail "warnings of other kinds: $others"
	grep -q "\[-W$kind\]" err || fail "no [-W$kind]"

	begin "$name: -Wno-$kind silences it, and its notes"
	rm -f out.bin
	# shellcheck disable=SC2086
	"$PMUFC" -Wno-"$kind" $args "$pf" -o out.bin >out 2>err || fail "exit $?"
	test -s err && { fail "still said:"; show err; }
	test -s out.bin || fail "no filter written"

	begin "$name: -Werror=$kind makes it an error"
	rm -f out.bin
	# shellcheck disable=SC2086
	"$PMUFC" -Werror="$kind" $args "$pf" -o out.bin >out 2>err
	st=$?
	test "$st" = 65 || fail "exit $st, expected 65"
	grep -q "error: .*\[-Werror=$kind\]" err || { fail "no error of kind $kind:"; show err; }
	test -e out.bin && fail "a filter was written"

	grep -q "^after $name " "$cases/cases" || continue
	begin "$name: the fix its notes give, where they say, closes it (-W)"
	fixes err.rel >fix.list
	test -s fix.list || fail "no fix found in the notes"
	apply "$pf" fix.list >fixed.pf
	# shellcheck disable=SC2086
	"$PMUFC" -W $args fixed.pf -o fixed.bin 2>fixed.err || { fail "the fixed policy fails with -W:"; show fixed.err; show fixed.pf 30; }
	grep "^after $name " "$cases/cases" | while read -r _ _ event want; do
		# shellcheck disable=SC2086
		got=$("$PMUFC" $args --check "$event" fixed.pf 2>/dev/null | sed 's/:.*//')
		test "$got" = "$want" || echo "$event: $got, expected $want"
	done >wrong
	test -s wrong && { fail "the fixed policy decides otherwise:"; show wrong; }
done <"$cases/cases"

# The fix of the issue's trap, as the note says it.
has "$cases/zen4-names.err" "add right before this rule: 'deny amd select=0x44; allow amd select=0x44 mask=0xdf match=0x00;'" \
	"zen4-names: the note gives the masked form that closes select=0x44"
has "$cases/range-fix.err" "'deny intel select=0xd1 umask=0x02-0xff;'" "range-fix: a range when the denied bits run to the top"
has "$cases/cycles.err" "but fixed counter 1 still counts core cycles: add 'deny fixed 0x2;' [-Wfixed-twin]" \
	"cycles: the issue's trap, and 'deny fixed 0x2'"
has "$cases/overridden-most.err" "overridden-most.pf:6:1: note: overridden by this rule (255 of its 256 events; other later rules decide the rest)" \
	"overridden-most: the note shows the rule that overrides most"

# --- silent where there is no trap -------------------------------------
# The shipped policies: no lint warning for any of their targets, with the
# generic names (as make builds them) or a model's (as bundles do).
for p in "$top"/policies/*.pf; do
	n=$(basename "$p" .pf)
	for t in $(sed -n 's/^# *targets: *//p' "$p"); do
		case $t in intel) models="generic skylake sapphirerapids" ;; amd) models="generic amdzen1 amdzen4" ;;
		*) models="generic neoverse-n1" ;; esac
		for m in $models; do
			begin "policies/$n.pf ($t, --cpu $m): no lint warning, -W compiles"
			"$PMUFC" -W --cpu "$m" --target "$t" "$p" -o out.bin 2>err || { fail "exit $?:"; show err; }
			test -s err && { fail "said:"; show err; }
		done
	done
done

# bench/corpus and tests/golden: exactly the lint warnings listed (the
# real traps there), "FILE TARGET KIND LINE" each, for intel and amd.
begin "bench/corpus and tests/golden: only the lint warnings in corpus.expected"
for p in "$top"/bench/corpus/*.pf "$top"/tests/golden/*.pf; do
	rel=${p#"$top"/}
	for t in intel amd; do
		"$PMUFC" --cpu generic --target "$t" "$p" -o out.bin 2>err >/dev/null
		sed -n 's/^[^ :]*:\([0-9]*\):[0-9]*: [a-z]*: .*\[-W\(error=\)\{0,1\}\(combined-umask\|fixed-twin\|overridden\)\]$/\1 \3/p' err |
			while read -r line kind; do echo "$rel $t $kind $line"; done
	done
done >corpus.got
sed -e 's/[[:space:]]*#.*//' -e '/^$/d' "$cases/corpus.expected" >corpus.want
same corpus.want corpus.got "the lint warnings of the corpus"

# --- did you mean ------------------------------------------------------
begin "include: the folders searched, in order, and a close file of theirs"
cp -R "$cases/include" inc && chmod -R u+w inc
(cd inc && "$PMUFC" --target intel --cpu generic -I lib main.pf -o out.bin) >out 2>err
st=$?
test "$st" = 65 || fail "exit $st, expected 65"
unpath err >err.rel
golden include err.rel
test -e inc/out.bin && fail "a filter was written"
begin "include from standard input: the working folder first"
(cd inc && "$PMUFC" --target intel --cpu generic - -o out.bin <main.pf) >out 2>err
unpath err >err.rel
grep -q "^-:5:9: error: cannot find 'bsae.pf' (looked in ., POLICIES)$" err.rel || { fail "not the folders:"; show err.rel; }
grep -q "^-:6:9: note: did you mean 'tier-basic'?$" err.rel || fail "no suggestion from the shipped folder"

for s in scope-intel scope-amd; do
	begin "$s: a name known under another scope suggests the scope"
	"$PMUFC" "$cases/$s.pf" -o out.bin >out 2>err
	st=$?
	test "$st" = 65 || fail "exit $st, expected 65"
	unpath err >err.rel
	golden "$s" err.rel
done
begin "scope-intel: the scope suggested, not the same name"
grep -q "^scope-intel.pf:5:6: note: did you mean 'intel event INST_RETIRED.ANY_P'?$" "$cases/scope-intel.err" || fail "no scope suggested"
grep "^scope-intel.pf:5:" "$cases/scope-intel.err" | grep -q "did you mean 'INST_RETIRED" && fail "the same name suggested"

printf 'target arm64;\ncpu qwertyuiop;\ndefault deny;\n' >arm.pf
expect 65 "an unknown model on arm64" "$PMUFC" arm.pf -o out.bin
has "$tmp/err" "give a name from --list-cpus or a MIDR such as 0x00000000410fd0c0" "the arm64 hint is a MIDR"
printf 'target amd;\ncpu qwertyuiop;\ndefault deny;\n' >amd.pf
expect 65 "an unknown model on amd" "$PMUFC" amd.pf -o out.bin
has "$tmp/err" "give a name from --list-cpus or a CPUID string such as AuthenticAMD-25-11" "the amd hint is an AMD CPUID string"

# --- every error in one run --------------------------------------------
begin "all-errors: an error of each kind, all in one run"
rm -f out.bin
cp "$cases/all-errors.pf" . # from here: its include looks in "."
"$PMUFC" --target intel all-errors.pf -o out.bin >out 2>err
st=$?
test "$st" = 65 || fail "exit $st, expected 65"
unpath err >err.rel
golden all-errors err.rel
test -e out.bin && fail "a filter was written"
test -s out && fail "output on stdout"
begin "all-errors: one error for each line that has one"
want=$(grep -c ';  *# ' "$cases/all-errors.pf")
got=$(grep -c '^all-errors.pf:[0-9]*:[0-9]*: error:' err.rel)
test "$got" = "$want" || fail "$got errors, $want lines with one"

finish
