#!/bin/sh
# tests/commands.sh - the modes as commands, the option parser's messages,
# and the bash completion (contrib/bash-completion/pmufc):
#   a. every mode is also a subcommand (compile, check, stats, list, probe,
#      apply, run, diff) and answers as its option form does;
#   b. every message of the option parser starts with "pmufc: " (getopt's
#      own are not printed), and an unknown value lists the valid ones;
#   c. --json is refused where a mode has no JSON answer;
#   d. the completion offers the commands first, what `list` lists, the
#      values of the options, and for --pid a running VMM (a real one:
#      tests/loader/test-vmm on this host's /dev/kvm; skipped without it).
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")" && pwd)}"
. "$TESTS_SRCDIR/lib.sh"

pol=$TESTS_SRCDIR/../policies/cycles-instructions.pf

# a. The subcommand and the option answer alike.
run "$PMUFC" --check select=0x3c,umask=0 -t intel "$pol"
cp "$tmp/out" "$tmp/opt.out"
o=$st
run "$PMUFC" check -t intel "$pol" select=0x3c,umask=0
if test "$st" = "$o" && cmp -s "$tmp/out" "$tmp/opt.out"; then ok "check FILE EVENT = --check EVENT FILE"
else bad "check FILE EVENT: exit $st, --check: $o, or other output"; fi
run "$PMUFC" --stats -t amd "$pol"
cp "$tmp/out" "$tmp/opt.out"
run "$PMUFC" stats -t amd "$pol"
if cmp -s "$tmp/out" "$tmp/opt.out"; then ok "stats FILE = --stats FILE"; else bad "stats differs from --stats"; fi
run "$PMUFC" -t intel -f text "$pol"
cp "$tmp/out" "$tmp/opt.out"
run "$PMUFC" compile -t intel -f text "$pol"
if cmp -s "$tmp/out" "$tmp/opt.out"; then ok "compile FILE = FILE"; else bad "compile differs from the default mode"; fi
for w in cpus policies; do
	run "$PMUFC" --list-$w
	cp "$tmp/out" "$tmp/opt.out"
	run "$PMUFC" list $w
	if test "$st" = 0 && cmp -s "$tmp/out" "$tmp/opt.out"; then ok "list $w = --list-$w"
	else bad "list $w: exit $st, or not --list-$w's output"; fi
done
run "$PMUFC" --list-events --cpu skylake
cp "$tmp/out" "$tmp/opt.out"
run "$PMUFC" list events --cpu skylake
if test "$st" = 0 && cmp -s "$tmp/out" "$tmp/opt.out"; then ok "list events = --list-events"
else bad "list events: exit $st, or not --list-events' output"; fi
run "$PMUFC" --probe
o=$st
cp "$tmp/out" "$tmp/opt.out"
run "$PMUFC" probe
if test "$st" = "$o" && cmp -s "$tmp/out" "$tmp/opt.out"; then ok "probe = --probe (exit $st)"
else bad "probe: exit $st, --probe: $o, or other output"; fi
expect 64 "list with nothing to list" "$PMUFC" list
has "$tmp/err" "list what? events [FILE], cpus or policies" "list: says what it lists"
expect 64 "diff with one file" "$PMUFC" diff "$pol"
has "$tmp/err" "diff takes two files" "diff: says it takes two"
expect 64 "apply without --pid or --vm-fd" "$PMUFC" apply "$pol"
has "$tmp/err" "--apply needs --pid PID" "apply: says what it needs"
# A file named like a command is a file when written as one.
cp "$pol" "$tmp/check"
(cd "$tmp" && "$PMUFC" -t intel -f text ./check >out 2>err)
verdict $? "./check is the policy file 'check', not the command" "./check: $(cat "$tmp/err")"

# b. The option parser's messages are pmufc's.
for args in "--bogus" "-q" "-o" "--output" "--li" "--target"; do
	run "$PMUFC" $args
	first=$(head -n 1 "$tmp/err")
	case $first in
	"pmufc: "*) if test "$st" = 64; then ok "'$args': '$first' (exit 64)"; else bad "'$args': exit $st"; fi ;;
	*) bad "'$args': the first line is not pmufc's: '$first'" ;;
	esac
