#!/bin/sh
# tests/loader/fail-closed.sh - nothing pmufc loads leaves a VM running
# without the filter it was asked to apply: a filter that is not for this
# host's KVM (the other architecture; the other x86 vendor's rules, as
# probed) is refused by `pmufc run` before the VMM starts, by the shim
# before KVM_CREATE_VM returns to the VMM, and by `--apply --pid` before
# anything is injected; --force-vendor (PMUFC_FORCE_VENDOR=1 for the shim)
# is the documented override, and -W (PMUFC_WERROR=1) makes its warning an
# error again.
#
# The refusals before anything starts need no KVM.  The shim's and the
# injection's need one: this host's /dev/kvm, or the real kernels of
# tests/x86/loader.sh, which runs this script inside them.  Where there is
# none, those cases are reported as skipped, by name.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/loader/lib.sh"

case $(uname -m) in x86_64) ;; *) skip_all "the cases are x86's" ;; esac

# skipped DESC: a case that cannot run here, said so.
skipped() {
	skipcase "no usable /dev/kvm" "$*"
}

kvm=no
{ true </dev/kvm; } 2>/dev/null && kvm=yes
host=$("$PMUFC" --probe 2>/dev/null | sed -n 's/^host: \([a-z0-9]*\).*/\1/p')
case $host in
intel) other=amd ;;
amd) other=intel ;;
*) skip_all "this host's target is '$host', neither intel nor amd" ;;
esac
echo "# host: $host (the other vendor: $other); /dev/kvm: $kvm"

# A VMM that leaves a mark when it starts, then is test-vmm.
VMM=$tmp/marking-vmm
cat >"$VMM" <<EOS
#!/bin/sh
echo started >"$tmp/started"
exec "$TESTVMM" "\$@"
EOS
chmod +x "$VMM"
started() {
	if test -e "$tmp/started"; then bad "$1: the VMM was started"; else ok "$1: the VMM was not started"; fi
	rm -f "$tmp/started"
}

printf 'default deny;\nallow arm 0x11;\n' >"$tmp/arm.pf"
"$PMUFC" --target arm64 "$tmp/arm.pf" -o "$tmp/arm.bin" || bail "arm.pf does not compile"
"$PMUFC" --target "$other" "$tmp/deny.pf" -o "$tmp/other.bin" || bail "deny.pf does not compile for $other"

# 1. The other architecture: never, not even forced.
expect 65 "run, arm64 filter on x86: refused" "$PMUFC" run --target arm64 "$tmp/arm.pf" -- "$VMM"
has "$tmp/err" "the filter is for arm64, and this host's KVM is x86" "run, arm64: said why"
started "run, arm64"
expect 65 "run, arm64 record file on x86: refused" "$PMUFC" run --target arm64 "$tmp/arm.bin" -- "$VMM"
started "run, arm64 record file"
expect 65 "run --force-vendor, arm64 filter: still refused" "$PMUFC" run --force-vendor --target arm64 "$tmp/arm.pf" -- "$VMM"
started "run --force-vendor, arm64"

# 2. The other x86 vendor's rules: refused, unless forced.
expect 65 "run, $other filter on $host's KVM: refused" "$PMUFC" run --target "$other" "$tmp/deny.pf" -- "$VMM"
has "$tmp/err" "error: the filter is for $other, but this host's KVM" "run, $other: said why"
has "$tmp/err" "--force-vendor" "run, $other: named the override"
started "run, $other"
expect 65 "run, $other blob: refused" "$PMUFC" run --target "$other" "$tmp/other.bin" -- "$VMM"
started "run, $other blob"
# (-Wno-fixed-twin: on Intel deny.pf leaves fixed counter 0 counting, a
# warning of its own that -W would make the first error.)
expect 65 "run -W --force-vendor: the warning is an error" "$PMUFC" run -W -Wno-fixed-twin --force-vendor --target "$other" "$tmp/deny.pf" -- "$VMM"
has "$tmp/err" "error: the filter is for $other" "run -W --force-vendor: said so as an error"
started "run -W --force-vendor"
if test $kvm = yes; then
	PMUFC_VERBOSE=1 expect 0 "run --force-vendor: the VMM runs, filtered" "$PMUFC" run --force-vendor --target "$other" "$tmp/deny.pf" -- "$VMM"
	has "$tmp/err" "warning: the filter is for $other" "run --force-vendor: warned"
	has "$tmp/err" "applied to VM fd" "run --force-vendor: the shim applied it"
	has "$tmp/out" "checks ok" "run --force-vendor: the VMM's checks pass"
else
	skipped "run --force-vendor: the VMM runs, filtered"
fi

