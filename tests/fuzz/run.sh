#!/bin/sh
# tests/fuzz/run.sh - runs every fuzz target for a while (make fuzz, make
# fuzz-smoke; see tests/fuzz.mk).
#
#   run.sh SECONDS SRCDIR BUILDDIR [LIBFUZZER-OPTION]...
#
# Each target TARGET (policy, blob, import, bundle) runs on
# BUILDDIR/tests/fuzz/work/TARGET (its working corpus, kept between runs)
# seeded from SRCDIR/tests/fuzz/corpus-TARGET.  What it finds (crash-*,
# leak-*, timeout-*, oom-*) is written to SRCDIR/tests/fuzz/regress/TARGET/,
# where `make check` replays it: commit it with the fix.  Exit status 1
# when a target found something, else 0.
set -u
secs=$1 srcdir=$2 builddir=$3
shift 3
status=0
for t in policy blob import bundle; do
	bin=$builddir/tests/fuzz/fuzz-$t
	work=$builddir/tests/fuzz/work/$t
	regress=$srcdir/tests/fuzz/regress/$t
	mkdir -p "$work" "$regress" || exit 1
	case $t in
	policy) opts="-max_len=8192 -timeout=30 -dict=$srcdir/tests/fuzz/policy.dict" ;;
	blob) opts="-max_len=2600 -timeout=30" ;;
	import) opts="-max_len=8192 -timeout=30 -dict=$srcdir/tests/fuzz/json.dict" ;;
	bundle) opts="-max_len=8192 -timeout=30 -dict=$srcdir/tests/fuzz/bundle.dict" ;;
	esac
	before=$(ls "$regress" | wc -l)
	echo "fuzz-$t: $secs s, corpus $work + $srcdir/tests/fuzz/corpus-$t"
	start=$(date +%s)
	# shellcheck disable=SC2086 # options are words
	"$bin" -max_total_time="$secs" -report_slow_units=30 -print_final_stats=1 \
		-artifact_prefix="$regress/" $opts "$@" "$work" "$srcdir/tests/fuzz/corpus-$t" \
		>"$builddir/tests/fuzz/work/$t.log" 2>&1
	rc=$?
	end=$(date +%s)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$builddir/tests/fuzz/work/$t.log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$builddir/tests/fuzz/work/$t.log" | tail -1)
	after=$(ls "$regress" | wc -l)
	echo "fuzz-$t: exit $rc, ${runs:-?} runs in $((end - start)) s, $cov, corpus $(ls "$work" | wc -l) files"
	if test "$rc" != 0 || test "$after" != "$before"; then
		status=1
		echo "fuzz-$t: FOUND A BUG; log $builddir/tests/fuzz/work/$t.log; kept:"
		ls -t "$regress" | head -n $((after - before + 1)) | sed "s|^|  $regress/|"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|.*pmufc bug)' "$builddir/tests/fuzz/work/$t.log" |
			head -5
	fi
done
exit $status
