#!/bin/sh
# tests/differential.sh - pmufc's x86 blob validator (pf_blob_decode)
# against the kernel model (pf_eval_x86_load) on random filters and on
# mutants of the seed blobs in tests/fuzz/corpus-blob: they must accept
# and refuse exactly the same filters, on Intel and on AMD.  Counts per
# outcome go to the log.  DIFF_COUNT (default 100000 of each kind) and
# DIFF_SEED (default: a fixed one, so a failure reproduces) change the run.
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")" && pwd)}"
: "${TESTS_BUILDDIR:=$TESTS_SRCDIR}"
prog=$TESTS_BUILDDIR/differential
if ! test -x "$prog"; then
	echo "differential: ERROR: no $prog (make check builds it)"
	exit 99
fi
exec "$prog" -n "${DIFF_COUNT:-100000}" -s "${DIFF_SEED:-20250101}" "$TESTS_SRCDIR"/fuzz/corpus-blob/*.bin
