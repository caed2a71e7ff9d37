#!/bin/sh
# tests/warnings.sh - warning kinds and colour, GCC's way (base/diag.c,
# cli/warnings.c): every warning names its kind, -Wno-KIND silences that
# kind alone (its notes too), -Werror=KIND makes it alone an error, -W /
# -Werror / --werror all of them, -WKIND and -Wall bring them back; an
# unknown kind is a usage error with the closest; every kind is in
# pmufc(1) (and the policy kinds in pmufc.policy(5)).  --color: GCC's
# escapes with always, none with never or off a terminal, on a real
# terminal (script(1)'s pty) by default unless NO_COLOR or TERM=dumb.
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")" && pwd)}"
. "$TESTS_SRCDIR/lib.sh"
top=$TESTS_SRCDIR/..
cd "$tmp" || bail "no $tmp"

# Two kinds in one policy: overridden (line 3, with a note at line 4) and
# fixed-twin (line 4).
printf 'target intel;\ndefault deny;\nallow x86 select=0xc0 umask=0x00;\nallow x86 select=0xc0 umask=0x00;\n' >two.pf

expect 0 "warnings do not fail a compile" "$PMUFC" two.pf -o out.bin
has err "this rule has no effect on intel: later rules decide every event it matches [-Woverridden]" \
	"a warning names its kind"
has err "add 'allow fixed 0x1;' [-Wfixed-twin]" "each kind its own"
test "$(grep -c 'warning:' err)" = 2 || bad "not two warnings"

expect 0 "-Wno-overridden" "$PMUFC" -Wno-overridden two.pf -o out.bin
hasnt err "[-Woverridden]" "-Wno-overridden: no overridden warning"
hasnt err "note: for example" "-Wno-overridden: its note goes with it"
has err "[-Wfixed-twin]" "-Wno-overridden: the other kind stays"

rm -f out.bin
expect 65 "-Werror=fixed-twin fails the compile" "$PMUFC" -Werror=fixed-twin two.pf -o out.bin
has err "error: this allows select=0xc0 umask=0x00 (instructions retired)" "-Werror=fixed-twin: an error"
has err "[-Werror=fixed-twin]" "-Werror=fixed-twin: says so in its bracket"
has err "warning: this rule has no effect" "-Werror=fixed-twin: the other kind stays a warning"
test -e out.bin && bad "-Werror=KIND: an output file was written" && rm -f out.bin

for w in -W -Werror --werror; do
	expect 65 "$w: every warning is an error" "$PMUFC" $w two.pf -o out.bin
	has err "[-Werror=overridden]" "$w: overridden made an error"
	has err "[-Werror=fixed-twin]" "$w: fixed-twin made an error"
done
expect 0 "-Werror -Wno-fixed-twin -Wno-overridden: silenced wins" \
	"$PMUFC" -Werror -Wno-fixed-twin -Wno-overridden two.pf -o out.bin
test -s err && bad "silenced kinds printed something"
expect 0 "-Wno-overridden -Woverridden: shown again" "$PMUFC" -Wno-overridden -Woverridden two.pf -o out.bin
has err "[-Woverridden]" "-WKIND after -Wno-KIND shows it"
expect 0 "-Wno-all" "$PMUFC" -Wno-all two.pf -o out.bin
test -s err && bad "-Wno-all printed something"
expect 0 "-Wno-all -Wall" "$PMUFC" -Wno-all -Wall two.pf -o out.bin
test "$(grep -c 'warning:' err)" = 2 || bad "-Wall: not both warnings again"
expect 0 "-w" "$PMUFC" -w two.pf -o out.bin
test -s err && bad "-w printed something"

expect 64 "an unknown kind is a usage error" "$PMUFC" -Wno-overriden two.pf -o out.bin
has err "pmufc: unknown warning option '-Wno-overriden': did you mean '-Wno-overridden'?" \
	"an unknown kind: the closest"
expect 64 "-Werror=KIND: an unknown kind" "$PMUFC" -Werror=fixedtwin two.pf -o out.bin
has err "did you mean '-Wfixed-twin'?" "-Werror=: the closest"
expect 64 "a kind far from every kind" "$PMUFC" -Wbanana two.pf -o out.bin
has err "unknown warning option '-Wbanana' (pmufc(1) WARNINGS lists them)" "no close kind: where the list is"

# A filter's warning has its kind too (trailing bytes: ignored-bits).
"$PMUFC" --target intel two.pf -w -o f.bin 2>/dev/null && printf 'xx' >>f.bin
expect 0 "a filter's warning" "$PMUFC" --target intel -d f.bin
has err "[-Wignored-bits]" "a filter's warning names its kind"
expect 0 "a filter's warning silenced by its kind" "$PMUFC" --target intel -Wno-ignored-bits -d f.bin
hasnt err "warning:" "-Wno-ignored-bits on a filter"

