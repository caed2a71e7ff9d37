# tests/loader/lib.sh - sourced by the loader's test scripts (POSIX sh).
#
# From `make check` come PMUFC, TESTS_SRCDIR and TESTS_BUILDDIR (tests/
# in the source and build trees); run by hand from a built tree,
# `sh tests/loader/shim.sh` finds them by itself.  Everything the scripts
# write goes into a mktemp folder; processes they start are stopped on
# exit.

me=loader-$(basename "$0" .sh)
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${TESTS_BUILDDIR:=$TESTS_SRCDIR}"
: "${PMUFC:=$TESTS_BUILDDIR/../pmufc}"
SHIM=$TESTS_BUILDDIR/../.libs/pmufc-shim.so
FAKE=$TESTS_BUILDDIR/loader/.libs/fake-kvm.so
TESTVMM=$TESTS_BUILDDIR/loader/test-vmm
INJECT=$TESTS_BUILDDIR/loader/inject-test
STATIC=$TESTS_BUILDDIR/loader/static-prog
QMP="python3 $TESTS_SRCDIR/loader/qmp.py"
PMUFC_SHIM=$SHIM
export PMUFC_SHIM
# Under AddressSanitizer, programs started with the (uninstrumented) shim
# or fake-kvm.so preloaded must not insist on ASan's runtime coming first.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export ASAN_OPTIONS
unset PMUFC_FILTER PMUFC_TARGET PMUFC_ARM_MAX PMUFC_VERBOSE LD_PRELOAD FAKE_KVM_ERRNO FAKE_KVM_FAIL_AT
for f in "$PMUFC" "$SHIM"; do
	if ! test -e "$f"; then
		echo "$me: ERROR: no $f (build first)"
		exit 99
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pmufc-$me.XXXXXX") || exit 99
pids=
cleanup() {
	for p in $pids; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

ncase=0
nfail=0

# ok DESC / bad DESC: one case passed or failed.
ok() {
	ncase=$((ncase + 1))
	echo "ok $ncase - $*"
}
bad() {
	ncase=$((ncase + 1))
	nfail=$((nfail + 1))
	echo "not ok $ncase - $*"
	for f in "$tmp/out" "$tmp/err"; do
		test -s "$f" && sed -n '1,20s/^/    | /p' "$f"
	done
}

# run CMD...: runs it with stdout in $tmp/out, stderr in $tmp/err, status in $st.
run() {
	"$@" >"$tmp/out" 2>"$tmp/err"
	st=$?
}

# expect STATUS DESC CMD...: run CMD, check its exit status.
expect() {
	want=$1 desc=$2
	shift 2
	run "$@"
	if test "$st" = "$want"; then ok "$desc (exit $st)"; else bad "$desc: exit $st, expected $want"; fi
}

# has FILE TEXT DESC: FILE contains TEXT (fixed string).
has() {
	if grep -qF -- "$2" "$1"; then ok "$3"; else bad "$3: no '$2' in $(basename "$1")"; fi
}
hasnt() {
	if grep -qF -- "$2" "$1"; then bad "$3: '$2' in $(basename "$1")"; else ok "$3"; fi
}

# alive PID DESC: the process still runs.
alive() {
	if kill -0 "$1" 2>/dev/null; then ok "$2"; else bad "$2: process $1 is gone"; fi
}

# hexof FILE: the bytes of FILE as one lowercase hex string.
hexof() {
	od -An -tx1 -v "$1" | tr -d ' \n'
}

# The policies the tests apply; `x86` rules: the same bytes on Intel and AMD.
printf 'deny x86 select=0xc0 umask=0x00;  # instructions retired\n' >"$tmp/deny.pf"
printf 'allow x86 select=0xc0 umask=0x00;\nallow x86 select=0x3c umask=0x00;\n' >"$tmp/allow.pf"
printf 'deny x86 select=0xc0 umask=0x00\n' >"$tmp/broken.pf"

finish() {
	echo "$me: $ncase cases, $nfail failed"
	test "$nfail" = 0 || exit 1
	exit 0
}
