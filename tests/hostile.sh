#!/bin/sh
# tests/hostile.sh - pmufc against hostile inputs and outputs.
#
# Every case runs pmufc with a time limit (timeout), a memory limit
# (ulimit -v) and stdin from /dev/null, with -o naming an output file that
# already exists, and checks:
#   - the exact exit status (sysexits: 65 bad policy or filter, 66 cannot
#     open input, 73 cannot write output);
#   - a message saying what is wrong (an extended regular expression on
#     stderr), and a bounded one: stderr at most HOSTILE_STDERR bytes, so a
#     megabyte token never makes a megabyte message;
#   - on failure, the existing output untouched and no temporary file left
#     beside it; on success, the output written;
#   - the time and peak memory taken (measured with GNU time when there is
#     one, and reported in the log).
# The data is made at run time in a temporary folder: truncated and
# oversized blobs, NUL bytes, numbers of 100 digits, megabyte lines and
# tokens, 100000 nested braces, includes 20 deep and cyclic, QEMU JSON
# with a megabyte string or 100000 nested objects, empty files,
# a directory, FIFOs, /dev/zero, unreadable files, a 50 MB policy, outputs
# in missing, read-only and pseudo-file-system (/proc, /sys) folders,
# /dev/full.
#
# As root, mode bits do not stop reads or writes: the unreadable-file and
# read-only-folder cases then run pmufc as nobody (setpriv or runuser) when
# one of them is there, and are skipped otherwise; /proc and /sys refuse
# to create files even for root, and /proc/self/mem opens but cannot be
# read, so those cases run for everyone.
#
# HOSTILE_TIME (seconds per case, default 120), HOSTILE_MEM_KB (ulimit -v,
# default 1 GiB; not applied to ASan builds, which reserve terabytes of
# address space), HOSTILE_STDERR (bytes, default 65536).
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")" && pwd)}"
. "$TESTS_SRCDIR/lib.sh"

limit_time=${HOSTILE_TIME:-120}
limit_mem=${HOSTILE_MEM_KB:-1048576}
limit_err=${HOSTILE_STDERR:-65536}
nskip=0

# ulimit -v breaks ASan (it maps terabytes of shadow memory up front).
if ! (ulimit -v "$limit_mem" && exec "$PMUFC" --version) >/dev/null 2>&1; then
	note "pmufc does not run under ulimit -v $limit_mem (an ASan build?): no memory limit"
	limit_mem=unlimited
fi
gnutime=
if /usr/bin/time -f %M -o /dev/null true 2>/dev/null; then
	gnutime=/usr/bin/time
fi
if command -v timeout >/dev/null 2>&1; then
	timeout="timeout -k 5 $limit_time"
else
	note "no timeout(1): cases are not time-limited"
	timeout=
fi

d=$tmp/data
o=$tmp/out
mkdir "$d" "$o"
out=$o/filter.bin

skip() {
	skipcase "$*" "hostile cases that cannot run here"
}

# run WANT REGEX ARG...: one case (see the top).  pmufc runs in $d; the
# output $out exists beforehand with a sentinel; sets $rc.
run() {
	want=$1 regex=$2
	shift 2
	begin "pmufc $*: exit $want, stderr /$regex/"
	printf 'sentinel\n' >"$out"
	rm -f "$tmp/stdout" "$tmp/stderr" "$tmp/time"
	start=$(date +%s)
	# shellcheck disable=SC2086 # $timeout is a command line
	(
		cd "$d" || exit 99
		if test -n "$gnutime"; then
			exec $gnutime -f '%M %e' -o "$tmp/time" $timeout \
				sh -c 'ulimit -v "$0" 2>/dev/null; exec "$@"' "$limit_mem" "$PMUFC" "$@"
		else
			exec $timeout sh -c 'ulimit -v "$0" 2>/dev/null; exec "$@"' "$limit_mem" "$PMUFC" "$@"
		fi
	) <"${STDIN:-/dev/null}" >"${STDOUT:-$tmp/stdout}" 2>"$tmp/stderr"
	rc=$?
	end=$(date +%s)
	what="pmufc $*"
	size=$(wc -c <"$tmp/stderr")
	mem=
	test -s "$tmp/time" && mem=$(tail -1 "$tmp/time")
	note "case $ncase: exit $rc, $((end - start)) s${mem:+, peak ${mem%% *} KiB}, stderr $size bytes: $what"
	if test $rc = 124 || test $rc = 137; then
		fail "$what: killed after $limit_time s"
		return
	fi
	if test "$rc" != "$want"; then
		fail "$what: exit $rc, expected $want"
		show "$tmp/stderr" 5 | cut -c1-200
		return
	fi
	if test -n "$regex" && ! grep -E -q -e "$regex" "$tmp/stderr"; then
		fail "$what: stderr does not say /$regex/:"
		show "$tmp/stderr" 5 | cut -c1-200
	fi
	if test "$size" -gt "$limit_err"; then
		fail "$what: $size bytes on stderr (limit $limit_err):"
		sed -n '1p' "$tmp/stderr" | cut -c1-200
	fi
	if test "$rc" != 0; then
		test "$(cat "$out")" = sentinel || fail "$what: failed, but the existing output changed"
		test -s "$tmp/stdout" && fail "$what: failed, but wrote to stdout"
	fi
	:
	left=$(ls -A "$o" | grep -v '^filter\.bin$')
	test -z "$left" || fail "$what: left files beside the output: $left"
	rm -f "$o"/filter.bin.pmufc-*
}

