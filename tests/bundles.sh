#!/bin/sh
# tests/bundles.sh - bundles (pmufc(1), BUNDLES): one policy compiled for
# every CPU model of its targets, and the pick of this host's filter.
#
# 1. Writing: a bundle of tier-standard has one entry per model of intel
#    and amd (the models of --list-cpus) and a generic filter each; every
#    entry's file holds exactly what `pmufc --cpu MODEL` compiles (cmp, and
#    blobtool cmp on every event); identical filters are stored once; the
#    index is the same on every run.  A policy of model-only names leaves
#    out the models that lack them (a warning naming them, an error under
#    -W) and has no generic filter; a 'cpu' statement, no targets, a bad
#    '# targets:' line, a target no model can serve are errors; nothing is
#    written on error, an existing bundle is replaced whole and anything
#    else at -o is left alone.
# 2. Picking for a host named on the command line (tests/bundle-pick):
#    CPUID strings of Intel, AMD and Hygon hosts, with and without the
#    stepping that tells skylakex from cascadelakex; MIDRs with later
#    variants and revisions; the generic filter; a model left out and no
#    generic one fail closed.  libpmufc's pmufc_compile_file of a bundle
#    (tests/bundle-api).
# 3. Malformed indexes (tests/bundles-cases/*.index, bad.tbl) are refused
#    by the reader, by `pmufc run` (the VMM not started) and by the shim
#    (the VMM stopped at its first VM).
# 4. This host: `pmufc run BUNDLE -- test-vmm` and the shim with
#    PMUFC_FILTER=BUNDLE apply the filter of this host's model (the fake
#    KVM sees its exact bytes; the real /dev/kvm where there is one), and
#    a bundle with no entry for this host and no generic filter stops the
#    VMM before it has a VM.
# 5. --probe BUNDLE (text and JSON) and --list-policies -v / --json on the
#    shipped bundles.
. "${TESTS_SRCDIR:-$(dirname "$0")}/loader/lib.sh"

cases=$TESTS_SRCDIR/bundles-cases
pol=$TESTS_SRCDIR/../policies
PICK=$TESTS_BUILDDIR/bundle-pick
API=$TESTS_BUILDDIR/bundle-api
BLOBTOOL=$TESTS_BUILDDIR/blobtool
for p in "$PICK" "$API" "$BLOBTOOL" "$TESTVMM" "$FAKE"; do
	test -x "$p" || test -e "$p" || bail "no $p (make check builds it)"
done
T=$(printf '\t')

# models TARGET: the CPU models pmufc knows for TARGET, in --list-cpus order.
models() {
	"$PMUFC" --list-cpus | awk -v t="$1" '$2 == t { print $1 }'
}
# entry DIR TARGET MODEL: that entry's FILE field ("" when none).
entry() {
	awk -F "$T" -v t="$2" -v m="$3" '$1 == t && $2 == m { print $4 }' "$1/index"
}

# 1. Writing.
ts=$tmp/tier-standard
expect 0 "bundle tier-standard.pf" "$PMUFC" bundle -W -v -o "$ts" "$pol/tier-standard.pf"
has "$tmp/err" "filters for intel and amd in 2 files" "bundle -v: what was written"
test "$(sed -n 1p "$ts/index")" = "pmufc-bundle 1"
verdict $? "the index starts with its version line" "index line 1: $(sed -n 1p "$ts/index")"

