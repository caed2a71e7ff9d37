#!/bin/sh
# tests/inputs.sh - any input anywhere (formats/input.c, cli/filter.c):
# every kind pmufc reads (policy text, an x86 filter, an arm64 record
# file, QEMU kvm-pmu-filter JSON in both shapes, kvmtool and qemu-arm
# strings) through compile, -d, --check, --stats and --probe; conversion
# is compiling (a filter to policy and back decides the same: blobtool
# cmp); what pmufc does not read (a program, random bytes, gzip, tar,
# UTF-16) is one error naming it, with no control byte on the terminal;
# the vendor hints when a filter read under this host's x86 rules looks
# like the other vendor's.
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")" && pwd)}"
. "$TESTS_SRCDIR/lib.sh"
P=$PMUFC
blobtool=$TESTS_BUILDDIR/blobtool
test -x "$blobtool" || bail "no $blobtool (make check builds it)"
cd "$tmp" || bail "no $tmp"

# (Loop variables are not f: lib.sh's bad uses it.)
# clean WHAT: the last command's stderr has no control byte but newlines.
clean() {
	if tr -d '\n' <"$tmp/err" | LC_ALL=C grep -q '[[:cntrl:]]'; then
		bad "$1: control bytes on stderr"
		show "$tmp/err" 3 | cat -v
	else
		ok "$1: no control bytes on stderr"
	fi
}

# --- the inputs ---------------------------------------------------------------
cp "$TESTS_SRCDIR/inputs-cases/x86.pf" "$TESTS_SRCDIR/inputs-cases/arm64.pf" . || bail "no tests/inputs-cases/"
"$P" --target intel x86.pf -o x86.bin || bail "cannot compile x86.pf"
"$P" --target intel x86.pf --format qemu -o x86.json || bail "no qemu"
"$P" --target intel x86.pf --format qemu-rfc -o x86-rfc.json || bail "no qemu-rfc"
"$P" arm64.pf -o arm64.bin || bail "cannot compile arm64.pf"
"$P" arm64.pf --format kvmtool -o arm64.kvmtool || bail "no kvmtool"
"$P" arm64.pf --format qemu-arm -o arm64.qemu-arm || bail "no qemu-arm"
x86_kinds="x86.pf x86.bin x86.json x86-rfc.json"
arm_kinds="arm64.pf arm64.bin arm64.kvmtool arm64.qemu-arm"

# --- every kind through every mode ---------------------------------------------
for fi in $x86_kinds $arm_kinds; do
	case $fi in
	x86*) t=intel ev=select=0xc0,umask=0x00 ;;
	*) t=arm64 ev=arm=0x11 ;;
	esac
	expect 0 "$fi: compile" "$P" --target $t "$fi" -o "$fi.out"
	expect 0 "$fi: compile --format text" "$P" --target $t "$fi" --format text
	expect 0 "$fi: -d" "$P" --target $t -d "$fi"
	hasnt "$tmp/err" "neither ALLOW" "$fi: -d does not read it as the wrong thing"
	grep -q '^record\|^nevents' "$tmp/out" && ok "$fi: -d lists a filter" || bad "$fi: -d lists no filter"
	expect 0 "$fi: --check" "$P" --target $t --check "$ev" "$fi"
	grep -q '^allow: ' "$tmp/out" && ok "$fi: --check allows $ev" || bad "$fi: --check: $(head -1 "$tmp/out")"
	expect 0 "$fi: check" "$P" check --target $t "$fi" "$ev"
	expect 0 "$fi: --stats" "$P" --target $t --stats "$fi"
	has "$tmp/out" "target $t" "$fi: --stats shows $t"
	run "$P" --target $t --probe "$fi"
	has "$tmp/out" "filter: $fi: " "$fi: --probe reads it (exit $st)"
	hasnt "$tmp/err" "not a policy or a filter" "$fi: --probe does not refuse it"
