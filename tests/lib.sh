# tests/lib.sh - sourced by the test scripts (POSIX sh).
#
# From `make check` (tests/Makefile.inc) come PMUFC (the built pmufc),
# TESTS_SRCDIR (this folder in the source tree, read-only under distcheck)
# and TESTS_BUILDDIR (tests/ in the build tree: helper programs).  Run by
# hand from a built tree, `sh tests/golden-listings.sh` finds them by itself.
# REGEN=1 (golden, reject) writes the actual outputs as the expected ones:
# review the diff before committing it.  tests/loader/lib.sh builds on this
# file (and names its scripts, pf_test_name, before sourcing it: a plain
# `me` could come from the environment).

me=${pf_test_name:-$(basename "$0" .sh)}
: "${TESTS_BUILDDIR:=$TESTS_SRCDIR}"
: "${PMUFC:=$TESTS_BUILDDIR/../pmufc}"
if ! test -x "$PMUFC"; then
	echo "$me: ERROR: no pmufc at $PMUFC (build first)"
	exit 99
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pmufc-$me.XXXXXX") || exit 99
# On exit, processes the script left running (their ids in pids) are
# killed, and tmp is removed.
pids=
cleanup() {
	for p in $pids; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

ncase=0
nfail=0

# fail MESSAGE...: count a failure and say why.
fail() {
	nfail=$((nfail + 1))
	echo "FAIL: $*"
}

# same EXPECTED ACTUAL WHAT: compare two text files, show a diff when they
# differ.  Returns non-zero on a difference (after counting a failure).
same() {
	if ! cmp -s "$1" "$2"; then
		fail "$3 (diff expected actual):"
		diff -u "$1" "$2" | sed -n '1,60p'
		return 1
	fi
}

# finish: the summary line; exit status for the harness.
finish() {
	echo "$me: $ncase cases, $nfail failed"
	test "$nfail" = 0 || exit 1
	exit 0
}
