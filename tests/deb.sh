#!/bin/sh
# tests/deb.sh - the Debian packages (debian/), built from a copy of the
# source tree, checked, installed on this machine, used and purged:
#
#   - `dpkg-buildpackage -us -uc -b` builds pmufc, libpmufc0 and
#     libpmufc-dev (its quick test subset included, debian/rules), and
#     `debian/rules clean` leaves the tree exactly as it was; every file
#     of debian/ is in Makefile.am's EXTRA_DIST;
#   - lintian (-I -E --pedantic): no error, no warning, and every other tag
#     it prints is listed with why in debian/README.lintian;
#   - the symbols file lists exactly the functions of include/pmufc.h, and
#     the library exports exactly those;
#   - installed (dpkg -i): the installed pmufc recompiles every shipped
#     policy in /usr/share/pmufc into the very filters and bundles
#     installed beside it, lists them (--list-policies), includes them by
#     name; `pmufc run` (a policy, a filter, a bundle)
#     preloads the packaged shim from /usr/lib/<triplet>/pmufc into
#     tests/loader/test-vmm, a real VMM: with a usable /dev/kvm the shim
#     applies the filter to its VM and the VMM's own checks pass, another
#     vendor's filter is refused before the VMM starts, and the shim alone
#     without a filter stops the VMM; without /dev/kvm (the host's, or
#     hidden in a mount namespace) the shim still loads and reads the
#     filter, and the VMM exits as it does without KVM; man finds
#     pmufc(1), pmufc.policy(5) and the section 3 pages (the .so links
#     too); pkg-config and a small C program built against the installed
#     library compile a policy to the same bytes as the installed pmufc,
#     and report a bad one through the diagnostics API; bash completion
#     and the vim addon load from where Debian puts them;
#   - `dpkg --purge` leaves none of the packages' files behind.
#
# Not in TESTS: it installs on this machine and builds from the source
# tree, not from this build; `make check-packaging` runs it (tests/run-all
# after `make check`).  It needs root (dpkg -i) and installs what it needs
# that is missing (dpkg-dev, debhelper, lintian, the Build-Depends, man-db)
# with apt-get; it skips (77) where it cannot.  It never touches an
# install it did not make: with any of the three packages installed before
# it runs, or a file of theirs already on the machine, it builds and
# checks the packages but does not install them, and skips (77) saying why.
pf_no_pmufc=1
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")" && pwd)}"
. "$TESTS_SRCDIR/lib.sh"

t_start=$(date +%s)
# Run from make (make check-packaging), the environment carries make's
# command line (MAKEFLAGS: TESTS=tests/deb.sh ...), and the package
# build's own `make check TESTS=...` would take it and run this test again
# inside the package build, and so on without end: none of it goes on.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES GNUMAKEFLAGS
# ... and should a make still get here from inside a package build
# (dpkg-buildpackage sets DEB_RULES_REQUIRES_ROOT), this test, which
# builds and installs packages, does not run there.
test -z "${DEB_RULES_REQUIRES_ROOT:-}" || skip_all "run inside a package build (dpkg-buildpackage)"
pkgs="pmufc libpmufc0 libpmufc-dev"

test "$(id -u)" = 0 || skip_all "installing the packages (dpkg -i) needs root"
command -v dpkg >/dev/null 2>&1 || skip_all "not a Debian system (no dpkg)"

# apt_install PKG...: installs what is missing, quietly; non-zero if it cannot.
apt_install() {
	command -v apt-get >/dev/null 2>&1 || return 1
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q "$@" >"$tmp/apt.log" 2>&1 && return 0
	DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$tmp/apt.log" 2>&1 &&
	    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q "$@" >>"$tmp/apt.log" 2>&1
}

need=
command -v dpkg-buildpackage >/dev/null 2>&1 || need="$need dpkg-dev"
command -v dh >/dev/null 2>&1 || need="$need debhelper"
command -v lintian >/dev/null 2>&1 || need="$need lintian"
command -v git >/dev/null 2>&1 || need="$need git"
command -v cc >/dev/null 2>&1 || need="$need build-essential"
if test -n "$need"; then
	# shellcheck disable=SC2086
	apt_install $need || skip_all "cannot install$need: $(tail -n 1 "$tmp/apt.log" 2>/dev/null)"
	note "installed$need"
fi