done
expect 64 "unknown target" "$PMUFC" -t sparc "$pol"
has "$tmp/err" "(intel, amd or arm64)" "unknown target: the valid ones listed"
expect 64 "unknown format" "$PMUFC" -f yaml "$pol"
has "$tmp/err" "raw, text" "unknown format: the valid ones listed"

# c. --json only where there is a JSON answer.
expect 64 "--json on compile" "$PMUFC" --json -t intel -f text "$pol"
has "$tmp/err" "--json goes with check, diff, stats, probe and the lists" "--json on compile: says where it goes"

# d. The completion, in bash.
comp=$TESTS_SRCDIR/../contrib/bash-completion/pmufc
if ! command -v bash >/dev/null 2>&1; then
	skipcase "no bash" "the completion"
else
	complete_line() { # LINE: the completion's answers for LINE, one a line
		bash -c '
			PATH=$(dirname "$2"):$PATH
			. "$1"
			COMP_LINE=$3 COMP_POINT=${#3}
			read -ra COMP_WORDS <<<"$COMP_LINE"
			[[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
			COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
			COMPREPLY=()
			_pmufc
			printf "%s\n" "${COMPREPLY[@]}"' sh "$comp" "$PMUFC" "$1" 2>&1
	}
	cd "$tmp" || bail "cannot enter $tmp"
	complete_line "pmufc " >answers
	missing=
	for c in compile check diff stats list probe run apply; do
		grep -qx "$c" answers || missing="$missing $c"
	done
	if test -z "$missing"; then ok "completion: 'pmufc <TAB>' offers the eight commands"
	else bad "completion: 'pmufc <TAB>' lacks$missing"; fi
	complete_line "pmufc di" >answers
	if test "$(cat answers)" = diff; then ok "completion: 'pmufc di<TAB>' is diff"
	else bad "completion: 'pmufc di<TAB>' gave $(tr '\n' ' ' <answers)"; fi
	complete_line "pmufc list " >answers
	if test "$(tr '\n' ' ' <answers)" = "events cpus policies "; then ok "completion: list's three lists"
	else bad "completion: 'pmufc list <TAB>' gave $(tr '\n' ' ' <answers)"; fi
	complete_line "pmufc -d " >answers
	if grep -qx diff answers; then bad "completion: commands offered after -d"
	else ok "completion: no command after a mode option"; fi
	complete_line "pmufc --target " >answers
	if test "$(tr '\n' ' ' <answers)" = "intel amd arm64 "; then ok "completion: --target's values"
	else bad "completion: --target gave $(tr '\n' ' ' <answers)"; fi
	vmm=$TESTS_BUILDDIR/loader/test-vmm
	if ! test -x "$vmm"; then
		skipcase "no tests/loader/test-vmm" "completion: --pid offers a running VMM"
	elif ! test -r /dev/kvm || ! test -w /dev/kvm; then
		skipcase "no usable /dev/kvm" "completion: --pid offers a running VMM"
	else
		mkfifo "$tmp/go"
		"$vmm" --wait <"$tmp/go" >"$tmp/vmm.out" 2>&1 &
		vpid=$!
		pids="$pids $vpid"
		exec 9>"$tmp/go"
		i=0
		while ! grep -q '^ready' "$tmp/vmm.out" && test $i -lt 100; do sleep 0.1; i=$((i + 1)); done
		if ! grep -q '^ready' "$tmp/vmm.out"; then
			if grep -q 'SKIP\|cannot' "$tmp/vmm.out"; then
				skipcase "test-vmm cannot make a VM here: $(head -n 1 "$tmp/vmm.out")" \
				    "completion: --pid offers a running VMM"
			else
				bad "test-vmm did not start: $(head -n 3 "$tmp/vmm.out")"
			fi
		else
			complete_line "pmufc --apply --pid " >answers
			if grep -qx "$vpid" answers; then ok "completion: --pid offers the running VMM ($vpid, by its kvm-vm fd)"
			else bad "completion: --pid gave '$(tr '\n' ' ' <answers)', not test-vmm's $vpid"; fi
		fi
		echo go >&9
		exec 9>&-
		wait "$vpid" 2>/dev/null
	fi
fi

finish
