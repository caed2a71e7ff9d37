# tests/x86/guest.sh - sourced (POSIX sh): run a script inside a real x86
# kernel with KVM, Debian's amd64 cloud kernels as tests/x86/setup.sh caches
# them, booted in qemu-system-x86_64 under TCG (-cpu max emulates SVM, so
# kvm-amd loads: a real, stock KVM with AMD's rules).
#
# x86_kernels
#     prints the cached kernel folders, one a line, oldest version first
#     (6.1 then 6.12).  Each holds vmlinuz, irqbypass.ko, kvm.ko,
#     kvm-amd.ko and `version`.  The cache is $PMUFC_X86_CACHE, by default
#     ${XDG_CACHE_HOME:-$HOME/.cache}/pmufc-x86.
#
# x86_skip_unless_kernels NAME
#     exits 77 (skip_all of tests/lib.sh; NAME is kept for the callers), unless a kernel
#     is cached and qemu-system-x86_64, busybox, cpio and timeout are here.
#
# x86_guest_run KDIR WORKDIR SCRIPT [PATH...]
#     builds an initramfs in WORKDIR (WORKDIR/root, WORKDIR/initrd) and
#     boots KDIR's kernel with it (x86_boot).  The initramfs holds busybox
#     (its applets linked under /bin, /sbin, /usr/bin, /usr/sbin), every
#     PATH (a file or a whole folder) at the same absolute path as here
#     (symlinks kept, and what they point to taken along), for every ELF
#     file among them the shared libraries `ldd` lists and the dynamic
#     loader at their paths here, SCRIPT as /pmufc-test.sh, and an /init
#     that mounts proc, sysfs, devtmpfs, tracefs and a tmpfs on /tmp
#     (unless a PATH is there: the initramfs itself is writable), loads
#     irqbypass.ko, kvm.ko and kvm-amd.ko in that order, says which module
#     serves /dev/kvm, and runs `sh /pmufc-test.sh` in /tmp with the
#     variables named in $X86_GUEST_ENV (names, space-separated; their
#     values here, where set) in its environment, stdin /dev/null.
#     Prints the script's output (stdout and stderr, from the console:
#     kernel messages of level err and above may be mixed in) on stdout;
#     notes about the boot go to stderr.  Returns the script's exit status,
#     99 when the guest did not finish (the console's tail is shown).
#     WORKDIR/console.log is the whole console, carriage returns removed.
#     Sets x86_version (KDIR/version), x86_seconds (qemu's start to its
#     end) and x86_initrd_kb (the initramfs' size).
#     PMUFC_X86_TIMEOUT (seconds, default 600) bounds the boot.
#
# x86_guest_case KDIR SCRIPT [PATH...]
#     opens one case of a test (begin; the script uses tests/lib.sh):
#     x86_guest_run in $tmp/<kernel dir's name>, its notes and output shown
#     as TAP notes; sets x86_work (that folder: out, notes), x86_rc, and adds
#     the version to $ran.  Returns 1, a failure counted, when the guest
#     did not finish.
#
# x86_boot KERNEL INITRD CONSOLE
#     the one qemu-system-x86_64 invocation (2 vCPUs, 2 GiB, no network);
#     the console goes to CONSOLE.raw as it came and to CONSOLE without
#     carriage returns.  Returns qemu's status (124: the time ran out).
#
# Uses readlink -f, ldd and od of the host (Debian's coreutils, libc-bin).

x86_cache=${PMUFC_X86_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pmufc-x86}