# written: the last run wrote its output (not the sentinel).
written() {
	test "$(cat "$out" 2>/dev/null)" != sentinel || fail "$what: succeeded, but did not write $out"
}

# hex32 N: N as 4 little-endian bytes (printf octal escapes: portable).
hex32() {
	printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $(($1 & 255)) $(($1 >> 8 & 255)) \
		$(($1 >> 16 & 255)) $(($1 >> 24 & 255)))"
}
header() { # action nevents fixed flags
	hex32 "$1"; hex32 "$2"; hex32 "$3"; hex32 "$4"; hex32 0; hex32 0; hex32 0; hex32 0
}

# --- data ------------------------------------------------------------------
printf 'default deny;\nallow x86 select=0xc4 umask={0x00,0x01};\n' >"$d/ok.pf"
"$PMUFC" --cpu generic --target intel "$d/ok.pf" -o "$d/ok.bin" ||
	bail "cannot compile a plain policy"
blen=$(wc -c <"$d/ok.bin")
head -c 31 "$d/ok.bin" >"$d/cut-header.bin"
head -c $((blen - 3)) "$d/ok.bin" >"$d/cut-entry.bin"
{ cat "$d/ok.bin"; printf 'x'; } >"$d/long.bin"
{ header 1 301 0 0; awk 'BEGIN { for (i = 0; i < 301 * 8; i++) printf "%c", 0 }' </dev/null; } >"$d/n301.bin"
header 0 4294967295 0 0 >"$d/nmax.bin"
dd if=/dev/zero of="$d/zeros.bin" bs=1024 count=1024 2>/dev/null
{ header 0 1 0 1; hex32 452; hex32 1048576; } >"$d/masked-bad.bin"

printf 'allow x86 select=0xc4;\000deny x86 select=0xc5;\n' >"$d/nul.pf"
digits=1234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890
printf 'allow x86 select=%s;\n' "$digits" >"$d/dec100.pf"
printf 'allow x86 select=0x%s;\n' "$digits" >"$d/hex100.pf"
printf 'allow x86 select=0b%s;\n' "$(echo "$digits" | tr 2-9 0-1 | tr 0-9 01010101)" >"$d/bin100.pf"
# rep N STRING: STRING N times, no newline.
rep() { awk -v n="$1" -v s="$2" 'BEGIN { while (n-- > 0) printf "%s", s }' </dev/null; }
{ printf '#'; rep 1048576 x; printf '\nallow x86 select=0xc4;\n'; } >"$d/mb-comment.pf"
{ rep 1048576 ' '; printf 'allow x86 select=0x1ff;\n'; } >"$d/mb-blanks.pf"
{ printf 'allow x86 select=0'; rep 1048576 z; printf ';\n'; } >"$d/mb-badnumber.pf"
{ printf 'allow event '; rep 1048576 A; printf ';\n'; } >"$d/mb-name.pf"
{ printf 'include "'; rep 1048576 A; printf '";\n'; } >"$d/mb-include.pf"
{ printf 'cpu '; rep 1048576 A; printf ';\n'; } >"$d/mb-cpu.pf"
# QEMU JSON in place of a policy: a megabyte string, 100000 nested objects.
{ printf '{"qom-type":"'; rep 1048576 A; printf '","id":"f0","action":"allow","events":[]}\n'; } >"$d/mb.json"
{ rep 100000 '{"a":'; printf '\n'; } >"$d/deep.json"
{ printf 'allow x86 select='; rep 100000 '{'; printf '0x1'; rep 100000 '}'; printf ';\n'; } >"$d/braces.pf"
{ rep 100000 '}'; printf '\n'; } >"$d/closing.pf"
rep 100000 'allow x86 select=;\n' >"$d/many-errors.pf"
: >"$d/empty.pf"
printf '# nothing\r\n\r\n   \t\n' >"$d/blank.pf"
mkdir "$d/folder"
printf 'include "/dev/zero";\n' >"$d/include-zero.pf"

