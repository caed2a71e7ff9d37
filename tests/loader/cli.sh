#!/bin/sh
# tests/loader/cli.sh - `pmufc --apply` and `pmufc --probe` where they fail
# before any KVM call: no such process, no VM fd, an fd that is not a VM,
# no permission, bad input, usage; the target process is left alone.
# (The injection itself: inject-test; on real VMs: kvm.sh and qemu.sh.)
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/loader/lib.sh"

sleep 300 </dev/null >/dev/null 2>&1 &
sp=$!
pids="$pids $sp"

expect 69 "no such process" "$PMUFC" --apply --pid 2147483646 "$tmp/deny.pf"
has "$tmp/err" "pmufc: no such process: 2147483646" "no such process: said so"
expect 69 "a process without a VM fd" "$PMUFC" --apply --pid "$sp" "$tmp/deny.pf"
has "$tmp/err" "process $sp (sleep) has no KVM VM fd" "no VM fd: said so"
alive "$sp" "no VM fd: the process runs on"
expect 69 "--vm-fd that is not a VM" "$PMUFC" --apply --pid "$sp" --vm-fd 0 "$tmp/deny.pf"
has "$tmp/err" "fd 0 of process $sp (sleep) is /dev/null, not a KVM VM fd" "--vm-fd not a VM: said so"
expect 69 "--vm-fd that is not open" "$PMUFC" --apply --pid "$sp" --vm-fd 77 "$tmp/deny.pf"
has "$tmp/err" "has no fd 77" "--vm-fd not open: said so"
alive "$sp" "after all that, the process runs on"
expect 65 "a broken policy" "$PMUFC" --apply --pid "$sp" "$tmp/broken.pf"
has "$tmp/err" "broken.pf:1:32: error:" "broken policy: located diagnostic"
expect 66 "a missing policy" "$PMUFC" --apply --pid "$sp" "$tmp/missing.pf"

# Inherited fds (no --pid): not open, not a VM.
expect 64 "inherited --vm-fd that is not open" "$PMUFC" --apply --vm-fd 9 "$tmp/deny.pf"
has "$tmp/err" "fd 9 is not open in pmufc" "inherited fd not open: said so"
run sh -c '"$0" --apply --vm-fd 5 "$1" 5</dev/null' "$PMUFC" "$tmp/deny.pf"
test "$st" = 69 && grep -qF "fd 5 is /dev/null, not a KVM VM fd" "$tmp/err"
verdict $? "inherited fd that is not a VM: refused (exit 69)" "inherited fd that is not a VM: exit $st"

# Usage.
expect 64 "--apply without --pid or --vm-fd" "$PMUFC" --apply "$tmp/deny.pf"
expect 64 "--pid that is not a number" "$PMUFC" --apply --pid 12x "$tmp/deny.pf"
expect 64 "--pid 0" "$PMUFC" --apply --pid 0 "$tmp/deny.pf"
expect 64 "--vm-fd that is not a number" "$PMUFC" --apply --pid "$sp" --vm-fd -1 "$tmp/deny.pf"
expect 64 "--pid without --apply" "$PMUFC" --pid "$sp" "$tmp/deny.pf"
expect 64 "--apply without a file" "$PMUFC" --apply --pid "$sp"
printf 'default deny;\nallow arm 0x08;\n' >"$tmp/arm.pf"
expect 64 "--apply with an arm64 filter" "$PMUFC" --apply --target arm64 --pid "$sp" "$tmp/arm.pf"
has "$tmp/err" "cannot be applied to a running VMM" "arm64 --apply: said why"
# A filter for the other x86 vendor's rules: refused before anything else
# (tests/loader/fail-closed.sh has the rest).
host=$("$PMUFC" --probe 2>/dev/null | sed -n 's/^host: \([a-z0-9]*\).*/\1/p')
other=intel
test "$host" = intel && other=amd
case $host in intel|amd)
	expect 65 "a filter for $other on $host: refused" "$PMUFC" --apply --target "$other" --pid "$sp" "$tmp/deny.pf"
	has "$tmp/err" "error: the filter is for $other, but this host's KVM" "a filter for $other on $host: said why"
	alive "$sp" "a filter for $other: the process runs on"
	;;
*) echo "# host '$host': no other-vendor case" ;;
esac

# No permission: a root process looked at by nobody, or a non-dumpable one.
if test "$(id -u)" = 0 && command -v setpriv >/dev/null 2>&1; then
	chmod 755 "$tmp"
	chmod 644 "$tmp/deny.pf"
	if setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$PMUFC"; then
		expect 77 "no permission (as nobody, a root process)" \
			setpriv --reuid=65534 --regid=65534 --clear-groups "$PMUFC" --apply --pid "$sp" "$tmp/deny.pf"
		has "$tmp/err" "not allowed to look at the fds of process $sp" "no permission: said so"
		expect 77 "no permission with --vm-fd" \
			setpriv --reuid=65534 --regid=65534 --clear-groups "$PMUFC" --apply --pid "$sp" --vm-fd 0 "$tmp/deny.pf"
		alive "$sp" "no permission: the process runs on"
	else
		echo "# skipped: nobody cannot run $PMUFC"
	fi
elif command -v python3 >/dev/null 2>&1; then
	python3 -c 'import ctypes, time; ctypes.CDLL(None).prctl(4, 0, 0, 0, 0); time.sleep(300)' &
	np=$!
	pids="$pids $np"
	sleep 1
	expect 77 "no permission (a non-dumpable process)" "$PMUFC" --apply --pid "$np" "$tmp/deny.pf"
	alive "$np" "no permission: the process runs on"
fi

# --probe, where there is no KVM (kvm.sh has the rest).
if ! test -e /dev/kvm; then
	expect 69 "--probe without KVM" "$PMUFC" --probe
	has "$tmp/out" "/dev/kvm: No such file or directory: no KVM here" "--probe without KVM: said so"
	has "$tmp/out" "host: " "--probe: names the host"
	expect 69 "--probe FILE without KVM" "$PMUFC" --probe "$tmp/deny.pf"
	has "$tmp/out" "filter: $tmp/deny.pf: " "--probe FILE: describes the filter"
	has "$tmp/out" "not tried: no KVM here" "--probe FILE: not tried"
fi
expect 65 "--probe of a broken policy" "$PMUFC" --probe "$tmp/broken.pf"
printf '\007\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000' >"$tmp/bad.bin"
expect 65 "--probe of an invalid filter" "$PMUFC" --probe "$tmp/bad.bin"
has "$tmp/err" "action 7 is neither ALLOW (0) nor DENY (1)" "--probe of an invalid filter: the validator says why"
expect 64 "--probe with two files" "$PMUFC" --probe "$tmp/deny.pf" "$tmp/allow.pf"
"$PMUFC" --help >"$tmp/out" 2>&1
has "$tmp/out" "pmufc run [OPTION]... FILE -- VMM" "--help shows run"
has "$tmp/out" "--apply --pid PID" "--help shows --apply"
has "$tmp/out" "--probe [FILE]" "--help shows --probe"

finish