for t in intel amd; do
	begin "tier-standard: one entry per $t model of --list-cpus, in its order, and a generic one"
	models "$t" >"$tmp/want"
	echo generic >>"$tmp/want"
	awk -F "$T" -v t="$t" '$1 == t { print $2 }' "$ts/index" >"$tmp/got"
	same "$tmp/want" "$tmp/got" "$t entries"
	n=$(grep -c . "$tmp/want")
	begin "tier-standard: each of the $n $t filters is what pmufc --cpu MODEL compiles"
	for m in $(cat "$tmp/want"); do
		f=$(entry "$ts" "$t" "$m")
		if test -z "$f" || ! test -f "$ts/$f"; then
			fail "$t $m: no file ('$f')"
			continue
		fi
		"$PMUFC" -W --cpu "$m" --target "$t" -o "$tmp/one.bin" "$pol/tier-standard.pf" 2>"$tmp/err" ||
			fail "$t $m: pmufc --cpu $m failed: $(head -c 300 "$tmp/err")"
		cmp -s "$tmp/one.bin" "$ts/$f" || fail "$t $m: $f differs from pmufc --cpu $m's bytes"
		"$BLOBTOOL" cmp "$t" "$tmp/one.bin" "$ts/$f" >"$tmp/cmp" 2>&1 ||
			fail "$t $m: $f decides otherwise than pmufc --cpu $m: $(head -c 300 "$tmp/cmp")"
	done
	# The key is models.tsv's, as --list-cpus shows it.
	"$PMUFC" --list-cpus | awk -v t="$t" '$2 == t { print $1, $4 }' >"$tmp/want"
	awk -F "$T" -v t="$t" '$1 == t && $2 != "generic" { print $2, $3 }' "$ts/index" >"$tmp/got"
	begin "tier-standard: each $t entry's key is the model's CPUID pattern"
	same "$tmp/want" "$tmp/got" "$t keys"
done

begin "tier-standard: identical filters stored once, every file named by the index"
ls "$ts" | grep -v '^index$' | sort >"$tmp/files"
awk -F "$T" 'NR > 1 && !/^#/ && NF == 4 && $4 != "-" { print $4 }' "$ts/index" | sort -u >"$tmp/named"
same "$tmp/named" "$tmp/files" "files in the folder against files in the index"
(cd "$ts" && cksum $(cat "$tmp/files")) | awk '{ print $1, $2 }' | sort | uniq -d >"$tmp/dups"
test -s "$tmp/dups" && fail "two files with the same bytes: $(cat "$tmp/dups")"
test "$(wc -l <"$tmp/files")" = 2 || fail "tier-standard: $(wc -l <"$tmp/files") files, expected 2 (one filter a target)"

begin "bundle: the same index and files on a second run"
"$PMUFC" bundle -o "$tmp/again" "$pol/tier-standard.pf" 2>"$tmp/err" || fail "second run failed: $(cat "$tmp/err")"
diff -r "$ts" "$tmp/again" >"$tmp/diff" 2>&1 || fail "the two bundles differ: $(head -c 300 "$tmp/diff")"

# A policy of model-only names: the models without them left out.
mo=$tmp/model-only
expect 0 "bundle model-only.pf (names only some Intel models have)" \
	"$PMUFC" bundle -o "$mo" "$cases/model-only.pf"
has "$tmp/err" "CPU models left out of the bundle" "model-only: the warning says models were left out"
has "$tmp/err" "bonnell" "model-only: ... and names them (bonnell)"
has "$tmp/err" "MEM_LOAD_RETIRED.L1_HIT" "model-only: ... and the name they lack"
has "$tmp/err" "no generic filter for intel" "model-only: the note says there is no generic filter"
begin "model-only: skylake has a file, bonnell is left out ('-'), no generic entry"
test -n "$(entry "$mo" intel skylake)" && test "$(entry "$mo" intel skylake)" != - ||
	fail "skylake: '$(entry "$mo" intel skylake)'"
test "$(entry "$mo" intel bonnell)" = - || fail "bonnell: '$(entry "$mo" intel bonnell)'"
test -z "$(entry "$mo" intel generic)" || fail "a generic entry: $(entry "$mo" intel generic)"
begin "model-only: every model's entry is what pmufc --cpu MODEL does (a filter, or an error)"
for m in $(models intel); do
	f=$(entry "$mo" intel "$m")
	if "$PMUFC" --cpu "$m" -o "$tmp/one.bin" "$cases/model-only.pf" 2>/dev/null; then
		test "$f" != - && cmp -s "$tmp/one.bin" "$mo/$f" || fail "$m: '$f' is not pmufc --cpu $m's filter"
	else
		test "$f" = - || fail "$m: pmufc --cpu $m fails, but the index has '$f'"
	fi
done
(cd "$mo" && cksum $(ls | grep -v '^index$')) | awk '{ print $1, $2 }' | sort | uniq -d >"$tmp/dups"
test -s "$tmp/dups" && fail "model-only: two files with the same bytes"
expect 65 "bundle -W model-only.pf: a model left out is an error" \
	"$PMUFC" bundle -W -o "$tmp/mo-w" "$cases/model-only.pf"
