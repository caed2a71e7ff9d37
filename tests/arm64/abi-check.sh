#!/bin/sh
# tests/arm64/abi-check.sh - compile abi-check.c with the aarch64 cross
# compiler against Debian's arm64 uapi headers (linux-libc-dev-arm64-cross)
# and the project's src/kernel/blob_arm64.h: the arm64 struct kvm_pmu_event_filter
# layout and attribute numbers pmufc writes must be the kernel's.
# Compile-only.  Skipped (77) without aarch64-linux-gnu-gcc or the headers.

pf_test_name=abi-check
pf_no_pmufc=1
here=$(cd "$(dirname "$0")" && pwd) || exit 99
top=$(cd "$here/../.." && pwd) || exit 99
: "${TESTS_SRCDIR:=$top/tests}"
. "$TESTS_SRCDIR/lib.sh"
CC_ARM64=${CC_ARM64:-aarch64-linux-gnu-gcc}

command -v "$CC_ARM64" >/dev/null 2>&1 ||
    skip_all "$CC_ARM64 not found (apt-get install gcc-aarch64-linux-gnu)"
printf '#include <asm/kvm.h>\n' | "$CC_ARM64" -E -x c - >/dev/null 2>&1 ||
	skip_all "no arm64 <asm/kvm.h> (apt-get install linux-libc-dev-arm64-cross)"

hdr=$(printf '#include <asm/kvm.h>\n' | "$CC_ARM64" -E -x c - | sed -n 's/^# [0-9]* "\(.*asm\/kvm\.h\)".*/\1/p' | head -n 1)
flags="-std=c11 -Wall -Wextra -Werror -I$top/src"
if test -f "$top/src/kernel/blob_arm64.h"; then
	what="struct kvm_pmu_event_filter and src/kernel/blob_arm64.h"
else
	what="struct kvm_pmu_event_filter (no src/kernel/blob_arm64.h)"
fi
begin "$what match $hdr"
# shellcheck disable=SC2086
if ! "$CC_ARM64" $flags -c -o "$tmp/abi-check.o" "$here/abi-check.c" 2>"$tmp/cc.log"; then
	fail "the arm64 filter ABI differs from $hdr"
	show "$tmp/cc.log" 100
fi
# shellcheck disable=SC2086
begin "a false static assertion does not compile (the check checks something)"
if "$CC_ARM64" $flags -DABI_CHECK_MUST_FAIL -c -o "$tmp/must-fail.o" "$here/abi-check.c" 2>/dev/null; then
	fail "a false static assertion compiled: the check checks nothing"
fi
finish
