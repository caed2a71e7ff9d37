#!/bin/sh
# tests/loader/kvm.sh - the loader on the real /dev/kvm (skipped, 77,
# without it; tests/x86/loader.sh runs it inside real x86 kernels): --probe
# and its scratch VM, `pmufc run` and `pmufc --apply --pid` against
# test-vmm, which checks its own state afterwards and, where guests have a
# PMU, counts instructions retired (select 0xc0) to see the filter at work;
# injection while a vCPU runs guest code (test-vmm --spin), the kernel's
# answer seen by the syscall tracepoint; the EIO rule for an inherited VM
# fd; a filter the kernel refuses.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/loader/lib.sh"

if ! { true </dev/kvm; } 2>/dev/null; then
	skip_all "no usable /dev/kvm"
fi

# start_vmm ARGS...: test-vmm --wait in the background, its standard input
# a FIFO; sets vpid and vfd once it says "ready".
start_vmm() {
	rm -f "$tmp/go" "$tmp/vmm.out"
	mkfifo "$tmp/go"
	"$TESTVMM" --wait "$@" <"$tmp/go" >"$tmp/vmm.out" 2>&1 &
	vmm_job=$!
	pids="$pids $vmm_job"
	exec 7>"$tmp/go"
	i=0
	while ! grep -q '^ready ' "$tmp/vmm.out" 2>/dev/null; do
		i=$((i + 1))
		test $i -gt 200 && break
		sleep 0.05
	done
	vpid=$(sed -n 's/^ready \([0-9]*\) .*/\1/p' "$tmp/vmm.out")
	vfd=$(sed -n 's/^ready [0-9]* \([0-9]*\)/\1/p' "$tmp/vmm.out")
}
# finish_vmm: let it run its checks; sets vst.
finish_vmm() {
	echo go >&7
	exec 7>&-
	wait "$vmm_job"
	vst=$?
}
# counted DESC zero|nonzero: the guest's count in $tmp/vmm.out.
counted() {
	c=$(sed -n 's/^count //p' "$1")
	case $c in
	unavailable*) echo "# $2: guest count $c" ;;
	*)
		if { test "$3" = zero && test "$c" = 0; } || { test "$3" = nonzero && test "$c" -gt 0; }; then
			ok "$2: guest counted $c instructions ($3)"
		else
			bad "$2: guest counted '$c', expected $3"
		fi
	esac
}

# --probe
expect 0 "--probe" "$PMUFC" --probe
has "$tmp/out" "KVM_CAP_PMU_EVENT_FILTER (173): yes" "--probe: the filter capability"
has "$tmp/out" "KVM_CAP_PMU_EVENT_MASKED_EVENTS (226" "--probe: the masked-events capability"
masked=no
grep -q "MASKED_EVENTS (226, Linux 6.3+): yes" "$tmp/out" && masked=yes
rules=$(sed -n 's/^event-select rules: \([a-z]*\).*/\1/p' "$tmp/out")
expect 0 "--probe POLICY: accepted" "$PMUFC" --probe "$tmp/deny.pf"
has "$tmp/out" "accepted: a scratch VM took the filter" "--probe POLICY: said so"

# run: the shim filters test-vmm's VM; the VMM checks itself.
expect 0 "run deny: test-vmm runs" "$PMUFC" run "$tmp/deny.pf" -- "$TESTVMM" --measure 0xc0
has "$tmp/out" "checks ok" "run deny: test-vmm's checks pass"
counted "$tmp/out" "run deny" zero
expect 0 "run allow: test-vmm runs" "$PMUFC" run "$tmp/allow.pf" -- "$TESTVMM" --measure 0xc0
counted "$tmp/out" "run allow" nonzero
PMUFC_VERBOSE=1 expect 0 "run, own filter: test-vmm runs" "$PMUFC" run "$tmp/deny.pf" -- "$TESTVMM" --own-filter
has "$tmp/out" "own-filter: Operation not permitted" "run, own filter: refused"
has "$tmp/err" "applied to VM fd" "run: the shim applied the filter to the real VM"