# Every kind pmufc has is documented: in pmufc(1), and the policy kinds
# (those the policy checks make, core/lint.c and lang/resolve.c) in
# pmufc.policy(5).
kinds=$(sed -n 's/^ *\[PF_W_[A-Z_]*\] = "\([a-z-]*\)",$/\1/p' "$top/src/base/diag.c")
test -n "$kinds" || bail "no kinds read from src/base/diag.c"
man1=$(sed 's/\\-/-/g' "$top/man/pmufc.1")
man5=$(sed 's/\\-/-/g' "$top/man/pmufc.policy.5")
for k in $kinds; do
	begin "kind $k: in pmufc(1)"
	printf "%s\n" "$man1" | grep -q -- "$k" || fail "$k not in pmufc(1)"
done
for f in core/lint.c lang/resolve.c; do
	for w in $(grep -o 'PF_W_[A-Z_]*' "$top/src/$f" | sort -u); do
		k=$(sed -n "s/^ *\\[$w\\] = \"\\([a-z-]*\\)\",\$/\\1/p" "$top/src/base/diag.c")
		begin "kind $k ($f): in pmufc.policy(5) WARNINGS"
		printf "%s\n" "$man5" | grep -q -- "^.BR -W$k " || fail "no -W$k entry in pmufc.policy(5)"
	done
done

# Colour.
esc=$(printf '\033')
expect 0 "--color=always" "$PMUFC" --color=always two.pf -o out.bin
has err "${esc}[01;35m${esc}[Kwarning:${esc}[m${esc}[K" "always: warning: in bold magenta"
has err "[${esc}[01;35m${esc}[K-Woverridden${esc}[m${esc}[K]" "always: the kind in the warning's colour"
has err "${esc}[01m${esc}[Ktwo.pf:3:1:${esc}[m${esc}[K" "always: the place in bold"
has err "${esc}[01;36m${esc}[Knote:" "always: note: in bold cyan"
has err "${esc}[01;32m${esc}[K^" "always: the caret in bold green"
expect 0 "--color (no argument) is always" "$PMUFC" --color two.pf -o out.bin
has err "${esc}[" "--color: escapes"
expect 65 "--color=always: errors in bold red" "$PMUFC" --color=always -W two.pf -o out.bin
has err "${esc}[01;31m${esc}[Kerror:" "always: error: in bold red"
expect 0 "--color=never" "$PMUFC" --color=never two.pf -o out.bin
hasnt err "${esc}" "never: no escape"
expect 0 "--color=auto off a terminal" "$PMUFC" --color=auto two.pf -o out.bin
hasnt err "${esc}" "auto, stderr a file: no escape"
expect 0 "NO_COLOR does not override --color=always" env NO_COLOR=1 "$PMUFC" --color=always two.pf -o out.bin
has err "${esc}[" "--color=always beats NO_COLOR"
expect 64 "--color=WHEN: a bad WHEN" "$PMUFC" --color=sometimes two.pf -o out.bin
has err "pmufc: --color is auto, always or never, not 'sometimes'" "--color: the values"
expect 64 "--color=always: a usage message's pmufc: in bold" "$PMUFC" --color=always --target x two.pf
has err "${esc}[01m${esc}[Kpmufc:${esc}[m${esc}[K" "a command-line message in colour"

# On a terminal: script(1) gives pmufc a pty for stderr.
if command -v script >/dev/null 2>&1; then
	pty() { script -qec "$*" /dev/null >pty.out 2>&1; }
	begin "a terminal: colour by default"
	TERM=xterm pty "'$PMUFC' two.pf -o out.bin"
	grep -q "${esc}\\[01;35m" pty.out || { fail "no colour on a terminal"; show pty.out; }
	begin "a terminal, NO_COLOR=1: none"
	NO_COLOR=1 TERM=xterm pty "'$PMUFC' two.pf -o out.bin"
	grep -q "${esc}\\[" pty.out && { fail "colour with NO_COLOR"; show pty.out; }
	grep -q "Woverridden" pty.out || fail "no warning at all"
	begin "a terminal, NO_COLOR empty: colour (no-color.org: set and not empty)"
	NO_COLOR= TERM=xterm pty "'$PMUFC' two.pf -o out.bin"
	grep -q "${esc}\\[01;35m" pty.out || fail "no colour with an empty NO_COLOR"
	begin "a terminal, TERM=dumb: none"
	TERM=dumb pty "'$PMUFC' two.pf -o out.bin"
	grep -q "${esc}\\[" pty.out && fail "colour on a dumb terminal"
	begin "a terminal, --color=never: none"
	TERM=xterm pty "'$PMUFC' --color=never two.pf -o out.bin"
	grep -q "${esc}\\[" pty.out && fail "colour with --color=never"
else
	skipcase "no script(1) for a pty" "colour on a terminal"
fi
finish
