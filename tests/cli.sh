#!/bin/sh
# tests/cli.sh - the command line: options, exit codes (sysexits), output
# files that are never partial nor damaged, -o - on terminals and pipes,
# the -d round trip, --check on policies and blobs.
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")" && pwd)}"
. "$TESTS_SRCDIR/lib.sh"
blobtool=$TESTS_BUILDDIR/blobtool

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
		show "$tmp/err" 10
		return 1
	fi
}

# has FILE PATTERN WHAT: FILE has a line matching PATTERN (grep -E).
has() {
	grep -Eq "$2" "$1" || { fail "$3: no line matching '$2' in:"; show "$1" 10; }
}

cd "$tmp" || bail "no $tmp"
cat >p.pf <<'EOF'
default deny;
allow x86 select=0xc0 umask=0x00;
allow intel select=0x3c umask={0x00,0x01};
allow fixed 0x7;
EOF
printf 'allow x86 select=0x100;\n' >bad.pf
printf 'target amd;\nallow amd select=0x1c2 umask=0x01;\n' >amd.pf
printf 'default deny;\nallow x86 select=0xd0 mask=0x0f match=0x10;\n' >warn.pf

# --help, --version.
for o in --help -h; do
	expect 0 "$o" "$PMUFC" $o && has out '^Usage: pmufc' "$o"
	test -s err && fail "$o wrote to stderr"
done
for o in --version -V; do
	expect 0 "$o" "$PMUFC" $o && has out "^pmufc ${PACKAGE_VERSION:-[0-9.]+}\$" "$o"
done

# Usage errors: 64, with a hint.
expect 64 "no arguments" "$PMUFC" && has err "Try 'pmufc --help'" "no arguments"
expect 64 "unknown option" "$PMUFC" --no-such-option p.pf -o x.bin
expect 64 "option without its argument" "$PMUFC" p.pf -o
expect 64 "bad --format" "$PMUFC" --format=hex p.pf -o x.bin
expect 64 "bad --target" "$PMUFC" --target=sparc p.pf -o x.bin
expect 64 "bad --abi" "$PMUFC" --abi=new p.pf -o x.bin
expect 64 "two inputs" "$PMUFC" --target intel p.pf amd.pf -o x.bin
expect 64 "raw output without -o" "$PMUFC" --target intel p.pf && has err 'no output file' "raw output without -o"
# (select= alone is every umask of the select: a good event since issue 15.)
expect 64 "bad --check event" "$PMUFC" --target intel --check=select=0xc4,umask= p.pf
expect 64 "--check event with umask= only" "$PMUFC" --target intel --check=umask=0x01 p.pf
expect 64 "--check event out of range" "$PMUFC" --target intel --check=select=0x100,umask=0 p.pf
expect 64 "--check fixed counter 32" "$PMUFC" --target intel --check=fixed=32 p.pf
expect 64 "--list-events: --cpu of another vendor" "$PMUFC" --list-events --cpu skylake --target amd && has err "CPU model skylake is intel, but the target is amd" "--list-events: --cpu of another vendor"
expect 64 "--check fixed counter on amd" "$PMUFC" --target amd --check=fixed=0 p.pf
test -e x.bin && fail "a usage error left x.bin"

# Inputs that cannot be opened: 66.
expect 66 "missing policy" "$PMUFC" --target intel no-such.pf -o x.bin && has err 'no-such.pf' "missing policy"
expect 66 "a directory as policy" "$PMUFC" --target intel "$tmp" -o x.bin
expect 66 "missing blob (-d)" "$PMUFC" --target intel -d no-such.bin
expect 66 "a directory as blob (-d)" "$PMUFC" --target intel -d "$tmp"
expect 66 "missing file (--check)" "$PMUFC" --target intel --check fixed=0 no-such.bin
test -e x.bin && fail "an input error left x.bin"

# Outputs that cannot be written: 73, nothing left behind.
expect 73 "output into a missing folder" "$PMUFC" --target intel p.pf -o no-dir/x.bin
test -e no-dir && fail "no-dir was created"
mkdir outdir
expect 73 "output onto a folder" "$PMUFC" --target intel p.pf -o outdir
test -d outdir || fail "the folder given as output was replaced"
ls | grep -q 'outdir.' && fail "output onto a folder left: $(ls | grep 'outdir.')"

# An existing output survives, byte for byte, a failed run.
printf 'precious\n' >keep.bin
cp keep.bin keep.orig
expect 65 "bad policy over an existing file" "$PMUFC" --target intel bad.pf -o keep.bin
cmp -s keep.bin keep.orig || fail "a bad policy damaged the existing output"
expect 65 "-W over an existing file" "$PMUFC" -W --target intel warn.pf -o keep.bin
cmp -s keep.bin keep.orig || fail "-W damaged the existing output"
# ... and a write that fails (file size limit 0; SIGXFSZ ignored: EFBIG).
begin "a failed write: exit 73, said so, the existing output intact, no temporary file"
(trap '' XFSZ; ulimit -f 0 && exec "$PMUFC" --target intel p.pf -o keep.bin) 2>&1 </dev/null | cat >xfsz.err
rc=$(ls | grep -c 'keep.bin.')
if ! grep -q 'cannot write' xfsz.err; then
	fail "a failed write: no 'cannot write' message:"; show xfsz.err