# A VM made with a raw system call, behind the shim: stopped at KVM_RUN.
expect 70 "run, raw KVM_CREATE_VM: stopped at the first KVM_RUN" "$PMUFC" run "$tmp/deny.pf" -- "$TESTVMM" --raw-create --vcpus 1 --run
has "$tmp/err" "no VM was made through ioctl()" "run, raw KVM_CREATE_VM: said why"
expect 0 "run, KVM_RUN after a filtered VM" "$PMUFC" run "$tmp/deny.pf" -- "$TESTVMM" --vcpus 1 --run
has "$tmp/out" "run vcpu-fd" "run: the vCPU ran"

# --apply --pid: injected into test-vmm while it waits in read().
start_vmm --measure 0xc0
if test -n "$vpid"; then
	expect 0 "--apply --pid (found fd)" "$PMUFC" --apply --pid "$vpid" "$tmp/deny.pf"
	has "$tmp/out" "filter applied to VM fd $vfd of process $vpid (test-vmm): KVM_SET_PMU_EVENT_FILTER returned 0" "--apply --pid: the kernel's result is reported"
	expect 0 "--apply --pid --vm-fd (again: replaced)" "$PMUFC" --apply --pid "$vpid" --vm-fd "$vfd" "$tmp/allow.pf"
	expect 0 "--apply --pid (and back)" "$PMUFC" --apply --pid "$vpid" "$tmp/deny.pf"
	alive "$vpid" "--apply --pid: test-vmm runs on"
	finish_vmm
	test "$vst" = 0 && ok "--apply --pid: test-vmm's checks pass" || bad "--apply --pid: test-vmm: $(cat "$tmp/vmm.out")"
	has "$tmp/vmm.out" "checks ok" "--apply --pid: memory, blocked read and VM fd intact"
	counted "$tmp/vmm.out" "--apply --pid deny" zero
else
	bad "test-vmm did not get ready: $(cat "$tmp/vmm.out")"
fi

# --apply --pid into a VMM whose vCPU runs guest code meanwhile: test-vmm
# --spin's vCPU thread is in KVM_RUN, counting, while pmufc injects into
# its main thread (blocked in read); what the kernel answered each injected
# KVM_SET_PMU_EVENT_FILTER is read from its syscall tracepoint.
start_vmm --spin
if test -n "$vpid"; then
	has "$tmp/vmm.out" "spin at ready: guest count" "spin: the vCPU runs guest code before the injection"
	tracing=yes
	trace_start "$vpid" || tracing=no
	n=0 good=0
	while test $n -lt 10; do
		p=deny
		test $((n % 2)) = 1 && p=allow
		run "$PMUFC" --apply --pid "$vpid" "$tmp/$p.pf"
		test "$st" = 0 && grep -q "KVM_SET_PMU_EVENT_FILTER returned 0" "$tmp/out" && good=$((good + 1))
		n=$((n + 1))
	done
	test $good = 10
	verdict $? "spin: 10 --apply --pid (deny, allow, ...) while the vCPU runs guest code: each returned 0" \
		"spin: $good of 10 --apply --pid returned 0"
	if test $tracing = yes; then
		trace_stop
		rets=$(trace_returns 4020aeb2 "$vfd" | tr '\n' ' ')
		test "$rets" = "0x0 0x0 0x0 0x0 0x0 0x0 0x0 0x0 0x0 0x0 "
		verdict $? "spin: sys_exit_ioctl of thread $vpid: the 10 KVM_SET_PMU_EVENT_FILTER on VM fd $vfd returned 0" \
			"spin: the tracepoint saw returns '$rets': $(head -c 2000 "$tmp/trace")"
	else
		skipcase "$trace_why" "spin: sys_exit_ioctl: the injected KVM_SET_PMU_EVENT_FILTER returned 0"
	fi
	alive "$vpid" "spin: test-vmm runs on"
	finish_vmm
	test "$vst" = 0 && ok "spin: test-vmm's checks pass" || bad "spin: test-vmm: $(cat "$tmp/vmm.out")"
	has "$tmp/vmm.out" "spin after go: guest count" "spin: the guest counted on through the injections, KVM_RUN never returned unasked"
