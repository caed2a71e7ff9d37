#!/bin/sh
# tests/loader/qemu.sh - the loader against Debian's qemu-system-x86_64
# (skipped, 77, without it).  Without KVM, QEMU runs TCG: the injection
# machinery on a real, multi-threaded VMM blocked in its main loop (an
# ioctl on its /dev/null fd 0 must return ENOTTY, QMP must still answer,
# the guest must still start), `pmufc --apply --pid` finding no VM fd, and
# `pmufc run` loading the shim into QEMU.  With KVM: `pmufc run` and
# `pmufc --apply --pid` on `qemu-system-x86_64 -accel kvm -S`, before and
# while its guest runs, the kernel's answers seen by the syscall
# tracepoint.  Needs no python3 (tests/loader/qmp.c speaks QMP), so that
# tests/x86/loader.sh runs it inside real x86 kernels.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/loader/lib.sh"

qemu=$(command -v qemu-system-x86_64) || skip_all "no qemu-system-x86_64"
case $(uname -m) in x86_64) ;; *) skip_all "not x86-64" ;; esac

# start_qemu NAME ACCEL [RUNNER...]: QEMU in the background, QMP at $tmp/NAME.qmp.
start_qemu() {
	name=$1 accel=$2
	shift 2
	"$@" "$qemu" -accel "$accel" -S -display none -nodefaults -no-user-config -m 64 \
		-qmp "unix:$tmp/$name.qmp,server=on,wait=off" </dev/null >"$tmp/$name.out" 2>"$tmp/$name.err" &
	qpid=$!
	pids="$pids $qpid"
	i=0
	while ! test -S "$tmp/$name.qmp" && test $i -lt 400; do i=$((i + 1)); sleep 0.05; done
	# The pid of QEMU itself (a runner may have exec'd into it).
	sleep 0.2
}
quit_qemu() {
	$QMP "$tmp/$1.qmp" quit >/dev/null 2>&1
	wait "$qpid"
	qst=$?
}

# TCG: injection into a live QEMU.
start_qemu tcg tcg
$QMP "$tmp/tcg.qmp" query-status >"$tmp/out" 2>"$tmp/err"
has "$tmp/out" '"status": "prelaunch"' "tcg: QEMU is up, stopped (-S)"
expect 69 "--apply --pid on TCG QEMU: no VM fd" "$PMUFC" --apply --pid "$qpid" "$tmp/deny.pf"
has "$tmp/err" "(qemu-system-x86) has no KVM VM fd" "tcg: no VM fd: said so"
n=0 good=0
while test $n -lt 20; do
	flag=
	test $((n % 2)) = 1 && flag=--mmap
	r=$("$INJECT" --pid "$qpid" --fd 0 $flag 2>>"$tmp/inject.err")
	test "$r" = ENOTTY && good=$((good + 1))
	n=$((n + 1))
done
if test $good = 20; then ok "tcg: 20 injected ioctls on QEMU's fd 0 (/dev/null) return ENOTTY"; else bad "tcg: $good of 20 injections returned ENOTTY: $(cat "$tmp/inject.err")"; fi
alive "$qpid" "tcg: QEMU runs on"
$QMP "$tmp/tcg.qmp" query-status cont query-status >"$tmp/out" 2>"$tmp/err"
has "$tmp/out" '"running": true' "tcg: QMP answers, and the guest starts"
n=0 good=0
while test $n -lt 10; do
	r=$("$INJECT" --pid "$qpid" --fd 0 2>>"$tmp/inject.err")
	test "$r" = ENOTTY && good=$((good + 1))
	n=$((n + 1))
done
test $good = 10 && ok "tcg: 10 more into the running guest's QEMU" || bad "tcg: running: $good of 10"
$QMP "$tmp/tcg.qmp" query-status >"$tmp/out" 2>"$tmp/err"
has "$tmp/out" '"running": true' "tcg: still running"
quit_qemu tcg
test "$qst" = 0 && ok "tcg: QEMU quits cleanly (exit 0)" || bad "tcg: QEMU exit $qst: $(cat "$tmp/tcg.err")"

