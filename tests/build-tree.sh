#!/bin/sh
# tests/build-tree.sh - pmufc run uninstalled, from its build tree, finds
# the shipped policies of that tree (src/lang/policies.c, src/lang/include.c):
#
# - `pmufc --list-policies` lists every policies/*.pf of the source tree,
#   with the targets whose filters `make` compiled into the build tree and
#   the first line of its header, although nothing is installed;
# - `include "NAME";` and `include "NAME.pf";` read the shipped policy
#   (the same bytes as compiling it directly), also from standard input;
#   a file next to the policy and an -I folder come first;
# - what makes a folder a build tree: a copy of the program in fake trees
#   (in-tree: sources and filters in one folder; VPATH: sources in the
#   source tree, filters in the build tree) lists that tree's policies,
#   and no longer does without config.status, with another package's
#   Makefile or with a Makefile of another folder; a copy elsewhere uses
#   the installed folder (PMUFC_POLICYDIR, as `pmufc --help` names it).
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")" && pwd)}"
. "$TESTS_SRCDIR/lib.sh"

srcpol=$TESTS_SRCDIR/../policies
case $PMUFC in /*) ;; *) PMUFC=$(pwd)/$PMUFC ;; esac

# check DESC CMD...: one case, passed when CMD succeeds.
check() {
	desc=$1
	shift
	begin "$desc"
	if "$@"; then :; else fail "$desc"; fi
}

# want_targets NAME.pf: the targets its header names, in the order
# --list-policies prints them.
want_targets() {
	ts=$(sed -n 's/^# *targets: *//p' "$1")
	out=
	for t in intel amd arm64; do
		case " $ts " in *" $t "*) out="$out${out:+ }$t" ;; esac
	done
	echo "$out"
}

# 1. --list-policies from the build tree.
begin "--list-policies from the build tree lists the shipped policies"
if "$PMUFC" --list-policies >"$tmp/list" 2>"$tmp/err" && ! test -s "$tmp/err"; then
	n=0
	for p in "$srcpol"/*.pf; do
		n=$((n + 1))
		name=$(basename "$p" .pf)
		first=$(sed -n '1s/^# *//p' "$p")
		line=$(grep "^$name " "$tmp/list")
		# What each target's filter allows ends the line: "(allows intel
		# 11/65536 + fixed 0-3; amd 6/1048576)", one part per target listed.
		allows=$(echo "$line" | sed -n 's/.*  (allows \(.*\))$/\1/p')
		check "--list-policies: $name allows for '$(want_targets "$p")' in '$allows'" \
			test "$(echo "$allows" | sed 's/ [0-9][^;]*//g; s/;//g')" = "$(want_targets "$p")"
		want="$name [$(want_targets "$p")] $first"
		got=$(echo "$line" | sed 's/  (allows .*)$//' | tr -s ' ')
		want=$(echo "$want" | tr -s ' ')
		check "--list-policies: '$got', expected '$want'" test "$got" = "$want"
	done
	check "--list-policies: $(grep -c . "$tmp/list") lines for $n policies" test "$(grep -c . "$tmp/list")" = "$n"
else
	fail "--list-policies from the build tree failed:"
	show "$tmp/err" 1000
fi

# 2. Shipped policies included by name.
"$PMUFC" --target intel -o "$tmp/direct.bin" "$srcpol/tier-standard.pf" || fail "tier-standard.pf does not compile"
mkdir -p "$tmp/pol"
for form in tier-standard tier-standard.pf; do
	printf 'include "%s";\n' "$form" >"$tmp/pol/p.pf"
	begin "include \"$form\" from the build tree: the bytes of policies/tier-standard.pf"
	if "$PMUFC" --target intel -o "$tmp/inc.bin" "$tmp/pol/p.pf" 2>"$tmp/err"; then
		cmp -s "$tmp/direct.bin" "$tmp/inc.bin" || fail "include \"$form\": not the bytes of policies/tier-standard.pf"
	else
		fail "include \"$form\" from the build tree:"
		show "$tmp/err" 1000
	fi
	begin "include \"$form\" on stdin: the bytes of policies/tier-standard.pf"
	if (cd "$tmp" && printf 'include "%s";\n' "$form" | "$PMUFC" --target intel -o "$tmp/stdin.bin" -) 2>"$tmp/err"; then
		cmp -s "$tmp/direct.bin" "$tmp/stdin.bin" || fail "include \"$form\" on stdin: not the bytes of policies/tier-standard.pf"
	else
		fail "include \"$form\" on stdin from the build tree:"
		show "$tmp/err" 1000
	fi
done
printf 'include "no-such-policy";\n' >"$tmp/pol/none.pf"
begin "include \"no-such-policy\" is refused: cannot find it"
if "$PMUFC" --target intel -o "$tmp/x.bin" "$tmp/pol/none.pf" 2>"$tmp/err"; then
	fail "include \"no-such-policy\" compiled"
else
	grep -q "cannot find 'no-such-policy'" "$tmp/err" || { fail "include \"no-such-policy\": not the expected error:"; show "$tmp/err"; }
