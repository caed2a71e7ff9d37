#!/bin/sh
# tests/edges.sh - edges found by reading the kernel, at the command line
# (the validators and models themselves: tests/edges-test.c):
#   a. KVM_SET_PMU_EVENT_FILTER reads the 32-byte header and nevents
#      entries, nothing more: bytes after them in a file are a warning
#      (an error with -W), and every reader (-d, its formats, --check,
#      --probe) sees the same filter as without them; a file shorter than
#      that is an error;
#   b. an arm64 record file with no zero byte is a filter for --check,
#      -d and the loader's commands, while policy text with UTF-8 or
#      escape sequences in its comments stays a policy;
#   c. --check raw= with bits 35:32 on Intel answers as select bits 7:0
#      (KVM ignores 35:32 there) and says so;
#   d. arm64: records are checked against the host's PMU (--arm-pmu),
#      events looked up in the guest's (arm=N,guest=v3p0).
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")" && pwd)}"
. "$TESTS_SRCDIR/lib.sh"

# expect CODE WHAT COMMAND...: run it (stdout in $tmp/out, stderr in
# $tmp/err), check the exit code.
expect() {
	want=$1 what=$2
	shift 2
	begin "$what (exit $want)"
	"$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	if test $rc != "$want"; then
		fail "$what: exit $rc, expected $want: $*"
		cat "$tmp/out" "$tmp/err" | show - 10
		return 1
	fi
}

# has FILE PATTERN WHAT / hasnt FILE PATTERN WHAT (grep -E).
has() {
	grep -Eq -e "$2" "$1" || { fail "$3: no line matching '$2' in:"; show "$1" 10; }
}
hasnt() {
	! grep -Eq -e "$2" "$1" || { fail "$3: a line matches '$2' in:"; show "$1" 10; }
}

cd "$tmp" || bail "no $tmp"
P=$PMUFC

# --- a. bytes after the entries ---------------------------------------------
cat >deny.pf <<'EOF'
default allow;
deny x86 select=0xc4 umask={0x00,0x01};
deny x86 select=0x2e umask=0x41;
EOF
for t in intel amd; do
	expect 0 "a/$t: compile" "$P" --target $t --cpu generic deny.pf -o $t.bin || continue
	n=$(wc -c <$t.bin)
	{ cat $t.bin; printf 'junk\000\001\002'; } >$t-long.bin
	head -c $((n - 1)) $t.bin >$t-short.bin

	expect 0 "a/$t: -d of the filter" "$P" --target $t --cpu generic -d $t.bin && cp "$tmp/out" $t.txt
	test -s "$tmp/err" && fail "a/$t: -d of the exact filter warns" && show "$tmp/err"
	expect 0 "a/$t: -d with 7 bytes after it" "$P" --target $t --cpu generic -d $t-long.bin &&
		same $t.txt "$tmp/out" "a/$t: the listing with 7 bytes after the filter"
	has "$tmp/err" "warning: $t-long.bin: 7 bytes after the filter are ignored: a filter of 3 events is $n bytes" \
		"a/$t: the warning says how many bytes"
	expect 65 "a/$t: -W makes it an error" "$P" -W --target $t -d $t-long.bin -o out.txt
	has "$tmp/err" "error: .*7 bytes after the filter are ignored" "a/$t: -W"
	expect 0 "a/$t: -w silences it" "$P" -w --target $t -d $t-long.bin -o out.txt
	test -s "$tmp/err" && fail "a/$t: -w still prints: $(cat "$tmp/err")"

	# Every format of -d, and --check, see the same filter.
	for f in text json c qemu policy; do
		expect 0 "a/$t: -d -f $f" "$P" --target $t --cpu generic -d -f $f $t.bin -o exact.$f &&
			expect 0 "a/$t: -d -f $f, 7 bytes after" "$P" --target $t --cpu generic -d -f $f $t-long.bin -o long.$f &&
			{ cmp -s exact.$f long.$f || fail "a/$t: -d -f $f differs with 7 bytes after the filter"; }
	done
	for e in select=0xc4,umask=0x01 select=0xc4,umask=0x02 select=0x2e,umask=0x41; do
		expect 0 "a/$t: --check $e" "$P" --target $t --cpu generic --check $e $t.bin && cp "$tmp/out" check.exact
		expect 0 "a/$t: --check $e, 7 bytes after" "$P" --target $t --cpu generic --check $e $t-long.bin &&
			same check.exact "$tmp/out" "a/$t: --check $e with 7 bytes after the filter"
	done

	# --probe validates as -d does before anything else, whatever KVM this
	# host has (or none).
	"$P" --probe --target $t $t-long.bin >"$tmp/out" 2>"$tmp/err" </dev/null
	begin "a/$t: --probe warns of the 7 bytes and takes the filter"
	has "$tmp/err" "7 bytes after the filter are ignored" "a/$t: --probe warns"
	hasnt "$tmp/err" "bytes, but a filter" "a/$t: --probe does not refuse the bytes"

	# Short: one byte missing from the last entry.
	expect 65 "a/$t: a byte short" "$P" --target $t -d $t-short.bin
	has "$tmp/err" "$((n - 1)) bytes, but a filter of 3 events is $n bytes" "a/$t: the short file"
	expect 65 "a/$t: a byte short, --check" "$P" --target $t --check select=0xc4,umask=0 $t-short.bin