top=$(cd "$TESTS_SRCDIR/.." && pwd)
test -f "$top/debian/control" || bail "no debian/control in $top"
ver=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version) || bail "debian/changelog does not parse"
arch=$(dpkg --print-architecture)
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
shim=/usr/lib/$ma/pmufc/pmufc-shim.so

# 1. A copy of the tree as git sees it: its files less what .gitignore
# ignores (objects, an in-place configure, _build/, ...), without .git and
# without what an earlier package build in the tree left in debian/.
src=$tmp/src/pmufc-$ver
mkdir -p "$src"
(cd "$top" && tar -cf - --exclude=./.git --exclude=./_build --exclude=./_asan --exclude=./_src \
	--exclude=./debian/build --exclude=./debian/tmp --exclude=./debian/.debhelper \
	--exclude=./debian/pmufc --exclude=./debian/libpmufc0 --exclude=./debian/libpmufc-dev \
	--exclude='./debian/*-dbgsym' .) | (cd "$src" && tar -xf -) || bail "cannot copy $top"
(cd "$src" && git init -q . >/dev/null 2>&1 && git clean -q -f -d -X && rm -rf .git) ||
	bail "cannot clean the copy of $top (git clean -X)"
# The Build-Depends (debian/control) that are missing: installed, as
# apt-get build-dep does for a source tree.
if ! (cd "$src" && dpkg-checkbuilddeps) >"$tmp/deps.log" 2>&1; then
	command -v apt-get >/dev/null 2>&1 &&
	    { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 build-dep -y -q "$src" >"$tmp/apt.log" 2>&1 ||
	      { DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$tmp/apt.log" 2>&1 &&
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 build-dep -y -q "$src" >>"$tmp/apt.log" 2>&1; }; } ||
	    skip_all "cannot install the Build-Depends: $(sed 's/.*: //' "$tmp/deps.log" | head -n 1)"
	note "installed the Build-Depends: $(sed 's/.*: //' "$tmp/deps.log" | head -n 1)"
fi
(cd "$src" && debian/rules clean) >"$tmp/clean0.log" 2>&1 || {
	show "$tmp/clean0.log" 20
	bail "debian/rules clean fails on the copy"
}
# snapshot DIR FILE: every file's checksum, every folder and link, sorted.
snapshot() {
	(cd "$1" && { find . -type f -exec md5sum {} + | sed 's/^/file /'
		find . -type d | sed 's/^/dir /'
		find . -type l -exec sh -c 'for l; do echo "link $l -> $(readlink "$l")"; done' sh {} +
	} | LC_ALL=C sort) >"$2"
}
snapshot "$src" "$tmp/tree.before"

# Makefile.am lists debian/'s files one by one in EXTRA_DIST (the tarball
# builds the packages too): every one of them.
begin "every file of debian/ is in Makefile.am's EXTRA_DIST"
(cd "$src" && find debian -type f) | LC_ALL=C sort >"$tmp/debfiles"
while IFS= read -r f; do
	grep -q "[[:space:]]$f\([[:space:]]\|\$\)" "$src/Makefile.am" || fail "$f is not in EXTRA_DIST"
done <"$tmp/debfiles"

# 2. The build.
begin "dpkg-buildpackage -us -uc -b builds $pkgs $ver"
t0=$(date +%s)
(cd "$src" && dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1
st=$?
t1=$(date +%s)
note "dpkg-buildpackage: $((t1 - t0)) s"
if test $st != 0; then
	fail "dpkg-buildpackage: exit $st; the end of its log:"
	tail -n 40 "$tmp/build.log" | sed 's/^/#   /'
	finish
fi
for p in $pkgs; do
	test -f "$tmp/src/${p}_${ver}_$arch.deb" || fail "no ${p}_${ver}_$arch.deb"
done
changes=$tmp/src/pmufc_${ver}_$arch.changes
test -f "$changes" || fail "no $(basename "$changes")"

case " ${DEB_BUILD_OPTIONS:-} " in
*" nocheck "*) skipcase "DEB_BUILD_OPTIONS has nocheck" "the package build's quick tests" ;;
*)
	total=$(sed -n 's/^# TOTAL: *//p' "$tmp/build.log" | tail -n 1)
	pass=$(sed -n 's/^# PASS: *//p' "$tmp/build.log" | tail -n 1)
	test -n "$total" && test "$total" -gt 0 && test "$pass" = "$total"
	verdict $? "the package build ran its quick tests ($pass of $total passed)" \
		"the package build's tests: '$pass' of '$total' passed"
	;;
