#!/bin/sh
# tests/kernel-selftest.sh - the Linux KVM selftest's filters, written as policies.
#
# tests/selftest/*.pf are the filters of pmu_event_filter_test.c (the
# allow/deny member and non-member lists, the AMD deny list, the masked-events
# test_cases[] sparse and dense, the fixed-counter bitmap tests) as
# policies; each .tbl gives the selftest's own filter (`filter` lines) and
# what the selftest expects to count.  Run by decision-tables.sh (see there).
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")" && pwd)}"
tables=selftest
. "$TESTS_SRCDIR/decision-tables.sh"