# --- blobs -----------------------------------------------------------------
for t in intel amd; do
	run 65 'too short' --target $t -d cut-header.bin -o "$out"
	run 65 'bytes, but a filter of' --target $t -d cut-entry.bin -o "$out"
	# The kernel reads 32 + 8 * nevents bytes: what follows is a warning
	# (an error with -W), not a different filter.
	run 0 '1 byte after the filter is ignored' --target $t -d long.bin -o "$out"
	written
	run 65 'error: .*1 byte after the filter is ignored' -W --target $t -d long.bin -o "$out"
	run 65 'limit of 300' --target $t -d n301.bin -o "$out"
	run 65 'limit of 300' --target $t -d nmax.bin -o "$out"
	# A megabyte of zeros: an ALLOW filter of no events (allowing nothing)
	# and 1048544 bytes KVM never reads.
	run 0 '1048544 bytes after the filter are ignored' --target $t -d zeros.bin -o "$out"
	written
	run 65 'outside a masked entry' --target $t -d masked-bad.bin -o "$out"
	run 65 'too short' --target $t --check select=0xc4,umask=0x00 cut-header.bin
	run 65 'too short' --target $t -d empty.pf -o "$out"
done
# A filter given where a policy goes is converted, not lexed as text.
run 0 '' --target intel ok.bin -o "$out"
written
run 65 'not a whole number' --target arm64 -d cut-entry.bin -o "$out"
run 0 '' --target arm64 -d empty.pf -o "$out"                      # no records: no filter
written

# --- policies --------------------------------------------------------------
run 65 "nul\.pf:1:23: error: unexpected character '.x00'" --target intel nul.pf -o "$out"
for f in dec100 hex100 bin100; do
	run 65 "$f\.pf:1:18: error: number is too large" --target intel $f.pf -o "$out"
done
run 0 '' --target intel mb-comment.pf -o "$out"
written
run 65 'mb-blanks\.pf:1:1048594: error: select 0x1ff is out of range' --target intel mb-blanks.pf -o "$out"
run 65 'mb-badnumber\.pf:1:18: error: invalid number' --target intel mb-badnumber.pf -o "$out"
run 65 'mb-name\.pf:1:13: error: unknown event' --target intel --cpu generic mb-name.pf -o "$out"
run 65 'mb-include\.pf:1:9: error: cannot find' --target intel mb-include.pf -o "$out"
run 65 "mb-cpu\.pf:1:5: error: unknown CPU model" --target intel mb-cpu.pf -o "$out"
run 65 "mb\.json:1:13: error: 'qom-type' is" --target intel mb.json -o "$out"
run 65 'deep\.json:1:[0-9]+: error: invalid JSON' --target intel deep.json -o "$out"
run 65 "braces\.pf:1:19: error: unexpected '\{'" --target intel braces.pf -o "$out"
run 65 'closing\.pf:1:1: error:' --target intel closing.pf -o "$out"
run 65 'more diagnostics not shown' --target intel many-errors.pf -o "$out"
# Includes nested 20 deep, and one that includes itself.
mkdir "$d/inc"
i=0
while test $i -le 20; do
	printf 'allow x86 select=%d;\ninclude "d%d.pf";\n' $i $((i + 1)) >"$d/inc/d$i.pf"
	i=$((i + 1))
