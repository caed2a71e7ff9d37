# tests/arm64/boot.sh - sourced (POSIX sh) by tests/arm64/kvm-arm64.sh and
# tests/loader/arm64.sh: how both boot Debian's arm64 kernel.
#
# boot_arm64 KERNEL INITRD CONSOLE: boots KERNEL in qemu-system-aarch64
# (TCG, virtualization=on: the kernel runs at EL2, with KVM; -icount makes
# QEMU's PMUv3 count instructions) with INITRD's /init, for at most
# PMUFC_ARM64_TIMEOUT seconds (default 300).  The console goes to
# CONSOLE.raw as it came, and to CONSOLE without carriage returns.
# Returns qemu's exit status (timeout's: 124 when the time ran out).
boot_arm64() {
	timeout "${PMUFC_ARM64_TIMEOUT:-300}" qemu-system-aarch64 \
		-M virt,virtualization=on,gic-version=3 -cpu max -smp 2 -m 1024 \
		-icount shift=0 -nographic -no-reboot -nic none \
		-kernel "$1" -initrd "$2" \
		-append "console=ttyAMA0 rdinit=/init panic=-1" \
		</dev/null >"$3.raw" 2>&1
	set -- "$?" "$3"
	tr -d '\r' <"$2.raw" >"$2"
	return "$1"
}