esac

(cd "$src" && debian/rules clean) >"$tmp/clean1.log" 2>&1 || fail "debian/rules clean after the build failed"
snapshot "$src" "$tmp/tree.after"
begin "after debian/rules clean the tree is as it was (nothing left, nothing changed)"
same "$tmp/tree.before" "$tmp/tree.after" "the tree before the build and after clean"

# 3. lintian: errors and warnings fail; other tags must be listed.
begin "lintian: no errors, no warnings, every other tag listed in debian/README.lintian"
lintian -I -E --pedantic "$changes" >"$tmp/lintian.out" 2>"$tmp/lintian.err"
lst=$?
grep -v '^running with root privileges' "$tmp/lintian.err" | sed -n '1,10s/^/# lintian: /p'
ntags=0
while IFS= read -r l; do
	case $l in [EWIPXO]:\ *) ;; *) continue ;; esac
	ntags=$((ntags + 1))
	kind=${l%%:*}
	rest=${l#?: }
	pkg=${rest%%: *}
	pkg=${pkg%% *}
	tag=${rest#*: }
	tag=${tag%% *}
	case $kind in
	E|W) fail "lintian: $l" ;;
	*) grep -q "^$tag, $pkg:" "$src/debian/README.lintian" ||
		fail "lintian: $l (not listed in debian/README.lintian)" ;;
	esac
done <"$tmp/lintian.out"
test $lst = 0 || fail "lintian exited $lst"
note "lintian: $ntags tags, all listed"

# 4. The symbols file, the header and the library's exports.
begin "debian/libpmufc0.symbols lists exactly include/pmufc.h's functions, and libpmufc.so.0 exports exactly those"
sed -n 's/^PMUFC_API [^(]*[ *]\(pmufc_[a-z0-9_]*\)(.*/\1/p' "$src/include/pmufc.h" | LC_ALL=C sort >"$tmp/api"
sed -n 's/^ \(pmufc_[a-z0-9_]*\)@Base .*/\1/p' "$src/debian/libpmufc0.symbols" | LC_ALL=C sort >"$tmp/symbols"
dpkg-deb -x "$tmp/src/libpmufc0_${ver}_$arch.deb" "$tmp/lib0"
nm -D --defined-only "$tmp/lib0/usr/lib/$ma/libpmufc.so.0" | awk '$2 ~ /^[TtDdBbRrVvWwi]$/ {print $3}' |
	sed 's/@.*//' | LC_ALL=C sort >"$tmp/exports"
test -s "$tmp/api" || fail "no PMUFC_API functions found in include/pmufc.h"
same "$tmp/api" "$tmp/symbols" "include/pmufc.h's functions and debian/libpmufc0.symbols"
same "$tmp/api" "$tmp/exports" "include/pmufc.h's functions and libpmufc.so.0's exports"
note "$(wc -l <"$tmp/api") functions"

# 5. Install, unless that would touch an install this test did not make.
# Another run of this test (another build tree's `make check-packaging`)
# may be between its install and its purge: one at a time, from here to
# the purge (flock on a lock file shared by every run; the lock goes with
# the process).  Their builds above run side by side.
lockdir=/run/lock
test -d "$lockdir" && test -w "$lockdir" || lockdir=${TMPDIR:-/tmp}
if command -v flock >/dev/null 2>&1; then
	exec 9>"$lockdir/pmufc-deb.sh.lock" || bail "cannot open $lockdir/pmufc-deb.sh.lock"
	tl=$(date +%s)
	flock -w 1200 9 || skip_all "another run of deb.sh has held $lockdir/pmufc-deb.sh.lock for 20 minutes"
	test $(($(date +%s) - tl)) -lt 2 || note "waited $(($(date +%s) - tl)) s for another run of deb.sh"
else
	note "no flock: runs of deb.sh side by side would clash"
fi
# The packages this test would put on the machine must not be there yet:
# purging them at the end would take away someone's install.
preinstalled=
for p in $pkgs; do
	s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) || continue
	case $s in *not-installed) ;; *) preinstalled="$preinstalled $p ($s)" ;; esac