done
# Without --target: an arm64 record file is arm64's on any host.
expect 0 "arm64.bin without --target: -d" "$P" -d arm64.bin
has "$tmp/out" "KVM_ARM_VCPU_PMU_V3_FILTER, arm64" "arm64.bin without --target is read as arm64"
expect 0 "arm64.bin without --target: --check" "$P" --check arm=0x11 arm64.bin
expect 0 "arm64.bin without --target: convert" "$P" arm64.bin --format kvmtool -o conv.kvmtool
same arm64.kvmtool conv.kvmtool "arm64.bin to kvmtool" && ok "arm64.bin to kvmtool: as from the policy"

# -d of a policy: compiled and listed, as compile then -d.
expect 0 "-d x86.pf" "$P" --target intel -d x86.pf
cp "$tmp/out" d-policy.txt
expect 0 "-d x86.bin" "$P" --target intel -d x86.bin
begin "-d of a policy lists what it compiles to"
same d-policy.txt "$tmp/out" "-d x86.pf and -d x86.bin"
expect 0 "-d x86.json" "$P" --target intel -d x86.json
begin "-d of QEMU JSON lists what it compiles to"
same d-policy.txt "$tmp/out" "-d x86.json and -d x86.bin"

# --- conversion is compiling: round trips --------------------------------------
for fi in x86.bin x86.json x86-rfc.json x86.pf; do
	expect 0 "$fi: to policy" "$P" --target intel "$fi" --format policy -o "$fi.conv.pf"
	expect 0 "$fi: policy back to a filter" "$P" --target intel "$fi.conv.pf" -o "$fi.back.bin"
	"$blobtool" cmp intel x86.bin "$fi.back.bin" >"$tmp/cmp" 2>&1
	verdict $? "$fi -> policy -> filter decides as x86.bin (blobtool cmp)" "$(head -3 "$tmp/cmp")"
	expect 0 "$fi: straight to a filter" "$P" --target intel "$fi" -o "$fi.bin2"
	"$blobtool" cmp intel x86.bin "$fi.bin2" >"$tmp/cmp" 2>&1
	verdict $? "$fi -> filter decides as x86.bin (blobtool cmp)" "$(head -3 "$tmp/cmp")"
	expect 0 "$fi: to qemu" "$P" --target intel "$fi" --format qemu -o "$fi.q.json"
	expect 0 "$fi: qemu back" "$P" --target intel "$fi.q.json" -o "$fi.q.bin"
	"$blobtool" cmp intel x86.bin "$fi.q.bin" >"$tmp/cmp" 2>&1
	verdict $? "$fi -> qemu -> filter decides as x86.bin (blobtool cmp)" "$(head -3 "$tmp/cmp")"
done
expect 0 "x86.bin --format policy: its entries" "$P" --target intel x86.bin --format policy
cp "$tmp/out" conv.pf
expect 0 "-d x86.bin --format policy" "$P" --target intel -d x86.bin --format policy
begin "x86.bin to policy: as -d --format policy writes it"
same "$tmp/out" conv.pf "compile and -d --format policy"
for fi in arm64.bin arm64.kvmtool arm64.qemu-arm; do
	expect 0 "$fi: to policy" "$P" "$fi" --format policy -o "$fi.conv.pf"
	expect 0 "$fi: back" "$P" "$fi.conv.pf" -o "$fi.back.bin"
	begin "$fi -> policy -> records: the same records"
	cmp -s arm64.bin "$fi.back.bin" || fail "$fi: $(hexof "$fi.back.bin") is not $(hexof arm64.bin)"
done