fi
cmp -s keep.bin keep.orig || fail "a failed write damaged the existing output"
test "$rc" = 0 || fail "a failed write left a temporary file: $(ls | grep 'keep.bin.')"
(trap '' XFSZ; ulimit -f 0 && exec "$PMUFC" --target intel p.pf -o keep.bin) >/dev/null 2>&1 </dev/null
rc=$?
test $rc = 73 || fail "a failed write: exit $rc, expected 73"
if test "$(id -u)" != 0; then
	begin "output in a read-only folder: exit 73, the existing output intact"
	mkdir ro && cp keep.orig ro/keep.bin && chmod a-w ro
	"$PMUFC" --target intel p.pf -o ro/keep.bin 2>/dev/null
	rc=$?
	test $rc = 73 || fail "output in a read-only folder: exit $rc, expected 73"
	cmp -s ro/keep.bin keep.orig || fail "a read-only folder: the existing output changed"
	chmod u+w ro
fi
# A successful run replaces it, with the mode a plain create gives.
expect 0 "compile over an existing file" sh -c "umask 022 && exec \"\$0\" --target intel p.pf -o keep.bin" "$PMUFC"
cmp -s keep.bin keep.orig && fail "a successful compile did not replace the output"
case $(ls -l keep.bin) in -rw-r--r--*) ;; *) fail "output mode under umask 022: $(ls -l keep.bin)" ;; esac
# Symlinks are followed; FIFOs written through.
begin "output through a symlink: the file behind it written"
"$PMUFC" --target intel p.pf -o ref.bin || fail "compile to ref.bin"
printf 'old\n' >target.bin
ln -s target.bin link.bin
"$PMUFC" --target intel p.pf -o link.bin || fail "compile through a symlink"
test -h link.bin || fail "the symlink was replaced by a file"
cmp -s target.bin ref.bin || fail "the file behind the symlink was not written"
begin "output into a FIFO: written through, not replaced"
if mkfifo fifo 2>/dev/null; then
	cat fifo >from-fifo &
	reader=$!
	"$PMUFC" --target intel p.pf -o fifo || fail "compile into a FIFO"
	i=0
	while kill -0 $reader 2>/dev/null && test $i -lt 50; do sleep 0.1; i=$((i + 1)); done
	if kill -0 $reader 2>/dev/null; then
		kill $reader
		fail "nothing came out of the FIFO (was it replaced?)"
	fi
	wait $reader
	test -p fifo || fail "the FIFO was replaced by a file"
	cmp -s from-fifo ref.bin || fail "the FIFO did not carry the blob"
fi

# -o - : to a pipe it works, on a terminal it is refused (binary only).
begin "-o - into a pipe: the bytes of -o FILE"
"$PMUFC" --target intel p.pf -o - </dev/null | cat >pipe.bin
cmp -s pipe.bin ref.bin || fail "-o - into a pipe differs from -o FILE"
if command -v script >/dev/null 2>&1 && script -qec true /dev/null >/dev/null 2>&1 </dev/null; then
	begin "-o - on a terminal: refused, exit 64, said so"
	script -qec "\"$PMUFC\" --target intel p.pf -o -" /dev/null </dev/null >tty.out 2>&1
	rc=$?
	test $rc = 64 || fail "-o - on a terminal: exit $rc, expected 64"
	grep -q 'terminal' tty.out || { fail "-o - on a terminal: no message"; show tty.out; }
	begin "--format text -o - on a terminal: the listing"
	script -qec "\"$PMUFC\" --target intel --format text p.pf -o -" /dev/null </dev/null >tty.out 2>&1
	rc=$?
	test $rc = 0 || fail "--format text -o - on a terminal: exit $rc, expected 0"
	grep -q 'KVM_SET_PMU_EVENT_FILTER' tty.out || { fail "--format text on a terminal: no listing"; show tty.out; }
else
	skipcase "no usable script(1)" "-o - on a terminal: refused, exit 64, said so"
	skipcase "no usable script(1)" "--format text -o - on a terminal: the listing"
fi

# Standard input as the policy; its diagnostics are named '-'.
expect 0 "policy from stdin" sh -c "exec \"\$0\" --target intel - -o stdin.bin <p.pf" "$PMUFC"
cmp -s stdin.bin ref.bin || fail "policy from stdin gives other bytes"
expect 65 "bad policy from stdin" sh -c "exec \"\$0\" --target intel - -o x.bin <bad.pf" "$PMUFC" &&
	has err '^-:1:18: error: ' "bad policy from stdin"

# -d round trip: the listing of a blob is the compile's text listing.
for t in intel amd; do
	for abi in auto masked; do
		begin "-d round trip on $t --abi $abi"
		"$PMUFC" --cpu generic --target $t --abi $abi p.pf -o rt.bin 2>/dev/null &&
			"$PMUFC" --cpu generic --target $t --abi $abi --format text p.pf >rt.txt 2>/dev/null &&
			"$PMUFC" --cpu generic --target $t -d rt.bin >rt.dis || { fail "-d round trip on $t $abi"; continue; }
		same rt.txt rt.dis "-d round trip on $t --abi $abi"
	done
