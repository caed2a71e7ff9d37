# tests/arm64.mk - automake fragment: what the arm64 tests need (included
# from the top Makefile.am after tests/Makefile.inc, which registers them
# in TESTS with every other test).
#
# abi-check.sh: compile-only check of the arm64 filter layout against the
#   arm64 uapi headers (linux-libc-dev-arm64-cross) with aarch64-linux-gnu-gcc.
# kvm-arm64.sh: boots each of Debian's arm64 kernels (6.1, 6.12; each cached
#   in its own $cache/<release>/) in qemu-system-aarch64 and runs
#   the policies tests/arm64/*.pf, compiled by pmufc, through real arm64 KVM
#   (about 10 s of boot and run).  tests/arm64/setup.sh fetches the tools
#   and the kernel (into ${XDG_CACHE_HOME:-$HOME/.cache}/pmufc-arm64, or
#   $PMUFC_ARM64_CACHE).
# loader.sh: the loader (libpmufc, the shim, test-vmm, cross-compiled) inside
#   each of those kernels; its guest's /init is loader-init.c, built with
#   tests/tap.h and the stand-ins of tests/loader/ (whose lib.sh it sources).
# All skip (77) when their tools are missing; all find their folder from
# their own path and write only into mktemp folders (VPATH and distcheck
# safe).  A new tests/arm64/*.pf policy needs a line below.

EXTRA_DIST += \
	tests/arm64/abi-check.c \
	tests/arm64/abi-check.sh \
	tests/arm64/boot.sh \
	tests/arm64/kvm-arm64.sh \
	tests/arm64/loader.sh \
	tests/arm64/loader-init.c \
	tests/arm64/setup.sh \
	tests/arm64/vmm.c \
	tests/arm64/allow-all.pf \
	tests/arm64/allow-cycles.pf \
	tests/arm64/allow-inst.pf \
	tests/arm64/allow-range.pf \
	tests/arm64/deny-all.pf \
	tests/arm64/deny-cycles.pf \
	tests/arm64/deny-inst.pf \
	tests/arm64/high-events.pf \
	tests/arm64/named.pf \
	tests/arm64/range-hole.pf \
	tests/arm64/set-override.pf
