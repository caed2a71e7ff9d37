#!/bin/sh
# tests/reject-diagnostics.sh - bad policies give exactly the expected diagnostics.
#
# For each tests/reject/NAME.pf:
#   NAME.err   the exact expected stderr (positions, messages, notes, carets);
#   NAME.exit  the expected exit status (absent: 65);
#   NAME.args  the options (absent: --target intel), always with --cpu generic.
# The run must write nothing to stdout and leave no output file.
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")" && pwd)}"
. "$TESTS_SRCDIR/lib.sh"

dir=$TESTS_SRCDIR/reject
for pf in "$dir"/*.pf; do
	name=$(basename "$pf" .pf)
	begin "$name.pf: refused with its diagnostics"
	args="--target intel"
	test -f "$dir/$name.args" && args=$(cat "$dir/$name.args")
	want=65
	test -f "$dir/$name.exit" && want=$(cat "$dir/$name.exit")
	rm -rf "$tmp/o"
	mkdir "$tmp/o" || exit 99
	# shellcheck disable=SC2086 # args are words
	(cd "$dir" && exec "$PMUFC" --cpu generic $args "$name.pf" -o "$tmp/o/out.bin") \
		>"$tmp/stdout" 2>"$tmp/stderr"
	rc=$?
	test -n "${REGEN:-}" && cp "$tmp/stderr" "$dir/$name.err"
	if test $rc != "$want"; then
		fail "$name.pf: exit $rc, expected $want (pmufc $args $name.pf)"
		show "$tmp/stderr" 20
		continue
	fi
	if ! test -f "$dir/$name.err"; then
		fail "$name.pf: no $name.err"
		continue
	fi
	same "$dir/$name.err" "$tmp/stderr" "$name.pf: diagnostics" || continue
	test -s "$tmp/stdout" && { fail "$name.pf: wrote to stdout"; continue; }
	if test -n "$(ls "$tmp/o")"; then
		fail "$name.pf: left files behind: $(ls "$tmp/o")"
	fi
done
finish
