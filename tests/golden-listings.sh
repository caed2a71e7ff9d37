#!/bin/sh
# tests/golden-listings.sh - policies compiled to the exact expected listings.
#
# For each tests/golden/NAME.pf and each target T (intel, amd):
#   NAME.T.txt   the expected `--format text` listing: the compile must
#                succeed with it; the raw blob, disassembled (-d), must give
#                the same listing;
#   NAME.T.warn  the expected stderr of that compile (absent: none);
#   NAME.T.err   instead of .txt: T must be refused, exit 65 (or NAME.T.exit)
#                with exactly this stderr, and no output file left.
#   NAME.args    extra options for every run (such as --abi masked).
# Listings use --cpu generic so that they do not depend on this host.
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")" && pwd)}"
. "$TESTS_SRCDIR/lib.sh"

dir=$TESTS_SRCDIR/golden
for pf in "$dir"/*.pf; do
	name=$(basename "$pf" .pf)
	args=
	test -f "$dir/$name.args" && args=$(cat "$dir/$name.args")
	for t in intel amd; do
		begin "$name.pf on $t"
		base=$dir/$name.$t
		run="pmufc --cpu generic --target $t $args"
		# shellcheck disable=SC2086 # args are words
		(cd "$dir" && exec "$PMUFC" --cpu generic --target $t --format text $args "$name.pf") \
			>"$tmp/out" 2>"$tmp/err"
		rc=$?
		if test -n "${REGEN:-}"; then
			if test $rc = 0; then
				cp "$tmp/out" "$base.txt"; rm -f "$base.err"
				if test -s "$tmp/err"; then cp "$tmp/err" "$base.warn"; else rm -f "$base.warn"; fi
			else
				cp "$tmp/err" "$base.err"; rm -f "$base.txt" "$base.warn"
			fi
		fi
		if test -f "$base.txt"; then
			if test $rc != 0; then
				fail "$name.pf on $t: exit $rc, expected 0 ($run)"
				show "$tmp/err" 20
				continue
			fi
			same "$base.txt" "$tmp/out" "$name.pf on $t: listing" || continue
			if test -f "$base.warn"; then
				same "$base.warn" "$tmp/err" "$name.pf on $t: warnings" || continue
			elif test -s "$tmp/err"; then
				fail "$name.pf on $t: unexpected stderr:"; show "$tmp/err" 20; continue
			fi
			# The raw blob, disassembled, is the same listing.
			# shellcheck disable=SC2086
			(cd "$dir" && exec "$PMUFC" --cpu generic --target $t $args -w "$name.pf" -o "$tmp/blob") ||
				{ fail "$name.pf on $t: raw compile failed"; continue; }
			"$PMUFC" --cpu generic --target $t -d "$tmp/blob" >"$tmp/dis" 2>"$tmp/err" ||
				{ fail "$name.pf on $t: -d failed"; show "$tmp/err"; continue; }
			same "$base.txt" "$tmp/dis" "$name.pf on $t: -d of the raw blob"
		elif test -f "$base.err"; then
			want=65
			test -f "$base.exit" && want=$(cat "$base.exit")
			if test $rc != "$want"; then
				fail "$name.pf on $t: exit $rc, expected $want ($run)"
				continue
			fi
			test -s "$tmp/out" && { fail "$name.pf on $t: refused but wrote to stdout"; continue; }
			same "$base.err" "$tmp/err" "$name.pf on $t: diagnostics" || continue
			rm -f "$tmp/blob"
			# shellcheck disable=SC2086
			(cd "$dir" && exec "$PMUFC" --cpu generic --target $t $args "$name.pf" -o "$tmp/blob") 2>/dev/null
			ls "$tmp" | grep -q '^blob' && fail "$name.pf on $t: refused but left an output file"
		else
			fail "$name.pf on $t: neither $name.$t.txt nor $name.$t.err"
		fi
	done
done
finish
