#!/bin/sh
# tests/arm64/kvm-arm64.sh - pmufc's arm64 filters against a real arm64 KVM.
#
# These machines are x86, so the arm64 kernel runs in qemu-system-aarch64
# (TCG, virtualization=on: Debian's arm64 kernel boots at EL2 with KVM, and
# -icount makes QEMU's emulated PMUv3 count INST_RETIRED).  Its initramfs
# holds /init = vmm.c (a static aarch64 VMM) and one record file per policy
# tests/arm64/*.pf, compiled by `$PMUFC --target arm64`, plus a few
# hand-made record files.  The VMM runs one VM per file (and one without a
# filter), applies the records in order before KVM_ARM_VCPU_PMU_V3_INIT,
# and prints what the guest counted: INST_RETIRED (0x08) on an event
# counter, CPU_CYCLES (0x11) on another and the cycle counter PMCCNTR.
#
# Each policy says what must happen in a comment line:
#     # expect: inst=0 cycles>0 ccnt>0
# and the kernel's counts must agree with `$PMUFC --check` on the compiled
# file; PMCEID0 (the events the guest sees) must agree with the counts too.
#
# The same initramfs boots under each of Debian's arm64 kernels in
# $PMUFC_ARM64_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/pmufc-arm64:
# 6.1 and 6.12, each in its folder), or only $PMUFC_ARM64_KERNEL; the
# output says which ran.  Needs qemu-system-aarch64 (qemu-system-arm),
# aarch64-linux-gnu-gcc with the arm64 libc and uapi headers, cpio and at
# least one kernel: tests/arm64/setup.sh fetches all of it.  Without them,
# or with PMUFC_ARM64_SKIP=1, or when pmufc has no arm64 target, the test
# is skipped (exit 77).  PMUFC_ARM64_TIMEOUT (seconds,
# default 300) bounds the boot; PMUFC_ARM64_KEEP=1 keeps the work folder.
# Exit 0: all agree; 1: a mismatch; 99: a hard error.

pf_test_name=kvm-arm64
here=$(cd "$(dirname "$0")" && pwd) || exit 99
: "${TESTS_SRCDIR:=$(cd "$here/.." && pwd)}"
. "$TESTS_SRCDIR/lib.sh"
. "$here/boot.sh"
case $PMUFC in /*) ;; *) PMUFC=$(pwd)/$PMUFC ;; esac
CC_ARM64=${CC_ARM64:-aarch64-linux-gnu-gcc}

skip() {
	skip_all "$*"
}

test "${PMUFC_ARM64_SKIP:-0}" = 1 && skip "PMUFC_ARM64_SKIP=1"
for tool in qemu-system-aarch64 "$CC_ARM64" cpio timeout; do
	command -v "$tool" >/dev/null 2>&1 ||
	    skip "$tool not found (run tests/arm64/setup.sh, or apt-get install qemu-system-arm gcc-aarch64-linux-gnu libc6-dev-arm64-cross linux-libc-dev-arm64-cross cpio)"
done
kernels=$(arm64_kernels)
test -n "$kernels" || skip "no arm64 kernel Image in ${PMUFC_ARM64_KERNEL:-$arm64_cache/*/} (run tests/arm64/setup.sh)"

if test "${PMUFC_ARM64_KEEP:-0}" = 1; then
	note "$me: work folder $tmp"
	trap - EXIT
fi
stage=$tmp/stage
mkdir -p "$stage/dev" "$stage/proc" "$stage/filters" || bail "cannot make the stage"

# Does this pmufc know arm64 at all?
printf 'allow arm 0x11;\n' >"$tmp/probe.pf"
if ! "$PMUFC" --target arm64 "$tmp/probe.pf" -o "$tmp/probe.bin" >"$tmp/probe.log" 2>&1; then
	show "$tmp/probe.log"
	skip "$PMUFC does not support --target arm64"
fi