# --- what pmufc does not read: one error, no control bytes ------------------------
cp /bin/ls prog
dd if=/dev/urandom of=random.bin bs=1024 count=4 2>/dev/null
gzip -c x86.pf >x86.pf.gz
tar cf inputs.tar x86.pf arm64.pf 2>/dev/null || : >inputs.tar
printf '\377\376a\000l\000l\000o\000w\000\n\000' >utf16.pf
for fi in prog:"an ELF file" random.bin:"binary data" x86.pf.gz:"a gzip file" \
	inputs.tar:"a tar archive" utf16.pf:"UTF-16 text"; do
	what=${fi#*:} fi=${fi%%:*}
	test -s "$fi" || { skipcase "$fi" "could not be made here"; continue; }
	for mode in compile -d --check --stats --probe run; do
		case $mode in
		compile) set -- "$fi" -o out.bin ;;
		--check) set -- --check select=0xc0,umask=0 "$fi" ;;
		run) set -- run "$fi" -- /bin/true ;;
		*) set -- $mode "$fi" ;;
		esac
		run "$P" "$@"
		begin "$fi ($what) $mode: exit 65, one error naming it"
		test "$st" = 65 || fail "exit $st"
		test "$(wc -l <"$tmp/err")" = 1 || { fail "$(wc -l <"$tmp/err") lines on stderr:"; show "$tmp/err" 4 | cat -v; }
		grep -qF "$fi: $what" "$tmp/err" || fail "no '$fi: $what' in: $(head -c 300 "$tmp/err" | cat -v)"
		clean "$fi $mode"
	done
done
test -e out.bin && bad "an output was written for an input that is not one" || ok "no output for inputs pmufc does not read"
# Text with a stray NUL is still a policy where one is compiled (the
# scanner locates it), and no control byte reaches the terminal.
printf 'allow x86 select=0xc4;\000deny x86 select=0xc5;\n' >nul.pf
expect 65 "nul.pf: compile" "$P" --target intel nul.pf -o out.bin
has "$tmp/err" "nul.pf:1:23: error: unexpected character" "nul.pf: the scanner locates the NUL"

# --- the vendor hints ---------------------------------------------------------------
# Read without --target, an x86 filter follows this host's rules; the
# other vendor's content says so.
: >empty.pf
host=$("$P" -v empty.pf -o /dev/null 2>&1 | sed -n 's/^pmufc: empty.pf: \([a-z0-9]*\),.*/\1/p')
note "this host's rules: ${host:-none}"
printf 'default deny;\nallow amd select=0x1c2 umask=0x01;\n' >amd.pf
"$P" --target amd amd.pf -o amd.bin && "$P" --target amd amd.pf --format qemu -o amd.json ||
	bail "cannot compile amd.pf"
printf 'default deny;\nallow intel select=0xc0 umask=0x00;\nallow fixed 0x3;\n' >intel.pf
"$P" --target intel intel.pf -o intel.bin && "$P" --target intel intel.pf --format qemu -o intel.json ||
	bail "cannot compile intel.pf"
case $host in
intel) other=amd hint="is it an AMD filter? give --target amd" ;;
amd) other=intel hint="is it an Intel filter? give --target intel" ;;
*) other= ;;
esac
if test -n "$other"; then
	for fi in $other.bin $other.json; do
		# (--stats of QEMU JSON shows both vendors: no hint there.)
		for mode in -d --stats compile; do
			case $fi:$mode in *.json:--stats) continue ;; esac
			case $mode in compile) set -- "$fi" -o out.bin ;; *) set -- $mode "$fi" ;; esac
			run "$P" "$@"
			has "$tmp/err" "$hint" "$fi $mode without --target on a $host host: the hint"
			run "$P" --target $other "$@"
			hasnt "$tmp/err" "is it an" "$fi $mode --target $other: no hint"
		done
	done
	run "$P" -d $host.bin
	hasnt "$tmp/err" "is it an" "$host.bin on a $host host: no hint"
	if test $host = intel; then
		# Masked AMD entries with select bits 35:32: Intel's rules refuse
		# the filter outright, and the refusal says what it likely is.
		printf 'target amd;\ndefault deny;\nallow amd select=0x1c0 mask=0xf0 match=0x10;\nallow amd select=0x1c1 mask=0xf0 match=0x20;\n' >amd-masked.pf
		"$P" --abi masked amd-masked.pf -o amd-masked.bin 2>/dev/null || bail "cannot compile amd-masked.pf"
		run "$P" -d amd-masked.bin
		if test "$st" = 65; then has "$tmp/err" "is it an AMD filter? give --target amd" "a masked AMD filter refused by Intel's rules: the note says what it is"
		else bad "a masked AMD filter on an Intel-rules host: exit $st, expected 65"; fi
	fi
else
	skipcase "vendor hints" "this host has no x86 rules"
fi

finish