expect 65 "bundle -Werror=bundle-coverage model-only.pf: the warning's kind made an error" \
	"$PMUFC" bundle -Werror=bundle-coverage -o "$tmp/mo-w" "$cases/model-only.pf"
has "$tmp/err" "[-Werror=bundle-coverage]" "... and said so"
begin "bundle -W model-only.pf: nothing written"
test -e "$tmp/mo-w" && fail "$tmp/mo-w exists"
ls "$tmp" | grep -q '^mo-w\.' && fail "left behind: $(ls "$tmp" | grep '^mo-w\.')"

printf '# targets: intel amd\ndefault deny;\nallow event MEM_LOAD_RETIRED.L1_HIT;\n' >"$tmp/no-amd.pf"
expect 65 "bundle: a target no model can serve (amd for an Intel name)" \
	"$PMUFC" bundle -o "$tmp/no-amd" "$tmp/no-amd.pf"
has "$tmp/err" "no filter for amd" "... says which target"
test ! -e "$tmp/no-amd"
verdict $? "... and writes nothing" "$tmp/no-amd was written"

printf '# targets: intel\ncpu skylake;\nallow event cycles;\n' >"$tmp/cpu.pf"
expect 65 "bundle: a 'cpu' statement is refused" "$PMUFC" bundle -o "$tmp/cpu" "$tmp/cpu.pf"
has "$tmp/err" "cpu.pf:2:5: error:" "... located at the statement"
printf 'allow event cycles;\n' >"$tmp/none.pf"
expect 64 "bundle: no targets (no --target, 'target' or '# targets:')" \
	"$PMUFC" bundle -o "$tmp/none" "$tmp/none.pf"
has "$tmp/err" "# targets: intel amd" "... says how to give them"
expect 0 "bundle --target arm64: that target only" "$PMUFC" bundle --target arm64 -o "$tmp/arm" "$tmp/none.pf"
begin "bundle --target arm64: arm64's models and its generic filter, nothing else"
awk -F "$T" 'NR > 1 && !/^#/ { print $1 }' "$tmp/arm/index" | sort -u >"$tmp/got"
echo arm64 >"$tmp/want"
same "$tmp/want" "$tmp/got" "targets of the index"
test "$(grep -c "^arm64$T" "$tmp/arm/index")" = $(($(models arm64 | wc -l) + 1)) || fail "not every arm64 model"
printf 'target amd;\nallow event cycles;\n' >"$tmp/stmt.pf"
expect 0 "bundle: a 'target' statement names the target" "$PMUFC" bundle -o "$tmp/stmt" "$tmp/stmt.pf"
test "$(awk -F "$T" 'NR > 1 && !/^#/ { print $1 }' "$tmp/stmt/index" | sort -u)" = amd
verdict $? "... amd only" "targets: $(cut -f1 "$tmp/stmt/index" | sort -u | tr '\n' ' ')"
printf '# targets: intel ppc64\nallow event cycles;\n' >"$tmp/bad-header.pf"
expect 65 "bundle: '# targets:' naming no target" "$PMUFC" bundle -o "$tmp/bh" "$tmp/bad-header.pf"
has "$tmp/err" "bad-header.pf:1:18: error: '# targets:' names 'ppc64'" "... located at the word"

expect 64 "bundle without -o" "$PMUFC" bundle "$pol/rr.pf"
expect 64 "bundle -o - (a folder, not standard output)" "$PMUFC" bundle -o - "$pol/rr.pf"
expect 64 "bundle --cpu (a bundle is every model)" "$PMUFC" bundle --cpu skylake -o "$tmp/x" "$pol/rr.pf"
expect 64 "bundle --format text" "$PMUFC" bundle -f text -o "$tmp/x" "$pol/rr.pf"