done

# --- b. which input is a filter ------------------------------------------------
# One DENY record of events 0x0111-0x0211 (257), pad "ABC": no zero byte.
printf '\021\001\001\001\001ABC' >nz.bin
od -An -tx1 nz.bin | grep -q ' 00' && fail "b: nz.bin has a zero byte"
expect 0 "b: -d of a record with no zero byte" "$P" --target arm64 -d nz.bin
has "$tmp/out" "record   0   DENY  base=0x0111 nevents=257" "b: -d"
expect 0 "b: --check reads it as a filter" "$P" --target arm64 --check arm=0x0111 nz.bin
has "$tmp/out" "^deny: arm=0x0111 on arm64: record 0, the last one covering it, denies it" "b: --check 0x111"
expect 0 "b: --check of an event outside it" "$P" --target arm64 --check arm=0x0011 nz.bin
has "$tmp/out" "^allow: .*default set by the first record \(DENY\) is allow" "b: --check 0x11"
# Starting with '#' (0x23): it would be a comment to the end if it were text.
printf '#\001\001\001\001ABC' >hash.bin
expect 0 "b: --check of a record that starts with '#'" "$P" --target arm64 --check arm=0x0123 hash.bin
has "$tmp/out" "^deny: arm=0x0123 on arm64: record 0" "b: '#' record"
# The loader's commands take it as a filter too: never a policy error.
for cmd in "--probe" "--apply --vm-fd 9"; do
	# shellcheck disable=SC2086
	"$P" $cmd --target arm64 nz.bin >"$tmp/out" 2>"$tmp/err" </dev/null 9>&-
	begin "b: $cmd reads nz.bin as a filter"
	hasnt "$tmp/err" "unexpected character|is not ASCII|nz\.bin:1:" "b: $cmd reads nz.bin as policy text"
done

# Policy text with UTF-8 and escape sequences in comments stays a policy.
printf '# caf\303\251 \342\200\224 na\303\257ve\n# \033[1mbold\033[0m\r\nallow x86 select=0xc0 umask=0x00;\n' >utf8.pf
expect 0 "b: --check of a policy with UTF-8 and escapes in comments" \
	"$P" --target intel --check select=0xc0,umask=0x00 utf8.pf
has "$tmp/out" "^allow: .*decided by utf8\.pf:3:1: allow x86 select=0xc0 umask=0x00;" "b: UTF-8 policy"
: >empty.pf
expect 0 "b: an empty file is an empty policy" "$P" --target intel --check select=0xc0,umask=0 empty.pf
has "$tmp/out" "\(empty policy\)" "b: empty"
# A control byte where policy text cannot have one: a filter (refused as
# one), not a policy with a lexical error.
printf 'allow x86\001 select=0xc0;\n' >ctl.pf
expect 65 "b: a control byte outside a comment" "$P" --target intel --check select=0xc0,umask=0 ctl.pf
has "$tmp/err" "ctl\.pf: (.* is too short|.*bytes, but a filter|action .* is neither)" "b: read as a filter"

