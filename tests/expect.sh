#!/bin/sh
# tests/expect.sh - `expect allow|deny MATCHES;` (core/expect.c): every
# case of tests/expect-cases/ compiles with its NAME.TARGET.args and either
# passes (no diagnostics, and the filter is byte for byte the one the
# policy makes without its expectations: they decide nothing) or fails
# with exactly NAME.TARGET.err (exit 65, nothing written, an existing
# output file left as it was).  Then: a failing expectation fails the
# other modes that compile (check, stats, diff), -w does not hide it, and
# the shipped policies' own expectations hold (they compile in `make`).
#
# REGEN=1 writes the .err files from what pmufc says: review the diff.
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")" && pwd)}"
. "$TESTS_SRCDIR/lib.sh"
cases=$TESTS_SRCDIR/expect-cases
cd "$cases" || bail "no $cases"

for a in *.args; do
	c=${a%.args}          # NAME.TARGET
	name=${c%.*}
	args=$(cat "$a")
	begin "$c ($args)"
	rm -f "$tmp/out.bin"
	# shellcheck disable=SC2086 # args are words
	"$PMUFC" $args "$name.pf" -o "$tmp/out.bin" >"$tmp/out" 2>"$tmp/err"
	st=$?
	if test -n "${REGEN:-}"; then
		if test "$st" = 0; then rm -f "$c.err"; else cp "$tmp/err" "$c.err"; fi
	fi
	test -s "$tmp/out" && { fail "$c: wrote to stdout"; continue; }
	if test -f "$c.err"; then
		test "$st" = 65 || { fail "$c: exit $st, expected 65"; show "$tmp/err"; continue; }
		same "$c.err" "$tmp/err" "$c: diagnostics" || continue
		test -e "$tmp/out.bin" && { fail "$c: failed but wrote $tmp/out.bin"; continue; }
		echo keep >"$tmp/old.bin"
		# shellcheck disable=SC2086
		"$PMUFC" $args "$name.pf" -o "$tmp/old.bin" 2>/dev/null
		test "$(cat "$tmp/old.bin")" = keep || fail "$c: an existing output file was clobbered"
	else
		test "$st" = 0 || { fail "$c: exit $st, expected 0"; show "$tmp/err"; continue; }
		test -s "$tmp/err" && { fail "$c: diagnostics from a passing case:"; show "$tmp/err"; continue; }
		sed '/^expect /d' "$name.pf" >"$tmp/plain.pf"
		# shellcheck disable=SC2086
		"$PMUFC" $args "$tmp/plain.pf" -o "$tmp/plain.bin" 2>"$tmp/err" ||
			{ fail "$c: the policy without its expectations does not compile"; show "$tmp/err"; continue; }
		cmp -s "$tmp/out.bin" "$tmp/plain.bin" || fail "$c: expectations changed the filter"
	fi
done

# The other modes compile the policy too, and fail with it.
expect 65 "check: a failing expectation fails it" \
	"$PMUFC" --target intel --cpu skylake check by-rule.pf select=0x2e,umask=0x41
has "$tmp/err" "expectation fails on intel" "check: says which expectation fails"
expect 65 "stats: a failing expectation fails it" "$PMUFC" --target intel --cpu generic --stats by-default.pf
expect 65 "diff: a failing expectation fails it" "$PMUFC" --target intel --cpu generic diff by-default.pf all-forms.pf
expect 65 "-w: an expectation is an error, not a warning" \
	"$PMUFC" -w --target intel --cpu generic by-default.pf -o "$tmp/w.bin"
expect 65 "-Wno-all: an expectation is an error, not a warning" \
	"$PMUFC" -Wno-all --target intel --cpu generic by-default.pf -o "$tmp/w.bin"

# The shipped policies' expectations: each states some (itself or in a
# policy it includes), and every one holds on each of its targets
# (policies/ says which on its '# targets:' line).
pols=$TESTS_SRCDIR/../policies
for p in "$pols"/*.pf; do
	inc=$(sed -n 's/^include "\(.*\)";.*/\1/p' "$p")
	for t in $(sed -n 's/^# targets: //p' "$p"); do
		begin "$(basename "$p") on $t: its expectations hold"
		n=$(cd "$pols" && cat "$(basename "$p")" $inc | grep -c '^expect ')
		test "$n" -gt 0 || fail "$(basename "$p") states no expectation"
		"$PMUFC" --cpu generic --target "$t" "$p" -o "$tmp/p.bin" 2>"$tmp/err" ||
			{ fail "$(basename "$p") on $t"; show "$tmp/err"; }
	done
done
finish
