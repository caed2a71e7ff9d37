#!/bin/sh
# tests/fuzz/make-corpus.sh - (re)makes the seed corpora from the test
# policies; run by hand from the top of a built tree, then review and
# commit tests/fuzz/corpus-*:
#
#   sh tests/fuzz/make-corpus.sh [PMUFC]
#
# corpus-policy/  the test and shipped policies (at most 4 KiB each) and a
#                 few hand-written edge cases (includes of the fuzz
#                 target's private files, NUL bytes, long numbers);
# corpus-blob/    those policies compiled for Intel, AMD and arm64, and a
#                 few hand-made filters the kernel refuses;
# corpus-import/  tests/interop's QEMU JSON and arm64 strings (good and
#                 bad), and some of the blobs written as QEMU JSON (both
#                 shapes) and as kvmtool and QEMU arm64 strings;
# corpus-bundle/  bundle indexes: two of the shipped bundles' (x86 and
#                 arm64, from the built tree), tests/bundles-cases' good
#                 and malformed ones, and a few hand-written ones.
# Not run by `make`: the corpora are data, kept small on purpose (libFuzzer
# grows its own working copy under tests/fuzz/work/).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
pmufc=${1:-$top/pmufc}
pc=$top/tests/fuzz/corpus-policy
bc=$top/tests/fuzz/corpus-blob
ic=$top/tests/fuzz/corpus-import
kc=$top/tests/fuzz/corpus-bundle
rm -rf "$pc" "$bc" "$ic" "$kc"
mkdir -p "$pc" "$bc" "$ic" "$kc"

