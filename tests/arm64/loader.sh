#!/bin/sh
# tests/arm64/loader.sh - the loader on a real arm64 KVM: Debian's arm64
# kernel in qemu-system-aarch64 (TCG, virtualization=on, as
# tests/arm64/kvm-arm64.sh boots it), with an initramfs holding
# loader-init.c (libpmufc cross-compiled and linked in statically), the
# shim and test-vmm cross-compiled for aarch64, and the dynamic linker
# and libc they need.  It boots under each arm64 kernel that
# tests/arm64/setup.sh cached (6.1 and 6.12; or $PMUFC_ARM64_KERNEL alone)
# and says which ran.  Skipped (77) without the tools or any kernel
# (tests/arm64/setup.sh fetches them) or with PMUFC_ARM64_SKIP=1.
# tests/loader/lib.sh: the loader's setup, shared with tests/loader/.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/loader/lib.sh"
me=arm64-loader
. "$TESTS_SRCDIR/arm64/boot.sh"

test "${PMUFC_ARM64_SKIP:-0}" = 1 && skip_all "PMUFC_ARM64_SKIP=1"
cc=${CC_ARM64:-aarch64-linux-gnu-gcc}
sysroot=${ARM64_SYSROOT:-/usr/aarch64-linux-gnu}
for tool in qemu-system-aarch64 "$cc" cpio timeout; do
	command -v "$tool" >/dev/null 2>&1 || skip_all "no $tool (see tests/arm64/setup.sh)"
done
kernels=$(arm64_kernels)
test -n "$kernels" || skip_all "no arm64 kernel Image in ${PMUFC_ARM64_KERNEL:-$arm64_cache/*/} (see tests/arm64/setup.sh)"
test -e "$sysroot/lib/ld-linux-aarch64.so.1" || skip_all "no aarch64 dynamic linker in $sysroot/lib"

src=$TESTS_SRCDIR/..
bld=$TESTS_BUILDDIR/..
stage=$tmp/stage
mkdir -p "$stage/dev" "$stage/proc" "$stage/tmp" "$stage/lib" "$tmp/obj" || bail "cannot make the stage"
flags="-std=c11 -O1 -D_POSIX_C_SOURCE=200809L -DHAVE_CONFIG_H -DPMUFC_POLICYDIR=\"/nonexistent\" -I$bld -I$src/include -I$src/src -I$src/grammar -I$bld/grammar -I$src/events"

# libpmufc for aarch64, as an archive: every source of src/ but the
# command line's and the shim's (the linker takes what the library needs; a file that
# does not build here, e.g. one of a tool with its own dependencies, is
# left out, and only matters if the library needs it).
ar=${AR_ARM64:-${cc%gcc}ar}
command -v "$ar" >/dev/null 2>&1 || skip_all "no $ar"
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
		note "not built for aarch64: $f"
	fi
done
"$ar" rcs "$tmp/libpmufc-arm64.a" $objs || bail "$ar failed"
# loader-init.c includes tests/tap.h.
"$cc" $flags -static "$TESTS_SRCDIR/arm64/loader-init.c" "$tmp/libpmufc-arm64.a" -o "$stage/init" 2>>"$tmp/cc.log" ||
	{ show "$tmp/cc.log" 100; bail "loader-init does not link"; }
# The shim: shim.c with the base and kernel stages, as pmufc_shim_la_SOURCES
# (the C files each stage's Makefile.inc lists).
shim_src="$src/src/shim/shim.c"
for f in $(grep -oh 'src/\(base\|kernel\)/[A-Za-z0-9_]*\.c' "$src/src/base/Makefile.inc" "$src/src/kernel/Makefile.inc" | sort -u); do
	shim_src="$shim_src $src/$f"
done
# shellcheck disable=SC2086 # shim_src is words (no spaces in the tree's paths)
"$cc" $flags -shared -fPIC -fvisibility=hidden -Wl,-z,defs -o "$stage/pmufc-shim.so" \
	$shim_src 2>>"$tmp/cc.log" ||
	{ show "$tmp/cc.log" 100; bail "the shim does not build for aarch64"; }
"$cc" $flags -o "$stage/test-vmm" "$src/tests/loader/test-vmm.c" 2>>"$tmp/cc.log" ||
	{ show "$tmp/cc.log" 100; bail "test-vmm does not build for aarch64"; }
cp -L "$sysroot/lib/ld-linux-aarch64.so.1" "$sysroot/lib/libc.so.6" "$stage/lib/" || bail "cannot copy the aarch64 libc"
printf 'default deny;\nallow arm 0x11;\nallow arm {0x08, 0x20-0x2f};\n' >"$tmp/arm.pf"
"$PMUFC" --target arm64 "$tmp/arm.pf" -o "$stage/filter.bin" || bail "arm.pf does not compile"
(cd "$stage" && find . | cpio -o -H newc -R 0:0 --quiet) >"$tmp/initrd" || bail "cpio failed"

# Each kernel in turn (one path a line: a path may hold spaces).
total=0 failed=0 ran= nokvm= hard=0
ifs=$IFS
IFS='
'
for kernel in $kernels; do
	IFS=$ifs
	rel=$(arm64_release "$kernel")
	note "kernel $rel ($kernel)"
	boot_arm64 "$kernel" "$tmp/initrd" "$tmp/console.log"
	if grep -q '^LOADER-ARM64-NOKVM' "$tmp/console.log"; then
		note "kernel $rel has no usable /dev/kvm: $(sed -n 's/^LOADER-ARM64-NOKVM //p' "$tmp/console.log")"
		nokvm="$nokvm $rel"
		continue
	fi
	if ! grep -q '^LOADER-ARM64-DONE' "$tmp/console.log"; then
		tail -n 40 "$tmp/console.log" | sed 's/^/# /'
		bad "kernel $rel: the arm64 init did not finish"
		hard=1
		continue
	fi
	# loader-init's own cases (tests/tap.h), as cases of this test.
	sed -n '/^LOADER-ARM64-BEGIN/,/^LOADER-ARM64-DONE/p' "$tmp/console.log" | grep -v '^LOADER-ARM64' |
	    grep -v '^\[ *[0-9.]*\]' >"$tmp/inner"
	tap_merge "$rel" "$tmp/inner"
	set -- $(sed -n 's/^LOADER-ARM64-DONE //p' "$tmp/console.log")
	test "$merged:$merged_failed" = "$1:$2" ||
	    fail "kernel $rel: loader-init counted $1 cases, $2 failed; its lines show $merged, $merged_failed failed"
	note "kernel $rel: $1 cases on arm64, $2 failed"
	total=$((total + $1)) failed=$((failed + $2)) ran="$ran $rel"
done
IFS=$ifs
note "$me: kernels ran:${ran:- none}${nokvm:+; without a usable /dev/kvm:$nokvm}"
test $hard = 0 || bail "an arm64 init did not finish"
test -n "$ran" || skip_all "no arm64 kernel has a usable /dev/kvm:$nokvm"
note "$me: $total cases on arm64, $failed failed"
finish