else
	bad "test-vmm --spin did not get ready: $(cat "$tmp/vmm.out")"
fi

# run: the shim around a VMM whose vCPU runs guest code.
expect 0 "run, spinning vCPU: test-vmm runs" "$PMUFC" run "$tmp/deny.pf" -- "$TESTVMM" --spin
has "$tmp/out" "spin at the end: guest count" "run, spinning vCPU: the filtered VM ran guest code"

# The creator rule: an exec'd pmufc with the VM fd inherited gets EIO.
expect 0 "inherited VM fd: test-vmm runs pmufc with it" "$TESTVMM" --exec "$PMUFC" --apply --vm-fd "{}" "$tmp/deny.pf"
has "$tmp/out" "exec status 69" "inherited VM fd: pmufc exits 69"
has "$tmp/err" "Input/output error (EIO)" "inherited VM fd: the kernel's EIO"
has "$tmp/err" "only from the process that created the VM" "inherited VM fd: the rule explained"
has "$tmp/err" "pmufc run FILTER -- VMM" "inherited VM fd: way 1 (run)"
has "$tmp/err" "pmufc --apply --pid PID FILTER" "inherited VM fd: way 2 (--apply --pid)"

# A filter this kernel cannot take: refused before any call reaches KVM,
# with its true cause (the host's probed rules and capabilities): --probe
# says so, run does not start the VMM, --apply --pid injects nothing (seen
# by the tracepoint) and leaves the VMM as it was.  Masked entries where
# the kernel has none (before 6.3); else, where KVM applies Intel's rules,
# an AMD masked entry with a 12-bit select, forced past the vendor check.
refused= why=
if test "$masked" = no; then
	refused="--abi masked"
	why="this kernel has none (no KVM_CAP_PMU_EVENT_MASKED_EVENTS"
	cp "$tmp/deny.pf" "$tmp/deny.pf.refused"
elif test "$rules" = intel; then
	refused="--target amd --force-vendor --abi masked"
	why="outside a masked entry"
	printf 'deny amd select=0x1c2 mask=0x7c match=0x00;\n' >"$tmp/deny.pf.refused"
fi
if test -n "$refused"; then
	expect 65 "--probe of a filter this kernel cannot take ($refused)" "$PMUFC" --probe $refused "$tmp/deny.pf.refused"
	has "$tmp/err" "$why" "--probe refused: the true cause"
	hasnt "$tmp/err" "KVM_SET_PMU_EVENT_FILTER on fd" "--probe refused: before the kernel was asked"
	expect 65 "run with it: not started" "$PMUFC" run $refused "$tmp/deny.pf.refused" -- "$TESTVMM"
	has "$tmp/err" "$why" "run refused: the true cause"
	hasnt "$tmp/out" "vm-fd" "run refused: test-vmm was never started"
	start_vmm
	tracing=yes
	trace_start "$vpid" || tracing=no
	expect 65 "--apply --pid of it" "$PMUFC" --apply --pid "$vpid" $refused "$tmp/deny.pf.refused"
	has "$tmp/err" "$why" "--apply refused: the true cause"
	has "$tmp/err" "keeps running with the filter it had" "--apply refused: said the VMM is unchanged"
	if test $tracing = yes; then
		trace_stop
		rets=$(trace_returns 4020aeb2 "$vfd" | tr '\n' ' ')
		test -z "$rets"
		verdict $? "--apply refused: no KVM_SET_PMU_EVENT_FILTER was injected (tracepoint)" \
			"--apply refused: the tracepoint saw KVM_SET_PMU_EVENT_FILTER returning '$rets'"
	else
		skipcase "$trace_why" "--apply refused: no KVM_SET_PMU_EVENT_FILTER was injected (tracepoint)"
	fi
	finish_vmm
	test "$vst" = 0 && ok "--apply refused: test-vmm unharmed" || bad "--apply refused: test-vmm: $(cat "$tmp/vmm.out")"
else
	echo "# no refused-filter cases: this kernel ($rules rules, masked events $masked) takes every filter pmufc validates for it"
fi

finish
