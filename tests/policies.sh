#!/bin/sh
# tests/policies.sh - the shipped policies (policies/*.pf): each compiles
# for every target its '# targets:' line names, with warnings as errors,
# and decides as its header says.
#
# - every policies/*.pf of the source tree is listed in PF_POLICIES of
#   policies/Makefile.inc (else it would be neither installed nor
#   distributed) and names its targets;
# - `pmufc -W --cpu generic --target T` compiles it for each (the shipped
#   policies use generic event names and numbers, so the host's CPU does
#   not matter), without a word on stderr; the filters `make` built in the
#   build tree (policies/NAME.T.bin) are byte for byte the same;
# - the events of tests/policies.tbl (a decision table, tbl_read of
#   tests/lib.sh) are decided as it says, by the policy and by its filter
#   (pmufc --check);
# - the tiers nest: what tier-basic allows, tier-standard allows, and what
#   tier-standard allows, tier-enhanced allows; tier-basic is
#   architectural, tier-enhanced is no-llc (the same bytes).
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")" && pwd)}"
. "$TESTS_SRCDIR/lib.sh"

srcpol=$TESTS_SRCDIR/../policies
buildpol=$TESTS_BUILDDIR/../policies
test -d "$srcpol" || bail "no $srcpol"

# compile NAME TARGET: policies/NAME.pf -> $tmp/NAME.TARGET.bin
compile() {
	"$PMUFC" -W -v --cpu generic --target "$2" -o "$tmp/$1.$2.bin" "$srcpol/$1.pf" \
		</dev/null >"$tmp/out" 2>"$tmp/err"
}

# Listed, with targets, compiled, identical to the build's filters.
listed=$(sed -n 's|^[[:space:]]*policies/\([^[:space:]\\]*\)\.pf.*|\1|p' "$srcpol/Makefile.inc" | tr '\n' ' ')
for p in "$srcpol"/*.pf; do
	name=$(basename "$p" .pf)
	begin "$name.pf: listed in PF_POLICIES, names its targets"
	case " $listed " in
		*" $name "*) ;;
		*) fail "$name.pf is not in PF_POLICIES of policies/Makefile.inc" ;;
	esac
	targets=$(sed -n 's/^# *targets: *//p' "$p")
	if test -z "$targets"; then
		fail "$name.pf has no '# targets:' line"
		continue
	fi
	for t in $targets; do
		begin "$name.pf for $t: compiles with -W, silent, as make built it"
		case $t in
			intel | amd | arm64) ;;
			*) fail "$name.pf: unknown target '$t'"; continue ;;
		esac
		if ! compile "$name" "$t"; then
			fail "$name.pf does not compile for $t with -W:"
			show "$tmp/err" 20
			continue
		fi
		# -v says what was emitted on stderr; anything else is a warning.
		if grep -v "^pmufc: .*verified\$" "$tmp/err" >"$tmp/extra"; then
			fail "$name.pf for $t: unexpected output on stderr:"
			show "$tmp/extra" 20
		fi
		sed -n "s|^pmufc: [^:]*: \(.*\); .*|# $name $t: \1|p" "$tmp/err"
		if test -f "$buildpol/$name.$t.bin" &&
			! cmp -s "$buildpol/$name.$t.bin" "$tmp/$name.$t.bin"; then
			fail "$buildpol/$name.$t.bin differs from a fresh compile of $name.pf for $t"
		fi
		echo "$name $t" >>"$tmp/compiled"
	done
done

# check POLICY TARGET EVENT WANT [WHERE]: the policy and its filter say WANT.
check() {
	begin "${5:-table}: $1 $2 $3 $4"
	if ! grep -qx "$1 $2" "$tmp/compiled" 2>/dev/null; then
		fail "${5:-table}: $1 is not compiled for $2"
		return 1
	fi
	for f in "$srcpol/$1.pf" "$tmp/$1.$2.bin"; do
		"$PMUFC" --cpu generic --target "$2" --check "$3" "$f" </dev/null >"$tmp/check" 2>&1
		rc=$?
		read -r word rest <"$tmp/check"
		word=${word%:}
		if test $rc != 0 || test "$word" != "$4"; then
			fail "${5:-table}: $1 $2 $3: $(basename "$f") says '$word' (exit $rc), expected $4"
			show "$tmp/check" 5
			return 1
		fi
	done
}

# What the headers promise: tests/policies.tbl, one `policy` line for the
# rows of each policy (../policies/NAME.pf).
tbl_read "$TESTS_SRCDIR/policies.tbl" >"$tmp/rows"
pol=
while read -r lineno tgt ev want; do
	case $tgt in
	error) fail "policies.tbl:$lineno: $ev $want"; continue ;;
	policy) pol=$(basename "$ev" .pf); continue ;;
	esac
	check "$pol" "$tgt" "$ev" "$want" "policies.tbl:$lineno"
done <"$tmp/rows"
# The table's events, one line each: POLICY TARGET EVENT.
awk '$2 == "policy" { n = split($3, a, "/"); p = a[n]; sub(/\.pf$/, "", p); next }
    $2 != "error" { print p, $2, $3 }' "$tmp/rows" >"$tmp/table"

# decision POLICY TARGET EVENT: allow or deny, from the filter (pmufc's
# complaints, if any, are shown at the end).
decision() {
	"$PMUFC" --target "$2" --check "$3" "$tmp/$1.$2.bin" </dev/null 2>>"$tmp/decision.err" |
		sed -n '1s/^\([a-z]*\).*/\1/p'
}

# The tiers nest, on every x86 event of the table.
for t in intel amd; do
	for ev in $(awk -v t="$t" '$2 == t { print $3 }' "$tmp/table" | sort -u); do
		begin "tiers nest on $t $ev"
		b=$(decision tier-basic $t "$ev")
		s=$(decision tier-standard $t "$ev")
		e=$(decision tier-enhanced $t "$ev")
		if { test "$b" = allow && test "$s" != allow; } ||
			{ test "$s" = allow && test "$e" != allow; } ||
			test -z "$b" || test -z "$s" || test -z "$e"; then
			fail "tiers do not nest on $t $ev: basic $b, standard $s, enhanced $e"
		fi
	done
done

# Tier names for existing policies: the same filters.
for pair in tier-basic:architectural tier-enhanced:no-llc; do
	a=${pair%%:*} b=${pair#*:}
	for t in intel amd; do
		begin "$a and $b are the same filter on $t"
		cmp -s "$tmp/$a.$t.bin" "$tmp/$b.$t.bin" ||
			fail "$a and $b differ on $t"
	done
done

if test -s "$tmp/decision.err"; then
	note "pmufc --check said, while comparing the tiers:"
	show "$tmp/decision.err" 20
fi
finish