# Replacing: a bundle whole; anything else never.
expect 0 "bundle -o over an existing bundle" "$PMUFC" bundle -o "$ts" "$cases/x86-deny.pf"
begin "... replaced as a whole: the new index, no file of the old one, nothing left beside"
grep -q "x86-deny.pf" "$ts/index" || fail "the old index is still there"
test "$(ls "$ts" | grep -vc '^index$')" = 2 || fail "files: $(ls "$ts" | tr '\n' ' ')"
ls "$tmp" | grep -q '^tier-standard\.' && fail "left behind: $(ls "$tmp" | grep '^tier-standard\.')"
mkdir "$tmp/mine" && echo keep >"$tmp/mine/notes"
expect 73 "bundle -o a folder that is no bundle" "$PMUFC" bundle -o "$tmp/mine" "$cases/x86-deny.pf"
has "$tmp/err" "is not a bundle" "... says so"
begin "... and leaves it as it was"
test "$(ls "$tmp/mine")" = notes && test "$(cat "$tmp/mine/notes")" = keep || fail "$tmp/mine changed"
ls "$tmp" | grep -q '^mine\.' && fail "left behind: $(ls "$tmp" | grep '^mine\.')"
echo keep >"$tmp/afile"
expect 73 "bundle -o a file" "$PMUFC" bundle -o "$tmp/afile" "$cases/x86-deny.pf"
test "$(cat "$tmp/afile")" = keep
verdict $? "... left as it was" "$tmp/afile changed"
chmod 555 "$tmp/mine"
if ! touch "$tmp/mine/probe" 2>/dev/null; then
	expect 73 "bundle -o in a folder pmufc cannot write" "$PMUFC" bundle -o "$tmp/mine/b" "$cases/x86-deny.pf"
else
	rm -f "$tmp/mine/probe"
	skipcase "root writes anywhere" "bundle -o in a folder pmufc cannot write"
fi
chmod 755 "$tmp/mine"

# 2. Picking, for named hosts.
xd=$tmp/x86-deny rr=$tmp/rr
"$PMUFC" bundle -o "$xd" "$cases/x86-deny.pf" 2>"$tmp/err" || bail "x86-deny.pf: $(cat "$tmp/err")"
"$PMUFC" bundle -W -o "$rr" "$pol/rr.pf" 2>"$tmp/err" || bail "rr.pf: $(cat "$tmp/err")"
# pick DIR TARGET HOST WANT WHAT: bundle-pick's answer is WANT ("MODEL FILE"
# of TARGET; "fail: FRAGMENT" for no filter).
pick() {
	"$PICK" "$1" "$2" "$3" >"$tmp/out" 2>"$tmp/err"
	st=$?
	case $4 in
	fail:*)
		if test $st = 1 && grep -qF -- "${4#fail: }" "$tmp/err"; then ok "$5: no filter (${4#fail: })"
		else bad "$5: exit $st, expected 1 with '${4#fail: }'"; fi ;;
	*)
		if test $st = 0 && test "$(cat "$tmp/out")" = "$2 $4"; then ok "$5: $4"
		else bad "$5: got '$(cat "$tmp/out")' (exit $st), expected '$2 $4'"; fi ;;
	esac
}
pick "$rr" intel GenuineIntel-6-8E-A "skylake intel.generic.bin" "Intel 6-8E-A (Kaby Lake) is skylake"
pick "$rr" intel GenuineIntel-6-55-4 "skylakex intel.generic.bin" "Intel 6-55-4: skylakex by its stepping"
pick "$rr" intel GenuineIntel-6-55-7 "cascadelakex intel.generic.bin" "Intel 6-55-7: cascadelakex by its stepping"
pick "$rr" intel GenuineIntel-6-8F-8 "sapphirerapids intel.generic.bin" "Intel 6-8F-8 is sapphirerapids"
pick "$rr" intel GenuineIntel-6-1-0 "generic intel.generic.bin" "an Intel model no table has: the generic filter"
pick "$rr" intel - "generic intel.generic.bin" "no identity: the generic filter"
pick "$rr" amd AuthenticAMD-25-11-1 "amdzen4 amd.generic.bin" "AMD 25-11 (Genoa) is amdzen4"
pick "$rr" amd AuthenticAMD-25-21-0 "amdzen3 amd.generic.bin" "AMD 25-21 (Vermeer) is amdzen3"
pick "$rr" amd AuthenticAMD-23-1-1 "amdzen1 amd.generic.bin" "AMD 23-1 is amdzen1 (the first pattern that matches)"
pick "$rr" amd AuthenticAMD-23-31-0 "amdzen2 amd.generic.bin" "AMD 23-31 (Rome) is amdzen2"
pick "$rr" amd AuthenticAMD-26-2-0 "amdzen5 amd.generic.bin" "AMD 26-2 is amdzen5"
pick "$rr" amd HygonGenuine-24-0-1 "generic amd.generic.bin" "Hygon 24-0: amd's generic filter"
pick "$rr" amd GenuineIntel-6-8E-A "generic amd.generic.bin" "an Intel CPU read for amd: amd's generic filter"
pick "$rr" arm64 0x00000000410fd0c0 "neoverse-n1 arm64.generic.bin" "MIDR 410fd0c0 is neoverse-n1"
pick "$rr" arm64 0x00000000413fd0c1 "neoverse-n1 arm64.generic.bin" "MIDR 413fd0c1 (r3p1) is neoverse-n1: later variants match"
pick "$rr" arm64 0x00000000420f1000 "cortex-a53 arm64.generic.bin" "MIDR 420f1000 is cortex-a53 (the second of its list)"
pick "$rr" arm64 0x00000000410fd4f1 "neoverse-n2-v2 arm64.generic.bin" "MIDR 410fd4f1 is neoverse-n2-v2"
pick "$rr" arm64 0x00000000610f0000 "generic arm64.generic.bin" "an unknown MIDR: arm64's generic filter"
pick "$xd" arm64 0x00000000410fd0c0 "fail: has no filters for arm64 (only for intel, amd)" "an x86 bundle for an arm64 host"
pick "$mo" intel GenuineIntel-6-8E-A "skylake $(entry "$mo" intel skylake)" "model-only: Kaby Lake is skylake"
pick "$mo" intel GenuineIntel-6-1C-2 "fail: was left out when the bundle was made" "model-only: bonnell was left out"
pick "$mo" intel GenuineIntel-6-1-0 "fail: and no generic one for intel" "model-only: an unknown Intel model"
# A hand-made index: entries keyed by stepping, a version only later
# revisions match, a model left out.
mkdir "$tmp/hand" && cp "$cases/good.index" "$tmp/hand/index" && : >"$tmp/hand/a.bin" && : >"$tmp/hand/g.bin"
pick "$tmp/hand" arm64 0x00000000410fd030 "fail: cortex-a53 (MIDR 0x00000000410fd030) was left out" \
	"a model left out is not passed over for another (cortex-a53)"