done
why_not=
test -z "$preinstalled" || why_not="already installed:$preinstalled; this test does not replace (and then purge) it"
if test -z "$why_not"; then
	for p in $pkgs; do
		dpkg-deb --fsys-tarfile "$tmp/src/${p}_${ver}_$arch.deb" | tar -tf - | sed 's|^\./|/|'
	done | while IFS= read -r f; do
		case $f in */) continue ;; esac
		if test -e "$f" || test -L "$f"; then echo "$f"; fi
	done >"$tmp/conflicts"
	test -s "$tmp/conflicts" &&
	    why_not="$(wc -l <"$tmp/conflicts") of the packages' files are already on this machine (e.g. $(head -n 1 "$tmp/conflicts")), from an install this test did not make"
fi
# The packages were built and checked, but their main use is not had:
# the test as a whole is skipped (77), saying why.
test -z "$why_not" || skip_all "not installed: $why_not"


# dpkg_retry ARGS...: dpkg, again while apt or dpkg elsewhere holds dpkg's
# lock (for at most 5 minutes); its output in $tmp/dpkg.log.
dpkg_retry() {
	i=0
	while ! dpkg "$@" >"$tmp/dpkg.log" 2>&1; do
		grep -q "lock" "$tmp/dpkg.log" && test $i -lt 60 || return 1
		i=$((i + 1))
		sleep 5
	done
}
installed=
purge() {
	test -n "$installed" || return 0
	# shellcheck disable=SC2086
	dpkg_retry --purge $pkgs
	installed=
}
trap 'purge; cleanup' EXIT

begin "dpkg -i installs the three packages"
installed=yes
dpkg_retry -i "$tmp/src/pmufc_${ver}_$arch.deb" "$tmp/src/libpmufc0_${ver}_$arch.deb" \
	"$tmp/src/libpmufc-dev_${ver}_$arch.deb" || {
	fail "dpkg -i failed:"
	show "$tmp/dpkg.log" 30
	finish
}
for p in $pkgs; do
	s=$(dpkg-query -W -f='${Status} ${Version}' "$p" 2>/dev/null)
	test "$s" = "install ok installed $ver" || fail "$p: '$s'"
done

# Everything below runs the installed programs, from a folder that is no
# build tree, with nothing pointing elsewhere.
cd "$tmp" || bail "cd $tmp"
unset PMUFC_SHIM PMUFC_FILTER PMUFC_TARGET PMUFC_ARM_MAX PMUFC_VERBOSE PMUFC_FORCE_VENDOR PMUFC_WERROR \
	LD_PRELOAD LD_LIBRARY_PATH PKG_CONFIG_PATH
P=/usr/bin/pmufc

begin "the installed pmufc is version $ver"
run "$P" --version
test $st = 0 && test "$(cat "$tmp/out")" = "pmufc $ver" || fail "pmufc --version: exit $st, '$(cat "$tmp/out")'"
test -z "${PACKAGE_VERSION:-}" || test "$PACKAGE_VERSION" = "$ver" ||
	fail "debian/changelog says $ver, configure.ac's AC_INIT $PACKAGE_VERSION"

# 6. The shipped policies and their filters.
begin "every shipped policy in /usr/share/pmufc recompiles, with the installed pmufc, into the filters installed beside it"
npol=0 nbin=0
for pf in /usr/share/pmufc/*.pf; do
	n=$(basename "$pf" .pf)
	npol=$((npol + 1))
	ts=$(sed -n 's/^# *targets: *//p' "$pf")
	test -n "$ts" || fail "$pf: no '# targets:' line"
	for t in $ts; do
		nbin=$((nbin + 1))
		if ! "$P" -W --cpu generic --target "$t" -o "$tmp/$n.$t.bin" "$pf" 2>"$tmp/err"; then
			fail "$pf for $t does not compile: $(head -n 3 "$tmp/err")"
		elif ! cmp -s "$tmp/$n.$t.bin" "/usr/share/pmufc/$n.$t.bin"; then
			fail "/usr/share/pmufc/$n.$t.bin is not what the installed pmufc makes of $pf"
		fi
	done
