#!/bin/sh
# tests/kvm.sh - the real kernel takes every filter the corpus produces.
#
# Compiles every policy of tests/golden, tests/decide and tests/selftest
# for this host's vendor (--abi auto and --abi masked), builds the
# selftest's own filters, and hands them all to kvm-load, which sets each
# on a scratch VM with KVM_SET_PMU_EVENT_FILTER and then checks what the
# kernel must refuse.  Skips (77) without a usable /dev/kvm.
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")" && pwd)}"
. "$TESTS_SRCDIR/lib.sh"
kvmload=$TESTS_BUILDDIR/kvm-load
blobtool=$TESTS_BUILDDIR/blobtool
test -x "$kvmload" || { echo "kvm: ERROR: no $kvmload (make check builds it)"; exit 99; }

t=$("$kvmload" --vendor)
case $t in
intel | amd) ;;
*) echo "kvm: SKIP: this host is neither Intel nor AMD"; exit 77 ;;
esac
# Without /dev/kvm there is nothing to compile for.
"$kvmload" >"$tmp/probe" 2>&1
rc=$?
if test $rc = 77; then
	cat "$tmp/probe"
	exit 77
fi

mkdir "$tmp/blobs" || exit 99
for set in golden decide selftest; do
	for pf in "$TESTS_SRCDIR/$set"/*.pf; do
		name=$(basename "$pf" .pf)
		args=
		test -f "$TESTS_SRCDIR/$set/$name.args" && args=$(cat "$TESTS_SRCDIR/$set/$name.args")
		for abi in auto masked; do
			out=$tmp/blobs/$set-$name.$abi.bin
			# shellcheck disable=SC2086 # args are words
			if ! "$PMUFC" -w --cpu generic --target "$t" --abi $abi $args "$pf" -o "$out" 2>"$tmp/err"; then
				# Refusals the golden tests expect are no kernel matter.
				test -f "$TESTS_SRCDIR/$set/$name.$t.err" && continue
				fail "$set/$name.pf does not compile for $t --abi $abi:"
				cat "$tmp/err"
			fi
		done
	done
done
# The selftest's own filters.
if test -x "$blobtool"; then
	for tbl in "$TESTS_SRCDIR"/selftest/*.tbl; do
		name=$(basename "$tbl" .tbl)
		i=0
		while read -r key ft rest; do
			test "$key" = filter && test "$ft" = "$t" || continue
			i=$((i + 1))
			# shellcheck disable=SC2086
			"$blobtool" make "$tmp/blobs/literal-$name.$i.bin" $rest </dev/null || fail "$tbl: bad filter line"
		done <"$tbl"
	done
fi

ncase=$(ls "$tmp/blobs" | wc -l)
"$kvmload" "$tmp"/blobs/*.bin
rc=$?
test $rc = 77 && exit 77
test $rc = 0 || fail "the kernel did not take the corpus as expected (see above)"
finish