expect 0 "bundle-pick --parse: comments and blank lines are skipped" "$PICK" --parse "$cases/good.index"
test "$(wc -l <"$tmp/out")" = 3
verdict $? "... three entries" "entries: $(cat "$tmp/out")"
"$PICK" "$rr" intel - cascadelakex >"$tmp/out" 2>&1
verdict $? "a model named instead of the host's (bundle-pick MODEL)" "$(cat "$tmp/out")"
"$PICK" "$rr" intel - skylak >"$tmp/out" 2>&1
test $? = 1 && grep -q "no entry for CPU model skylak" "$tmp/out"
verdict $? "a model the bundle has not: no filter" "$(cat "$tmp/out")"

# libpmufc: pmufc_compile_file of a bundle.
(cd "$tmp" && "$API" "$rr" intel skylake) >"$tmp/out" 2>&1
begin "libpmufc: pmufc_compile_file(BUNDLE) with pmufc_set_cpu(skylake): its filter"
grep -q "^rc=0 target=intel len=" "$tmp/out" || fail "$(head -3 "$tmp/out")"
cmp -s "$tmp/picked.bin" "$rr/intel.generic.bin" || fail "not skylake's file's bytes"
grep -q "^note: .* intel skylake, as asked: intel.generic.bin" "$tmp/out" || fail "no note: $(cat "$tmp/out")"
(cd "$tmp" && "$API" "$rr" host amdzen4) >"$tmp/out" 2>&1
grep -q "^rc=0 target=amd" "$tmp/out"
verdict $? "libpmufc: set_cpu(amdzen4) alone: the model's target" "$(head -3 "$tmp/out")"
(cd "$tmp" && "$API" "$rr" arm64 generic) >"$tmp/out" 2>&1
grep -q "^rc=0 target=arm64" "$tmp/out" && cmp -s "$tmp/picked.bin" "$rr/arm64.generic.bin"
verdict $? "libpmufc: set_cpu(generic) for arm64: the generic filter" "$(head -3 "$tmp/out")"
(cd "$tmp" && "$API" "$mo" intel bonnell) >"$tmp/out" 2>&1
grep -q "^rc=-ENODEV target=host len=0" "$tmp/out" && grep -q "^error: .*left out" "$tmp/out"
verdict $? "libpmufc: a model left out: -ENODEV, no filter, the error" "$(head -3 "$tmp/out")"
mkdir "$tmp/broken" && cp "$cases/path.index" "$tmp/broken/index"
(cd "$tmp" && "$API" "$tmp/broken") >"$tmp/out" 2>&1
grep -q "^rc=-EINVAL" "$tmp/out" && grep -q "not a plain name" "$tmp/out"
verdict $? "libpmufc: a malformed index: -EINVAL with the fault" "$(head -3 "$tmp/out")"
(cd "$tmp" && "$API" "$rr") >"$tmp/out" 2>&1
grep -q "^rc=0 " "$tmp/out" && grep -q "^note: .*this host" "$tmp/out"
verdict $? "libpmufc: this host's filter from rr's bundle (every target has a generic one)" "$(head -3 "$tmp/out")"