done
for b in /usr/share/pmufc/*.bin; do
	test -f "$tmp/$(basename "$b")" || fail "$b: no shipped policy makes it"
done
test $npol -gt 0 || fail "no policies in /usr/share/pmufc"
note "$npol policies, $nbin filters"

begin "every shipped policy's bundle, /usr/share/pmufc/NAME/, is what the installed pmufc bundle makes of it"
nbun=0
for pf in /usr/share/pmufc/*.pf; do
	n=$(basename "$pf" .pf)
	if ! test -f "/usr/share/pmufc/$n/index"; then
		fail "no bundle /usr/share/pmufc/$n/"
	elif ! "$P" bundle -W -o "$tmp/bundle-$n" "$pf" 2>"$tmp/err"; then
		fail "pmufc bundle $pf: $(head -n 3 "$tmp/err")"
	elif ! diff -r "$tmp/bundle-$n" "/usr/share/pmufc/$n" >"$tmp/diff" 2>&1; then
		fail "/usr/share/pmufc/$n/ is not what pmufc bundle makes of $pf: $(head -n 3 "$tmp/diff")"
	else
		nbun=$((nbun + 1))
	fi
done
for d in /usr/share/pmufc/*/; do
	test -f "/usr/share/pmufc/$(basename "$d").pf" || fail "$d: no shipped policy makes it"
done
note "$nbun bundles"

begin "pmufc --list-policies lists every one of them"
run "$P" --list-policies
test $st = 0 || fail "--list-policies: exit $st"
for pf in /usr/share/pmufc/*.pf; do
	grep -q "^$(basename "$pf" .pf) " "$tmp/out" || fail "--list-policies does not list $(basename "$pf" .pf)"
done
test "$(wc -l <"$tmp/out")" = "$npol" || fail "--list-policies: $(wc -l <"$tmp/out") lines for $npol policies"

begin "a policy includes a shipped one by name (include \"tier-basic.pf\": the same filter)"
printf 'include "tier-basic.pf";\n' >"$tmp/inc.pf"
"$P" --target intel -o "$tmp/inc.bin" "$tmp/inc.pf" 2>"$tmp/err" || fail "does not compile: $(head -n 3 "$tmp/err")"
cmp -s "$tmp/inc.bin" /usr/share/pmufc/tier-basic.intel.bin || fail "not the bytes of tier-basic.intel.bin"

run "$P" --target intel --check select=0xc0,umask=0x00 /usr/share/pmufc/tier-basic.intel.bin
has "$tmp/out" "allow" "--check on an installed filter: instructions retired (0xc0) allowed by tier-basic"

# 7. pmufc run with the packaged shim, into tests/loader/test-vmm (a real
# VMM: it makes a VM through libc's ioctl and checks its own state).  A
# wrapper records what LD_PRELOAD pmufc gave it, then becomes test-vmm.
vmm=$TESTS_BUILDDIR/loader/test-vmm
test -f "$shim" && test ! -f "${shim%.so}.la"
verdict $? "the shim is $shim (no .la beside it)" "no $shim, or a .la beside it"
kvm=no
{ true </dev/kvm; } 2>/dev/null && kvm=yes
note "/dev/kvm: $kvm"
if ! test -x "$vmm"; then
	skipcase "no $vmm (make check builds it)" "pmufc run with the packaged shim"
else
	wrap=$tmp/vmm
	cat >"$wrap" <<EOS
#!/bin/sh
printf '%s\n' "\$LD_PRELOAD" >"$tmp/preload"
exec "$vmm" "\$@"
EOS
	chmod +x "$wrap"
	# preloaded WHAT: the wrapper got exactly the packaged shim.
	preloaded() {
		if test "$(cat "$tmp/preload" 2>/dev/null)" = "$shim"; then ok "$1: the VMM got LD_PRELOAD=$shim"
		else bad "$1: the VMM got LD_PRELOAD='$(cat "$tmp/preload" 2>/dev/null)', not $shim"; fi
		rm -f "$tmp/preload"
	}
	host=$("$P" --probe 2>/dev/null | sed -n 's/^host: \([a-z0-9]*\).*/\1/p')
	note "pmufc --probe: host $host"
	if test $kvm = yes; then
		PMUFC_VERBOSE=1 expect 0 "run tier-standard.pf on /dev/kvm: the VMM runs" \
			"$P" run /usr/share/pmufc/tier-standard.pf -- "$wrap"
		has "$tmp/out" "checks ok" "run tier-standard.pf: the VMM's own checks pass"
		has "$tmp/err" "applied to VM fd" "run tier-standard.pf: the packaged shim applied the filter to the VM"
		preloaded "run tier-standard.pf"
		# The bundle: this host's filter picked from it (issue 17's closing
		# command, with test-vmm for qemu-system-x86_64).
		PMUFC_VERBOSE=1 expect 0 "run /usr/share/pmufc/tier-standard (the bundle): the VMM runs" \
			"$P" run /usr/share/pmufc/tier-standard -- "$wrap"
		has "$tmp/out" "checks ok" "run the bundle: the VMM's own checks pass"
		has "$tmp/err" "applied to VM fd" "run the bundle: the packaged shim applied this host's filter"
		grep "tier-standard: this host" "$tmp/err" | sed 's/^/# /'
		preloaded "run the bundle"
		case $host in
		intel|amd)
			other=amd
			test "$host" = amd && other=intel
			PMUFC_VERBOSE=1 expect 0 "run tier-standard.$host.bin (the installed filter): the VMM runs" \
				"$P" run "/usr/share/pmufc/tier-standard.$host.bin" -- "$wrap"
			has "$tmp/err" "applied to VM fd" "run tier-standard.$host.bin: applied"
			rm -f "$tmp/preload"
			expect 65 "run tier-standard.$other.bin (the other vendor's rules): refused" \
				"$P" run --target "$other" "/usr/share/pmufc/tier-standard.$other.bin" -- "$wrap"
			if test -e "$tmp/preload"; then bad "run tier-standard.$other.bin: the VMM was started"
			else ok "run tier-standard.$other.bin: the VMM was not started"; fi
			;;
		*) skipcase "this host's target is '$host'" "run the installed filter of this host's vendor" ;;
		esac
		LD_PRELOAD=$shim expect 70 "the packaged shim alone, no PMUFC_FILTER: it stops the VMM" "$vmm"
		has "$tmp/err" "PMUFC_FILTER is not set" "the packaged shim alone: says why"
	else
		for c in "run on /dev/kvm: the VMM runs, filtered" "run the bundle on /dev/kvm" "run: another vendor's filter refused" \
			"the packaged shim alone stops the VMM"; do
			skipcase "no usable /dev/kvm" "$c"
		done
	fi
	# No /dev/kvm: this host's lack of it, else a mount namespace whose
	# /dev (a tmpfs with /dev/null only) has none.  The shim is preloaded
	# and reads the filter; test-vmm then exits 77, as without KVM.
	nokvm=
	if test $kvm = no; then
		nokvm=plain
	elif command -v unshare >/dev/null 2>&1 &&
	     unshare -m sh -c 'mount -t tmpfs none /dev' >/dev/null 2>&1; then
		nokvm=hidden
	fi
	if test -n "$nokvm"; then
		if test $nokvm = plain; then
			PMUFC_VERBOSE=1 run "$P" run /usr/share/pmufc/tier-standard.pf -- "$wrap"
		else
			PMUFC_VERBOSE=1 run unshare -m sh -c 'mount -t tmpfs none /dev && mknod -m 666 /dev/null c 1 3 &&
				exec "$@"' sh "$P" run /usr/share/pmufc/tier-standard.pf -- "$wrap"
		fi
		test $st = 77 && cat "$tmp/out" "$tmp/err" | grep -q "test-vmm: /dev/kvm"
		verdict $? "without /dev/kvm ($nokvm): run tier-standard.pf starts the VMM, which exits 77 with no KVM" \
			"without /dev/kvm ($nokvm): exit $st"
		has "$tmp/err" "loaded the PMU event filter" "without /dev/kvm ($nokvm): the packaged shim loaded and read the filter"
		preloaded "without /dev/kvm ($nokvm)"
	else
		skipcase "cannot hide /dev/kvm here (no unshare -m)" "run without /dev/kvm"
	fi
