#!/bin/sh
# evtab-json.sh - drift check: re-run tools/import-events on perf's
# pmu-events JSON and compare with the committed events/ tables.
#
# Needs python3 and the JSON tree: $PMUFC_PERF_EVENTS, by default
# ../shared/perf-pmu-events relative to the top source directory.  Without
# them the test is skipped (exit 77), so the build never depends on them.
# One case per table file (TAP, tests/lib.sh); a drift shows its diff.

srcdir=${srcdir:-.}
top=$(cd "$srcdir" && pwd) || exit 99
: "${TESTS_SRCDIR:=$top/tests}"
pf_no_pmufc=1
. "$TESTS_SRCDIR/lib.sh"
json=${PMUFC_PERF_EVENTS:-$top/../shared/perf-pmu-events}

command -v python3 >/dev/null 2>&1 || skip_all "python3 not found"
if ! test -f "$json/x86/mapfile.csv" || ! test -f "$json/arm64/mapfile.csv"; then
	skip_all "no perf pmu-events JSON at $json"
fi

# The importer also rewrites the table list in Makefile.inc: check it too.
cp "$top/events/Makefile.inc" "$tmp/Makefile.inc" || bail "cannot copy events/Makefile.inc"
begin "tools/import-events runs"
if ! python3 "$top/tools/import-events" "$json" "$tmp" 2>"$tmp/import.log"; then
	fail "importer failed"
	show "$tmp/import.log" 100
	finish
fi
for f in models.tsv Makefile.inc x86 arm64; do
	begin "events/$f matches a fresh import of $json"
	diff -r "$top/events/$f" "$tmp/$f" >"$tmp/diff" ||
		{ fail "events/$f differs; run tools/import-events $json events/"; show "$tmp/diff" 60; }
done
finish