# --- c. raw= with bits 35:32 on Intel -------------------------------------------
printf 'default deny;\nallow x86 select=0xc0 umask=0x00;\n' >c.pf
expect 0 "c: compile" "$P" --target intel --cpu generic c.pf -o c-intel.bin
expect 0 "c: compile for amd" "$P" --target amd --cpu generic c.pf -o c-amd.bin
for f in c.pf c-intel.bin; do
	for raw in 0x1000000c0 0xf000000c0 0x3004300c0; do
		expect 0 "c: --check raw=$raw on intel ($f)" "$P" --target intel --cpu generic --check raw=$raw $f
		has "$tmp/out" "^allow: select=0xc0 umask=0x00 \(raw=$raw: KVM ignores bits 35:32 on Intel" \
			"c: raw=$raw answers as select=0xc0 on intel, and says why"
	done
	expect 0 "c: raw=0xc0 on intel ($f)" "$P" --target intel --cpu generic --check raw=0xc0 $f
	hasnt "$tmp/out" "35:32" "c: raw=0xc0 says nothing of bits 35:32"
done
for f in c.pf c-amd.bin; do
	expect 0 "c: --check raw=0x1000000c0 on amd ($f)" "$P" --target amd --cpu generic --check raw=0x1000000c0 $f
	has "$tmp/out" "^deny: select=0x1c0 umask=0x00 on amd" "c: on AMD bits 35:32 are the select's 11:8"
done

# --- d. arm64: the host's and the guest's event spaces --------------------------
# DENY 0x401 alone (a default of allow).
printf '\001\004\001\000\001\000\000\000' >d401.bin
expect 0 "d: v3p1 guest, 0x401" "$P" --target arm64 --check arm=0x401 d401.bin
has "$tmp/out" "^deny: arm=0x0401 on arm64: record 0" "d: a guest of the host's version is denied 0x401"
expect 0 "d: v3p0 guest, 0x401" "$P" --target arm64 --check arm=0x401,guest=v3p0 d401.bin
has "$tmp/out" "^allow: arm=0x0401, looked up as 0x0001 \(a PMUv3p0 guest has 10-bit events: KVM drops bits 15:10\) on arm64: no record covers it" \
	"d: a PMUv3p0 guest's 0x401 is 0x001: the record for 0x401 never matters"
expect 0 "d: v3p0 guest, 0x001" "$P" --target arm64 --check arm=0x001,guest=v3p0 d401.bin
has "$tmp/out" "^allow: arm=0x0001 on arm64" "d: 0x001 is looked up as 0x001"
expect 0 "d: v3p0 guest, 0x41e" "$P" --target arm64 --check arm=0x41e,guest=v3p0 d401.bin
has "$tmp/out" "looked up as 0x001e .* KVM never filters it" "d: a PMUv3p0 guest's 0x41e is CHAIN"
expect 0 "d: guest=v3p1 on a v3p1 host" "$P" --target arm64 --check arm=0x401,guest=v3p1 d401.bin
has "$tmp/out" "^deny: arm=0x0401 on arm64" "d: guest=v3p1 is the host's space"
expect 64 "d: a guest newer than the host" "$P" --target arm64 --arm-pmu v3p0 --check arm=0x1,guest=v3p1 empty.pf
has "$tmp/err" "cannot be newer than the host's" "d: guest=v3p1 with --arm-pmu v3p0"
expect 64 "d: a bad guest version" "$P" --target arm64 --check arm=0x1,guest=v4 d401.bin
# Ranges against the host's PMU: 0x401 is past a PMUv3p0 host.
expect 65 "d: the record on a PMUv3p0 host" "$P" --target arm64 --arm-pmu v3p0 -d d401.bin
has "$tmp/err" "reach past the host PMU's last event 0x3ff" "d: refused against the host's space"
# A PMUv3p0 host: every guest is v3p0, and 0x401 is 0x001 (not "beyond").
printf '\001\000\001\000\001\000\000\000' >d001.bin
expect 0 "d: PMUv3p0 host, 0x401" "$P" --target arm64 --arm-pmu v3p0 --check arm=0x401 d001.bin
has "$tmp/out" "^deny: arm=0x0401, looked up as 0x0001 .* record 0" "d: a PMUv3p0 host looks 0x401 up as 0x001"
# The same through a policy.
printf 'default allow;\ndeny arm 0x401;\n' >d.pf
expect 0 "d: policy, v3p1 guest" "$P" --target arm64 --check arm=0x401 d.pf
has "$tmp/out" "^deny: arm=0x0401 on arm64: decided by d\.pf:2:1" "d: policy, 0x401"
expect 0 "d: policy, v3p0 guest" "$P" --target arm64 --check arm=0x401,guest=v3p0 d.pf
has "$tmp/out" "^allow: arm=0x0401, looked up as 0x0001 .* no rule matches" "d: policy, v3p0 guest"

finish