x86_kernels() {
	for _d in "$x86_cache"/*; do
		test -s "$_d/vmlinuz" && test -s "$_d/kvm-amd.ko" && test -s "$_d/version" &&
		    printf '%s %s\n' "$(cat "$_d/version")" "$_d"
	done | sort -V | cut -d ' ' -f 2-
}

x86_skip_unless_kernels() {
	for _t in qemu-system-x86_64 busybox cpio timeout ldd readlink; do
		if ! command -v "$_t" >/dev/null 2>&1; then
			skip_all "$_t not found (run tests/x86/setup.sh as root)"
		fi
	done
	if test -z "$(x86_kernels)"; then
		skip_all "no x86 kernel in $x86_cache (run tests/x86/setup.sh)"
	fi
}

# Two settings keep QEMU 7.2's TCG from crashing 6.12 (seen here):
# cx16=off: with CMPXCHG16B, 6.12 died early in about 4 boots of 10 (a
# double fault in SLUB's cmpxchg16b fast path, garbage in EFLAGS); without
# it SLUB takes its other path.  thread=single: with one host thread per
# vCPU, a vCPU now and then hit an int3 of the kernel's text patching
# (static keys) after the patch was done ("Oops: int3" in __schedule);
# round-robin vCPUs see the patching in order.  20 boots of 20 came up
# and ran with both.
x86_boot() {
	timeout "${PMUFC_X86_TIMEOUT:-600}" qemu-system-x86_64 \
		-accel tcg,thread=single -cpu max,cx16=off -smp 2 -m 2048 -nographic -no-reboot -nic none \
		-kernel "$1" -initrd "$2" \
		-append "console=ttyS0 panic=-1 quiet rdinit=/init" \
		</dev/null >"$3.raw" 2>&1
	set -- "$?" "$3"
	tr -d '\r' <"$2.raw" >"$2"
	return "$1"
}

# x86_stage_dir DIR: makes DIR (absolute) resolve in the stage as it does
# here: the symlinks on its way are made as symlinks, at their own (real)
# place, and real folders as folders.  A symlink is only ever made where
# there is one here, so a real path never crosses one in the stage and
# nothing is written outside it.
x86_stage_dir() {
	case $1 in / | '') return 0 ;; esac
	x86_stage_dir "$(dirname "$1")"
	if test -L "$1"; then
		_l=$(readlink -f "$(dirname "$1")")/$(basename "$1")
		_l=${_l#/}
		test -L "$x86_stage/$_l" || ln -s "$(readlink "$1")" "$x86_stage/$_l"
	fi
	_l=$(readlink -f "$1")
	mkdir -p "$x86_stage$_l"
}

# x86_stage_path PATH: PATH (a file, folder or symlink) into the stage at
# its place; a symlink's target too.  ELF files go to x86_elves.
x86_stage_path() {
	test -e "$1" || test -L "$1" || { echo "x86-guest: no $1" >&2; return 1; }
	x86_stage_dir "$(dirname "$1")"
	_p=$(readlink -f "$(dirname "$1")")/$(basename "$1")
	if test -L "$1"; then
		test -L "$x86_stage$_p" || ln -s "$(readlink "$1")" "$x86_stage$_p"
		_t=$(readlink "$1")
		case $_t in /*) ;; *) _t=$(dirname "$1")/$_t ;; esac
		x86_stage_path "$_t"
	elif test -d "$1"; then
		mkdir -p "$x86_stage$_p"
		cp -a "$1/." "$x86_stage$_p/"
		x86_elves="$x86_elves
$(find "$1" -type f -perm -u+x)"
	elif ! test -e "$x86_stage$_p"; then
		cp -p "$1" "$x86_stage$_p"
		x86_elves="$x86_elves
$1"
	fi
}

# x86_is_elf FILE
x86_is_elf() {
	test "$(od -An -tx1 -N4 "$1" 2>/dev/null | tr -d ' ')" = 7f454c46
}

# x86_stage_libs: the shared libraries and the loader of every ELF file in
# x86_elves (ldd lists them all, those of the libraries included).
x86_stage_libs() {
	_libs=$(echo "$x86_elves" | while IFS= read -r _f; do
		test -n "$_f" && test -f "$_f" && x86_is_elf "$_f" || continue
		ldd "$_f" 2>/dev/null |
		    sed -n 's/.*=> \(\/[^ ]*\) (0x.*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (0x.*/\1/p'
	done | sort -u)
	x86_elves=
	for _lib in $_libs; do
		x86_stage_path "$_lib" || return 1
	done
}

x86_guest_case() {
	x86_work=$tmp/$(basename "$1")
	begin "kernel $(basename "$1")"
	mkdir -p "$x86_work" || bail "cannot make $x86_work"
	x86_case_kdir=$1
	shift
	x86_guest_run "$x86_case_kdir" "$x86_work" "$@" >"$x86_work/out" 2>"$x86_work/notes"
	x86_rc=$?
	ran="$ran $x86_version"
	sed 's/^/#   /' "$x86_work/notes"
	sed 's/^/#   /' "$x86_work/out"
	if test $x86_rc = 99; then
		fail "$x86_version: the guest did not finish"
		return 1
	fi
}