# The VMM.
if ! "$CC_ARM64" -static -O2 -Wall -o "$stage/init" "$here/vmm.c" >"$tmp/cc.log" 2>&1; then
	printf 'int main(void) { return 0; }\n' >"$tmp/hello.c"
	if ! "$CC_ARM64" -static -o "$tmp/hello" "$tmp/hello.c" >/dev/null 2>&1; then
		skip "$CC_ARM64 cannot build static programs (libc6-dev-arm64-cross missing?)"
	fi
	show "$tmp/cc.log" 100
	bail "vmm.c does not build"
fi

# The cases: NAME<TAB>EXPECT<TAB>SOURCE, one line each.
cases=$tmp/cases
: >"$cases"
for pf in "$here"/*.pf; do
	name=$(basename "$pf" .pf) cur=$name
	expect=$(sed -n 's/^#[[:space:]]*expect:[[:space:]]*//p' "$pf" | head -n 1)
	if test -z "$expect"; then
		fail "$name.pf has no '# expect:' line"
		continue
	fi
	if ! "$PMUFC" --target arm64 "$pf" -o "$stage/filters/$name.bin" >"$tmp/$name.log" 2>&1; then
		fail "$name: pmufc --target arm64 failed"
		show "$tmp/$name.log"
		rm -f "$stage/filters/$name.bin"
		continue
	fi
	printf '%s\t%s\t%s\n' "$name" "$expect" "pf" >>"$cases"
done

# Hand-made records, independent of pmufc: they check the VMM and the
# kernel's rules (the first record sets the default, later ones overwrite
# their range in order, out-of-range records are refused).
# rec BASE NEVENTS ACTION: one little-endian record on stdout.
# The octal escapes are built into the format on purpose.
# shellcheck disable=SC2059
rec() {
	printf "\\$(printf %03o $(($1 & 255)))\\$(printf %03o $(($1 >> 8)))"
	printf "\\$(printf %03o $(($2 & 255)))\\$(printf %03o $(($2 >> 8)))"
	printf "\\$(printf %03o "$3")\\000\\000\\000"
}
hand() { # NAME EXPECT RECORD...
	name=$1 expect=$2
	shift 2
	: >"$stage/filters/$name.bin"
	while test $# -gt 0; do
		# shellcheck disable=SC2086
		rec $1 >>"$stage/filters/$name.bin"
		shift
	done
	printf '%s\t%s\t%s\n' "$name" "$expect" "hand" >>"$cases"
}
hand hand-allow-then-deny "inst=0 cycles>0 ccnt>0" "0x00 0x40 0" "0x08 1 1"
hand hand-deny-then-allow "inst>0 cycles>0 ccnt>0" "0x08 1 1" "0x00 0x40 0"
hand hand-allow-other "inst=0 cycles=0 ccnt=0" "0x3ff 1 0"
hand hand-deny-other "inst>0 cycles>0 ccnt>0" "0x3ff 1 1"
hand hand-out-of-range "error=KVM_ARM_VCPU_PMU_V3_FILTER[1]:EINVAL" "0x11 1 0" "0xffff 2 0"
hand hand-bad-action "error=KVM_ARM_VCPU_PMU_V3_FILTER[0]:EINVAL" "0x11 1 2"
printf '%s\t%s\t%s\n' none "inst>0 cycles>0 ccnt>0" vmm >>"$cases"

(cd "$stage" && find . | cpio -o -H newc -R 0:0 --quiet) >"$tmp/initrd" || bail "cpio failed"

# field LINE KEY: set val to the value of KEY=... in LINE (no fork).
field() {
	case " $1 " in
	*" $2="*) val=${1#* "$2"=} val=${val%% *} ;;
	*) val= ;;
	esac
}

