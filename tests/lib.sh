# tests/lib.sh - the one reporter of the shell tests (POSIX sh), sourced
# by every test script.  It prints TAP, as tests/tap.h does for the C
# tests, and exits with automake's codes:
#
#   ok N - WHAT                a case passed
#   not ok N - WHAT            a case failed; "# ..." lines after it say why
#   ok N - WHAT # SKIP WHY     a case that cannot run here
#   1..N                       the plan, at the end (finish)
#   # NAME: N cases, F failed[, S skipped]     the summary (finish)
#   1..0 # SKIP WHY            the whole test cannot run here (exit 77)
#   Bail out! NAME: WHY        the test itself is broken (exit 99)
#
# Exit 0: every case passed; 1: a case failed; 77: skipped; 99: hard error.
#
# Two ways to write a case, both counted alike:
#   begin WHAT; ...checks calling fail MSG...   the case stays open until
#        the next begin (or ok, bad, skipcase, finish), and passes unless a
#        fail came meanwhile; a fail with no case open is a failed case
#        of its own
#   ok WHAT / bad WHY / verdict / expect / has / hasnt / alive   a whole
#        case at once
#
# From `make check` (tests/Makefile.inc) come PMUFC (the built pmufc),
# TESTS_SRCDIR (this folder in the source tree, read-only under distcheck)
# and TESTS_BUILDDIR (tests/ in the build tree: helper programs).  Run by
# hand from a built tree, `sh tests/golden-listings.sh` finds them by itself.
# A script may set pf_test_name (its name in the output; a plain `me` could
# come from the environment) and pf_no_pmufc=1 (it needs no pmufc) before
# sourcing this file.  Everything a test writes goes into $tmp (a mktemp
# folder, removed on exit); processes it leaves running (their ids in
# $pids) are killed on exit.  tests/loader/lib.sh adds the loader's paths
# and tracing on top of this file.

me=${pf_test_name:-$(basename "$0" .sh)}
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")" && pwd)}"
: "${TESTS_BUILDDIR:=$TESTS_SRCDIR}"
: "${PMUFC:=$TESTS_BUILDDIR/../pmufc}"

ncase=0 nfail=0 nskip=0
pf_open= pf_open_failed=

# note MSG...: a diagnostic line ("# MSG").
note() {
	echo "# $*"
}

# bail MSG...: the test cannot be run as it stands (a missing helper, a
# broken setup): "Bail out!", exit 99.
bail() {
	echo "Bail out! $me: $*"
	exit 99
}

# skip_all WHY: nothing of this test can run here: exit 77.
skip_all() {
	pf_close
	if test "$ncase" = 0; then echo "1..0 # SKIP $*"; else echo "1..$ncase"; note "SKIP: $*"; fi
	exit 77
}

# pf_close: closes the open case, reporting it passed unless it failed.
pf_close() {
	if test -n "$pf_open" && test -z "$pf_open_failed"; then
		echo "ok $ncase - $pf_open"
	fi
	pf_open= pf_open_failed=
}

# begin WHAT...: opens a case (and closes the one open).
begin() {
	pf_close
	ncase=$((ncase + 1))
	pf_open=$*
	test -n "$pf_open" || pf_open="case $ncase"
}

# fail MSG...: the open case fails, MSG says why (a case of its own when
# none is open).  Returns 0, so that `test ... || fail ...` goes on.
fail() {
	if test -z "$pf_open"; then
		ncase=$((ncase + 1)) nfail=$((nfail + 1))
		echo "not ok $ncase - $*"
		return 0
	fi
	if test -z "$pf_open_failed"; then
		pf_open_failed=yes nfail=$((nfail + 1))
		echo "not ok $ncase - $pf_open"
	fi
	note "$*"
}

# ok WHAT / bad WHY: one whole case, passed or failed.  bad shows the
# start of $tmp/out and $tmp/err (what `run` caught).
ok() {
	pf_close
	ncase=$((ncase + 1))
	echo "ok $ncase - $*"
}
bad() {
	pf_close
	ncase=$((ncase + 1)) nfail=$((nfail + 1))
	echo "not ok $ncase - $*"
	for f in "$tmp/out" "$tmp/err"; do
		test -s "$f" && sed -n '1,20s/^/#     | /p' "$f"
	done
	return 0
}

