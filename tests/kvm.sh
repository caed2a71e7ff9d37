#!/bin/sh
# tests/kvm.sh - the real kernel takes every filter the corpus produces.
#
# The target is the one `pmufc --probe` gives for this host's KVM (whose
# event-select rules the loaded KVM module applies, probed: kvm_pvm on an
# AMD CPU applies Intel's), and kvm-load --vendor must say the same.  For
# it, with --abi auto and --abi masked, it compiles every policy of
# tests/golden, tests/decide and tests/selftest, the shipped policies
# (policies/*.pf whose '# targets:' line names it) and the catalogue
# allow-lists (for every model of that vendor, all its documented events
# allowed, as bench/run makes them); builds the selftest's own filters; and
# hands them all to kvm-load, which sets each on a scratch VM with
# KVM_SET_PMU_EVENT_FILTER (a kernel without KVM_CAP_PMU_EVENT_MASKED_EVENTS
# must refuse the masked ones with EINVAL, and take the others) and then
# checks what the kernel must refuse.  For a few filters of each kind,
# `pmufc --probe FILE` must predict exactly what the kernel did (exit 0 and
# "accepted", or exit 65 and "refused").  Skips (77) without a usable
# /dev/kvm.
#
#   kvm.sh --compile TARGET DIR   only compiles the corpus for TARGET into
#                                 DIR (no KVM needed)
#   KVM_BLOBS=DIR kvm.sh          takes the filters from DIR/TARGET, made so
#                                 (TARGET: the probed one), instead of
#                                 compiling them here
# tests/x86/corpus.sh compiles on the build machine and runs the rest inside
# Debian's 6.1 and 6.12 kernels (kvm-amd under TCG, where every program
# start is slow).  KVM_MODELS (names of --list-cpus, space-separated)
# limits the catalogue.
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")" && pwd)}"
. "$TESTS_SRCDIR/lib.sh"
kvmload=$TESTS_BUILDDIR/kvm-load
blobtool=$TESTS_BUILDDIR/blobtool
policies=$TESTS_SRCDIR/../policies

# compile SOURCE NAME [ARGS...]: SOURCE for $t, both ABIs, into
# $blobs/NAME.ABI.bin; a refusal is a failure unless $errok exists.
errok=
compile() {
	_src=$1 _name=$2
	shift 2
	for abi in auto masked; do
		if ! "$PMUFC" -w --cpu generic --target "$t" --abi $abi "$@" "$_src" \
		    -o "$blobs/$_name.$abi.bin" 2>"$tmp/err"; then
			rm -f "$blobs/$_name.$abi.bin"
			test -n "$errok" && test -f "$errok" && continue
			fail "$_src does not compile for $t --abi $abi:"
			show "$tmp/err"
		fi
	done
}

