# tests/loader/lib.sh - sourced by the loader's test scripts (POSIX sh).
#
# From `make check` come PMUFC, TESTS_SRCDIR and TESTS_BUILDDIR (tests/
# in the source and build trees); run by hand from a built tree,
# `sh tests/loader/shim.sh` finds them by itself.  Everything the scripts
# write goes into a mktemp folder ($tmp); processes they start (their
# pids in $pids) are stopped on exit: both by tests/lib.sh, the one
# reporter (TAP: ok, bad, expect, has, ..., finish), which this file
# builds on with the loader's paths, its environment, and tracing.

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
test -e "$SHIM" || bail "no $SHIM (build first)"

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

# The policies the tests apply; `x86` rules: the same bytes on Intel and AMD.
printf 'deny x86 select=0xc0 umask=0x00;  # instructions retired\n' >"$tmp/deny.pf"
printf 'allow x86 select=0xc0 umask=0x00;\nallow x86 select=0x3c umask=0x00;\n' >"$tmp/allow.pf"
printf 'deny x86 select=0xc0 umask=0x00\n' >"$tmp/broken.pf"