for f in "$top"/tests/golden/*.pf "$top"/tests/reject/*.pf "$top"/tests/arm64/*.pf \
	"$top"/tests/decide/*.pf "$top"/tests/selftest/*.pf "$top"/policies/*.pf; do
	test -f "$f" || continue
	test "$(wc -c <"$f")" -le 4096 || continue
	name=$(basename "$(dirname "$f")")-$(basename "$f")
	cp "$f" "$pc/$name"
done

# Hand-written: the fuzz target's private include files, and hostile bits.
printf 'include "b.pf";\nallow x86 select=0xd0 mask=0x7c match=0x00;\n' >"$pc/hand-include.pf"
printf 'include "self.pf";\ninclude "loop1.pf";\ninclude "bad.pf";\n' >"$pc/hand-include-cycle.pf"
printf 'include "d0.pf";\ninclude "fuzz.pf";\ninclude "missing.pf";\n' >"$pc/hand-include-deep.pf"
printf 'target amd;\ninclude "x86.pf";\ninclude "arm.pf";\n' >"$pc/hand-include-target.pf"
printf 'allow x86 select=0xc4;\000deny x86 select=0xc5;\n' >"$pc/hand-nul.pf"
printf 'allow x86 select=%s;\nallow x86 select=0x%s;\n' \
	1234567890123456789012345678901234567890 ffffffffffffffffffffffffffffffff >"$pc/hand-long-numbers.pf"
printf 'allow x86 select={{{{{{{{{{0x1}}}}}}}}};\n' >"$pc/hand-braces.pf"
printf 'cpu skylake;\nallow event INST_RETIRED.ANY;\ndeny event cycles;\n' >"$pc/hand-cpu-intel.pf"
printf 'cpu amdzen4;\nallow event ex_ret_instr;\n' >"$pc/hand-cpu-amd.pf"
printf 'cpu neoverse-n1;\ntarget arm64;\nallow event INST_RETIRED;\nallow arm {0x11,0x8-0x10};\n' \
	>"$pc/hand-cpu-arm.pf"
printf 'deny fixed 0xffffffff;\nallow intel raw 0xf000000ff;\nallow amd raw 0xf0000ffff;\n' >"$pc/hand-raw-fixed.pf"
printf 'allow x86 select=0b101 umask=0b1-0b11111111, select=* umask=0x00;\n' >"$pc/hand-binary.pf"

# Blobs: every policy that compiles, for each target.
for f in "$pc"/*.pf; do
	n=$(basename "$f" .pf)
	for t in intel amd arm64; do
		(cd "$pc" && "$pmufc" --cpu generic --target $t -w "$(basename "$f")" -o "$bc/$n.$t.bin") \
			>/dev/null 2>&1 || rm -f "$bc/$n.$t.bin"
	done
done
# Identical blobs once.
for f in "$bc"/*.bin; do
	test -f "$f" || continue
	for g in "$bc"/*.bin; do
		test "$g" != "$f" && test -f "$g" && cmp -s "$f" "$g" && rm -f "$g"
	done
done

# Hand-made x86 headers: u32 action, nevents, fixed_counter_bitmap, flags, pad[4].
hdr() { printf "$(printf '\\%03o' "$@")"; }
le32() { v=$1; hdr $((v & 255)) $((v >> 8 & 255)) $((v >> 16 & 255)) $((v >> 24 & 255)); }
{ le32 2; le32 0; le32 0; le32 0; le32 0; le32 0; le32 0; le32 0; } >"$bc/hand-bad-action.bin"
{ le32 0; le32 0; le32 0; le32 2; le32 0; le32 0; le32 0; le32 0; } >"$bc/hand-bad-flags.bin"
{ le32 1; le32 301; le32 0; le32 0; le32 0; le32 0; le32 0; le32 0; } >"$bc/hand-too-many.bin"
{ le32 0; le32 1; le32 7; le32 1; le32 0; le32 0; le32 0; le32 0; le32 0x1c4; le32 0x00800010; } \
	>"$bc/hand-masked-badbits.bin"
{ le32 1; le32 2; le32 0; le32 0; le32 9; le32 0; le32 0; le32 0; le32 0xc4; le32 0; le32 0x10000c5; le32 1; } \
	>"$bc/hand-plain-dropped.bin"
{ le32 0; le32 3; le32 0; le32 0; le32 0; le32 0; le32 0; le32 0; le32 0x1c4; } >"$bc/hand-truncated.bin"
# 300 and 301 entries with the size to match: KVM's limit, and one past it.
for n in 300 301; do
	{ le32 1; le32 $n; le32 0; le32 0; le32 0; le32 0; le32 0; le32 0
	  i=0; while test $i -lt $n; do le32 $((i & 255 | (i & 255) << 8)); le32 0; i=$((i + 1)); done
	} >"$bc/hand-n$n.bin"
done
# arm64 records: u16 base, u16 nevents, u8 action, pad[3].
{ hdr 0 0 255 255 0 0 0 0; hdr 17 0 1 0 1 0 0 0; hdr 0 4 0 252 1 0 0 0; } >"$bc/hand-arm.bin"
{ hdr 255 255 2 0 0 0 0 0; } >"$bc/hand-arm-past-end.bin"
{ hdr 0 0 1 0 2 0 0 0; } >"$bc/hand-arm-bad-action.bin"
# DENY records with no zero byte (pad included): still a filter, not text.
{ hdr 17 1 1 1 1 65 66 67; hdr 35 4 2 1 1 255 254 253; } >"$bc/hand-arm-no-zero.bin"
# Two plain entries and 7 bytes after them, which KVM never reads.
{ le32 1; le32 2; le32 0; le32 0; le32 0; le32 0; le32 0; le32 0; le32 0xc4; le32 0; le32 0x1c5; le32 0
  hdr 106 117 110 107 0 1 2; } >"$bc/hand-trailing.bin"

# Imports: tests/interop's inputs, then blobs written in the foreign formats.
for f in "$top"/tests/interop/seeds/*.json "$top"/tests/interop/seeds/*.arm \
	"$top"/tests/interop/bad/*.json "$top"/tests/interop/bad/*.arm; do
	test -f "$f" || continue
	cp "$f" "$ic/$(basename "$(dirname "$f")")-$(basename "$f")"
done
for b in golden-masked-choice.intel golden-stars.amd golden-fixed.intel golden-raw.amd decide-scopes.intel; do
	test -f "$bc/$b.bin" || continue
	t=${b##*.}
	for fmt in qemu qemu-rfc; do
		"$pmufc" --target "$t" --format $fmt -d "$bc/$b.bin" -o "$ic/$b.$fmt.json" 2>/dev/null ||
			rm -f "$ic/$b.$fmt.json"
	done
done
for b in "$bc"/arm64-*.arm64.bin; do
	test -f "$b" || continue
	n=$(basename "$b" .bin)
	"$pmufc" --target arm64 --format kvmtool -d "$b" -o "$ic/$n.kvmtool" 2>/dev/null || rm -f "$ic/$n.kvmtool"
	"$pmufc" --target arm64 --format qemu-arm -d "$b" -o "$ic/$n.qemu-arm" 2>/dev/null || rm -f "$ic/$n.qemu-arm"
done

# Bundle indexes: the shipped ones, tests/bundles-cases', then by hand
# (every target, generic and left-out entries, MIDR lists, comments, and
# the faults of each field).
for b in tier-standard arm64-architectural; do
	test -f "$top/policies/$b/index" && cp "$top/policies/$b/index" "$kc/shipped-$b.index"
done
for f in "$top"/tests/bundles-cases/*.index; do
	test -f "$f" || continue
	cp "$f" "$kc/cases-$(basename "$f")"
done
m='pmufc-bundle 1\n'
printf "$m"'# intel: by stepping, then without it; a left-out model\n\nintel\tcascadelakex\tGenuineIntel-6-55-[56789ABCDEF]\tc.bin\nintel\tskylakex\tGenuineIntel-6-55-[01234]\ts.bin\nintel\tskylake\tGenuineIntel-6-(4E|5E|8E|9E|A5|A6)\ta.bin\nintel\tsapphirerapids\tGenuineIntel-6-(8F|CF)\t-\nintel\tgeneric\t*\tintel.generic.bin\n' \
	>"$kc/hand-intel.index"
# A pattern without the stepping before one with it: the stepping wins.
printf "$m"'intel\tskylakex\tGenuineIntel-6-55\ts.bin\nintel\tcascadelakex\tGenuineIntel-6-55-[56789ABCDEF]\tc.bin\n' \
	>"$kc/hand-stepping-first.index"
printf "$m"'amd\tamdzen2\tAuthenticAMD-23-[[:xdigit:]]+\tz2.bin\namd\tamdzen3\tAuthenticAMD-25-([245][[:xdigit:]]|[[:xdigit:]])\tz3.bin\namd\tamdzen4\tAuthenticAMD-25-[[:xdigit:]]+\tz4.bin\namd\tgeneric\t*\tamd.generic.bin\n' \
	>"$kc/hand-amd.index"
printf "$m"'# arm64: one MIDR, lists, a later variant of a left-out part\narm64\tneoverse-n1\t0x00000000410fd0c0\tn1.bin\narm64\tcortex-a53\t(0x00000000410fd030|0x00000000420f1000)\ta53.bin\narm64\tcortex-a57-a72\t(0x00000000410fd070|0x00000000410fd080)\t-\narm64\tneoverse-v1\t0x410FD400\tv1.bin\narm64\tgeneric\t*\tarm64.generic.bin\n' \
	>"$kc/hand-arm64.index"
printf "$m"'# every target, files shared\nintel\tskylake\tGenuineIntel-6-(4E|5E|8E|9E|A5|A6)\tx.bin\nintel\tgeneric\t*\tx.bin\namd\tamdzen4\tAuthenticAMD-25-[[:xdigit:]]+\tx.bin\namd\tgeneric\t*\tg.bin\narm64\tneoverse-n1\t0x00000000410fd0c0\ta.bin\narm64\tgeneric\t*\tg.bin\n' \
	>"$kc/hand-all.index"
printf "$m"'intel\tgeneric\t*\tg.bin\n' >"$kc/hand-generic-only.index"
printf "$m"'amd\tamdzen1\tAuthenticAMD-23-([12][0-9A-F]|[0-9A-F])\t-\n#\n\n' >"$kc/hand-no-generic.index"
printf "$m"'intel\tskylake\tGenuineIntel-6-8E\ta.bin' >"$kc/hand-no-newline.index"
printf "$m"'arm64\tx\t(0x1|0x2|0x3|0x4|0x5|0x6|0x7|0x8|0x9|0xa|0xb|0xc|0xd|0xe|0xf|0x10)\ta.bin\n' \
	>"$kc/hand-midrs-16.index"
printf "$m"'arm64\tx\t0x10000000000000000\ta.bin\n' >"$kc/hand-midr-17-digits.index"
printf "$m"'intel\tskylake\tGenuineIntel-6-8E\t..\n' >"$kc/hand-dotdot.index"
printf "$m"'intel\tskylake\tGenuineIntel-6-8E\ta/b.bin\n' >"$kc/hand-slash.index"
printf "$m"'intel\tSkylake\tGenuineIntel-6-8E\ta.bin\nintel\tskylake\tGenuineIntel-6-9E\tb.bin\n' \
	>"$kc/hand-case-twin.index"
printf "$m"'intel\tx\t((((a*)*)*)*)*\ta.bin\nintel\ty\t[[:alpha:]\ta.bin\n' >"$kc/hand-regex.index"

echo "corpus-policy: $(ls "$pc" | wc -l) files, $(cat "$pc"/* | wc -c) bytes"
echo "corpus-blob: $(ls "$bc" | wc -l) files, $(cat "$bc"/* | wc -c) bytes"
echo "corpus-import: $(ls "$ic" | wc -l) files, $(cat "$ic"/* | wc -c) bytes"
echo "corpus-bundle: $(ls "$kc" | wc -l) files, $(cat "$kc"/* | wc -c) bytes"