# run loads the shim into QEMU (TCG makes no VM: nothing to apply).
PMUFC_VERBOSE=1 start_qemu run-tcg tcg "$PMUFC" run "$tmp/deny.pf" --
$QMP "$tmp/run-tcg.qmp" query-status >"$tmp/out" 2>"$tmp/err"
has "$tmp/out" '"status": "prelaunch"' "run tcg: QEMU started through pmufc run"
quit_qemu run-tcg
test "$qst" = 0 && ok "run tcg: QEMU quits cleanly" || bad "run tcg: exit $qst: $(cat "$tmp/run-tcg.err")"
has "$tmp/run-tcg.err" "loaded the PMU event filter" "run tcg: the shim was loaded into QEMU"

if ! { true </dev/kvm; } 2>/dev/null; then
	for c in "run kvm: QEMU up" "run kvm: the shim applied the filter to QEMU's VM" "run kvm: QEMU quits cleanly" \
		"--apply --pid on QEMU" "--apply --pid on QEMU: the kernel's result" "--apply --pid on QEMU, replaced" \
		"--apply --pid on QEMU: QMP answers, the guest starts" "--apply --pid on QEMU while the guest runs" \
		"--apply --pid on QEMU: sys_exit_ioctl: the injected KVM_SET_PMU_EVENT_FILTER returned 0" \
		"--apply --pid on QEMU: still running" "--apply --pid on QEMU: QEMU quits cleanly"; do
		skipcase "no usable /dev/kvm (tests/x86/loader.sh runs them in real kernels)" "$c"
	done
	echo "# $nskip cases skipped"
	finish
fi

# KVM: run.
PMUFC_VERBOSE=1 start_qemu run-kvm kvm "$PMUFC" run "$tmp/deny.pf" --
$QMP "$tmp/run-kvm.qmp" query-status >"$tmp/out" 2>"$tmp/err"
has "$tmp/out" '"status": "prelaunch"' "run kvm: QEMU up"
has "$tmp/run-kvm.err" "applied to VM fd" "run kvm: the shim applied the filter to QEMU's VM"
quit_qemu run-kvm
test "$qst" = 0 && ok "run kvm: QEMU quits cleanly" || bad "run kvm: exit $qst"

# KVM: --apply --pid, before and while the guest runs; what the kernel
# answered each injected call, from the syscall tracepoint of QEMU's main
# thread (the one pmufc injects into).
start_qemu kvm kvm
tracing=yes
trace_start "$qpid" || tracing=no
expect 0 "--apply --pid on QEMU" "$PMUFC" --apply --pid "$qpid" "$tmp/deny.pf"
has "$tmp/out" "KVM_SET_PMU_EVENT_FILTER returned 0" "--apply --pid on QEMU: the kernel's result"
qfd=$(sed -n 's/.*filter applied to VM fd \([0-9]*\) of process.*/\1/p' "$tmp/out")
expect 0 "--apply --pid on QEMU, replaced" "$PMUFC" --apply --pid "$qpid" "$tmp/allow.pf"
$QMP "$tmp/kvm.qmp" query-status cont query-status >"$tmp/out" 2>"$tmp/err"
has "$tmp/out" '"running": true' "--apply --pid on QEMU: QMP answers, the guest starts"
expect 0 "--apply --pid on QEMU while the guest runs" "$PMUFC" --apply --pid "$qpid" "$tmp/deny.pf"
if test $tracing = yes; then
	trace_stop
	rets=$(trace_returns 4020aeb2 "${qfd:-none}" | tr '\n' ' ')
	test -n "$qfd" && test "$rets" = "0x0 0x0 0x0 "
	verdict $? "--apply --pid on QEMU: sys_exit_ioctl of its main thread: the 3 KVM_SET_PMU_EVENT_FILTER on VM fd $qfd returned 0" \
		"--apply --pid on QEMU: the tracepoint saw returns '$rets' on fd '$qfd': $(head -c 2000 "$tmp/trace")"
else
	skipcase "$trace_why" "--apply --pid on QEMU: sys_exit_ioctl: the injected KVM_SET_PMU_EVENT_FILTER returned 0"
fi
$QMP "$tmp/kvm.qmp" query-status >"$tmp/out" 2>"$tmp/err"
has "$tmp/out" '"running": true' "--apply --pid on QEMU: still running"
quit_qemu kvm
test "$qst" = 0 && ok "--apply --pid on QEMU: QEMU quits cleanly" || bad "kvm: exit $qst"

finish
