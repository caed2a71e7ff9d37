#!/bin/sh
# tests/loader/shim.sh - `pmufc run` and its LD_PRELOAD shim, without KVM:
# fake-kvm.so, preloaded after the shim, plays KVM (tests/loader/fake-kvm.c)
# and logs what reaches it, so the exact bytes, the order of the calls,
# and the failure paths (the VMM stopped with a clear message) are checked
# on any machine, with or without a real /dev/kvm.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/loader/lib.sh"

test -e "$FAKE" || bail "no $FAKE"
test -e "$MARK" || bail "no $MARK"
log=$tmp/kvm.log
FAKE_KVM_LOG=$log
export FAKE_KVM_LOG

# The stand-in KVM goes into the VMM only: $VMM, a script `pmufc run`
# starts as the VMM, appends fake-kvm.so to the LD_PRELOAD it came in
# with (the shim) and becomes test-vmm.  Preloaded into pmufc itself, it
# would also answer the scratch-VM check pmufc makes on a real /dev/kvm
# before it starts the VMM, and the real kernel would never be asked.
VMM=$tmp/fake-vmm
cat >"$VMM" <<EOS
#!/bin/sh
LD_PRELOAD=\${LD_PRELOAD:+\$LD_PRELOAD:}$FAKE exec "$TESTVMM" "\$@"
EOS
chmod +x "$VMM"

"$PMUFC" "$tmp/deny.pf" -o "$tmp/deny.bin" || bail "deny.pf does not compile"
"$PMUFC" "$tmp/allow.pf" -o "$tmp/allow.bin" || bail "allow.pf does not compile"
deny_hex=$(hexof "$tmp/deny.bin")
allow_hex=$(hexof "$tmp/allow.bin")

# 1. A policy: the shim applies exactly the compiled bytes to the new VM fd.
rm -f "$log"
expect 0 "run POLICY: the VMM runs" "$PMUFC" run "$tmp/deny.pf" -- "$VMM" --kvm /dev/null
has "$tmp/out" "checks ok" "run POLICY: the VMM's own checks pass"
vmfd=$(sed -n 's/^CREATE_VM //p' "$log")
test -n "$vmfd" && grep -qx "SET_PMU_EVENT_FILTER $vmfd $deny_hex" "$log"
verdict $? "run POLICY: KVM_SET_PMU_EVENT_FILTER on the new VM fd $vmfd with the compiled bytes" \
	"run POLICY: the filter call is not the expected one: $(cat "$log")"
test "$(sed -n 1p "$log")" = "CREATE_VM $vmfd" && test "$(wc -l <"$log")" = 2
verdict $? "run POLICY: the filter right after KVM_CREATE_VM, once" "run POLICY: calls were: $(cat "$log")"

# 2. A compiled filter, applied as it is; the shim says so when verbose.
rm -f "$log"
PMUFC_VERBOSE=1 expect 0 "run BLOB: the VMM runs" \
	"$PMUFC" run "$tmp/allow.bin" -- "$VMM" --kvm /dev/null
vmfd=$(sed -n 's/^CREATE_VM //p' "$log")
grep -qx "SET_PMU_EVENT_FILTER $vmfd $allow_hex" "$log"
verdict $? "run BLOB: the blob's bytes reach KVM unchanged" "run BLOB: $(cat "$log")"
has "$tmp/err" "PMU event filter /proc/self/fd/" "run BLOB: PMUFC_VERBOSE: the shim says it applied the filter"
has "$tmp/err" "applied to VM fd $vmfd" "run BLOB: ... to the VM fd"

# 3. Two VMs in one process: both filtered.
rm -f "$log"
cat >"$tmp/two-vms.sh" <<EOS
#!/bin/sh
"$VMM" --kvm /dev/null && exec "$VMM" --kvm /dev/null
EOS
chmod +x "$tmp/two-vms.sh"
expect 0 "run SCRIPT: a shell script VMM passes the shim on" "$PMUFC" run "$tmp/deny.pf" -- "$tmp/two-vms.sh"
test "$(grep -c "^SET_PMU_EVENT_FILTER .* $deny_hex\$" "$log")" = 2
verdict $? "run SCRIPT: both VMs (two programs started by the script) got the filter" "run SCRIPT: $(cat "$log")"