# skipcase WHY WHAT: a case that cannot run here, reported as skipped.
skipcase() {
	pf_close
	ncase=$((ncase + 1)) nskip=$((nskip + 1))
	echo "ok $ncase - $2 # SKIP $1"
}

# verdict STATUS WHAT WHY: one case, passed if STATUS (e.g. $? of a test)
# is 0, else failed: WHY.
verdict() {
	if test "$1" = 0; then ok "$2"; else bad "$3"; fi
}

# run CMD...: runs it with stdout in $tmp/out, stderr in $tmp/err, status in $st.
run() {
	"$@" >"$tmp/out" 2>"$tmp/err"
	st=$?
}

# expect STATUS WHAT CMD...: run CMD, one case: its exit status is STATUS.
expect() {
	want=$1 desc=$2
	shift 2
	run "$@"
	if test "$st" = "$want"; then ok "$desc (exit $st)"; else bad "$desc: exit $st, expected $want"; fi
}

# has FILE TEXT WHAT / hasnt FILE TEXT WHAT: one case, FILE contains
# (does not contain) TEXT, a fixed string.
has() {
	if grep -qF -- "$2" "$1"; then ok "$3"; else bad "$3: no '$2' in $(basename "$1")"; fi
}
hasnt() {
	if grep -qF -- "$2" "$1"; then bad "$3: '$2' in $(basename "$1")"; else ok "$3"; fi
}

# alive PID WHAT: one case, the process still runs.
alive() {
	if kill -0 "$1" 2>/dev/null; then ok "$2"; else bad "$2: process $1 is gone"; fi
}

# same EXPECTED ACTUAL WHAT: compare two text files; on a difference the
# open case fails with a diff.  Returns non-zero on a difference.
same() {
	if ! cmp -s "$1" "$2"; then
		fail "$3 (diff expected actual):"
		diff -u "$1" "$2" | sed -n '1,60s/^/# /p'
		return 1
	fi
}

# show FILE [LINES]: FILE (its first LINES, default 20) as diagnostics.
show() {
	sed -n "1,${2:-20}s/^/#   /p" "$1"
}

# hexof FILE: the bytes of FILE as one lowercase hex string.
hexof() {
	od -An -tx1 -v "$1" | tr -d ' \n'
}

# tap_merge PREFIX FILE: the TAP lines of FILE (another program's, e.g. a
# guest's) as cases of this test, "PREFIX: WHAT", renumbered in turn; its
# plan is dropped and its other lines become notes.  Sets merged (the
# cases merged) and merged_failed.
tap_merge() {
	merged=0 merged_failed=0
	while IFS= read -r pf_l; do
		case $pf_l in
		"not ok "*)
			bad "$1: ${pf_l#not ok * - }"
			merged_failed=$((merged_failed + 1)) ;;
		"ok "*" # SKIP "*)
			pf_l=${pf_l#ok * - }
			skipcase "${pf_l##* # SKIP }" "$1: ${pf_l% # SKIP *}" ;;
		"ok "*) ok "$1: ${pf_l#ok * - }" ;;
		1..*) continue ;;
		*) note "$pf_l"; continue ;;
		esac
		merged=$((merged + 1))
	done <"$2"
}