fi

# 8. The manual pages, through man.
if ! command -v man >/dev/null 2>&1; then
	apt_install man-db && note "installed man-db"
fi
if ! command -v man >/dev/null 2>&1; then
	skipcase "no man, and man-db cannot be installed" "man pmufc, man 5 pmufc.policy, man 3 pages"
elif ! test -e /usr/share/man/man1/pmufc.1.gz &&
     grep -qs 'path-exclude.*/usr/share/man' /etc/dpkg/dpkg.cfg.d/*; then
	skipcase "dpkg here excludes /usr/share/man (/etc/dpkg/dpkg.cfg.d)" "man pmufc, man 5 pmufc.policy, man 3 pages"
else
	begin "man -w finds pmufc(1), pmufc.policy(5), pmufc(3) and every function's page"
	for pg in 1:pmufc 5:pmufc.policy 3:pmufc; do
		w=$(man -w "${pg%%:*}" "${pg#*:}" 2>/dev/null)
		test "$w" = "/usr/share/man/man${pg%%:*}/${pg#*:}.${pg%%:*}.gz" || fail "man -w ${pg%%:*} ${pg#*:}: '$w'"
	done
	# A function without a page of its own is a link to the page that
	# documents it (man -w names the page it leads to).
	nf=0
	for f in $(sed -n 's/^PMUFC_API [^(]*[ *]\(pmufc_[a-z0-9_]*\)(.*/\1/p' /usr/include/pmufc.h); do
		nf=$((nf + 1))
		w=$(man -w 3 "$f" 2>/dev/null)
		case $w in /usr/share/man/man3/pmufc*.3.gz) test -f "$w" || fail "man -w 3 $f: no $w" ;;
		*) fail "man -w 3 $f: '$w'" ;; esac
	done
	test $nf -gt 0 || fail "no functions in /usr/include/pmufc.h"
	begin "man pmufc, man 5 pmufc.policy and man 3 pmufc_compile_string (a link) render"
	MANWIDTH=80 MANPAGER=cat PAGER=cat man pmufc 2>"$tmp/err" | head -n 5 >"$tmp/man1"
	grep -q "^NAME" "$tmp/man1" && grep -q "PMUFC(1)" "$tmp/man1" || fail "man pmufc: $(head -n 3 "$tmp/man1" "$tmp/err")"
	MANWIDTH=80 MANPAGER=cat PAGER=cat man 5 pmufc.policy 2>&1 | head -n 3 | grep -q "PMUFC.POLICY(5)" ||
		fail "man 5 pmufc.policy does not render"
	MANWIDTH=80 MANPAGER=cat PAGER=cat man 3 pmufc_compile_string 2>&1 | head -n 3 | grep -q "PMUFC_COMPILE(3)" ||
		fail "man 3 pmufc_compile_string does not render pmufc_compile(3)"
