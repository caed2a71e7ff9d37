#!/bin/sh
# tests/differential-kvm.sh - the differential test of differential.sh,
# and every filter also handed to the real KVM_SET_PMU_EVENT_FILTER on a
# scratch VM: the kernel must accept exactly the filters pmufc's validator
# accepts, and refuse the others with the errno the model gives.  Skipped
# (77) where there is no /dev/kvm (containers, CI, most VMs), or when KVM
# lacks KVM_CAP_PMU_EVENT_FILTER.  DIFF_COUNT (default 5000 of each kind)
# and DIFF_SEED as in differential.sh, which this sources.
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")" && pwd)}"
diff_kvm=-k diff_count=5000 diff_seed=20250102
. "$TESTS_SRCDIR/differential.sh"
