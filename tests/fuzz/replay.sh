#!/bin/sh
# tests/fuzz/replay.sh - `make check`: the fuzz harnesses, without
# libFuzzer, on the seed corpora and on every input a fuzz run kept under
# tests/fuzz/regress/TARGET/ (see tests/fuzz.mk).  A crash found once must
# stay fixed.
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${TESTS_BUILDDIR:=$TESTS_SRCDIR}"
replay=$TESTS_BUILDDIR/fuzz/replay
if ! test -x "$replay"; then
	echo "replay: ERROR: no $replay (make check builds it)"
	exit 99
fi
status=0
for t in policy blob import; do
	set -- "$TESTS_SRCDIR/fuzz/corpus-$t"
	test -d "$TESTS_SRCDIR/fuzz/regress/$t" && set -- "$@" "$TESTS_SRCDIR/fuzz/regress/$t"
	"$replay" "$t" "$@" >"${TMPDIR:-/tmp}/pmufc-replay.$$" 2>&1
	rc=$?
	if test $rc != 0; then
		status=1
		echo "FAIL: replay $t: exit $rc; the last input and what went wrong:"
		grep -n 'replay:' "${TMPDIR:-/tmp}/pmufc-replay.$$" | tail -1
		grep -v '^replay:' "${TMPDIR:-/tmp}/pmufc-replay.$$" | sed -n '1,40p'
	else
		tail -1 "${TMPDIR:-/tmp}/pmufc-replay.$$"
	fi
	rm -f "${TMPDIR:-/tmp}/pmufc-replay.$$"
done
exit $status