# 3. Malformed indexes: the reader, pmufc run, the shim.
VMM=$tmp/fake-vmm
cat >"$VMM" <<EOS
#!/bin/sh
LD_PRELOAD=\${LD_PRELOAD:+\$LD_PRELOAD:}$FAKE exec "$TESTVMM" "\$@"
EOS
chmod +x "$VMM"
FAKE_KVM_LOG=$tmp/kvm.log
export FAKE_KVM_LOG
n=0
while IFS="$T" read -r name frag; do
	case $name in '#'* | '') continue ;; esac
	n=$((n + 1))
	test -f "$cases/$name.index" || { bad "bad.tbl: no $name.index"; continue; }
	"$PICK" --parse "$cases/$name.index" >"$tmp/out" 2>"$tmp/err"
	st=$?
	if test $st = 65 && grep -qF -- "$frag" "$tmp/err" && grep -qF "not a usable bundle index" "$tmp/err"
	then ok "index $name: refused ($frag)"
	else bad "index $name: exit $st, expected 65 with '$frag'"; fi
done <"$cases/bad.tbl"
test "$n" -ge 25 || bad "bad.tbl: only $n cases"
test "$(ls "$cases"/*.index | wc -l)" = $((n + 1))
verdict $? "every bad index of bundles-cases/ is in bad.tbl (and good.index)" "$n in bad.tbl"
# More entries than the reader takes.
{ echo "pmufc-bundle 1"; i=0; while test $i -lt 4097; do echo "intel${T}m$i${T}GenuineIntel-6-FF${T}a.bin"; i=$((i + 1)); done; } >"$tmp/many.index"
"$PICK" --parse "$tmp/many.index" >/dev/null 2>"$tmp/err"
test $? = 65 && grep -q "more than 4096 entries" "$tmp/err"
verdict $? "index of 4097 entries: refused" "$(cat "$tmp/err")"
{ echo "pmufc-bundle 1"; head -c 1100000 /dev/zero | tr '\0' '#'; } >"$tmp/big.index"
mkdir "$tmp/big" && cp "$tmp/big.index" "$tmp/big/index"
"$PICK" "$tmp/big" intel - >/dev/null 2>"$tmp/err"
test $? = 65 && grep -q "larger than" "$tmp/err"
verdict $? "index over 1 MiB: refused" "$(cat "$tmp/err")"