done
printf 'deny x86 select=1;\n' >"$d/inc/d21.pf"
printf 'include "self.pf";\n' >"$d/inc/self.pf"
run 65 'd16\.pf:2:9: error: includes nest deeper than 16 files' --target intel inc/d0.pf -o "$out"
run 65 "self\.pf:1:9: error: include cycle" --target intel inc/self.pf -o "$out"
run 0 '' --target intel empty.pf -o "$out"
written
test "$(wc -c <"$out")" = 32 || fail "the empty policy is not a 32-byte filter"
run 0 '' --target amd blank.pf -o "$out"
written

# --- inputs ----------------------------------------------------------------
run 66 'folder: it is a directory' --target intel folder -o "$out"
run 66 'No such file' --target intel no-such.pf -o "$out"
run 65 '/dev/zero is larger than the limit of 67108864 bytes' --target intel /dev/zero -o "$out"
run 65 '/dev/zero is larger than the limit' --target intel -d /dev/zero -o "$out"
STDIN=/dev/zero
run 65 'larger than the limit' --target intel - -o "$out"
STDIN=
run 65 'include-zero\.pf:1:9: error: /dev/zero is larger than the limit' --target intel include-zero.pf -o "$out"
if mkfifo "$d/fifo" 2>/dev/null; then
	# A FIFO reads like a pipe: fed a policy it compiles, fed without end it
	# stops at the limit.  (With no writer at all, open() waits, as cat's does.)
	(${timeout:+timeout $limit_time} sh -c 'cat "$0" >"$1"' "$d/ok.pf" "$d/fifo" &)
	run 0 '' --target intel fifo -o "$out"
	written
	(${timeout:+timeout $limit_time} sh -c 'cat /dev/zero >"$0"' "$d/fifo" 2>/dev/null &)
	run 65 'fifo is larger than the limit' --target intel fifo -o "$out"
else
	skip "mkfifo failed: no FIFO cases"
fi
# A file that opens but cannot be read (EIO), as root too.
if test -r /proc/self/mem; then
	run 66 'cannot read /proc/self/mem' --target intel /proc/self/mem -o "$out"
fi
# A file that cannot be opened for reading, as root too: write-only sysfs
# attributes (kernfs refuses O_RDONLY without a show method).
wo=$(find /sys/bus -maxdepth 2 -name uevent -perm 0200 2>/dev/null | head -1)
if test -n "$wo"; then
	run 66 "cannot open $wo: Permission denied" --target intel "$wo" -o "$out"
else
	skip "no write-only file under /sys/bus"
fi

# Mode bits: directly, or as nobody when running as root.
asuser=
if test "$(id -u)" != 0; then
	asuser=direct
elif command -v setpriv >/dev/null 2>&1 &&
	setpriv --reuid=65534 --regid=65534 --clear-groups "$PMUFC" --version >/dev/null 2>&1; then
	asuser=setpriv
elif command -v runuser >/dev/null 2>&1 && runuser -u nobody -- "$PMUFC" --version >/dev/null 2>&1; then
	asuser=runuser
fi
# as_user WANT REGEX ARG...: pmufc as this user, or as nobody when root.
as_user() {
	want=$1 regex=$2
	shift 2
	begin "pmufc $* (as another user): exit $want, stderr /$regex/"
	case $asuser in
	direct) "$PMUFC" "$@" ;;
	setpriv) setpriv --reuid=65534 --regid=65534 --clear-groups "$PMUFC" "$@" ;;
	runuser) runuser -u nobody -- "$PMUFC" "$@" ;;
	esac </dev/null >"$tmp/stdout" 2>"$tmp/stderr"
	rc=$?
	note "case $ncase: exit $rc (as $(test $asuser = direct && id -un || echo nobody)): pmufc $*"
	test "$rc" = "$want" || { fail "pmufc $*: exit $rc, expected $want"; sed -n 1,3p "$tmp/stderr"; }
	grep -E -q -e "$regex" "$tmp/stderr" || { fail "pmufc $*: stderr does not say /$regex/"; sed -n 1,3p "$tmp/stderr"; }
}
if test -n "$asuser"; then
	p=$(mktemp -d "${TMPDIR:-/tmp}/pmufc-hostile-perm.XXXXXX") || bail "mktemp failed"
	chmod 755 "$p"
	cp "$d/ok.pf" "$p/secret.pf"
	chmod 000 "$p/secret.pf"
	as_user 66 'cannot open .*secret\.pf: Permission denied' --target intel "$p/secret.pf" -o /dev/null
	mkdir "$p/ro"
	printf 'sentinel\n' >"$p/ro/filter.bin"
	cp "$d/ok.pf" "$p/ok.pf"
	chmod 644 "$p/ok.pf"
	chmod 555 "$p/ro"
	as_user 73 'cannot create .*ro/filter\.bin: Permission denied' --target intel "$p/ok.pf" -o "$p/ro/filter.bin"
	test "$(cat "$p/ro/filter.bin")" = sentinel || fail "the output in a read-only folder changed"
	test "$(ls -A "$p/ro")" = filter.bin || fail "files left in the read-only folder: $(ls -A "$p/ro")"
	as_user 73 'cannot create .*ro/new\.bin: Permission denied' --target intel "$p/ok.pf" -o "$p/ro/new.bin"
	test "$(ls -A "$p/ro")" = filter.bin || fail "files left in the read-only folder: $(ls -A "$p/ro")"
	chmod -R u+rwx "$p"
	rm -rf "$p"
