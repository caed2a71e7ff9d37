#!/bin/sh
# tests/x86/corpus.sh - the test corpus against real, stock x86 kernels:
# tests/kvm.sh run inside each kernel tests/x86/setup.sh cached (Debian's
# 6.1 and 6.12, booted under TCG with kvm-amd; tests/x86/guest.sh).
#
# kvm.sh compiles every filter of the corpus (tests/golden, tests/decide,
# tests/selftest and its literal filters, the shipped policies, the
# catalogue allow-lists), --abi auto and --abi masked, for AMD (kvm-amd's
# rules) here, where programs start fast (kvm.sh --compile), and inside
# each kernel checks that `pmufc --probe` gives that target there and hands
# the filters to the kernel with kvm-load (KVM_BLOBS).  6.12 must take them
# all; 6.1 (no KVM_CAP_PMU_EVENT_MASKED_EVENTS) every plain one, and refuse
# every masked one with EINVAL, as `pmufc --probe FILE` predicts there.
# Here it also checks what each kernel must be: kvm_amd serving /dev/kvm,
# AMD's rules, masked events from 6.3 on.  Prints, per kernel, the filters
# taken, refused as expected, failures.
#
# Skips (77) when no kernel is cached or qemu-system-x86_64, busybox or
# cpio is missing.  KVM_MODELS as in kvm.sh; PMUFC_X86_TIMEOUT bounds each
# boot (tests/x86/guest.sh).
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
pf_test_name=x86-corpus
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/x86/guest.sh"
x86_skip_unless_kernels "$me"
for p in kvm-load blobtool; do
	test -x "$TESTS_BUILDDIR/$p" || bail "no $TESTS_BUILDDIR/$p (make check builds it)"
done

# kvm_amd applies AMD's rules: the guests' probe must say amd (kvm.sh
# fails when it finds no filters for the target it is given).
begin "the corpus compiles for amd"
if ! sh "$TESTS_SRCDIR/kvm.sh" --compile amd "$tmp/blobs/amd" >"$tmp/compile" 2>&1; then
	fail "the corpus does not compile for amd"
	show "$tmp/compile" 200
	finish
fi
note "$me: $(ls "$tmp/blobs/amd" | wc -l) filters compiled for amd"

echo 'sh "$TESTS_SRCDIR/kvm.sh"' >"$tmp/guest.sh"
KVM_BLOBS=$tmp/blobs
X86_GUEST_ENV="PMUFC TESTS_SRCDIR TESTS_BUILDDIR KVM_BLOBS ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS"
export PMUFC TESTS_SRCDIR TESTS_BUILDDIR KVM_BLOBS

ran=
for k in $(x86_kernels); do
	x86_guest_case "$k" "$tmp/guest.sh" "$PMUFC" "$TESTS_BUILDDIR/kvm-load" \
	    "$TESTS_SRCDIR/kvm.sh" "$TESTS_SRCDIR/lib.sh" "$KVM_BLOBS" || continue
	w=$x86_work rc=$x86_rc v=$x86_version
	test $rc = 0 || fail "$v: kvm.sh inside exited $rc"
	# What the kernel must be.
	grep -q '^x86-guest: /dev/kvm: kvm_amd ' "$w/notes" || fail "$v: kvm_amd does not hold kvm"
	grep -q '^#   host: amd ' "$w/out" || fail "$v: pmufc --probe does not say host: amd"
	case $v in
	[0-5].* | 6.[0-2].* | 6.[0-2]-*) want=no ;;
	*) want=yes ;;
	esac
	grep -q "^# kvm: filters for amd from .* (masked events: $want)" "$w/out" ||
	    fail "$v: masked events should be '$want'"
	nmasked=$(grep -c '^ok [0-9]* - refused .*(masked, no KVM_CAP_PMU_EVENT_MASKED_EVENTS)' "$w/out")
	if test $want = no; then
		test "$nmasked" -gt 0 || fail "$v: no masked filter was refused"
	else
		test "$nmasked" = 0 || fail "$v: masked filters refused"
	fi
	sum=$(sed -n 's/^# kvm-load: kernel [^:]*: //p' "$w/out")
	note "$me: $v: ${sum:-no summary from kvm-load} ($nmasked of them masked, refused before 6.3); $x86_seconds s"
	test -n "$sum" || fail "$v: no summary from kvm-load"
done
note "$me: kernels ran:${ran:- none}"
finish
