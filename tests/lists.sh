#!/bin/sh
# lists.sh - the lists with decisions and the --json answers of stats,
# probe and the lists.
#
# - `--list-events --cpu MODEL FILE` (and `list events FILE`): each named
#   event of the model with FILE's decision, the fixed counters, the
#   totals; golden text under tests/lists-cases/ for an Intel, an AMD, an arm64
#   model and none (--cpu generic); a policy and the filter compiled from
#   it list the same decisions; without FILE the listing is today's.
# - The whole space's allowed count of a listing equals --stats' count of
#   allowed events, which comes from the IR and not from the kernel model
#   the listing asks (every shipped policy, intel and amd).
# - `--list-policies`: golden text (name, targets, summary, what each
#   filter allows).
# - --json: one object each, "schema": 1 and "kind" first, the documented
#   fields of kinds stats, probe (without /dev/kvm too), events, cpus and
#   policies (checked with grep: python3 is not in every CI).
# - --format on these modes is a usage error that says to use --json.
me=lists
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

gold=$TESTS_SRCDIR/lists-cases
pol=$TESTS_SRCDIR/../policies

# golden NAME WHAT CMD...: CMD's standard output is lists-cases/NAME.txt; run
# in the policies folder so that the inputs' names are relative.
golden() {
	name=$1 desc=$2
	shift 2
	begin "$desc"
	if (cd "$pol" && "$@") >"$tmp/out" 2>"$tmp/err"; then
		same "$gold/$name.txt" "$tmp/out" "$desc"
		test -s "$tmp/err" && { fail "$desc: said something on stderr:"; show "$tmp/err"; }
	else
		fail "$desc: exit $?"
		show "$tmp/err"
	fi
}

# 1. Listings with decisions, golden.
golden skylake-tier-basic "--list-events --cpu skylake tier-basic.pf" \
	"$PMUFC" --list-events --cpu skylake tier-basic.pf
golden skylake-tier-basic "list events --cpu skylake tier-basic.pf (the subcommand)" \
	"$PMUFC" list events --cpu skylake tier-basic.pf
golden amdzen4-tier-standard "--list-events --cpu amdzen4 tier-standard.pf" \
	"$PMUFC" --list-events --cpu amdzen4 tier-standard.pf
golden neoverse-n1-rr "--list-events --cpu neoverse-n1 rr.pf (arm64)" \
	"$PMUFC" --list-events --cpu neoverse-n1 rr.pf
golden generic-cycles-instructions "--list-events --cpu generic --target intel FILE: fixed counters and totals" \
	"$PMUFC" --list-events --cpu generic --target intel cycles-instructions.pf
golden skylake "--list-events --cpu skylake without FILE: the plain listing" \
	"$PMUFC" --list-events --cpu skylake
golden policies "--list-policies: what each shipped filter allows" \
	"$PMUFC" --list-policies

