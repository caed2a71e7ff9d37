# tests/loader/lib.sh - sourced by the loader's test scripts (POSIX sh).
#
# From `make check` come PMUFC, TESTS_SRCDIR and TESTS_BUILDDIR (tests/
# in the source and build trees); run by hand from a built tree,
# `sh tests/loader/shim.sh` finds them by itself.  Everything the scripts
# write goes into a mktemp folder ($tmp); processes they start (their
# pids in $pids) are stopped on exit: both by tests/lib.sh, which this
# file builds on (with its counters and finish), adding TAP-style cases.

pf_test_name=loader-$(basename "$0" .sh)
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
. "$TESTS_SRCDIR/lib.sh"
SHIM=$TESTS_BUILDDIR/../.libs/pmufc-shim.so
FAKE=$TESTS_BUILDDIR/loader/.libs/fake-kvm.so
MARK=$TESTS_BUILDDIR/loader/.libs/preload-mark.so
TESTVMM=$TESTS_BUILDDIR/loader/test-vmm
INJECT=$TESTS_BUILDDIR/loader/inject-test
STATIC=$TESTS_BUILDDIR/loader/static-prog
QMP=$TESTS_BUILDDIR/loader/qmp
PMUFC_SHIM=$SHIM
export PMUFC_SHIM
# Under AddressSanitizer, programs started with the (uninstrumented) shim
# or fake-kvm.so preloaded must not insist on ASan's runtime coming first.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export ASAN_OPTIONS
unset PMUFC_FILTER PMUFC_TARGET PMUFC_ARM_MAX PMUFC_VERBOSE PMUFC_FORCE_VENDOR PMUFC_WERROR LD_PRELOAD FAKE_KVM_ERRNO FAKE_KVM_FAIL_AT PRELOAD_MARK
if ! test -e "$SHIM"; then
	echo "$me: ERROR: no $SHIM (build first)"
	exit 99
fi

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

# skipcase WHY DESC: a case that cannot run here, reported as skipped.
skipcase() {
	ncase=$((ncase + 1))
	nskip=$((nskip + 1))
	echo "ok $ncase - $2 # SKIP $1"
}
nskip=0

# verdict STATUS DESC WHY: one case, passed if STATUS (e.g. $? of a test)
# is 0, else failed: WHY.
verdict() {
	if test "$1" = 0; then ok "$2"; else bad "$3"; fi
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

# What the kernel answered a call injected into a VMM, as its syscall
# tracepoints saw it (sys_enter_ioctl, sys_exit_ioctl), in a tracing
# instance of our own so that no one else's tracing is touched: on tracefs
# where it is mounted, else mounted for each command in a private mount
# namespace (unshare -m; root only).
#   trace_start TID   record the ioctls of thread TID; non-zero, with the
#                     reason in $trace_why, where tracing cannot be had
#   trace_stop        stop; the trace in $tmp/trace; the instance removed
#   trace_returns CMD FD   the return value (hex, as printed: 0x0) of each
#                     ioctl CMD (hex) on FD (decimal) in $tmp/trace
trace_inst=pmufc-$me-$$
trace_on=
tracefs() {
	for t in /sys/kernel/tracing /sys/kernel/debug/tracing; do
		if test -d "$t/instances"; then
			T=$t sh -c "$1"
			return
		fi
	done
	command -v unshare >/dev/null 2>&1 || { echo "no tracefs mounted, and no unshare to mount it"; return 1; }
	unshare -m --propagation private sh -c \
		'mount -t tracefs nodev /sys/kernel/tracing && T=/sys/kernel/tracing && eval "$1"' tracefs "$1"
}
trace_start() {
	trace_why=
	if tracefs "set -e; i=\$T/instances/$trace_inst; mkdir \$i; for e in sys_enter_ioctl sys_exit_ioctl; do
		echo 'common_pid == $1' >\$i/events/syscalls/\$e/filter; echo 1 >\$i/events/syscalls/\$e/enable; done" \
		>"$tmp/trace.err" 2>&1; then
		trace_on=yes
		trap 'trace_stop >/dev/null 2>&1; cleanup' EXIT
		return 0
	fi
	trace_why="no syscall tracepoints here: $(head -c 300 "$tmp/trace.err" | tr '\n' ' ')"
	tracefs "rmdir \$T/instances/$trace_inst" >/dev/null 2>&1
	return 1
}
trace_stop() {
	test "$trace_on" = yes || return 1
	trace_on=
	tracefs "i=\$T/instances/$trace_inst; echo 0 >\$i/tracing_on; cat \$i/trace;
		for e in sys_enter_ioctl sys_exit_ioctl; do echo 0 >\$i/events/syscalls/\$e/enable; done
		rmdir \$i" >"$tmp/trace" 2>"$tmp/trace.err"
}
trace_returns() {
	awk -v cmd="$1" -v fd="$(printf '%x' "$2")" '
	function num(h) { sub(/^0x/, "", h); sub(/^0+/, "", h); return h == "" ? "0" : h }
	/sys_ioctl\(fd: / {
		s = $0; sub(/.*sys_ioctl\(fd: /, "", s); split(s, a, /, (cmd|arg): /)
		want = num(a[1]) == num(fd) && num(a[2]) == num(cmd); next
	}
	/sys_ioctl -> / { if (want) { r = $0; sub(/.*sys_ioctl -> /, "", r); print r } want = 0 }' "$tmp/trace"
}

# hexof FILE: the bytes of FILE as one lowercase hex string.
hexof() {
	od -An -tx1 -v "$1" | tr -d ' \n'
}

# The policies the tests apply; `x86` rules: the same bytes on Intel and AMD.
printf 'deny x86 select=0xc0 umask=0x00;  # instructions retired\n' >"$tmp/deny.pf"
printf 'allow x86 select=0xc0 umask=0x00;\nallow x86 select=0x3c umask=0x00;\n' >"$tmp/allow.pf"
printf 'deny x86 select=0xc0 umask=0x00\n' >"$tmp/broken.pf"