# 4. KVM refuses the filter: the VMM is stopped before it gets its VM fd.
rm -f "$log"
FAKE_KVM_ERRNO=22 expect 70 "refused (EINVAL): the VMM is stopped" \
	"$PMUFC" run "$tmp/deny.pf" -- "$VMM" --kvm /dev/null
has "$tmp/err" "pmufc: test-vmm[" "refused: the message names the VMM"
has "$tmp/err" "KVM_SET_PMU_EVENT_FILTER on fd" "refused: ... the call"
has "$tmp/err" "Invalid argument (EINVAL)" "refused: ... the kernel's error"
has "$tmp/err" "it must not run a VM without its filter" "refused: ... and why it stops"
hasnt "$tmp/out" "vm-fd" "refused: KVM_CREATE_VM never returned to the VMM"

rm -f "$log"
FAKE_KVM_ERRNO=5 expect 70 "refused (EIO): the VMM is stopped" \
	"$PMUFC" run "$tmp/deny.pf" -- "$VMM" --kvm /dev/null
has "$tmp/err" "only from the process that created the VM" "refused (EIO): the creator rule is explained"

# 5. The VMM's own filter is refused: pmufc's stays.
rm -f "$log"
expect 0 "own filter: the VMM runs" "$PMUFC" run "$tmp/deny.pf" -- "$VMM" --kvm /dev/null --own-filter
has "$tmp/out" "own-filter: Operation not permitted" "own filter: the VMM's KVM_SET_PMU_EVENT_FILTER fails with EPERM"
has "$tmp/err" "refused the program's own KVM_SET_PMU_EVENT_FILTER" "own filter: the shim says so"
test "$(grep -c '^SET_PMU_EVENT_FILTER' "$log")" = 1
verdict $? "own filter: only pmufc's filter reached KVM" "own filter: $(cat "$log")"

# 5b. A VM made behind the shim's back (a raw system call): the first
# KVM_RUN the shim sees stops the VMM; made through libc, KVM_RUN passes.
rm -f "$log"
expect 70 "raw KVM_CREATE_VM: stopped at the first KVM_RUN" \
	"$PMUFC" run "$tmp/deny.pf" -- "$VMM" --kvm /dev/null --raw-create --vcpus 1 --run
has "$tmp/err" "no VM was made through ioctl()" "raw KVM_CREATE_VM: said why"
hasnt "$tmp/out" "run vcpu-fd" "raw KVM_CREATE_VM: KVM_RUN never went through"
expect 0 "KVM_RUN after a filtered VM: passes" \
	"$PMUFC" run "$tmp/deny.pf" -- "$VMM" --kvm /dev/null --vcpus 2 --run
has "$tmp/out" "run vcpu-fd" "KVM_RUN after a filtered VM: went through"

# 6. The shim used directly (LD_PRELOAD), badly configured: a VMM that
# makes a VM is stopped; a program that does not is left alone.
rm -f "$log"
LD_PRELOAD="$SHIM $FAKE" expect 70 "direct: no PMUFC_FILTER: the VMM is stopped" "$TESTVMM" --kvm /dev/null
has "$tmp/err" "PMUFC_FILTER is not set" "direct: no PMUFC_FILTER: said so"
LD_PRELOAD="$SHIM $FAKE" PMUFC_FILTER=$tmp/none.bin expect 70 "direct: missing filter file: stopped" "$TESTVMM" --kvm /dev/null
has "$tmp/err" "cannot open the filter PMUFC_FILTER=$tmp/none.bin" "direct: missing filter file: said so"
printf '\007\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000' >"$tmp/bad.bin"
rm -f "$log"
LD_PRELOAD="$SHIM $FAKE" PMUFC_FILTER=$tmp/bad.bin expect 70 "direct: invalid filter: stopped" "$TESTVMM" --kvm /dev/null
has "$tmp/err" "action 7 is neither ALLOW (0) nor DENY (1)" "direct: invalid filter: the validator's message"
hasnt "$log" "SET_PMU_EVENT_FILTER" "direct: invalid filter: nothing reached KVM (validator first)"
LD_PRELOAD="$SHIM $FAKE" PMUFC_FILTER=$tmp/deny.bin expect 0 "direct: a good filter by path works" "$TESTVMM" --kvm /dev/null
LD_PRELOAD="$SHIM" PMUFC_FILTER=$tmp/none.bin expect 0 "direct: a program that makes no VM is left alone" sh -c 'exit 0'
LD_PRELOAD="$SHIM $FAKE" PMUFC_TARGET=sparc PMUFC_FILTER=$tmp/deny.bin expect 70 "direct: bad PMUFC_TARGET: stopped" "$TESTVMM" --kvm /dev/null
has "$tmp/err" "unknown PMUFC_TARGET 'sparc'" "direct: bad PMUFC_TARGET: said so"

