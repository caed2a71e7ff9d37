#!/bin/sh
# tests/x86/differential.sh - pmufc's validator against real, stock x86
# kernels: tests/differential -k inside each kernel tests/x86/setup.sh
# cached (Debian's 6.1 and 6.12, booted under TCG with kvm-amd;
# tests/x86/guest.sh).  In each, DIFF_X86_COUNT random filters and as many
# mutants (default 50000 of each: 100,000 filters per kernel, of the seed
# blobs in tests/fuzz/corpus-blob and of well-formed ones) go to
# KVM_SET_PMU_EVENT_FILTER on a scratch VM, and the kernel must accept
# exactly what pf_blob_decode accepts, by the rules pf_kvm_probe finds there
# (kvm_amd: AMD's; on 6.1 any flags are EINVAL), and refuse with the errno
# the model gives.  Prints, per kernel, how many filters the kernel was
# handed and how long it took.  (-K: the model-against-model comparisons
# are tests/differential.sh's, on this machine; under TCG they took two
# thirds of the time.)
#
# Skips (77) when no kernel is cached or qemu-system-x86_64, busybox or
# cpio is missing.  DIFF_SEED (default 20250103; kernel N of the list gets
# DIFF_SEED + N) reproduces a run; PMUFC_X86_TIMEOUT bounds each boot.
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
pf_test_name=x86-differential
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/x86/guest.sh"
x86_skip_unless_kernels "$me"
prog=$TESTS_BUILDDIR/differential
test -x "$prog" || bail "no $prog (make check builds it)"
count=${DIFF_X86_COUNT:-50000}
seed=${DIFF_SEED:-20250103}

cat >"$tmp/guest.sh" <<'EOF'
"$DIFF_PROG" -k -K -n "$DIFF_COUNT" -s "$DIFF_SEED" "$TESTS_SRCDIR"/fuzz/corpus-blob/*.bin
EOF
DIFF_PROG=$prog DIFF_COUNT=$count
X86_GUEST_ENV="TESTS_SRCDIR DIFF_PROG DIFF_COUNT DIFF_SEED ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS"
export TESTS_SRCDIR DIFF_PROG DIFF_COUNT

ran= i=0
for k in $(x86_kernels); do
	DIFF_SEED=$((seed + i))
	export DIFF_SEED
	i=$((i + 1))
	x86_guest_case "$k" "$tmp/guest.sh" "$prog" "$TESTS_SRCDIR/fuzz/corpus-blob" || continue
	w=$x86_work rc=$x86_rc v=$x86_version
	test $rc = 0 || fail "$v: differential -k inside exited $rc"
	grep -q '^kvm: kernel .*, module kvm_amd, amd.s event-select rules' "$w/out" ||
	    fail "$v: not kvm_amd with AMD's rules"
	n=$(sed -n 's/^differential: kernel [^:]*: \([0-9]*\) filters handed.*/\1/p' "$w/out")
	d=$(sed -n 's/^differential: \([0-9]*\) disagreements$/\1/p' "$w/out")
	if test "${n:-0}" -lt $((2 * count)); then
		fail "$v: ${n:-no} filters handed to the kernel, not $((2 * count))"
	fi
	note "$me: $v: ${n:-0} filters handed to KVM_SET_PMU_EVENT_FILTER, ${d:-?} disagreements (seed $DIFF_SEED); $x86_seconds s"
done
note "$me: kernels ran:${ran:- none}"
finish
