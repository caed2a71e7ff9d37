#!/bin/sh
# tests/x86/loader.sh - the loader end to end on real x86 kernels: each
# Debian amd64 kernel tests/x86/setup.sh cached is booted under TCG with
# kvm-amd (tests/x86/guest.sh), and inside it run the loader's tests that
# need a real KVM, as they run on a host that has one:
#   api-test        libpmufc on a VM fd of its own (and on /dev/kvm itself)
#   kvm.sh          --probe, `pmufc run` around test-vmm, `--apply --pid`
#                   into test-vmm waiting and into test-vmm whose vCPU runs
#                   guest code meanwhile, the kernel's answers from the
#                   sys_exit_ioctl tracepoint, the VMM's own checks after
#   qemu.sh         `pmufc run` around Debian's qemu-system-x86_64 -accel
#                   kvm, `--apply --pid` into it before and while its guest
#                   runs, QMP answering afterwards
#   shim.sh         the shim's stand-in-KVM cases, beside a real /dev/kvm
#   fail-closed.sh  refusals of filters not for the kernel's KVM
# A case skipped inside a guest is shown as such; a test that skips as a
# whole there (77) fails: the guest has all it needs.  Skips (77) only when
# no kernel is cached or qemu-system-x86_64 (or busybox, cpio) is missing.
# Prints which kernels ran, and each inner test's summary per kernel.
pf_test_name=x86-loader
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/loader/lib.sh"
me=x86-loader
. "$TESTS_SRCDIR/x86/guest.sh"
x86_skip_unless_kernels "$me"

bld=$(cd "$TESTS_BUILDDIR/.." && pwd)
inner="api-test kvm.sh qemu.sh shim.sh fail-closed.sh"

# What the guest needs, at the same paths: the built programs (ELF files
# get their shared libraries from guest.sh; libtool's uninstalled
# libraries are found through LD_LIBRARY_PATH below), the test scripts,
# and QEMU with its firmware.
paths="$PMUFC $bld/.libs $TESTS_BUILDDIR/loader/.libs $TESTVMM $INJECT $QMP
	$TESTS_SRCDIR/lib.sh $TESTS_SRCDIR/loader"
test -x "$STATIC" && paths="$paths $STATIC"
# (Debian's QEMU loads its TCG accelerator from a module folder.)
qemu=$(command -v qemu-system-x86_64)
for p in "$qemu" /usr/share/qemu /usr/share/seabios /usr/lib/*/qemu /usr/lib/qemu /usr/lib64/qemu; do
	test -e "$p" && paths="$paths $p"
done
# api-test may be libtool's wrapper script: the program is in .libs.
apitest=$TESTS_BUILDDIR/loader/api-test
test -f "$TESTS_BUILDDIR/loader/.libs/api-test" && apitest=$TESTS_BUILDDIR/loader/.libs/api-test
test -x "$apitest" || bail "no $apitest (build first)"

# The script the guest runs (busybox sh, in /tmp): each test, its output
# prefixed, then "RESULT NAME STATUS".  PMUFC_X86_TEST_TIMEOUT bounds each
# (seconds, default 240: under ASan and TCG the slowest take about 60).
per_test=${PMUFC_X86_TEST_TIMEOUT:-240}
cat >"$tmp/inner.sh" <<EOF
LD_LIBRARY_PATH=$bld/.libs\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}
export LD_LIBRARY_PATH
echo "# guest kernel \$(uname -r); /dev/kvm held by: \$(ls /sys/module/kvm/holders 2>/dev/null | tr '\n' ' ')"
# Each test bounded, so that one that hangs still leaves the others their
# turn and shows what it was doing.
for t in $inner; do
	t0=\$(date +%s)
	case \$t in
	api-test) timeout $per_test "$apitest" >/tmp/out 2>&1 ;;
	*) timeout $per_test sh "$TESTS_SRCDIR/loader/\$t" >/tmp/out 2>&1 ;;
	esac
	rc=\$?
	sed "s|^|[\$t] |" /tmp/out
	if test \$((\$(date +%s) - t0)) -ge $per_test; then
		echo "[\$t] timed out after $per_test s; the processes left:"
		ps | sed "s|^|[\$t] |"
		rc=timeout
	fi
	echo "RESULT \$t \$rc"
done
EOF

X86_GUEST_ENV="PMUFC TESTS_SRCDIR TESTS_BUILDDIR PACKAGE_VERSION ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS"
export X86_GUEST_ENV
ran= inner_cases=0 inner_skipped=0 n=0
for kdir in $(x86_kernels); do
	n=$((n + 1))
	work=$tmp/guest-$n
	mkdir -p "$work"
	# shellcheck disable=SC2086
	x86_guest_run "$kdir" "$work" "$tmp/inner.sh" $paths >"$work/out" 2>"$work/boot"
	grc=$?
	v=$x86_version
	sed 's/^/# /' "$work/boot"
	sed "s/^/# $v /" "$work/out"
	if ! grep -q '^RESULT ' "$work/out"; then
		bad "$v: the guest ran no test (exit $grc)"
		continue
	fi
	ran="$ran $v"
	for t in $inner; do
		rc=$(sed -n "s/^RESULT $t \([0-9a-z]*\)$/\1/p" "$work/out")
		sum=$(sed -n "s/^\[$t\] # .*: \([0-9]* cases, [0-9]* failed.*\)/\1/p" "$work/out" | tail -n 1)
		c=$(echo "$sum" | sed -n 's/^\([0-9]*\) cases.*/\1/p')
		s=$(grep -c "^\[$t\] ok [0-9]* - .* # SKIP" "$work/out")
		inner_cases=$((inner_cases + ${c:-0}))
		inner_skipped=$((inner_skipped + s))
		case $rc in
		0) ok "$v: $t: ${sum:-no summary}" ;;
		77) bad "$v: $t skipped as a whole inside the guest: $(sed -n "s/^\[$t\] .*# \(SKIP.*\)/\1/p" "$work/out" | head -n 1)" ;;
		'') bad "$v: $t did not finish (guest exit $grc)" ;;
		timeout) bad "$v: $t timed out after $per_test s: ${sum:-no summary}" ;;
		*) bad "$v: $t exit $rc: ${sum:-no summary}" ;;
		esac
	done
	note "$v: guest up and tests done in ${x86_seconds:-?} s (initramfs ${x86_initrd_kb:-?} KiB)"
done
note "$me: kernels ran:${ran:- none}; $inner_cases cases inside them ($inner_skipped skipped)"
test -n "$ran" || bad "no kernel ran the tests"
finish