fi

# 9. pkg-config and a program against the installed library.
begin "pkg-config --libs --cflags pmufc, --modversion $ver"
command -v pkg-config >/dev/null 2>&1 || apt_install pkgconf || fail "no pkg-config"
pc=$(pkg-config --libs --cflags pmufc 2>&1) || fail "pkg-config --libs --cflags pmufc: $pc"
case " $pc " in *" -lpmufc "*) ;; *) fail "pkg-config --libs --cflags pmufc: '$pc', no -lpmufc" ;; esac
mv=$(pkg-config --modversion pmufc 2>&1)
test "$mv" = "$ver" || fail "pkg-config --modversion pmufc: '$mv'"
note "pkg-config --libs --cflags pmufc: $pc"

cat >"$tmp/prog.c" <<'EOF'
/* Compiles a policy string with the installed libpmufc, writes the
 * filter to argv[1]; then a bad policy, whose error it prints. */
#include <pmufc.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    static const char good[] = "default deny;\nallow x86 select=0xc0 umask=0x00;\nallow fixed 0x1;\n";
    static const char bad[] = "default deny;\nalow x86 select=0xc0;\n";
    unsigned char blob[4096];
    char msg[1024];
    struct pmufc_ctx *ctx = pmufc_ctx_new();
    if (argc != 2 || !ctx || pmufc_set_target(ctx, PMUFC_TARGET_INTEL))
        return 2;
    if (pmufc_compile_string(ctx, "good.pf", good, strlen(good)))
        return 3;
    ssize_t n = pmufc_get_blob(ctx, blob, sizeof(blob));
    FILE *f = fopen(argv[1], "wb");
    if (n <= 0 || !f || fwrite(blob, 1, (size_t)n, f) != (size_t)n || fclose(f))
        return 4;
    printf("libpmufc %s: %zd bytes\n", pmufc_version(), n);
    if (pmufc_compile_string(ctx, "bad.pf", bad, strlen(bad)) == 0 || pmufc_diag_count(ctx) == 0)
        return 5;
    if (pmufc_diag_format(ctx, 0, msg, sizeof(msg)) < 0)
        return 6;
    fputs(msg, stdout);
    pmufc_ctx_free(&ctx);
    return ctx == NULL ? 0 : 7;
}
EOF
printf 'default deny;\nallow x86 select=0xc0 umask=0x00;\nallow fixed 0x1;\n' >"$tmp/good.pf"
begin "a C program built with pkg-config against the installed library compiles a policy string, and reports a bad one"
# shellcheck disable=SC2046
if ! cc -std=c11 -Wall -Wextra -Werror $(pkg-config --cflags pmufc) -o "$tmp/prog" "$tmp/prog.c" \
	$(pkg-config --libs pmufc) 2>"$tmp/err"; then
	fail "does not build:"
	show "$tmp/err" 10
