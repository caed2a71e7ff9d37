# tests/arm64/boot.sh - sourced (POSIX sh) by tests/arm64/kvm-arm64.sh and
# tests/arm64/loader.sh: which of Debian's arm64 kernels they boot (each
# one tests/arm64/setup.sh cached), and how.
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

# arm64_kernels: the kernels to boot, one path a line (none: none can be
# had): $PMUFC_ARM64_KERNEL alone when it is set, else every
# $PMUFC_ARM64_CACHE/RELEASE/Image that tests/arm64/setup.sh fetched (6.1
# and 6.12), and a $PMUFC_ARM64_CACHE/Image of the older one-kernel layout.
arm64_cache=${PMUFC_ARM64_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pmufc-arm64}
arm64_kernels() {
	if test -n "${PMUFC_ARM64_KERNEL:-}"; then
		if test -s "$PMUFC_ARM64_KERNEL"; then echo "$PMUFC_ARM64_KERNEL"; fi
		return 0
	fi
	for k in "$arm64_cache"/*/Image "$arm64_cache"/Image; do
		if test -s "$k"; then echo "$k"; fi
	done
}

# arm64_release KERNEL: its release (e.g. 6.12.95+deb12-arm64), from the
# version file beside it, else the folder's name.
arm64_release() {
	if test -s "${1%/*}/version"; then
		cat "${1%/*}/version"
	else
		basename "${1%/*}"
	fi
}