# tbl_read FILE: the one reader of decision tables (tests/decide/*.tbl,
# tests/selftest/*.tbl, tests/policies.tbl).  A table holds one row a
# line; "#" starts a comment, to the end of the line:
#   policy FILE              the policy the rows below are asked of
#   toobig TARGET            the policy fits in no filter on TARGET
#   filter TARGET ARGS...    a literal filter (tests/blobtool make ARGS)
#   TARGET SELECT UMASK EXPECT    intel, amd: every event select x unit
#                            mask, each a NUMBER, LO-HI or all (select:
#                            0x00-0xff on intel, 0x000-0xfff on amd;
#                            umask: 0x00-0xff)
#   TARGET fixed=N EXPECT    intel fixed counters: NUMBER, LO-HI, all (0-31)
#   TARGET raw=N EXPECT      a raw event select value: NUMBER or LO-HI
#   arm64 arm=N EXPECT       arm64 events: NUMBER or LO-HI
# EXPECT is allow or deny.  NUMBERs are spelled as `pmufc --check` takes
# them (0x1f, 31, 0b11111); a single one is asked as written, a range's
# events in hex.  E.g. `intel 0xd0 0x00-0x03 allow`, `amd 0x2e all deny`,
# `intel fixed=0-2 allow`.  Prints one line per event asked,
# "LINE TARGET EVENT EXPECT" with EVENT as --check takes it
# (select=0xd0,umask=0x01; fixed=N; raw=N; arm=N), the other rows as
# "LINE KEYWORD ARGS...", and what it cannot read as "LINE error WHY".
tbl_read() {
	awk '
	function num(s,   v, i, c, d) {
		v = 0
		if (s ~ /^0[xX][0-9a-fA-F]+$/) {
			for (i = 3; i <= length(s); i++) {
				c = tolower(substr(s, i, 1)); d = index("0123456789abcdef", c) - 1; v = v * 16 + d
			}
		} else if (s ~ /^0[bB][01]+$/) {
			for (i = 3; i <= length(s); i++) v = v * 2 + substr(s, i, 1)
		} else if (s ~ /^[0-9]+$/) {
			v = s + 0
		} else return -1
		return v
	}
	# span(FIELD, ALL-HI): sets lo, hi, single (the number as written);
	# 0 when FIELD is no number, range or (if ALL-HI >= 0) all.
	function span(f, allhi,   p) {
		single = ""
		if (f == "all") { if (allhi < 0) return 0; lo = 0; hi = allhi; return 1 }
		p = index(f, "-")
		if (p == 0) { lo = hi = num(f); single = f; return lo >= 0 }
		lo = num(substr(f, 1, p - 1)); hi = num(substr(f, p + 1))
		return lo >= 0 && hi >= lo
	}
	function hex(v) { return sprintf("0x%02x", v) }
	{ sub(/#.*/, "") }
	NF == 0 { next }
	$1 == "policy" || $1 == "toobig" || $1 == "filter" { $1 = $1; print NR, $0; next }
	{
		t = $1; want = $NF
		if (want != "allow" && want != "deny") { print NR, "error", "\"" want "\" is neither allow nor deny"; next }
		if ((t == "intel" || t == "amd") && NF == 4) {
			if (!span($2, t == "amd" ? 4095 : 255)) { print NR, "error", "bad select \"" $2 "\""; next }
			slo = lo; shi = hi; ssin = single
			if (!span($3, 255)) { print NR, "error", "bad umask \"" $3 "\""; next }
			for (s = slo; s <= shi; s++)
				for (u = lo; u <= hi; u++)
					print NR, t, "select=" (ssin != "" ? ssin : hex(s)) \
					    ",umask=" (single != "" ? single : hex(u)), want
			next
		}
		if (NF == 3 && match($2, /^(fixed|raw|arm)=/)) {
			k = substr($2, 1, RLENGTH - 1); f = substr($2, RLENGTH + 1)
			if ((k == "arm") != (t == "arm64") || (k == "fixed" && t != "intel")) {
				print NR, "error", "no " k "= events on " t; next
			}
			if (!span(f, k == "fixed" ? 31 : -1)) { print NR, "error", "bad " k " \"" f "\""; next }
			for (v = lo; v <= hi; v++)
				print NR, t, k "=" (single != "" ? single : k == "fixed" ? v : hex(v)), want
			next
		}
		print NR, "error", "not a row: TARGET SELECT UMASK EXPECT, TARGET fixed=N|raw=N|arm=N EXPECT, or a keyword"
	}' "$1"
}

# finish: closes the open case, prints the plan and the summary, and exits
# 1 if a case failed, else 0.
finish() {
	pf_close
	echo "1..$ncase"
	pf_s=
	test "$nskip" = 0 || pf_s=", $nskip skipped"
	note "$me: $ncase cases, $nfail failed$pf_s"
	test "$nfail" = 0 || exit 1
	exit 0
}

if test "${pf_no_pmufc:-}" != 1 && ! test -x "$PMUFC"; then
	bail "no pmufc at $PMUFC (build first)"
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pmufc-$me.XXXXXX") || bail "mktemp failed"
pids=
cleanup() {
	for p in $pids; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM
