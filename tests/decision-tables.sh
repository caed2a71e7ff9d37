#!/bin/sh
# tests/decision-tables.sh - decision tables: a policy and events -> allow or deny.
#
# Each tests/decide/NAME.tbl (tests/selftest/ for kernel-selftest.sh) holds, one
# per line (# starts a comment):
#   policy FILE        the policy, relative to the table
#   toobig TARGET      FILE fits in no filter on TARGET: only the policy is
#                      asked there (and the compile must be refused)
#   filter TARGET ...  a literal filter (blobtool make arguments after OUT):
#                      pmufc's blobs must decide exactly like it on every
#                      event of TARGET, and the table's events are asked of
#                      it too
#   TARGET EVENT allow|deny
#                      EVENT as --check takes it: select=N,umask=N, raw=N or
#                      fixed=N
# Every event is asked with `pmufc --check EVENT --target TARGET` of the
# policy, of its blobs compiled with --abi auto and --abi masked, and of
# the literal filter if any: all must answer as the table says (first word).
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")" && pwd)}"
. "$TESTS_SRCDIR/lib.sh"
: "${tables:=decide}"
blobtool=$TESTS_BUILDDIR/blobtool
test -x "$blobtool" || { echo "$me: ERROR: no $blobtool (make check builds it)"; exit 99; }

# ask WHAT FILE TARGET EVENT WANT: --check FILE, compare the first word.
ask() {
	"$PMUFC" --cpu generic --target "$3" --check "$4" "$2" </dev/null >"$tmp/check" 2>"$tmp/check.err"
	rc=$?
	read -r word rest <"$tmp/check"
	word=${word%:}
	if test $rc != 0 || test "$word" != "$5"; then
		fail "$tbl:$lineno: $3 $4: $1 says '${word:-}' (exit $rc), the table says $5"
		sed 's/^/    /' "$tmp/check" "$tmp/check.err" | sed -n '1,10p'
		return 1
	fi
}

dir=$TESTS_SRCDIR/$tables
for tblpath in "$dir"/*.tbl; do
	tbl=$(basename "$tblpath")
	policy=$(awk '$1 == "policy" { print $2; exit }' "$tblpath")
	if test -z "$policy" || ! test -f "$dir/$policy"; then
		fail "$tbl: no policy, or '$policy' does not exist"
		continue
	fi
	rm -f "$tmp"/*.bin
	# The blobs of each target the table asks about.
	for t in $(awk '$1 == "intel" || $1 == "amd" { print $1 } $1 == "filter" { print $2 }' "$tblpath" | sort -u); do
		if grep -q "^toobig $t\$" "$tblpath"; then
			(cd "$dir" && exec "$PMUFC" --cpu generic --target "$t" "$policy" -o "$tmp/x.bin") 2>/dev/null
			rc=$?
			test $rc = 65 || fail "$tbl: $policy on $t: exit $rc, but the table says it is too big"
			continue
		fi
		for abi in auto masked; do
			(cd "$dir" && exec "$PMUFC" --cpu generic -w --target "$t" --abi $abi "$policy" -o "$tmp/$t.$abi.bin") 2>"$tmp/err" ||
				{ fail "$tbl: $policy does not compile for $t --abi $abi:"; cat "$tmp/err"; }
		done
	done
	# Literal filters: build them, compare with pmufc's on every event.
	lineno=0
	while read -r key t rest; do
		lineno=$((lineno + 1))
		test "$key" = filter || continue
		ncase=$((ncase + 1))
		# shellcheck disable=SC2086 # rest is words
		if ! "$blobtool" make "$tmp/$t.filter.bin" $rest </dev/null; then
			fail "$tbl:$lineno: bad filter line"
			continue
		fi
		for abi in auto masked; do
			test -f "$tmp/$t.$abi.bin" || continue
			"$blobtool" cmp "$t" "$tmp/$t.filter.bin" "$tmp/$t.$abi.bin" </dev/null >"$tmp/cmp" 2>&1 ||
				{ fail "$tbl:$lineno: pmufc's $t blob (--abi $abi) and the literal filter differ:"; sed 's/^/    /' "$tmp/cmp"; }
		done
	done <"$tblpath"
	# The decisions.
	lineno=0
	while read -r t ev want rest; do
		lineno=$((lineno + 1))
		case $t in intel | amd) ;; *) continue ;; esac
		ncase=$((ncase + 1))
		case $want in allow | deny) ;; *) fail "$tbl:$lineno: '$want' is neither allow nor deny"; continue ;; esac
		ask "the policy" "$dir/$policy" "$t" "$ev" "$want" || continue
		for abi in auto masked; do
			test -f "$tmp/$t.$abi.bin" || continue
			ask "the blob (--abi $abi)" "$tmp/$t.$abi.bin" "$t" "$ev" "$want" || continue 2
		done
		if test -f "$tmp/$t.filter.bin"; then
			ask "the literal filter" "$tmp/$t.filter.bin" "$t" "$ev" "$want"
		fi
	done <"$tblpath"
done
finish
