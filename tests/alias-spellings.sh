#!/bin/sh
# tests/alias-spellings.sh - different spellings of one policy give identical bytes.
#
# Each tests/aliases/NAME.list is one group: policies separated by lines
# holding only `--` (the text before the first `--` is the first policy).
# Every policy of a group must compile, and give the same blob as the
# first one, for intel and amd, with --abi auto and with --abi masked.
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")" && pwd)}"
. "$TESTS_SRCDIR/lib.sh"

for list in "$TESTS_SRCDIR"/aliases/*.list; do
	group=$(basename "$list" .list)
	rm -rf "$tmp/g"
	mkdir "$tmp/g" || exit 99
	awk -v dir="$tmp/g" '
		/^--$/ { close(f); n++; next }
		{ f = sprintf("%s/%03d.pf", dir, n); print > f }
	' "$list" || exit 99
	n=$(ls "$tmp/g" | wc -l)
	if test "$n" -lt 2; then
		fail "$group.list: fewer than 2 spellings"
		continue
	fi
	for t in intel amd; do
		for abi in auto masked; do
			begin "$group.list: every spelling gives the same bytes on $t --abi $abi"
			first=
			for pf in "$tmp"/g/*.pf; do
				i=$(basename "$pf" .pf)
				out=$tmp/g/$i.$t.$abi.bin
				if ! "$PMUFC" --cpu generic --target $t --abi $abi "$pf" -o "$out" 2>"$tmp/err"; then
					fail "$group.list: spelling $((i + 1)) does not compile on $t --abi $abi:"
					show "$pf" 1000; show "$tmp/err"
					continue
				fi
				if test -z "$first"; then
					first=$out
				elif ! cmp -s "$first" "$out"; then
					fail "$group.list: spelling $((i + 1)) differs from the first on $t --abi $abi:"
					show "$pf" 1000
					"$PMUFC" --cpu generic --target $t -d "$first" >"$tmp/a.txt"
					"$PMUFC" --cpu generic --target $t -d "$out" >"$tmp/b.txt"
					diff -u "$tmp/a.txt" "$tmp/b.txt" | show - 40
				fi
			done
		done
	done
done
finish
