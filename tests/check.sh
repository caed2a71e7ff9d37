#!/bin/sh
# tests/check.sh - `pmufc check`: every spelling of an event (pmufc's
# fields in any order, --list-events's, perf's, names of the CPU model and
# generic ones), select= alone over all 256 umasks, many events in one run
# (repeated --check, check FILE EVENT..., standard input), on policies and
# on their filters alike, for Intel, AMD and arm64; a bad event refused
# before any policy diagnostic; the --json answer against the members
# pmufc(1) documents (JSON OUTPUT, check).
#
# Golden outputs in tests/check-cases/ (not tests/check: no script may be
# named after a folder, see tests/Makefile.inc): NAME.args (pmufc's
# arguments, one a line, run in a folder holding that folder's policies
# and their compiled filters), NAME.in (standard input, when given), NAME.out (the
# expected standard output; exit 0, nothing on stderr).  REGEN=1 rewrites
# the .out files.
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")" && pwd)}"
. "$TESTS_SRCDIR/lib.sh"

dir=$TESTS_SRCDIR/check-cases
cp "$dir"/*.pf "$tmp"/ || bail "cannot copy $dir"
cd "$tmp" || bail "no $tmp"
"$PMUFC" --cpu generic --target intel p.pf -o p.bin 2>/dev/null || bail "cannot compile p.pf"
"$PMUFC" --cpu generic amd.pf -o amd.bin 2>/dev/null || bail "cannot compile amd.pf"
"$PMUFC" --cpu generic --target arm64 arm.pf -o arm.bin 2>/dev/null || bail "cannot compile arm.pf"

# args FILE: set the positional parameters to FILE's lines.
args() {
	set -f
	old=$IFS
	IFS='
'
	# shellcheck disable=SC2046 # one word a line, by design
	set -- $(cat "$1")
	IFS=$old
	set +f
	argv=
	for a; do argv="$argv '$a'"; done
}

for f in "$dir"/*.args; do
	name=$(basename "$f" .args)
	begin "golden $name"
	args "$f"
	input=/dev/null
	test -f "$dir/$name.in" && input=$dir/$name.in
	eval "\"\$PMUFC\" $argv" <"$input" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	test -n "${REGEN:-}" && test $rc = 0 && cp "$tmp/out" "$dir/$name.out"
	if test $rc != 0; then
		fail "$name: exit $rc:$argv"
		show "$tmp/err"
		continue
	fi
	test -s "$tmp/err" && { fail "$name: unexpected stderr:"; show "$tmp/err"; continue; }
	same "$dir/$name.out" "$tmp/out" "$name: answers"
done

# A policy and its filter decide alike: the first words agree line by line.
for pair in intel-spellings intel-umasks arm; do
	begin "$pair: the policy and its filter agree"
	cut -d: -f1 "$dir/$pair.out" >"$tmp/a"
	cut -d: -f1 "$dir/$pair-blob.out" >"$tmp/b"
	same "$tmp/a" "$tmp/b" "$pair: decisions of the policy and of the filter"
done

# Bad events: usage errors (64), nothing answered, before the policy is read.
for e in 'umask=0x01' 'select=0x1000' 'select=0xc0,raw=0x1' 'cmask=1' 'NO_SUCH_EVENT_ANYWHERE' \
	'select=zz' 'cpu/event=0x3c' 'fixed=32' 'arm=0x10000' 'arm=0x1,guest=v4' 'select=0xc0,select=0xc1'; do
	run "$PMUFC" --target intel check warn.pf "$e" </dev/null
	begin "bad event '$e'"
	test "$st" = 64 || fail "'$e': exit $st, expected 64"
	test -s "$tmp/out" && fail "'$e': answered"
	grep -q warning "$tmp/err" && fail "'$e': the policy was read first"
done
run "$PMUFC" --target intel check warn.pf select=0xd0,umask=0x10 </dev/null
grep -q warning "$tmp/err"
verdict $? "a good event: the policy's warning comes" "no warning for warn.pf"
printf 'select=0xc0,umask=0\nselect=0x100\n' >ev.txt
run "$PMUFC" --target intel check p.pf <ev.txt
has "$tmp/err" "standard input:2:" "a bad line of standard input is named"
run "$PMUFC" --target amd check p.pf fixed=0 select=0xc0
has "$tmp/err" "amd has no fixed counters" "fixed=0 on amd with --target: refused first"
run "$PMUFC" --target intel check - <ev.txt
verdict "$([ "$st" = 64 ] && echo 0)" "FILE and events both from stdin: usage error" "exit $st"
run "$PMUFC" --target intel check p.pf </dev/null
verdict "$([ "$st" = 64 ] && echo 0)" "no events: usage error" "exit $st"

# --json: the envelope, one object per answer, and only documented members.
man=$TESTS_SRCDIR/../man/pmufc.1
sed -n '/^\.SH JSON OUTPUT/,/^\.SH /p' "$man" | sed -n '/^\.SS check/,/^\.S[SH] /p' |
	grep -o '\\(dq[a-z_]*\\(dq' | sed 's/\\(dq//g' | sort -u >"$tmp/documented"
test -s "$tmp/documented" || bail "no check subsection in JSON OUTPUT of $man"
for in in p.pf p.bin; do
	run "$PMUFC" --target intel --cpu sapphirerapids --json check "$in" select=0x3c,umask=0 \
		select=0x3c r412e instructions fixed=3 select=0x12
	begin "--json on $in"
	test "$st" = 0 || { fail "$in: exit $st"; show "$tmp/err"; continue; }
	grep -q '^  "schema": 1,$' "$tmp/out" || fail "$in: no schema 1"
	grep -q '^  "kind": "check",$' "$tmp/out" || fail "$in: kind is not check"
	n=$(grep -c '^      "input": ' "$tmp/out")
	test "$n" = 7 || fail "$in: $n answers, expected 7 (instructions is two)"
	grep -c '"decision": "mixed"' "$tmp/out" | grep -qx 1 || fail "$in: select=0x3c is not mixed"
	grep -q '"allow_umasks": \[$' "$tmp/out" || fail "$in: no allow_umasks"
	# Every member named in the answer is documented.
	grep -o '^ *"[a-z_]*":' "$tmp/out" | tr -d ' ":' | sort -u >"$tmp/used"
	comm -23 "$tmp/used" "$tmp/documented" | grep -vx 'schema' >"$tmp/undoc"
	test -s "$tmp/undoc" && { fail "$in: members not in pmufc(1):"; show "$tmp/undoc"; }
	# The text answers are the explanations.
	"$PMUFC" --target intel --cpu sapphirerapids check "$in" select=0x3c,umask=0 select=0x3c r412e \
		instructions fixed=3 select=0x12 >"$tmp/text"
	sed -n 's/^      "explanation": "\(.*\)"$/\1/p' "$tmp/out" >"$tmp/expl"
	same "$tmp/text" "$tmp/expl" "$in: explanation members are the text lines"
done
finish