fi
# An -I folder, then a file next to the policy, come before the shipped one.
mkdir -p "$tmp/own"
printf 'default deny;\nallow x86 select=0xc0 umask=0x00;\nallow fixed 0x1;\n' >"$tmp/own/tier-standard.pf"
printf 'include "tier-standard";\n' >"$tmp/pol/p.pf"
begin "include \"tier-standard\" with -I: the -I folder's file"
"$PMUFC" --target intel -o "$tmp/one.bin" "$tmp/own/tier-standard.pf" || fail "own tier-standard.pf does not compile"
"$PMUFC" --target intel -I "$tmp/own" -o "$tmp/inc.bin" "$tmp/pol/p.pf" 2>"$tmp/err" &&
	cmp -s "$tmp/one.bin" "$tmp/inc.bin" || fail "include \"tier-standard\" with -I: not the -I folder's file"
cp "$tmp/own/tier-standard.pf" "$tmp/pol/"
begin "include \"tier-standard\" next to it: that file"
"$PMUFC" --target intel -o "$tmp/inc.bin" "$tmp/pol/p.pf" 2>"$tmp/err" &&
	cmp -s "$tmp/one.bin" "$tmp/inc.bin" || fail "include \"tier-standard\" next to it: not that file"
rm -f "$tmp/pol/tier-standard.pf"

# 3. What a build tree is: copies of the program in fake trees.
# tree DIR SRCDIR [PACKAGE [BUILDDIR]]: DIR holds a copy of pmufc, a
# config.status and a Makefile naming SRCDIR and BUILDDIR (default DIR).
tree() {
	mkdir -p "$1" "$2/policies"
	cp "$PMUFC" "$1/pmufc"
	: >"$1/config.status"
	printf 'PACKAGE = %s\nsrcdir = .\nabs_top_builddir = %s\nabs_top_srcdir = %s\n' \
		"${3:-pmufc}" "${4:-$1}" "$2" >"$1/Makefile"
	printf '# only-here: a policy of this tree alone.\n# targets: intel amd\ndefault deny;\nallow x86 select=0xc0 umask=0x00;\n' \
		>"$2/policies/only-here.pf"
}
# lists DIR WHAT: DIR/pmufc lists only-here, with the filters that exist.
lists() {
	begin "$1: --list-policies lists only-here"
	if "$1/pmufc" --list-policies >"$tmp/list" 2>"$tmp/err"; then
		got=$(tr -s ' ' <"$tmp/list")
		test "$got" = "$2" || fail "$1: --list-policies printed '$got', expected '$2'"
	else
		fail "$1: --list-policies failed:"
		show "$tmp/err" 1000
	fi
	printf 'include "only-here";\n' >"$tmp/pol/o.pf"
	begin "$1: include \"only-here\""
	"$1/pmufc" --target amd -o "$tmp/o.bin" "$tmp/pol/o.pf" 2>"$tmp/err" ||
		{ fail "$1: include \"only-here\" failed:"; show "$tmp/err" 1000; }
}
tree "$tmp/intree" "$tmp/intree"
: >"$tmp/intree/policies/only-here.amd.bin"
lists "$tmp/intree" "only-here [amd] only-here: a policy of this tree alone. (allows amd unreadable)"
tree "$tmp/vpath/build" "$tmp/vpath/src"
mkdir -p "$tmp/vpath/build/policies"
: >"$tmp/vpath/build/policies/only-here.intel.bin"
: >"$tmp/vpath/build/policies/only-here.amd.bin"
: >"$tmp/vpath/src/policies/only-here.arm64.bin" # a stray filter in the source tree: not the build's
lists "$tmp/vpath/build" "only-here [intel amd] only-here: a policy of this tree alone. (allows intel unreadable; amd unreadable)"

# Not a build tree: the installed folder (whatever is there, if anything).
installed=$("$PMUFC" --help | sed -n 's/.*--list-policies .* in \([^ ]*\)$/\1/p')
# not_tree DIR WHY: DIR/pmufc lists the installed policies, not DIR's.
not_tree() {
	begin "$2: the installed policies, not the tree's"
	if "$1/pmufc" --list-policies >"$tmp/list" 2>"$tmp/err"; then
		if grep -q '^only-here ' "$tmp/list"; then
			fail "$2: lists the fake tree's policies"
		elif test -n "$installed" && ! test -d "$installed"; then
			fail "$2: listed policies although $installed does not exist"
		fi
	elif test -n "$installed"; then
		grep -qF "cannot read $installed" "$tmp/err" ||
			{ fail "$2: not the installed folder $installed:"; show "$tmp/err" 1000; }
	fi
}
tree "$tmp/other" "$tmp/other" other-package
not_tree "$tmp/other" "another package's build tree"
tree "$tmp/elsewhere" "$tmp/elsewhere" pmufc "$tmp/intree"
not_tree "$tmp/elsewhere" "a Makefile of another folder"
tree "$tmp/nostatus" "$tmp/nostatus"
rm "$tmp/nostatus/config.status"
not_tree "$tmp/nostatus" "no config.status"
mkdir -p "$tmp/bin"
cp "$PMUFC" "$tmp/bin/pmufc"
not_tree "$tmp/bin" "a copy of the program in a folder of its own"

finish