for name in path regex version; do
	rm -rf "$tmp/bad" "$tmp/kvm.log"
	mkdir "$tmp/bad" && cp "$cases/$name.index" "$tmp/bad/index" && cp "$xd/intel.generic.bin" "$tmp/bad/a.bin"
	frag=$(sed -n "s/^$name$T//p" "$cases/bad.tbl")
	expect 65 "run, index $name: refused" "$PMUFC" run "$tmp/bad" -- "$VMM" --kvm /dev/null
	has "$tmp/err" "$frag" "run, index $name: the fault said"
	hasnt "$tmp/out" "vm-fd" "run, index $name: the VMM was never started"
	rm -f "$tmp/kvm.log"
	PMUFC_FILTER=$tmp/bad LD_PRELOAD=$SHIM:$FAKE "$TESTVMM" --kvm /dev/null >"$tmp/out" 2>"$tmp/err"
	st=$?
	test $st = 70 && grep -qF -- "$frag" "$tmp/err" && grep -q "must not run a VM without" "$tmp/err" &&
		! grep -q "vm-fd" "$tmp/out" && ! grep -q SET_PMU_EVENT_FILTER "$tmp/kvm.log" 2>/dev/null
	verdict $? "shim, PMUFC_FILTER=bundle with index $name: the VMM stopped at its VM, nothing applied" \
		"shim, index $name: exit $st: $(head -c 300 "$tmp/err")"
done

# 4. This host.
host=$("$PICK" --host)
htarget=$("$PMUFC" --probe --json 2>/dev/null | sed -n 's/^  "host": "\(.*\)",$/\1/p')
note "this host: $host; filters for its KVM: ${htarget:-unknown}"
if test -z "$htarget"; then
	skipcase "this host is neither Intel, AMD nor arm64" "this host's pick"
else
	"$PICK" "$xd" "$htarget" "$host" >"$tmp/want" 2>/dev/null
	wst=$?
	want_file=$(cut -d' ' -f3 "$tmp/want")
	# pmufc's own idea of this host's model (--list-events' header): the
	# pick takes it when it is of the target, else the generic filter.
	hm=$("$PMUFC" --list-events 2>/dev/null | sed -n '1s/^# \([^ ]*\) (\([a-z0-9]*\)).*/\1 \2/p')
	case $htarget in
	intel | amd) want_model=generic
		test "${hm#* }" = "$htarget" && want_model=${hm% *} ;;
	*) want_model=$(cut -d' ' -f2 "$tmp/want") ;;
	esac
	test $wst = 0 && test "$(cut -d' ' -f2 "$tmp/want")" = "$want_model"
	verdict $? "this host ($host, $hm): bundle-pick takes $want_model, as pmufc's own host model says" \
		"bundle-pick: '$(cat "$tmp/want")', pmufc's host model '$hm'"
	hex=$(hexof "$xd/$want_file")
	rm -f "$tmp/kvm.log"
	PMUFC_VERBOSE=1 expect 0 "run BUNDLE on this host (fake KVM): the VMM runs" \
		"$PMUFC" run "$xd" -- "$VMM" --kvm /dev/null
	has "$tmp/err" "$want_model: $want_file" "run BUNDLE: PMUFC_VERBOSE names the model and its file"
	vmfd=$(sed -n 's/^CREATE_VM //p' "$tmp/kvm.log" 2>/dev/null)
	test -n "$vmfd" && grep -qx "SET_PMU_EVENT_FILTER $vmfd $hex" "$tmp/kvm.log"
	verdict $? "run BUNDLE: KVM got exactly $want_file's bytes on the new VM fd" \
		"run BUNDLE: calls were: $(cat "$tmp/kvm.log" 2>/dev/null)"
	rm -f "$tmp/kvm.log"
	PMUFC_VERBOSE=1 PMUFC_FILTER=$xd LD_PRELOAD=$SHIM:$FAKE "$TESTVMM" --kvm /dev/null >"$tmp/out" 2>"$tmp/err"
	st=$?
	vmfd=$(sed -n 's/^CREATE_VM //p' "$tmp/kvm.log" 2>/dev/null)
	test $st = 0 && test -n "$vmfd" && grep -qx "SET_PMU_EVENT_FILTER $vmfd $hex" "$tmp/kvm.log"
	verdict $? "shim, PMUFC_FILTER=BUNDLE: $want_file's bytes applied" "exit $st: $(head -c 400 "$tmp/err")"
	has "$tmp/err" "loaded the PMU event filter $xd/$want_file" "shim, PMUFC_FILTER=BUNDLE: names the file it picked"

	# No entry for this host and no generic filter: fail closed.
	mkdir "$tmp/none-here" && cp "$xd/intel.generic.bin" "$tmp/none-here/a.bin"
	printf 'pmufc-bundle 1\nintel\tnothing\tGenuineIntel-999-Z\ta.bin\namd\tnothing\tAuthenticAMD-999-Z\ta.bin\narm64\tnothing\t0x00000000ff0f0000\ta.bin\n' \
		>"$tmp/none-here/index"
	rm -f "$tmp/kvm.log"
	expect 69 "run, a bundle with nothing for this host: refused" "$PMUFC" run "$tmp/none-here" -- "$VMM" --kvm /dev/null
	has "$tmp/err" "no generic one for $htarget" "run, nothing for this host: says there is neither its model nor a generic filter"
	hasnt "$tmp/out" "vm-fd" "run, nothing for this host: the VMM was never started"
	rm -f "$tmp/kvm.log"
	PMUFC_FILTER=$tmp/none-here LD_PRELOAD=$SHIM:$FAKE "$TESTVMM" --kvm /dev/null >"$tmp/out" 2>"$tmp/err"
	st=$?
	test $st = 70 && grep -q "no filter for this host's CPU" "$tmp/err" && ! grep -q "vm-fd" "$tmp/out" &&
		! grep -q SET_PMU_EVENT_FILTER "$tmp/kvm.log" 2>/dev/null
	verdict $? "shim, a bundle with nothing for this host: the VMM stopped at its VM, nothing applied" \
		"exit $st: $(head -c 400 "$tmp/err")"
	expect 69 "--probe, a bundle with nothing for this host" "$PMUFC" --probe "$tmp/none-here"

	if { true </dev/kvm; } 2>/dev/null; then
		PMUFC_VERBOSE=1 expect 0 "run BUNDLE -- test-vmm on this host's /dev/kvm" \
			"$PMUFC" run "$xd" -- "$TESTVMM" --measure 0xc0
		has "$tmp/out" "checks ok" "run BUNDLE (real KVM): test-vmm's checks pass"
		has "$tmp/err" "$want_model: $want_file" "run BUNDLE (real KVM): the pick named"
		has "$tmp/err" "applied to VM fd" "run BUNDLE (real KVM): the shim applied it to the real VM"
		expect 0 "--probe BUNDLE: accepted by a scratch VM" "$PMUFC" --probe "$xd"
		has "$tmp/out" "bundle: $xd: this host" "--probe BUNDLE: the pick on its own line"
		has "$tmp/out" "filter: $xd/$want_file:" "--probe BUNDLE: the filter named by its file"
		expect 0 "--probe --json BUNDLE" "$PMUFC" --probe --json "$xd"
		has "$tmp/out" "\"model\": \"$want_model\"" "--probe --json BUNDLE: filter.bundle.model"
		has "$tmp/out" "\"file\": \"$xd/$want_file\"" "--probe --json BUNDLE: filter.bundle.file"
	else
		skipcase "no usable /dev/kvm" "run BUNDLE on this host's /dev/kvm"
	fi