else
	skip "running as root without setpriv or runuser: no unreadable-file or read-only-folder cases"
fi

# --- a 50 MB policy --------------------------------------------------------
# About a million rules (default deny, random allows): it must compile, or
# be refused with a reason, within the time and memory limits.
awk 'BEGIN {
	srand(1); print "default deny;"
	for (n = 0; size < 50000000; n++) {
		line = sprintf("allow x86 select=0x%02x umask=0x%02x; # rule %d", int(rand() * 256), int(rand() * 256), n)
		print line; size += length(line) + 1
	}
}' </dev/null >"$d/50mb.pf"
note "50mb.pf: $(wc -c <"$d/50mb.pf") bytes, $(wc -l <"$d/50mb.pf") lines"
run 0 '' --target intel --cpu generic 50mb.pf -o "$out"
written
run 0 '' --target amd --cpu generic 50mb.pf -o "$out"
written
awk 'BEGIN { for (size = 0; size < 50000000; size += 100) printf "#%098d\n", 0 }' </dev/null >"$d/50mb-comments.pf"
run 0 '' --target intel 50mb-comments.pf -o "$out"
written
rm -f "$d/50mb-comments.pf"
{ cat "$d/50mb.pf" "$d/50mb.pf"; } | head -c 70000000 >"$d/70mb.pf"
rm -f "$d/50mb.pf"
run 65 '70mb\.pf is larger than the limit of 67108864 bytes' --target intel 70mb.pf -o "$out"
rm -f "$d/70mb.pf"

# --- outputs ---------------------------------------------------------------
run 73 'cannot create .*missing/filter\.bin: No such file or directory' \
	--target intel ok.pf -o "$d/missing/filter.bin"
test -e "$d/missing" && fail "a missing output folder was created"
run 73 'cannot (create|write) .*folder' --target intel ok.pf -o "$d/folder"
test -z "$(ls -A "$d/folder")" || fail "files left in $d/folder: $(ls -A "$d/folder")"
if test -w /dev/full; then
	run 73 'cannot write /dev/full: No space left on device' --target intel ok.pf -o /dev/full
fi
# procfs and sysfs refuse new files, to root too.
run 73 'cannot create /proc/pmufc-hostile\.bin' --target intel ok.pf -o /proc/pmufc-hostile.bin
run 73 'cannot create /proc/version' --target intel ok.pf -o /proc/version
if test -d /sys/kernel; then
	run 73 'cannot create /sys/kernel/pmufc-hostile\.bin: Permission denied' \
		--target intel ok.pf -o /sys/kernel/pmufc-hostile.bin
fi
ls /proc/pmufc-hostile* /proc/version.pmufc* /sys/kernel/pmufc-hostile* >/dev/null 2>&1 &&
	fail "temporary files left in /proc or /sys"
# Standard output that cannot be written: the result is lost, so the run fails.
if test -w /dev/full; then
	STDOUT=/dev/full
	run 73 'cannot write to standard output: No space left on device' --target intel ok.pf -o -
	run 73 'cannot write to standard output' --target intel --format text ok.pf
	run 73 'cannot write to standard output' --target intel -d ok.bin
	run 73 'cannot write' --target intel --check select=0xc4,umask=0x00 ok.pf
	run 73 'cannot write' --target intel --check select=0xc4,umask=0x00 ok.bin
	STDOUT=
fi
# A failed compile leaves the existing output as it was.
run 65 'error' --target intel nul.pf -o "$out"

finish