x86_guest_run() {
	x86_kdir=$1 x86_work=$2 x86_script=$3
	shift 3
	x86_version=$(cat "$x86_kdir/version" 2>/dev/null || basename "$x86_kdir")
	x86_stage=$x86_work/root
	x86_elves=
	rm -rf "$x86_stage"
	mkdir -p "$x86_stage" || return 99
	# The host's layout first (on Debian, /bin, /lib, ... are symlinks
	# into /usr), then busybox and what was asked for.
	for _d in /bin /sbin /lib /lib64 /usr/bin /usr/sbin /usr/lib; do
		{ test -e $_d || test -L $_d; } && x86_stage_dir $_d
	done
	mkdir -p "$x86_stage/dev" "$x86_stage/proc" "$x86_stage/sys" "$x86_stage/tmp" \
	    "$x86_stage/run" "$x86_stage/etc" "$x86_stage/root" "$x86_stage/pmufc" || return 99
	_bb=$(command -v busybox) || { echo "x86-guest: no busybox" >&2; return 99; }
	case $_bb in /*) ;; *) echo "x86-guest: busybox at $_bb?" >&2; return 99 ;; esac
	x86_stage_path "$_bb" || return 99
	for _p in "$@"; do
		x86_stage_path "$_p" || return 99
	done
	x86_stage_libs || return 99
	# The applets (--list-full: bin/sh, usr/bin/awk, ...), where nothing
	# of the host's is already.
	_rb=$(readlink -f /bin) _rsb=$(readlink -f /sbin)
	_rub=$(readlink -f /usr/bin) _rus=$(readlink -f /usr/sbin)
	"$_bb" --list-full | while IFS= read -r _a; do
		case ${_a%/*} in
		bin) _l=$_rb ;;
		sbin) _l=$_rsb ;;
		usr/bin) _l=$_rub ;;
		usr/sbin) _l=$_rus ;;
		*) _l=/${_a%/*}; mkdir -p "$x86_stage$_l" ;;
		esac
		test -e "$x86_stage$_l/${_a##*/}" || ln -s "$_bb" "$x86_stage$_l/${_a##*/}"
	done
	for _m in irqbypass kvm kvm-amd; do
		cp "$x86_kdir/$_m.ko" "$x86_stage/pmufc/" || return 99
	done
	cp "$x86_script" "$x86_stage/pmufc-test.sh" || return 99
	# The environment, each value in single quotes.
	: >"$x86_stage/pmufc/env"
	for _n in $X86_GUEST_ENV; do
		eval "_set=\${$_n+y}"
		test "$_set" = y || continue
		eval "_v=\$$_n"
		printf "export %s='%s'\n" "$_n" "$(printf '%s' "$_v" | sed "s/'/'\\\\''/g")" >>"$x86_stage/pmufc/env"
	done
	cat >"$x86_stage/init" <<EOF
#!$_bb sh
# /init of tests/x86/guest.sh: the kernel's first process.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
# (a line of its own: the firmware's last output has no newline)
echo
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# The initramfs is writable; a tmpfs on /tmp would hide what was put
# there (build trees often live in /tmp).
test -n "\$(ls -A /tmp)" || mount -t tmpfs tmpfs /tmp
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
for m in irqbypass kvm kvm-amd; do
	insmod /pmufc/\$m.ko || echo "PMUFC-GUEST-NOTE insmod \$m.ko failed"
done
# kvm.ko makes /dev/kvm; the vendor module that holds it runs the VMs.
echo "PMUFC-GUEST-NOTE /dev/kvm: \$(ls /sys/module/kvm/holders 2>/dev/null | tr '\n' ' ')enable_pmu=\$(cat /sys/module/kvm/parameters/enable_pmu 2>/dev/null)"
. /pmufc/env
cd /tmp
echo "PMUFC-GUEST-NOTE \$(uname -r): running the script \$(cut -d ' ' -f 1 /proc/uptime) s after the kernel started"
echo PMUFC-GUEST-START
sh /pmufc-test.sh </dev/null 2>&1
rc=\$?
echo "PMUFC-GUEST-EXIT \$rc"
# A kernel warning while the script ran is worth seeing.
dmesg | grep -e 'WARNING:' -e 'BUG:' -e 'Call Trace' | sed 's/^/PMUFC-GUEST-NOTE kernel: /'
poweroff -f
echo o >/proc/sysrq-trigger
EOF
	chmod +x "$x86_stage/init" "$x86_stage/pmufc-test.sh"
	(cd "$x86_stage" && find . | cpio -o -H newc -R 0:0 --quiet) >"$x86_work/initrd" || {
		echo "x86-guest: cpio failed" >&2
		return 99
	}
	x86_initrd_kb=$(($(wc -c <"$x86_work/initrd") / 1024))
	_t0=$(date +%s)
	x86_boot "$x86_kdir/vmlinuz" "$x86_work/initrd" "$x86_work/console.log"
	_qrc=$?
	x86_seconds=$(($(date +%s) - _t0))
	echo "x86-guest: $x86_version: qemu exited $_qrc after $x86_seconds s (initramfs $x86_initrd_kb KiB)" >&2
	sed -n 's/^PMUFC-GUEST-NOTE /x86-guest: /p' "$x86_work/console.log" >&2
	if ! grep -q '^PMUFC-GUEST-EXIT [0-9]*$' "$x86_work/console.log"; then
		echo "x86-guest: $x86_version: the guest did not finish; the console's tail:" >&2
		tail -n 40 "$x86_work/console.log" | sed 's/^/  | /' >&2
		sed -n '/^PMUFC-GUEST-START$/,$p' "$x86_work/console.log" | sed 1d
		return 99
	fi
	sed -n '/^PMUFC-GUEST-START$/,/^PMUFC-GUEST-EXIT [0-9]*$/p' "$x86_work/console.log" | sed '1d;$d'
	return "$(sed -n 's/^PMUFC-GUEST-EXIT \([0-9]*\)$/\1/p' "$x86_work/console.log" | tail -n 1)"
}
