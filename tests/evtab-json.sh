#!/bin/sh
# evtab-json.sh - drift check: re-run tools/import-events on perf's
# pmu-events JSON and compare with the committed events/ tables.
#
# Needs python3 and the JSON tree: $PMUFC_PERF_EVENTS, by default
# ../shared/perf-pmu-events relative to the top source directory.  Without
# them the test is skipped (exit 77), so the build never depends on them.
# Exit 0: the committed tables match; 1: they drifted (diff on stdout).

srcdir=${srcdir:-.}
top=$(cd "$srcdir" && pwd) || exit 99
json=${PMUFC_PERF_EVENTS:-$top/../shared/perf-pmu-events}

if ! command -v python3 >/dev/null 2>&1; then
	echo "evtab-json: SKIP: python3 not found"; exit 77
fi
if ! test -f "$json/x86/mapfile.csv" || ! test -f "$json/arm64/mapfile.csv"; then
	echo "evtab-json: SKIP: no perf pmu-events JSON at $json"; exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/evtab-json.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT HUP INT TERM

# The importer also rewrites the table list in Makefile.inc: check it too.
cp "$top/events/Makefile.inc" "$tmp/Makefile.inc" || exit 99
python3 "$top/tools/import-events" "$json" "$tmp" 2>"$tmp/import.log" || {
	cat "$tmp/import.log"; echo "evtab-json: FAIL: importer failed"; exit 1
}

status=0
for f in models.tsv Makefile.inc x86 arm64; do
	diff -r "$top/events/$f" "$tmp/$f" || status=1
done
if test $status = 0; then
	echo "evtab-json: ok: events/ matches $json"
else
	echo "evtab-json: FAIL: events/ differs from a fresh import; run" \
	     "tools/import-events $json events/"
fi
exit $status
