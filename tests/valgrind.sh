#!/bin/sh
# tests/valgrind.sh - pmufc under valgrind's memcheck over the test corpus.
#
# Every tests/golden/*.pf (Intel raw, AMD text, with its .args),
# tests/reject/*.pf (Intel), tests/arm64/*.pf (arm64), the --check and -d
# paths on a few blobs, and a few bad blobs: no invalid read or write, no
# use of uninitialised memory, no leak (valgrind --error-exitcode=1
# --leak-check=full; pmufc itself never exits 1).  Whatever exit status
# pmufc gives is the business of the other tests.  Runs as many at a time
# as there are CPUs (VALGRIND_JOBS to change).  Skipped (77) without
# valgrind, or when pmufc was built with ASan (--enable-sanitizers):
# valgrind cannot run those.
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")" && pwd)}"
. "$TESTS_SRCDIR/lib.sh"

if ! command -v valgrind >/dev/null 2>&1; then
	skip_all "valgrind is not installed"
fi
if ldd "$PMUFC" 2>/dev/null | grep -q -e libasan -e libubsan ||
	grep -q -a __asan_init "$PMUFC" 2>/dev/null; then
	skip_all "$PMUFC is built with sanitizers; valgrind cannot run it"
fi

jobs=${VALGRIND_JOBS:-$(nproc 2>/dev/null || echo 2)}
vg="valgrind -q --error-exitcode=1 --leak-check=full"
: >"$tmp/cmds"
# job DIR ARGS...: one run, from DIR (policies include files next to
# them); valgrind's report goes to $tmp/vg.N, the command to $tmp/cmd.N.
njob=0
job() {
	dir=$1
	shift
	njob=$((njob + 1))
	echo "(cd $dir && pmufc $*)" >"$tmp/cmd.$njob"
	printf '%s\n' "cd '$dir' && $vg --log-file='$tmp/vg.$njob' '$PMUFC' $*" >>"$tmp/cmds"
}

for pf in "$TESTS_SRCDIR"/golden/*.pf; do
	test -f "$pf" || continue
	name=$(basename "$pf" .pf)
	args=
	test -f "${pf%.pf}.args" && args=$(cat "${pf%.pf}.args")
	# Raw for Intel, text for AMD: both targets, both writers, half the time.
	job "$(dirname "$pf")" --cpu generic --target intel $args "$name.pf" -o "$tmp/$name.intel.bin"
	job "$(dirname "$pf")" --cpu generic --target amd $args --format text "$name.pf" -o "$tmp/$name.amd.txt"
done
for pf in "$TESTS_SRCDIR"/reject/*.pf; do
	test -f "$pf" || continue
	name=$(basename "$pf" .pf)
	job "$(dirname "$pf")" --cpu generic --target intel "$name.pf" -o "$tmp/reject-$name.bin"
done
for pf in "$TESTS_SRCDIR"/arm64/*.pf; do
	test -f "$pf" || continue
	name=$(basename "$pf" .pf)
	job "$(dirname "$pf")" --cpu generic --target arm64 --format text "$name.pf" -o "$tmp/arm-$name.txt"
done
# --check on policies (the explanation path), with and without a model.
for pf in "$TESTS_SRCDIR"/golden/stars.pf "$TESTS_SRCDIR"/golden/masked-semantics.pf; do
	test -f "$pf" || continue
	job "$(dirname "$pf")" --cpu generic --target intel --check select=0xc4,umask=0x00 "$(basename "$pf")"
	job "$(dirname "$pf")" --cpu skylake --check fixed=1 "$(basename "$pf")"
	job "$(dirname "$pf")" --cpu amdzen4 --check raw=0x1c2 "$(basename "$pf")"
done

# The runs above write blobs; the blob paths run on a few of them after.
if test -s "$tmp/cmds"; then
	tr '\n' '\0' <"$tmp/cmds" | xargs -0 -n 1 -P "$jobs" sh -c 'eval "$0" >/dev/null 2>&1; :'
fi
: >"$tmp/cmds"
n=0
for blob in "$tmp"/*.bin; do
	test -f "$blob" || continue
	n=$((n + 1))
	test $n -le 6 || break
	case $blob in *.amd.bin) t=amd ;; *) t=intel ;; esac
	job "$tmp" --target $t -d "$blob"
	job "$tmp" --target $t --check select=0xc4,umask=0x01 "$blob"
	head -c 40 "$blob" >"$tmp/cut$n.blob"
	job "$tmp" --target $t -d "$tmp/cut$n.blob"
done
for blob in "$TESTS_SRCDIR"/fuzz/corpus-blob/hand-*.bin; do
	test -f "$blob" || continue
	case $blob in *arm*) t=arm64 ;; *) t=intel ;; esac
	job "$tmp" --target $t -d "$blob"
done
if test -s "$tmp/cmds"; then
	tr '\n' '\0' <"$tmp/cmds" | xargs -0 -n 1 -P "$jobs" sh -c 'eval "$0" >/dev/null 2>&1; :'
fi

# With -q, only runs with errors leave text in their log.
i=0
while test $i -lt $njob; do
	i=$((i + 1))
	begin "valgrind finds no error: $(cat "$tmp/cmd.$i")"
	if ! test -f "$tmp/vg.$i"; then
		fail "valgrind did not run: $(cat "$tmp/cmd.$i")"
	elif test -s "$tmp/vg.$i"; then
		fail "valgrind reports errors: $(cat "$tmp/cmd.$i")"
		show "$tmp/vg.$i" 40
	fi
done
finish