done
# The policy's `target` when there is no --target.
expect 0 "target statement" "$PMUFC" --cpu generic --format text amd.pf && has out '^# KVM_SET_PMU_EVENT_FILTER, amd' "target statement"

# --check: policy and blob, allow and deny, and why.
"$PMUFC" --target intel p.pf -o p.bin 2>/dev/null
expect 0 "--check policy allow" "$PMUFC" --cpu generic --target intel --check select=0x3c,umask=0x01 p.pf &&
	has out '^allow.*p\.pf:3:1' "--check policy names the deciding rule"
expect 0 "--check policy deny" "$PMUFC" --cpu generic --target intel --check raw=0x02c4 p.pf &&
	has out '^deny.*default' "--check policy names the default"
expect 0 "--check policy fixed" "$PMUFC" --cpu generic --target intel --check fixed=2 p.pf && has out '^allow' "--check policy fixed"
expect 0 "--check blob allow" "$PMUFC" --cpu generic --target intel --check select=0x3c,umask=0x01 p.bin &&
	has out '^allow.*event [0-9]' "--check blob names the entry"
expect 0 "--check blob deny" "$PMUFC" --cpu generic --target intel --check select=0xc4,umask=0x00 p.bin && has out '^deny' "--check blob deny"
expect 0 "--check blob fixed" "$PMUFC" --cpu generic --target intel --check fixed=3 p.bin && has out '^deny' "--check blob fixed"
printf 'default deny;\nallow x86 select=0x2e umask=*;\ndeny x86 select=0x2e umask=0x41;\n' >hole.pf
"$PMUFC" --target intel --abi masked hole.pf -o hole.bin 2>/dev/null
expect 0 "--check blob exclude" "$PMUFC" --cpu generic --target intel --check select=0x2e,umask=0x41 hole.bin &&
	has out '^deny.*exclude event [0-9]+ .* takes it out' "--check blob names the exclude entry"
expect 65 "--check bad policy" "$PMUFC" --target intel --check fixed=0 bad.pf
test -s out && fail "--check of a bad policy printed a decision"

# Blobs the kernel would refuse are refused (65); what it drops, a warning.
if test -x "$blobtool"; then
	"$blobtool" make action2.bin 2 plain 0 raw:0xc0 &&
		expect 65 "-d bad action" "$PMUFC" --target intel -d action2.bin && has err 'action 2' "-d bad action"
	"$blobtool" make flags2.bin allow 2 0 &&
		expect 65 "-d bad flags" "$PMUFC" --target intel -d flags2.bin
	"$blobtool" make big.bin allow plain 0 nevents=301 &&
		expect 65 "-d 301 events" "$PMUFC" --target intel -d big.bin && has err '301' "-d 301 events"
	"$blobtool" make masked-bad.bin allow masked 0 raw:0x00000100000000c0 &&
		expect 65 "-d masked entry with bad bits" "$PMUFC" --target amd -d masked-bad.bin
	"$blobtool" make masked-amd.bin allow masked 0 inc:0x1c2:0xff:0x01 &&
		expect 0 "-d AMD masked select on amd" "$PMUFC" --target amd -d masked-amd.bin &&
		expect 65 "-d AMD masked select on intel" "$PMUFC" --target intel -d masked-amd.bin
	"$blobtool" make never.bin allow masked 0 inc:0xd0:0x0f:0x10 &&
		expect 0 "-d masked entry that never matches" "$PMUFC" --cpu generic --target intel -d never.bin &&
		has out 'never matches' "-d masked entry that never matches"
	"$blobtool" make plain-bits.bin deny plain 0 raw:0x004300c4 &&
		expect 0 "-d plain entry with dropped bits" "$PMUFC" --target intel -d plain-bits.bin &&
		has err 'warning' "-d plain entry with dropped bits"
	head -c 36 ref.bin >short.bin
	expect 65 "-d truncated blob" "$PMUFC" --target intel -d short.bin
	head -c 20 ref.bin >short.bin
	expect 65 "-d blob shorter than the header" "$PMUFC" --target intel -d short.bin
fi

# Warnings: shown, silenced by -w, errors with -W; -v reports the check.
expect 0 "warning" "$PMUFC" --target intel warn.pf -o w.bin && has err 'warning:' "warning"
expect 0 "-w" "$PMUFC" -w --target intel warn.pf -o w.bin && { test -s err && fail "-w printed: $(cat err)"; }
expect 65 "-W" "$PMUFC" -W --target intel warn.pf -o w2.bin && has err 'error:' "-W"
test -e w2.bin && fail "-W left an output file"
expect 0 "-v" "$PMUFC" -v --target amd p.pf -o v.bin && has err '1048576 decisions verified' "-v on amd"
expect 0 "-v" "$PMUFC" -v --target intel p.pf -o v.bin && has err '65568 decisions verified' "-v on intel"

finish
