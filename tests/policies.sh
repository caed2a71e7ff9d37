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
# - the events in the table below are decided as it says, by the policy
#   and by its filter (pmufc --check);
# - the tiers nest: what tier-basic allows, tier-standard allows, and what
#   tier-standard allows, tier-enhanced allows; tier-basic is
#   architectural, tier-enhanced is no-llc (the same bytes).
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")" && pwd)}"
. "$TESTS_SRCDIR/lib.sh"

srcpol=$TESTS_SRCDIR/../policies
buildpol=$TESTS_BUILDDIR/../policies
test -d "$srcpol" || { echo "$me: ERROR: no $srcpol"; exit 99; }

# compile NAME TARGET: policies/NAME.pf -> $tmp/NAME.TARGET.bin
compile() {
	"$PMUFC" -W -v --cpu generic --target "$2" -o "$tmp/$1.$2.bin" "$srcpol/$1.pf" \
		</dev/null >"$tmp/out" 2>"$tmp/err"
}

# Listed, with targets, compiled, identical to the build's filters.
listed=$(sed -n 's|^[[:space:]]*policies/\([^[:space:]\\]*\)\.pf.*|\1|p' "$srcpol/Makefile.inc" | tr '\n' ' ')
for p in "$srcpol"/*.pf; do
	name=$(basename "$p" .pf)
	ncase=$((ncase + 1))
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
		ncase=$((ncase + 1))
		case $t in
			intel | amd | arm64) ;;
			*) fail "$name.pf: unknown target '$t'"; continue ;;
		esac
		if ! compile "$name" "$t"; then
			fail "$name.pf does not compile for $t with -W:"
			sed 's/^/    /' "$tmp/err" | sed -n '1,20p'
			continue
		fi
		# -v says what was emitted on stderr; anything else is a warning.
		if grep -v "^pmufc: .*verified\$" "$tmp/err" >"$tmp/extra"; then
			fail "$name.pf for $t: unexpected output on stderr:"
			sed 's/^/    /' "$tmp/extra" | sed -n '1,20p'
		fi
		sed -n "s|^pmufc: [^:]*: \(.*\); .*|    $name $t: \1|p" "$tmp/err"
		if test -f "$buildpol/$name.$t.bin" &&
			! cmp -s "$buildpol/$name.$t.bin" "$tmp/$name.$t.bin"; then
			fail "$buildpol/$name.$t.bin differs from a fresh compile of $name.pf for $t"
		fi
		echo "$name $t" >>"$tmp/compiled"
	done
done

# check POLICY TARGET EVENT WANT [WHERE]: the policy and its filter say WANT.
check() {
	ncase=$((ncase + 1))
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
			sed 's/^/    /' "$tmp/check" | sed -n '1,5p'
			return 1
		fi
	done
}

# What the headers promise. POLICY TARGET EVENT allow|deny; # comments.
cat >"$tmp/table" <<'EOF'
# architectural: Intel's architectural events and fixed counters, no LLC.
architectural intel select=0xc0,umask=0x00 allow   # instructions
architectural intel fixed=0 allow
architectural intel select=0x3c,umask=0x00 allow   # core cycles
architectural intel fixed=1 allow
architectural intel select=0x3c,umask=0x01 allow   # reference cycles
architectural intel fixed=2 allow
architectural intel select=0xc4,umask=0x00 allow   # branches
architectural intel select=0xc5,umask=0x00 allow   # branch mispredicts
architectural intel select=0xa4,umask=0x01 allow   # topdown slots
architectural intel fixed=3 allow
architectural intel select=0xa4,umask=0x02 allow   # perfmon v6 topdown
architectural intel select=0x73,umask=0x00 allow
architectural intel select=0x9c,umask=0x01 allow
architectural intel select=0xc2,umask=0x02 allow
architectural intel select=0xe4,umask=0x01 allow   # LBR inserts
architectural intel select=0x2e,umask=0x4f deny    # LLC references
architectural intel select=0x2e,umask=0x41 deny    # LLC misses
architectural intel select=0x24,umask=0x3f deny    # L2_RQSTS.MISS
architectural intel select=0xd1,umask=0x04 deny    # MEM_LOAD_RETIRED.L3_HIT
architectural intel select=0xc4,umask=0x01 deny    # a non-architectural umask
architectural intel fixed=4 deny
architectural intel raw=0x4100c0 allow             # usr/en bits: not filtered
# architectural: the Zen equivalents.
architectural amd select=0x76,umask=0x00 allow     # cycles
architectural amd select=0xc0,umask=0x00 allow     # instructions
architectural amd select=0xc2,umask=0x00 allow     # branches
architectural amd select=0xc3,umask=0x00 allow     # mispredicted branches
architectural amd select=0x120,umask=0x00 allow    # ref-cycles (perf)
architectural amd select=0x120,umask=0x01 allow    # ls_not_halted_p0_cyc
architectural amd select=0x60,umask=0xff deny      # cache-references (L2)
architectural amd select=0x64,umask=0x09 deny      # cache-misses (L2)
architectural amd select=0x44,umask=0x04 deny      # fills from another CCX
architectural amd select=0x2e,umask=0x00 deny

# cycles-instructions: just that.
cycles-instructions intel select=0xc0,umask=0x00 allow
cycles-instructions intel select=0x3c,umask=0x00 allow
cycles-instructions intel fixed=0 allow
cycles-instructions intel fixed=1 allow
cycles-instructions intel fixed=2 allow
cycles-instructions intel fixed=3 deny
cycles-instructions intel select=0x3c,umask=0x01 deny
cycles-instructions intel select=0xc4,umask=0x00 deny
cycles-instructions amd select=0xc0,umask=0x00 allow
cycles-instructions amd select=0x76,umask=0x00 allow
cycles-instructions amd select=0xc2,umask=0x00 deny
cycles-instructions arm64 arm=0x08 allow
cycles-instructions arm64 arm=0x11 allow
cycles-instructions arm64 arm=0x21 deny

# rr: retired conditional branches (BR_INST_RETIRED.CONDITIONAL and its
# later spellings; ex_ret_cond), cycles; arm64 BR_RETIRED, STREX_SPEC.
rr intel select=0xc4,umask=0x01 allow   # BR_INST_RETIRED.CONDITIONAL (skylake)
rr intel select=0xc4,umask=0x11 allow   # BR_INST_RETIRED.COND (icelake on)
rr intel select=0xc4,umask=0x7e allow   # BR_INST_RETIRED.JCC (goldmont)
rr intel raw=0x5101c4 allow             # rr's own event, as rr writes it
rr intel raw=0x5111c4 allow
rr intel select=0x3c,umask=0x00 allow
rr intel fixed=1 allow
rr intel select=0xc4,umask=0x00 deny
rr intel select=0xc4,umask=0x20 deny
rr intel select=0xc0,umask=0x00 deny
rr intel fixed=0 deny
rr amd select=0xd1,umask=0x00 allow     # ex_ret_cond
rr amd raw=0x5100d1 allow               # rr's own event
rr amd select=0x25,umask=0x08 allow     # SpecLockMapCommit check
rr amd raw=0x510825 allow
rr amd select=0x76,umask=0x00 allow
rr amd select=0xd1,umask=0x01 deny
rr amd select=0xc2,umask=0x00 deny
rr amd select=0x25,umask=0x01 deny
rr arm64 arm=0x21 allow
rr arm64 arm=0x6f allow
rr arm64 arm=0x11 allow
rr arm64 arm=0x08 deny

# no-llc: everything but the LLC, offcore and uncore-adjacent events.
no-llc intel select=0x2e,umask=0x4f deny    # LONGEST_LAT_CACHE.REFERENCE
no-llc intel select=0x2e,umask=0x41 deny    # LONGEST_LAT_CACHE.MISS
no-llc intel select=0xb7,umask=0x01 deny    # OFFCORE_RESPONSE_0
no-llc intel select=0xbb,umask=0x01 deny    # OFFCORE_RESPONSE_1
no-llc intel select=0x2a,umask=0x01 deny    # OCR (alderlake on)
no-llc intel select=0x2b,umask=0x01 deny
no-llc intel select=0xb0,umask=0x01 deny    # OFFCORE_REQUESTS
no-llc intel select=0x21,umask=0x10 deny
no-llc intel select=0x60,umask=0x10 deny    # OFFCORE_REQUESTS_OUTSTANDING
no-llc intel select=0x20,umask=0x08 deny
no-llc intel select=0xd1,umask=0x04 deny    # MEM_LOAD_RETIRED.L3_HIT
no-llc intel select=0xd1,umask=0x20 deny    # .L3_MISS
no-llc intel select=0xd1,umask=0x80 deny    # .LOCAL_PMM
no-llc intel select=0xd1,umask=0x1c deny    # Crestmont L3_HIT
no-llc intel select=0xd2,umask=0x01 deny    # MEM_LOAD_L3_HIT_RETIRED
no-llc intel select=0xd3,umask=0x02 deny    # MEM_LOAD_L3_MISS_RETIRED.REMOTE_DRAM
no-llc intel select=0xcd,umask=0x01 deny    # MEM_TRANS_RETIRED.LOAD_LATENCY
no-llc intel select=0xa3,umask=0x06 deny    # CYCLE_ACTIVITY.STALLS_L3_MISS
no-llc intel select=0x47,umask=0x09 deny    # MEMORY_ACTIVITY.STALLS_L3_MISS
no-llc intel select=0x34,umask=0x06 deny    # MEM_BOUND_STALLS_LOAD.LLC_HIT
no-llc intel select=0xbc,umask=0x14 deny    # PAGE_WALKER_LOADS.DTLB_L3
no-llc intel select=0xbc,umask=0x18 deny    # PAGE_WALKER_LOADS.DTLB_MEMORY
no-llc intel select=0xef,umask=0x01 deny    # CORE_SNOOP_RESPONSE
no-llc intel select=0xb2,umask=0x01 deny    # OFFCORE_REQUESTS_BUFFER.SQ_FULL
no-llc intel select=0xd1,umask=0x01 allow   # L1_HIT
no-llc intel select=0xd1,umask=0x02 allow   # L2_HIT
no-llc intel select=0xd1,umask=0x08 allow   # L1_MISS
no-llc intel select=0xd1,umask=0x10 allow   # L2_MISS
no-llc intel select=0xd1,umask=0x40 allow   # FB_HIT
no-llc intel select=0x24,umask=0x3f allow   # L2_RQSTS.MISS
no-llc intel select=0xa3,umask=0x05 allow   # CYCLE_ACTIVITY.STALLS_L2_MISS
no-llc intel select=0x34,umask=0x01 allow   # MEM_BOUND_STALLS.LOAD_L2_HIT
no-llc intel select=0xbc,umask=0x12 allow   # PAGE_WALKER_LOADS.DTLB_L2
no-llc intel select=0xc7,umask=0x01 allow   # FP_ARITH_INST_RETIRED
no-llc intel select=0x08,umask=0x0e allow   # DTLB_LOAD_MISSES
no-llc intel select=0xc0,umask=0x00 allow
no-llc intel fixed=0 allow
no-llc intel fixed=3 allow
no-llc amd select=0x43,umask=0x02 deny      # ls_dmnd_fills_from_sys.local_ccx
no-llc amd select=0x43,umask=0x08 deny      # .dram_io_near
no-llc amd select=0x44,umask=0x04 deny      # ls_any_fills_from_sys.near_cache
no-llc amd select=0x44,umask=0xff deny      # .all
no-llc amd select=0x59,umask=0x10 deny      # ls_sw_pf_dc_fills.far_cache
no-llc amd select=0x5a,umask=0x40 deny      # ls_hw_pf_dc_fills.dram_io_far
no-llc amd select=0x165,umask=0x02 deny     # l2_fill_rsp_src.local_ccx (zen5)
no-llc amd select=0x71,umask=0xff deny      # l2_pf_miss_l2_hit_l3
no-llc amd select=0x72,umask=0x01 deny      # l2_pf_miss_l2_l3
no-llc amd select=0x62,umask=0x01 deny      # l2_latency (zen1-3)
no-llc amd select=0x43,umask=0x01 allow     # fills from the local L2
no-llc amd select=0x44,umask=0x01 allow
no-llc amd select=0x64,umask=0x09 allow     # cache-misses (L2)
no-llc amd select=0x60,umask=0xff allow     # cache-references (L2)
no-llc amd select=0xae,umask=0x01 allow     # dispatch stalls
no-llc amd select=0xc0,umask=0x00 allow

# tier-standard: basic + branch, TLB, L1, L2; still nothing past the L2.
tier-standard intel select=0xc0,umask=0x00 allow
tier-standard intel fixed=0 allow
tier-standard intel fixed=3 allow
tier-standard intel fixed=4 deny
tier-standard intel select=0xc4,umask=0x20 allow   # BR_INST_RETIRED.NEAR_TAKEN
tier-standard intel select=0xc5,umask=0x01 allow   # BR_MISP_RETIRED.CONDITIONAL
tier-standard intel select=0x89,umask=0xff allow   # BR_MISP_EXEC.ALL_BRANCHES
tier-standard intel select=0xe6,umask=0x01 allow   # BACLEARS.ANY
tier-standard intel select=0x08,umask=0x0e allow   # DTLB_LOAD_MISSES.WALK_COMPLETED
tier-standard intel select=0x12,umask=0x0e allow   # (alderlake on)
tier-standard intel select=0x85,umask=0x0e allow   # ITLB_MISSES
tier-standard intel select=0x51,umask=0x01 allow   # L1D.REPLACEMENT
tier-standard intel select=0x48,umask=0x01 allow   # L1D_PEND_MISS.PENDING
tier-standard intel select=0x80,umask=0x04 allow   # ICACHE_16B.IFDATA_STALL
tier-standard intel select=0xd0,umask=0x81 allow   # MEM_INST_RETIRED.ALL_LOADS
tier-standard intel select=0xd1,umask=0x01 allow   # MEM_LOAD_RETIRED.L1_HIT
tier-standard intel select=0xd1,umask=0x10 allow   # MEM_LOAD_RETIRED.L2_MISS
tier-standard intel select=0x24,umask=0x3f allow   # L2_RQSTS.MISS
tier-standard intel select=0xf1,umask=0x1f allow   # L2_LINES_IN.ALL
tier-standard intel select=0xbc,umask=0x12 allow   # PAGE_WALKER_LOADS.DTLB_L2
tier-standard intel select=0xd1,umask=0x04 deny    # L3_HIT
tier-standard intel select=0xd1,umask=0x20 deny    # L3_MISS
tier-standard intel select=0xbc,umask=0x14 deny    # PAGE_WALKER_LOADS.DTLB_L3
tier-standard intel select=0x2e,umask=0x4f deny    # LLC references
tier-standard intel select=0xb7,umask=0x01 deny    # OFFCORE_RESPONSE
tier-standard intel select=0xc7,umask=0x01 deny    # FP_ARITH_INST_RETIRED: enhanced
tier-standard intel select=0x0e,umask=0x01 deny    # UOPS_ISSUED.ANY: enhanced
tier-standard intel select=0xa3,umask=0x04 deny    # CYCLE_ACTIVITY: enhanced
tier-standard amd select=0xc0,umask=0x00 allow
tier-standard amd select=0xc4,umask=0x00 allow     # ex_ret_brn_tkn
tier-standard amd select=0xd1,umask=0x00 allow     # ex_ret_cond
tier-standard amd select=0x1c7,umask=0x00 allow
tier-standard amd select=0x45,umask=0xff allow     # ls_l1_d_tlb_miss.all
tier-standard amd select=0x85,umask=0x0f allow     # bp_l1_tlb_miss_l2_tlb_miss
tier-standard amd select=0x29,umask=0x07 allow     # ls_dispatch
tier-standard amd select=0x43,umask=0x01 allow     # fills from the local L2
tier-standard amd select=0x28f,umask=0x07 allow    # op_cache_hit_miss
tier-standard amd select=0x60,umask=0xff allow     # cache-references
tier-standard amd select=0x64,umask=0x09 allow     # cache-misses
tier-standard amd select=0x70,umask=0xff allow     # l2_pf_hit_l2
tier-standard amd select=0x43,umask=0x02 deny      # fills from the CCX's L3
tier-standard amd select=0x71,umask=0xff deny      # l2_pf_miss_l2_hit_l3
tier-standard amd select=0x165,umask=0x04 deny
tier-standard amd select=0x03,umask=0x01 deny      # fp_ret_sse_avx_ops: enhanced
tier-standard amd select=0xae,umask=0x01 deny      # dispatch stalls: enhanced

# tier-enhanced: everything on the core but no-llc's list.
tier-enhanced intel select=0xc7,umask=0x01 allow
tier-enhanced intel select=0x0e,umask=0x01 allow
tier-enhanced intel select=0xa3,umask=0x04 allow
tier-enhanced intel select=0xd1,umask=0x01 allow
tier-enhanced intel fixed=5 allow
tier-enhanced intel select=0x2e,umask=0x41 deny
tier-enhanced intel select=0xd3,umask=0x01 deny
tier-enhanced amd select=0xae,umask=0x01 allow
tier-enhanced amd select=0x03,umask=0x01 allow
tier-enhanced amd select=0x44,umask=0x04 deny

# arm64-architectural: cycles, instructions, branches.
arm64-architectural arm64 arm=0x11 allow   # CPU_CYCLES
arm64-architectural arm64 arm=0x08 allow   # INST_RETIRED
arm64-architectural arm64 arm=0x21 allow   # BR_RETIRED
arm64-architectural arm64 arm=0x22 allow   # BR_MIS_PRED_RETIRED
arm64-architectural arm64 arm=0x10 allow   # BR_MIS_PRED
arm64-architectural arm64 arm=0x12 allow   # BR_PRED
arm64-architectural arm64 arm=0x0d allow   # BR_IMMED_RETIRED
arm64-architectural arm64 arm=0x0e allow   # BR_RETURN_RETIRED
arm64-architectural arm64 arm=0x03 deny    # L1D_CACHE_REFILL
arm64-architectural arm64 arm=0x04 deny    # L1D_CACHE
arm64-architectural arm64 arm=0x23 deny    # STALL_FRONTEND
arm64-architectural arm64 arm=0x6f deny    # STREX_SPEC
EOF

lineno=0
while read -r pol tgt ev want rest; do
	lineno=$((lineno + 1))
	case $pol in '' | '#'*) continue ;; esac
	check "$pol" "$tgt" "$ev" "$want" "table line $lineno"
done <"$tmp/table"

# decision POLICY TARGET EVENT: allow or deny, from the filter (pmufc's
# complaints, if any, are shown at the end).
decision() {
	"$PMUFC" --target "$2" --check "$3" "$tmp/$1.$2.bin" </dev/null 2>>"$tmp/decision.err" |
		sed -n '1s/^\([a-z]*\).*/\1/p'
}

# The tiers nest, on every x86 event of the table.
for t in intel amd; do
	for ev in $(awk -v t="$t" '$2 == t { print $3 }' "$tmp/table" | sort -u); do
		ncase=$((ncase + 1))
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
		ncase=$((ncase + 1))
		cmp -s "$tmp/$a.$t.bin" "$tmp/$b.$t.bin" ||
			fail "$a and $b differ on $t"
	done
done

if test -s "$tmp/decision.err"; then
	echo "pmufc --check said, while comparing the tiers:"
	sed 's/^/    /' "$tmp/decision.err" | sed -n '1,20p'
fi
finish