# 2. A policy and its compiled filter decide alike (the header names the input).
for m in skylake:tier-basic:intel amdzen4:tier-standard:amd neoverse-n1:rr:arm64; do
	cpu=${m%%:*} rest=${m#*:} p=${rest%%:*} t=${rest#*:}
	begin "$cpu: $p.pf and its $t filter list the same decisions"
	if "$PMUFC" --target "$t" -o "$tmp/$p.bin" "$pol/$p.pf" 2>"$tmp/err" &&
		"$PMUFC" --list-events --cpu "$cpu" "$tmp/$p.bin" >"$tmp/bin.txt" 2>"$tmp/err"; then
		sed 1d "$tmp/bin.txt" >"$tmp/bin.body"
		sed 1d "$gold/$cpu-$p.txt" >"$tmp/pol.body"
		same "$tmp/pol.body" "$tmp/bin.body" "$cpu: $p: the filter's decisions"
	else
		fail "$cpu: $p: compile or list failed:"
		show "$tmp/err"
	fi
done

# 3. The whole space's count against --stats' (the IR's).
for p in "$pol"/*.pf; do
	name=$(basename "$p" .pf)
	for t in intel amd; do
		grep -q "^# *targets:.* $t" "$p" || grep -q "^# *targets: *$t" "$p" || continue
		cpu=generic
		"$PMUFC" --stats --target "$t" "$p" >"$tmp/stats" 2>/dev/null || continue
		want=$(sed -n 's/^  events  *[0-9]* (select, umask): \([0-9]*\) allowed.*/\1/p' "$tmp/stats")
		got=$("$PMUFC" --list-events --cpu "$cpu" --target "$t" "$p" 2>/dev/null |
			sed -n 's/^# whole space: \([0-9]*\) of .*/\1/p')
		begin "$name ($t): the listing's whole-space count is --stats' ($want)"
		test -n "$want" && test "$got" = "$want" || fail "$name ($t): listing says '$got', --stats '$want'"
	done
done

# 4. --json: the envelope and the fields of each kind.
# json_has WHAT FILE KIND FIELD...: the object's first members are schema 1
# and kind KIND, and it has each FIELD (a key, anywhere).
json_has() {
	desc=$1 f=$2 kind=$3
	shift 3
	begin "$desc: kind $kind, schema 1 first, fields $*"
	test "$(sed -n 2p "$f")" = '  "schema": 1,' || fail "$desc: no \"schema\": 1 first"
	test "$(sed -n 3p "$f")" = "  \"kind\": \"$kind\"," || fail "$desc: not kind $kind third line"
	test "$(tail -n 1 "$f")" = "}" || fail "$desc: not one object"
	for k in "$@"; do
		grep -q "\"$k\": " "$f" || fail "$desc: no \"$k\""
	done
}
run "$PMUFC" --stats --json --target intel "$pol/tier-basic.pf"
test "$st" = 0 || bad "--stats --json: exit $st"
json_has "--stats --json" "$tmp/out" stats input targets target model ok events total allowed \
	denied fixed counters filter action flags entries masked include exclude plain lower_bound \
	best_masked minimal verified
grep -q '"allowed": 11,' "$tmp/out" || fail "--stats --json: tier-basic's 11 allowed events missing"
run "$PMUFC" stats --json --target arm64 "$pol/rr.pf"
json_has "stats --json (arm64)" "$tmp/out" stats targets events filter records first_action \
	lower_bound minimal verified

probe_fields="host cpu_vendor cpu module rules rules_how enable_pmu kvm kvm_error api_version \
pmu_event_filter masked_events arm_pmu_v3 arm_pmu_filter supported"
run "$PMUFC" --probe --json
json_has "--probe --json (exit $st)" "$tmp/out" probe $probe_fields
if test -e /dev/kvm; then
	"$PMUFC" --target intel -o "$tmp/p.bin" "$pol/rr.pf" 2>/dev/null
	run "$PMUFC" probe --json "$tmp/p.bin"
	json_has "probe --json FILE (exit $st)" "$tmp/out" probe $probe_fields filter input target \
		description result reason
else
	skipcase "no /dev/kvm" "probe --json FILE"
fi
# Without /dev/kvm (an unshared mount namespace hides it where that is
# allowed): every field still there, kvm false.
if command -v unshare >/dev/null && test -e /dev/kvm &&
	unshare -rm sh -c 'mount -t tmpfs none /dev && true' 2>/dev/null; then
	unshare -rm sh -c 'mount -t tmpfs none /dev && exec "$0" --probe --json' "$PMUFC" >"$tmp/nokvm" 2>/dev/null
	json_has "--probe --json without /dev/kvm" "$tmp/nokvm" probe $probe_fields
	grep -q '"kvm": false' "$tmp/nokvm" || fail "--probe --json without /dev/kvm: not \"kvm\": false"
elif ! test -e /dev/kvm; then
	grep -q '"kvm": false' "$tmp/out" && ok "--probe --json without /dev/kvm: \"kvm\": false" ||
		bad "--probe --json without /dev/kvm: not \"kvm\": false"
else
	skipcase "cannot hide /dev/kvm here" "--probe --json without /dev/kvm"
fi

run "$PMUFC" --list-events --json --cpu skylake "$pol/tier-basic.pf"
json_has "--list-events --json FILE" "$tmp/out" events target model input events name select \
	umask decision fixed totals named named_allowed named_denied space space_allowed fixed_allowed
grep -q '"named_allowed": 23,' "$tmp/out" || fail "--list-events --json: not the 23 allowed of the text"
run "$PMUFC" list events --json --cpu neoverse-n1
json_has "list events --json (arm64, no FILE)" "$tmp/out" events target model events name arm
grep -q '"decision"' "$tmp/out" && fail "list events --json without FILE: decisions"
run "$PMUFC" --list-cpus --json
json_has "--list-cpus --json" "$tmp/out" cpus models name vendor events cpuid
test "$(grep -c '"cpuid"' "$tmp/out")" = "$("$PMUFC" --list-cpus | grep -c .)" ||
	fail "--list-cpus --json: not one model per --list-cpus line"
run "$PMUFC" list policies --json
json_has "list policies --json" "$tmp/out" policies folder policies name targets summary allows \
	allowed space fixed
test "$(grep -c '"summary"' "$tmp/out")" = "$(grep -c . "$gold/policies.txt")" ||
	fail "list policies --json: not one object per policy"

# 5. --format is for filters.
for mode in "--stats $pol/rr.pf" "--list-events --cpu skylake" "--list-cpus" "--list-policies" \
	"--probe" "list events $pol/rr.pf"; do
	expect 64 "$mode --format json" "$PMUFC" --format json $mode
	has "$tmp/err" "use --json" "$mode --format json: says use --json"
done

finish
