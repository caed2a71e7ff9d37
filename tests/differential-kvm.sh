#!/bin/sh
# tests/differential-kvm.sh - the differential test of differential.sh,
# and every filter also handed to the real KVM_SET_PMU_EVENT_FILTER on a
# scratch VM: the kernel must accept exactly the filters pmufc's validator
# accepts, and refuse the others with the errno the model gives.  Skipped
# (77) where there is no /dev/kvm (containers, CI, most VMs), or when KVM
# lacks KVM_CAP_PMU_EVENT_FILTER.  DIFF_COUNT (default 5000 of each kind)
# and DIFF_SEED as in differential.sh.
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")" && pwd)}"
: "${TESTS_BUILDDIR:=$TESTS_SRCDIR}"
prog=$TESTS_BUILDDIR/differential
if ! test -e /dev/kvm; then
	echo "SKIP: no /dev/kvm on this machine"
	exit 77
fi
if ! test -x "$prog"; then
	echo "differential-kvm: ERROR: no $prog (make check builds it)"
	exit 99
fi
exec "$prog" -k -n "${DIFF_COUNT:-5000}" -s "${DIFF_SEED:-20250102}" "$TESTS_SRCDIR"/fuzz/corpus-blob/*.bin
