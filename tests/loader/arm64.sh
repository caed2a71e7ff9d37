#!/bin/sh
# tests/loader/arm64.sh - the loader on a real arm64 KVM: Debian's arm64
# kernel in qemu-system-aarch64 (TCG, virtualization=on, as
# tests/arm64/kvm-arm64.sh boots it), with an initramfs holding
# arm64-init.c (libpmufc cross-compiled and linked in statically), the
# shim and test-vmm cross-compiled for aarch64, and the dynamic linker
# and libc they need.  It boots under each arm64 kernel that
# tests/arm64/setup.sh cached (6.1 and 6.12; or $PMUFC_ARM64_KERNEL alone)
# and says which ran.  Skipped (77) without the tools or any kernel
# (tests/arm64/setup.sh fetches them) or with PMUFC_ARM64_SKIP=1.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/loader/lib.sh"
. "$TESTS_SRCDIR/arm64/boot.sh"

skip() { echo "$me: SKIP: $*"; exit 77; }
test "${PMUFC_ARM64_SKIP:-0}" = 1 && skip "PMUFC_ARM64_SKIP=1"
cc=${CC_ARM64:-aarch64-linux-gnu-gcc}
sysroot=${ARM64_SYSROOT:-/usr/aarch64-linux-gnu}
for tool in qemu-system-aarch64 "$cc" cpio timeout; do
	command -v "$tool" >/dev/null 2>&1 || skip "no $tool (see tests/arm64/setup.sh)"
done
kernels=$(arm64_kernels)
test -n "$kernels" || skip "no arm64 kernel Image in ${PMUFC_ARM64_KERNEL:-$arm64_cache/*/} (see tests/arm64/setup.sh)"
test -e "$sysroot/lib/ld-linux-aarch64.so.1" || skip "no aarch64 dynamic linker in $sysroot/lib"

src=$TESTS_SRCDIR/..
bld=$TESTS_BUILDDIR/..
stage=$tmp/stage
mkdir -p "$stage/dev" "$stage/proc" "$stage/tmp" "$stage/lib" "$tmp/obj" || exit 99
flags="-std=c11 -O1 -D_POSIX_C_SOURCE=200809L -DHAVE_CONFIG_H -DPMUFC_POLICYDIR=\"/nonexistent\" -I$bld -I$src/include -I$src/src -I$src/grammar -I$bld/grammar -I$src/events"

# libpmufc for aarch64, as an archive: every source of src/ but the
# command line's and the shim's (the linker takes what the library needs; a file that
# does not build here, e.g. one of a tool with its own dependencies, is
# left out, and only matters if the library needs it).
ar=${AR_ARM64:-${cc%gcc}ar}
command -v "$ar" >/dev/null 2>&1 || skip "no $ar"
objs=
# Generated sources are in the build tree, or (from a tarball, for the
# parser and scanner) in the source tree.
for f in "$src"/src/*/*.c gen:grammar/parser.c gen:grammar/scanner.c gen:src/evtab.c; do
	case $f in
	gen:*)
		f=${f#gen:}
		if test -e "$bld/$f"; then f=$bld/$f; else f=$src/$f; fi ;;
	*/src/cli/* | */src/shim/* | */evtab.c) continue ;; # evtab.c: the build tree's
	esac
	test -e "$f" || continue
	o=$tmp/obj/$(basename "$f" .c).o
	if "$cc" $flags -c "$f" -o "$o" 2>>"$tmp/cc.log"; then
		objs="$objs $o"
	else
		echo "# not built for aarch64: $f"
	fi
done
"$ar" rcs "$tmp/libpmufc-arm64.a" $objs || exit 99
# arm64-init.c includes tests/tap.h.
"$cc" $flags -static "$src/tests/loader/arm64-init.c" "$tmp/libpmufc-arm64.a" -o "$stage/init" 2>>"$tmp/cc.log" ||
	{ cat "$tmp/cc.log"; echo "$me: ERROR: arm64-init does not link"; exit 99; }
"$cc" $flags -shared -fPIC -fvisibility=hidden -Wl,-z,defs -o "$stage/pmufc-shim.so" \
	"$src/src/shim/shim.c" "$src/src/kernel/apply.c" "$src/src/base/arena.c" "$src/src/kernel/space.c" "$src/src/kernel/blob_x86.c" \
	"$src/src/kernel/blob_arm64.c" "$src/src/base/diag.c" "$src/src/kernel/host.c" 2>>"$tmp/cc.log" ||
	{ cat "$tmp/cc.log"; echo "$me: ERROR: the shim does not build for aarch64"; exit 99; }
"$cc" $flags -o "$stage/test-vmm" "$src/tests/loader/test-vmm.c" 2>>"$tmp/cc.log" ||
	{ cat "$tmp/cc.log"; echo "$me: ERROR: test-vmm does not build for aarch64"; exit 99; }
cp -L "$sysroot/lib/ld-linux-aarch64.so.1" "$sysroot/lib/libc.so.6" "$stage/lib/" || exit 99
printf 'default deny;\nallow arm 0x11;\nallow arm {0x08, 0x20-0x2f};\n' >"$tmp/arm.pf"
"$PMUFC" --target arm64 "$tmp/arm.pf" -o "$stage/filter.bin" || exit 99
(cd "$stage" && find . | cpio -o -H newc -R 0:0 --quiet) >"$tmp/initrd" || exit 99

# Each kernel in turn (one path a line: a path may hold spaces).
total=0 failed=0 ran= nokvm= hard=0
ifs=$IFS
IFS='
'
for kernel in $kernels; do
	IFS=$ifs
	rel=$(arm64_release "$kernel")
	echo "$me: kernel $rel ($kernel)"
	boot_arm64 "$kernel" "$tmp/initrd" "$tmp/console.log"
	if grep -q '^LOADER-ARM64-NOKVM' "$tmp/console.log"; then
		echo "$me: kernel $rel has no usable /dev/kvm: $(sed -n 's/^LOADER-ARM64-NOKVM //p' "$tmp/console.log")"
		nokvm="$nokvm $rel"
		continue
	fi
	if ! grep -q '^LOADER-ARM64-DONE' "$tmp/console.log"; then
		tail -n 40 "$tmp/console.log"
		echo "$me: ERROR: kernel $rel: the arm64 init did not finish"
		hard=1
		continue
	fi
	sed -n '/^LOADER-ARM64-BEGIN/,/^LOADER-ARM64-DONE/p' "$tmp/console.log" | grep -v '^LOADER-ARM64' | grep -v '^\[ *[0-9.]*\]'
	set -- $(sed -n 's/^LOADER-ARM64-DONE //p' "$tmp/console.log")
	echo "$me: kernel $rel: $1 cases on arm64, $2 failed"
	total=$((total + $1)) failed=$((failed + $2)) ran="$ran $rel"
done
IFS=$ifs
echo "$me: kernels ran:${ran:- none}${nokvm:+; without a usable /dev/kvm:$nokvm}"
test $hard = 0 || exit 99
test -n "$ran" || skip "no arm64 kernel has a usable /dev/kvm:$nokvm"
echo "$me: $total cases on arm64, $failed failed"
test "$failed" = 0