else
	# (/lib is /usr/lib on a merged /usr.)
	lib=$(ldd "$tmp/prog" | sed -n 's/^[[:space:]]*libpmufc\.so\.0 => \([^ ]*\) .*/\1/p')
	test -n "$lib" && test "$(readlink -f "$lib")" = "$(readlink -f "/usr/lib/$ma/libpmufc.so.0")" ||
		fail "not linked against /usr/lib/$ma/libpmufc.so.0: $(ldd "$tmp/prog" | grep pmufc)"
	run "$tmp/prog" "$tmp/lib.bin"
	test $st = 0 || fail "the program exits $st: $(head -n 3 "$tmp/out" "$tmp/err")"
	grep -q "^libpmufc $ver: " "$tmp/out" || fail "no 'libpmufc $ver' line: $(head -n 1 "$tmp/out")"
	grep -q "bad.pf:2:1: error: .*allow" "$tmp/out" || fail "the bad policy's diagnostic: $(sed -n 2p "$tmp/out")"
	"$P" --target intel -o "$tmp/cli.bin" "$tmp/good.pf" && cmp -s "$tmp/lib.bin" "$tmp/cli.bin" ||
		fail "the library's filter and the installed pmufc's differ"
fi

# 10. Shell and editor integration where Debian puts them.
run bash -c '. /usr/share/bash-completion/completions/pmufc && complete -p pmufc'
has "$tmp/out" "complete -F" "bash completion: /usr/share/bash-completion/completions/pmufc defines pmufc's"
if command -v vim >/dev/null 2>&1; then
	printf '# a policy\ndefault deny;\n' >"$tmp/x.pf"
	# As vim starts with a vimrc that turns filetype detection and syntax
	# on: the start packages of 'packpath' load after it.
	vim -N -u NONE -i NONE -es -c 'filetype on' -c 'syntax on' -c packloadall -c "edit $tmp/x.pf" \
		-c "redir! > $tmp/vim.out" -c 'echo &filetype get(b:, "current_syntax", "none")' \
		-c 'echo &runtimepath' -c 'redir END' -c 'qa!' </dev/null >/dev/null 2>&1
	grep -q "^pmufc pmufc" "$tmp/vim.out" && grep -q "/usr/share/vim/vimfiles/pack/dist-bundle/start/pmufc" "$tmp/vim.out"
	verdict $? "vim: the addon (pack/dist-bundle/start/pmufc) detects a .pf policy and highlights it" \
		"vim: $(tr '\n' ' ' <"$tmp/vim.out" | head -c 300)"
else
	skipcase "no vim here" "vim: the addon detects a .pf policy"
fi

# 11. Purge: nothing of the packages left.
# shellcheck disable=SC2086
dpkg -L $pkgs 2>/dev/null | grep -v '^/\.$' | LC_ALL=C sort -u >"$tmp/files"
begin "dpkg --purge removes the three packages and every file and folder of theirs ($(wc -l <"$tmp/files") paths)"
# shellcheck disable=SC2086
dpkg_retry --purge $pkgs || { fail "dpkg --purge failed:"; show "$tmp/dpkg.log"; }
installed=
for p in $pkgs; do
	s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) || continue
	case $s in *not-installed) ;; *) fail "$p after purge: $s" ;; esac
done
while IFS= read -r f; do
	if test -d "$f" && ! test -L "$f"; then
		# A folder stays only when other packages have it too.
		dpkg -S "$f" >/dev/null 2>&1 || fail "left behind: $f/"
	elif test -e "$f" || test -L "$f"; then
		fail "left behind: $f"
	fi
done <"$tmp/files"
for d in /usr/share/pmufc "/usr/lib/$ma/pmufc" /usr/share/vim-pmufc /usr/share/doc/pmufc; do
	test -e "$d" && fail "left behind: $d"
done
for f in /var/lib/dpkg/info/pmufc.* /var/lib/dpkg/info/libpmufc*; do
	test -e "$f" && fail "left behind: $f"
done

note "$me: $(($(date +%s) - t_start)) s in all"
finish
