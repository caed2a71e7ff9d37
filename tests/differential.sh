#!/bin/sh
# tests/differential.sh - pmufc's x86 blob validator (pf_blob_decode)
# against the kernel model (pf_eval_x86_load) on random filters and on
# mutants of the seed blobs in tests/fuzz/corpus-blob: they must accept
# and refuse exactly the same filters, on Intel and on AMD.  One case (the
# program, tests/differential.c, exits 0: no disagreement); its counts per
# outcome are notes.  DIFF_COUNT (default 100000 of each kind) and
# DIFF_SEED (default: a fixed one, so a failure reproduces) change the run.
# differential-kvm.sh sources this file with diff_kvm=-k (and its own
# defaults) to hand every filter to the real kernel as well.
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")" && pwd)}"
. "$TESTS_SRCDIR/lib.sh"
prog=$TESTS_BUILDDIR/differential
test -n "${diff_kvm:-}" && ! test -e /dev/kvm && skip_all "no /dev/kvm on this machine"
test -x "$prog" || bail "no $prog (make check builds it)"
count=${DIFF_COUNT:-${diff_count:-100000}} seed=${DIFF_SEED:-${diff_seed:-20250101}}
"$prog" ${diff_kvm:+"$diff_kvm"} -n "$count" -s "$seed" "$TESTS_SRCDIR"/fuzz/corpus-blob/*.bin >"$tmp/out" 2>&1
rc=$?
sed 's/^/# /' "$tmp/out"
test $rc = 99 && bail "$(basename "$prog") exit 99 (a hard error, above)"
test $rc = 77 && skip_all "$(sed -n 's/^SKIP: //p' "$tmp/out" | head -n 1)"
verdict $rc "the validator, the model${diff_kvm:+ and the kernel} agree on $count random filters and $count mutants (seed $seed)" \
	"disagreement (exit $rc, seed $seed)"
finish