# 3. The shim on its own (LD_PRELOAD by hand): it stops the VMM before
# KVM_CREATE_VM returns to it.
shim() { # DESC STATUS VAR=VALUE... -- test-vmm's arguments
	desc=$1 want=$2
	shift 2
	if test $kvm = no; then
		skipped "$desc"
		return 1
	fi
	run env LD_PRELOAD="$SHIM" "$@"
	if test "$st" = "$want"; then ok "$desc (exit $st)"; else bad "$desc: exit $st, expected $want"; fi
}
if shim "shim, arm64 filter on x86: the VMM is stopped" 70 PMUFC_TARGET=arm64 PMUFC_FILTER="$tmp/arm.bin" "$TESTVMM"; then
	has "$tmp/err" "the filter is for arm64, and this host's KVM is x86" "shim, arm64: said why"
	has "$tmp/err" "must not run a VM without its filter" "shim, arm64: said why it stops"
	hasnt "$tmp/out" "vm-fd" "shim, arm64: KVM_CREATE_VM never returned to the VMM"
fi
if shim "shim, $other filter: the VMM is stopped" 70 PMUFC_TARGET="$other" PMUFC_FILTER="$tmp/other.bin" "$TESTVMM"; then
	has "$tmp/err" "the filter is for $other, but this host's KVM" "shim, $other: said why"
	hasnt "$tmp/out" "vm-fd" "shim, $other: KVM_CREATE_VM never returned to the VMM"
fi
if shim "shim, $other filter, PMUFC_FORCE_VENDOR=1: the VMM runs" 0 PMUFC_TARGET="$other" PMUFC_FORCE_VENDOR=1 PMUFC_FILTER="$tmp/other.bin" "$TESTVMM"; then
	has "$tmp/err" "warning: the filter is for $other" "shim, forced: warned"
	has "$tmp/out" "checks ok" "shim, forced: the VMM's checks pass"
fi
if shim "shim, forced, PMUFC_WERROR=1: the VMM is stopped" 70 PMUFC_TARGET="$other" PMUFC_FORCE_VENDOR=1 PMUFC_WERROR=1 PMUFC_FILTER="$tmp/other.bin" "$TESTVMM"; then
	hasnt "$tmp/out" "vm-fd" "shim, forced, werror: KVM_CREATE_VM never returned to the VMM"
fi

# 3b. Uninstalled, `pmufc run` preloads the shim of its own build tree
# (without PMUFC_SHIM): never an installed one, never none.
if test -f "$TESTS_BUILDDIR/../config.status"; then
	run env -u PMUFC_SHIM PMUFC_VERBOSE=1 "$PMUFC" run "$tmp/deny.pf" -- "$TESTVMM" --kvm /dev/null
	has "$tmp/err" "loaded the PMU event filter" "run from the build tree: its own shim was preloaded"
	hasnt "$tmp/err" "reinstall pmufc" "run from the build tree: no installed shim needed"
else
	skipcase "no config.status here (a guest)" "run from the build tree: its own shim"
fi

# 4. --apply --pid: refused before anything is injected; the VMM runs on.
if test $kvm = yes; then
	rm -f "$tmp/go" "$tmp/vmm.out"
	mkfifo "$tmp/go"
	"$TESTVMM" --wait <"$tmp/go" >"$tmp/vmm.out" 2>&1 &
	vmm_job=$!
	pids="$pids $vmm_job"
	exec 7>"$tmp/go"
	i=0
	while ! grep -q '^ready ' "$tmp/vmm.out" 2>/dev/null && test $i -lt 200; do
		i=$((i + 1))
		sleep 0.05
	done
	vpid=$(sed -n 's/^ready \([0-9]*\) .*/\1/p' "$tmp/vmm.out")
	expect 65 "--apply --pid, $other filter: refused" "$PMUFC" --apply --pid "$vpid" --target "$other" "$tmp/deny.pf"
	has "$tmp/err" "the filter is for $other, but this host's KVM" "--apply, $other: said why"
	hasnt "$tmp/out" "filter applied" "--apply, $other: nothing applied"
	expect 65 "--apply --pid, $other blob: refused" "$PMUFC" --apply --pid "$vpid" --target "$other" "$tmp/other.bin"
	alive "$vpid" "--apply refused: the VMM runs on"
	expect 0 "--apply --pid --force-vendor: applied" "$PMUFC" --apply --force-vendor --pid "$vpid" --target "$other" "$tmp/deny.pf"
	has "$tmp/err" "warning: the filter is for $other" "--apply --force-vendor: warned"
	echo go >&7
	exec 7>&-
	wait "$vmm_job"
	vst=$?
	verdict "$vst" "--apply: the VMM's checks pass afterwards" "--apply: test-vmm: $(cat "$tmp/vmm.out")"
else
	skipped "--apply --pid, $other filter: refused"
	skipped "--apply --pid --force-vendor: applied"
fi

finish