# compile_corpus: everything, for $t, into $blobs.
compile_corpus() {
	for set in golden decide selftest; do
		for pf in "$TESTS_SRCDIR/$set"/*.pf; do
			name=$(basename "$pf" .pf)
			args=
			test -f "$TESTS_SRCDIR/$set/$name.args" && args=$(cat "$TESTS_SRCDIR/$set/$name.args")
			# Refusals the golden tests expect are no kernel matter.
			errok=$TESTS_SRCDIR/$set/$name.$t.err
			# shellcheck disable=SC2086 # args are words
			compile "$pf" "$set-$name" $args
		done
	done
	errok=
	# The shipped policies, for the targets they are written for.
	for pf in "$policies"/*.pf; do
		test -f "$pf" || continue
		case " $(sed -n 's/^#[[:space:]]*targets:[[:space:]]*//p' "$pf" | head -n 1) " in
		*" $t "*) compile "$pf" "policies-$(basename "$pf" .pf)" ;;
		esac
	done
	# The catalogue: every documented event of each model allowed
	# (bench/run's events/all-MODEL).
	mkdir -p "$tmp/catalogue" || bail "cannot make $tmp/catalogue"
	models=${KVM_MODELS:-$("$PMUFC" --list-cpus | awk -v t="$t" '$2 == t { print $1 }')}
	for m in $models; do
		"$PMUFC" --cpu "$m" --list-events >"$tmp/catalogue/$m.txt" || {
			fail "--cpu $m --list-events"
			continue
		}
		awk -v v="$t" -v m="$m" '
		    BEGIN { print "# every documented event of " m ", allowed"; print "target " v ";"; print "default deny;" }
		    /select=/ { s = ""; u = ""
		        for (i = 2; i <= NF; i++) { if ($i ~ /^select=/) s = $i; if ($i ~ /^umask=/) u = $i }
		        print "allow " v " " s " " u ";" }' "$tmp/catalogue/$m.txt" >"$tmp/catalogue/all-$m.pf"
		compile "$tmp/catalogue/all-$m.pf" "catalogue-all-$m"
	done
	# The selftest's own filters.
	test -x "$blobtool" || { fail "no $blobtool (make check builds it)"; return; }
	for tbl in "$TESTS_SRCDIR"/selftest/*.tbl; do
		name=$(basename "$tbl" .tbl)
		i=0
		while read -r key ft rest; do
			test "$key" = filter && test "$ft" = "$t" || continue
			i=$((i + 1))
			# shellcheck disable=SC2086
			"$blobtool" make "$blobs/literal-$name.$i.bin" $rest </dev/null || fail "$tbl: bad filter line"
		done <"$tbl"
	done
}

if test "${1:-}" = --compile; then
	test $# = 3 || bail "usage: kvm.sh --compile TARGET DIR"
	t=$2 blobs=$3
	mkdir -p "$blobs" || bail "cannot make $blobs"
	begin "the corpus compiles for $t"
	compile_corpus
	note "$(ls "$blobs" | wc -l) filters compiled for $t"
	finish
fi

test -x "$kvmload" || bail "no $kvmload (make check builds it)"
# Without /dev/kvm there is nothing to compile for.
"$kvmload" >"$tmp/probe" 2>&1
rc=$?
test $rc = 77 && skip_all "$(head -n 1 "$tmp/probe")"

"$PMUFC" --probe >"$tmp/pmufc-probe" 2>&1
show "$tmp/pmufc-probe" 100
t=$(sed -n 's/^host: \([a-z0-9]*\).*/\1/p' "$tmp/pmufc-probe")
case $t in
intel | amd) ;;
*) skip_all "this host's KVM takes no x86 filters (pmufc --probe: host: $t)" ;;
esac
begin "kvm-load --vendor agrees with pmufc --probe"
v=$("$kvmload" --vendor)
test "$v" = "$t" || fail "pmufc --probe says the host takes $t filters, kvm-load --vendor $v"
masked=$(sed -n 's/^KVM_CAP_PMU_EVENT_MASKED_EVENTS ([^)]*): //p' "$tmp/pmufc-probe")
if test -n "${KVM_BLOBS:-}"; then
	blobs=$KVM_BLOBS/$t
	note "kvm: filters for $t from $blobs (masked events: ${masked:-?})"
	if ! test -d "$blobs"; then
		bad "no filters compiled for $t in $KVM_BLOBS"
		finish
	fi
else
	blobs=$tmp/blobs
	mkdir "$blobs" || bail "cannot make $blobs"
	note "kvm: compiling for $t (masked events: ${masked:-?})"
	begin "the corpus compiles for $t"
	compile_corpus
fi

# One case per filter (taken, or refused as it must be), and per refusal
# kvm-load checks on its own.
"$kvmload" "$blobs"/*.bin >"$tmp/load" 2>&1
rc=$?
test $rc = 77 && skip_all "$(grep SKIP "$tmp/load" | head -n 1)"
while IFS= read -r l; do
	case $l in
	"taken "* | "refused "*) ok "$l" ;;
	"FAIL "*) bad "${l#FAIL }" ;;
	*) note "$l" ;;
	esac
done <"$tmp/load"
verdict $rc "kvm-load: the kernel took the corpus as expected" "kvm-load: exit $rc, the kernel did not take the corpus as expected"

# --probe predicts the kernel: for the shipped policies, the first model of
# the catalogue and the first few of the test sets, masked and plain.
probe_set=$(ls "$blobs"/policies-*.bin "$blobs"/catalogue-*.bin 2>/dev/null | head -n 16)
for abi in auto masked; do
	probe_set="$probe_set $(ls "$blobs"/golden-*.$abi.bin "$blobs"/decide-*.$abi.bin | head -n 3)"
done
nprobe=0
for f in $probe_set; do
	kernel=$(awk -v f="$f" '$2 == f || $2 == f ":" { print $1; exit }' "$tmp/load")
	"$PMUFC" --target "$t" --probe "$f" >"$tmp/p" 2>&1
	prc=$?
	case $prc:$(grep -c '^accepted' "$tmp/p"):$(grep -c '^refused' "$tmp/p") in
	0:1:0) said=taken ;;
	65:0:1) said=refused ;;
	*) said="exit $prc" ;;
	esac
	begin "pmufc --probe $(basename "$f") predicts the kernel"
	nprobe=$((nprobe + 1))
	if test "$said" != "$kernel"; then
		fail "pmufc --probe $(basename "$f"): $said, the kernel: ${kernel:-no answer}"
		show "$tmp/p"
	fi
done
note "kvm: pmufc --probe predicted the kernel on $nprobe filters"
finish