hard=0    # kernels whose VMM did not finish
ran=      # the kernels that did
# run_kernel KERNEL: boot it with the initramfs and check every case.
run_kernel() {
	kernel=$1 rel=$(arm64_release "$1")
	note "$me: kernel $rel: booting $kernel with $(grep -c . "$cases") cases"
	start=$(date +%s)
	boot_arm64 "$kernel" "$tmp/initrd" "$tmp/console.log"
	qrc=$?
	end=$(date +%s)
	note "$me: kernel $rel: qemu exited $qrc after $((end - start)) s"
	grep -a -e 'VHE mode' -e 'hw perfevents' "$tmp/console.log" | sed 's/^/#   /'
	if ! grep -q '^PMUFC-DONE' "$tmp/console.log"; then
		bad "kernel $rel: the VMM did not finish (console tail follows)"
		tail -n 40 "$tmp/console.log" | sed 's/^/#   /'
		hard=$((hard + 1))
		return
	fi
	ran="$ran $rel"
	grep -a '^PMUFC-\(VMM\|ERROR\)' "$tmp/console.log" | sed 's/^/#   /'
	nfail0=$nfail
	check_cases
	if test $nfail -ne $nfail0; then
		note "$me: kernel $rel: console log:"
		sed 's/^/#   | /' "$tmp/console.log" | tail -n 80
	fi
	note "$me: kernel $rel: boot and run $((end - start)) s"
}

# check_cases: each case's result on the console of kernel $rel.
tab=$(printf '\t')
check_cases() {
	while IFS=$tab read -r name expect source; do
		begin "$rel: $name: $expect"
		line=$(grep -a "^PMUFC-RESULT filter=$name " "$tmp/console.log" | head -n 1)
		printf '#   %-22s %s\n' "$name" "${line#PMUFC-RESULT filter="$name" }"
		if test -z "$line"; then
			fail "$name: no result"
			continue
		fi
		field "$line" error
		error=$val
		bad=
		for want in $expect; do
			case $want in
			error=*)
				test "$error" = "${want#error=}" || bad="$bad $want"
				continue ;;
			esac
			if test -n "$error"; then
				bad="$bad $want (got error=$error)"
				continue
			fi
			key=${want%%[=>]*}
			field "$line" "$key"
			got=$val
			case $want in
			*'>0') test "${got:-0}" -gt 0 || bad="$bad $want" ;;
			*=0) test "${got:-x}" = 0 || bad="$bad $want" ;;
			*) fail "$name: cannot read expectation '$want'"; continue ;;
			esac
		done
		if test -n "$bad"; then
			fail "$name: expected$bad"
			continue
		fi
		test -n "$error" && continue

		# PMCEID0 lists the events the filter lets the guest see: bit 8
		# (INST_RETIRED) and bit 17 (CPU_CYCLES) must agree with the counts.
		field "$line" pmceid0
		ceid=$((val))
		for pair in inst:8 cycles:17; do
			key=${pair%:*} bit=${pair#*:}
			field "$line" "$key"
			got=$val
			seen=$(((ceid >> bit) & 1))
			if test "$got" -gt 0 && test $seen = 0; then
				fail "$name: $key counts but PMCEID0 bit $bit is clear"
			elif test "$got" = 0 && test $seen = 1; then
				fail "$name: $key is 0 but PMCEID0 bit $bit is set"
			fi
		done

		# pmufc's own reading of the compiled records must match the kernel.
		test "$source" = pf || continue
		for pair in inst:0x08 cycles:0x11 ccnt:0x11; do
			key=${pair%:*} ev=${pair#*:}
			verdict=$("$PMUFC" --target arm64 --check "arm=$ev" "$stage/filters/$name.bin" 2>&1)
			field "$line" "$key"
			got=$val
			case $verdict in
			allow:*) test "$got" -gt 0 || fail "$name: pmufc --check says $ev counts, the kernel counted $key=$got" ;;
			deny:*) test "$got" = 0 || fail "$name: pmufc --check says $ev is denied, the kernel counted $key=$got" ;;
			*) fail "$name: pmufc --check arm=$ev: $verdict" ;;
			esac
		done
	done <"$cases"
}

# One path a line (a path may hold spaces).
ifs=$IFS
IFS='
'
for kernel in $kernels; do
	IFS=$ifs
	run_kernel "$kernel"
done
IFS=$ifs
note "$me: kernels ran:${ran:- none}"
test $hard -eq 0 || bail "$hard kernel(s) did not finish"
finish