# 7. arm64 records (the same shim, PMUFC_TARGET=arm64): before each vCPU's
# KVM_ARM_VCPU_PMU_V3_INIT, one KVM_ARM_VCPU_PMU_V3_FILTER per record, in order.
# Only where the host is arm64: elsewhere run and the shim refuse an arm64
# filter before anything reaches KVM (fail-closed.sh), and
# tests/arm64/loader.sh runs the shim on a real arm64 kernel.
if test "$(uname -m)" = aarch64; then
	printf 'default deny;\nallow arm 0x08;\nallow arm {0x11, 0x20-0x2f};\n' >"$tmp/arm.pf"
	"$PMUFC" --target arm64 "$tmp/arm.pf" -o "$tmp/arm.bin" || bail "arm.pf does not compile"
	recs=$(od -An -tx1 -v "$tmp/arm.bin" | tr -d '\n' | sed 's/ //g; s/\(.\{16\}\)/\1 /g')
	rm -f "$log"
	expect 0 "arm64: the VMM runs" "$PMUFC" run --target arm64 "$tmp/arm.pf" -- "$VMM" --kvm /dev/null --vcpus 2 --arm
	want=
	for v in $(sed -n 's/^CREATE_VCPU //p' "$log"); do
		for r in $recs; do want="$want|PMU_V3_FILTER $v $r"; done
		want="$want|SET_DEVICE_ATTR $v group=0 attr=1"
	done
	got=$(grep -v '^CREATE_' "$log" | tr '\n' '|')
	test "|$got" = "$want|" && test -n "$recs"
	verdict $? "arm64: every record, in order, on each vCPU, before its PMU init ($(echo $recs | wc -w) records x 2 vCPUs)" \
		"arm64: calls were $got, expected $want"
	has "$tmp/out" "pmu-init vcpu-fd" "arm64: the VMM's PMU init goes through"

	rm -f "$log"
	FAKE_KVM_ERRNO=16 FAKE_KVM_FAIL_AT=2 expect 70 "arm64: EBUSY on record 2: the VMM is stopped" \
		"$PMUFC" run --target arm64 "$tmp/arm.bin" -- "$VMM" --kvm /dev/null --vcpus 1 --arm
	has "$tmp/err" "KVM_ARM_VCPU_PMU_V3_FILTER (record 2 of 3)" "arm64: the failing record is named"
	has "$tmp/err" "before KVM_ARM_VCPU_PMU_V3_INIT" "arm64: EBUSY is explained"
	has "$tmp/err" "the 1 record before it took effect" "arm64: the partial filter is pointed out"
	hasnt "$tmp/out" "pmu-init" "arm64: the PMU init never happened"
else
	for c in "arm64: the VMM runs" "arm64: every record, in order, on each vCPU, before its PMU init" \
		"arm64: the VMM's PMU init goes through" "arm64: EBUSY on record 2: the VMM is stopped" \
		"arm64: the failing record is named" "arm64: EBUSY is explained" \
		"arm64: the partial filter is pointed out" "arm64: the PMU init never happened"; do
		skipcase "an x86 host refuses arm64 filters" "$c"
	done
