#!/bin/sh
# tests/fuzz/replay.sh - `make check`: the fuzz harnesses, without
# libFuzzer, on the seed corpora and on every input a fuzz run kept under
# tests/fuzz/regress/TARGET/ (see tests/fuzz.mk).  A crash found once must
# stay fixed.  One case per harness (policy, blob, import, bundle).
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
pf_test_name=replay
. "$TESTS_SRCDIR/lib.sh"
replay=$TESTS_BUILDDIR/fuzz/replay
test -x "$replay" || bail "no $replay (make check builds it)"
for t in policy blob import bundle; do
	set -- "$TESTS_SRCDIR/fuzz/corpus-$t"
	test -d "$TESTS_SRCDIR/fuzz/regress/$t" && set -- "$@" "$TESTS_SRCDIR/fuzz/regress/$t"
	begin "replay $t: the corpus and the kept crashes run clean"
	"$replay" "$t" "$@" >"$tmp/out" 2>&1
	rc=$?
	if test $rc != 0; then
		fail "replay $t: exit $rc; the last input and what went wrong:"
		grep -n 'replay:' "$tmp/out" | tail -1 | show -
		grep -v '^replay:' "$tmp/out" | show - 40
	else
		note "$(tail -1 "$tmp/out")"
	fi
done
finish