fi

# 5. The shipped bundles, beside the shipped filters in the build tree.
shipped=$TESTS_BUILDDIR/../policies
if test -f "$shipped/tier-standard/index"; then
	for p in "$pol"/*.pf; do
		n=$(basename "$p" .pf)
		begin "shipped bundle $n: the bundle pmufc bundle -W makes of $n.pf"
		"$PMUFC" bundle -W -o "$tmp/ship-$n" "$p" 2>"$tmp/err" || fail "$(head -c 300 "$tmp/err")"
		diff -r "$tmp/ship-$n" "$shipped/$n" >"$tmp/diff" 2>&1 || fail "differs: $(head -c 300 "$tmp/diff")"
	done
	expect 0 "--list-policies -v" "$PMUFC" --list-policies -v
	has "$tmp/out" "bundle tier-standard/: intel $(models intel | wc -l) models + generic, amd $(models amd | wc -l) models + generic" \
		"--list-policies -v: tier-standard's bundle covers every intel and amd model"
	expect 0 "--list-policies --json" "$PMUFC" --list-policies --json
	has "$tmp/out" '"bundle": {' "--list-policies --json: a bundle object"
	has "$tmp/out" '"generic": true' "--list-policies --json: ... with its generic filters"
else
	bad "no shipped bundle $shipped/tier-standard (policies/Makefile.inc builds them)"
fi

finish