fi

# 8. run refuses what the shim cannot cover, before starting anything.
test -x "$STATIC" && {
	expect 69 "a statically linked VMM is refused" "$PMUFC" run "$tmp/deny.pf" -- "$STATIC"
	has "$tmp/err" "is statically linked: the shim cannot be preloaded into it" "static VMM: said why"
}
printf '\177ELF\001\001\001\000\000\000\000\000\000\000\000\000\002\000\003\000' >"$tmp/elf32"
dd if=/dev/zero bs=1 count=64 >>"$tmp/elf32" 2>/dev/null
chmod +x "$tmp/elf32"
expect 69 "a 32-bit VMM is refused" "$PMUFC" run "$tmp/deny.pf" -- "$tmp/elf32"
has "$tmp/err" "is a 32-bit program" "32-bit VMM: said why"
expect 127 "a VMM that does not exist: 127" "$PMUFC" run "$tmp/deny.pf" -- pmufc-no-such-vmm
has "$tmp/err" "pmufc-no-such-vmm: command not found" "missing VMM: said so"
printf '#!/bin/sh\n' >"$tmp/noexec"
expect 126 "a VMM that is not executable: 126" "$PMUFC" run "$tmp/deny.pf" -- "$tmp/noexec"
PMUFC_SHIM=$tmp/no-shim.so expect 69 "no shim: refused" "$PMUFC" run "$tmp/deny.pf" -- true
has "$tmp/err" "no-shim.so" "no shim: names it"
printf 'not a shared object\n' >"$tmp/bad-shim.so"
PMUFC_SHIM=$tmp/bad-shim.so expect 69 "a shim that cannot be loaded: refused" "$PMUFC" run "$tmp/deny.pf" -- true
has "$tmp/err" "the shim cannot be loaded" "unloadable shim: said so"
expect 65 "a broken policy: not started" "$PMUFC" run "$tmp/broken.pf" -- sh -c "touch $tmp/started"
has "$tmp/err" "broken.pf:" "broken policy: its diagnostic"
if test -e "$tmp/started"; then bad "broken policy: the VMM was started"; else ok "broken policy: the VMM was not started"; fi
expect 66 "a missing policy: not started" "$PMUFC" run "$tmp/missing.pf" -- true
expect 64 "run without a VMM: usage" "$PMUFC" run "$tmp/deny.pf"
expect 64 "run without anything: usage" "$PMUFC" run

# 9. What the VMM's environment holds: the shim first, the user's preloads
# after (preload-mark.so, which only notes where it was loaded).  The VMM
# is a script (/bin/sh may be static, as busybox's is) that shows its
# environment, then becomes test-vmm with the stand-in KVM appended.
cat >"$tmp/env-vmm" <<EOS
#!/bin/sh
echo "LD_PRELOAD=\$LD_PRELOAD"
echo "PMUFC_FILTER=\$PMUFC_FILTER"
echo "PMUFC_TARGET=\$PMUFC_TARGET"
od -An -tx1 -v "\$PMUFC_FILTER" | tr -d ' \n'
echo
LD_PRELOAD=\$LD_PRELOAD:$FAKE exec "$TESTVMM" --kvm /dev/null
EOS
chmod +x "$tmp/env-vmm"
PRELOAD_MARK=$tmp/marks LD_PRELOAD=$MARK expect 0 "environment: the VMM starts" "$PMUFC" run "$tmp/deny.pf" -- "$tmp/env-vmm"
has "$tmp/out" "LD_PRELOAD=$SHIM:$MARK" "environment: LD_PRELOAD is the shim, then the user's"
grep -qx "test-vmm after pmufc-shim.so" "$tmp/marks" 2>/dev/null
verdict $? "environment: the user's preload is loaded into the VMM, after the shim" \
	"environment: preload-mark.so says: $(cat "$tmp/marks" 2>/dev/null)"
has "$tmp/out" "PMUFC_FILTER=/proc/self/fd/" "environment: the filter is an inherited fd"
has "$tmp/out" "$deny_hex" "environment: ... holding the compiled bytes"

finish
