#!/bin/sh
# tests/arm64/setup.sh - fetch what the arm64 KVM tests need (kvm-arm64.sh,
# tests/arm64/loader.sh), from Debian's apt only, and only what is missing:
#   - the host tools: qemu-system-arm (qemu-system-aarch64), the aarch64
#     cross compiler and C library, the arm64 uapi headers, cpio (installed
#     with apt-get: as root, else through sudo);
#   - two of Debian's arm64 kernels, each a plain arm64 Image in its own
#     folder $cache/RELEASE/Image (with RELEASE in $cache/RELEASE/version):
#       6.1   the image behind bookworm's linux-image-arm64,
#       6.12  the image behind bookworm-backports' linux-image-arm64.
#     A series already in the cache is not fetched again.
#
# Usage: sh tests/arm64/setup.sh [--no-install]
#   --no-install  only fetch the kernels; do not apt-get install tools.
# The cache is $PMUFC_ARM64_CACHE, by default
# ${XDG_CACHE_HOME:-$HOME/.cache}/pmufc-arm64 (outside the source tree, so
# `make distcheck` finds it too).
#
# The kernels are fetched without touching the machine's apt or dpkg
# configuration, and without root: a private sources list, lists and cache
# in a scratch folder, arm64 as apt's only architecture there.  Its entries
# are the machine's own bookworm entries (same archive URIs, from
# `apt-get indextargets`), plus bookworm-backports on the URI of the
# bookworm one; PMUFC_DEBIAN_URI overrides that URI.  Nothing is installed:
# the .deb is downloaded and only its /boot/vmlinuz-* is extracted.
set -eu

cache=${PMUFC_ARM64_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pmufc-arm64}
install=yes
case ${1:-} in
--no-install) install=no ;;
'') ;;
*) echo "usage: sh tests/arm64/setup.sh [--no-install]" >&2; exit 2 ;;
esac
export DEBIAN_FRONTEND=noninteractive

# as_root CMD...: CMD as root: directly when we are root, else with sudo.
as_root() {
	if test "$(id -u)" = 0; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo env DEBIAN_FRONTEND=noninteractive "$@"
	else
		echo "setup: not root and no sudo: cannot run $*" >&2
		return 1
	fi
}

# 1. host tools.
if test $install = yes; then
	missing=
	for p in qemu-system-arm gcc-aarch64-linux-gnu libc6-dev-arm64-cross \
	    linux-libc-dev-arm64-cross cpio; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		    grep -q 'install ok installed' || missing="$missing $p"
	done
	if test -n "$missing"; then
		echo "setup: installing$missing"
		as_root apt-get update -q >/dev/null
		# shellcheck disable=SC2086
		as_root apt-get install -y -q --no-install-recommends $missing >/dev/null
	fi
fi

# 2. the kernels.
mkdir -p "$cache"
# The cache used to hold one kernel as $cache/Image: give it its folder.
if test -s "$cache/Image"; then
	v=$(cat "$cache/version" 2>/dev/null || echo unknown)
	mkdir -p "$cache/$v"
	mv "$cache/Image" "$cache/$v/Image"
	echo "$v" >"$cache/$v/version"
	rm -f "$cache/version"
	echo "setup: moved the cached kernel to $cache/$v/"
fi

# have SERIES: a kernel of SERIES (6.1, 6.12) is cached.
have() {
	for d in "$cache/$1".*/; do
		test -s "${d}Image" && return 0
	done
	return 1
}
want=
for series in 6.1 6.12; do
	if have "$series"; then
		for d in "$cache/$series".*/; do
			test -s "${d}Image" && echo "setup: kernel $(cat "$d/version") in ${d}Image"
		done
	else
		want="$want $series"
	fi
done
test -n "$want" || exit 0

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pmufc-arm64-setup.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# The private apt: the machine's bookworm entries (any format it uses:
# apt itself lists them), arm64 only, no pinning, an empty dpkg status.
uri=${PMUFC_DEBIAN_URI:-}
: >"$tmp/sources.list"
apt-get indextargets --no-release-info --format '$(TARGET_OF) $(REPO_URI) $(RELEASE)' 2>/dev/null |
    sort -u >"$tmp/machine" || :
while read -r type u rel; do
	test "$type" = deb || continue
	case $rel in
	bookworm) test -n "$uri" || uri=$u ;;
	bookworm-updates | bookworm-security) echo "deb $u $rel main" >>"$tmp/sources.list" ;;
	esac
done <"$tmp/machine"
if test -z "$uri"; then
	echo "setup: the machine's apt has no bookworm entry to take the Debian archive from; set PMUFC_DEBIAN_URI" >&2
	exit 1
fi
printf 'deb %s bookworm main\ndeb %s bookworm-backports main\n' "$uri" "$uri" >>"$tmp/sources.list"
mkdir -p "$tmp/parts" "$tmp/lists/partial" "$tmp/apt-cache/archives/partial" "$tmp/dl"
: >"$tmp/status"
set -- -q -o Dir::Etc::sourcelist="$tmp/sources.list" -o Dir::Etc::sourceparts="$tmp/parts" \
	-o Dir::Etc::preferences="$tmp/parts/none" -o Dir::Etc::preferencesparts="$tmp/parts" \
	-o Dir::State::Lists="$tmp/lists" -o Dir::Cache="$tmp/apt-cache" \
	-o Dir::State::status="$tmp/status" \
	-o APT::Architecture=arm64 -o APT::Architectures=arm64
echo "setup: arm64 package lists of:"
sed 's/^/    /' "$tmp/sources.list"
apt-get "$@" update >"$tmp/update.log" 2>&1 || { cat "$tmp/update.log" >&2; exit 1; }

# image SERIES: the image package behind linux-image-arm64 in SERIES's
# suite (the metapackage's first Depends), as NAME=VERSION.
image() {
	series=$1
	shift
	if test "$series" = 6.1; then
		meta=linux-image-arm64 # the candidate: bookworm (backports are not automatic)
	else
		v=$(apt-cache "$@" madison linux-image-arm64 2>/dev/null |
		    awk -F' *[|] *' '$3 ~ / bookworm-backports\// {print $2; exit}')
		test -n "$v" || return 1
		meta=linux-image-arm64=$v
	fi
	p=$(apt-cache "$@" depends "$meta" 2>/dev/null |
	    sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1)
	test -n "$p" || return 1
	v=$(apt-cache "$@" madison "$p" | awk -F' *[|] *' '{print $2; exit}')
	echo "$p=$v"
}

# apt-get download fetches as the _apt user where that user can write.
test "$(id -u)" = 0 && chown _apt "$tmp/dl" 2>/dev/null || :
status=0
for series in $want; do
	case $series in 6.1) from=bookworm ;; *) from=bookworm-backports ;; esac
	if ! pkg=$(image "$series" "$@"); then
		echo "setup: no linux-image-arm64 in $from for $series" >&2
		status=1
		continue
	fi
	echo "setup: downloading $pkg ($from)"
	rm -rf "$tmp/dl/"* "$tmp/x"
	if ! (cd "$tmp/dl" && apt-get "$@" download "$pkg" >"$tmp/dl.log" 2>&1); then
		cat "$tmp/dl.log" >&2
		status=1
		continue
	fi
	# Only the kernel: the modules are not needed (KVM and the PMU driver
	# are built in) and take hundreds of MB.
	mkdir -p "$tmp/x"
	dpkg-deb --fsys-tarfile "$tmp"/dl/*.deb | tar -x -C "$tmp/x" --wildcards './boot/vmlinuz-*'
	for img in "$tmp"/x/boot/vmlinuz-*; do
		break
	done
	if ! test -f "$img"; then
		echo "setup: no /boot/vmlinuz-* in $pkg" >&2
		status=1
		continue
	fi
	rel=$(basename "$img" | sed 's/^vmlinuz-//')
	mkdir -p "$cache/$rel"
	# Debian's arm64 vmlinuz is a plain Image; accept a gzip one too.
	if gzip -t "$img" 2>/dev/null; then
		gzip -dc "$img" >"$cache/$rel/Image.new"
	else
		cp "$img" "$cache/$rel/Image.new"
	fi
	mv "$cache/$rel/Image.new" "$cache/$rel/Image"
	echo "$rel" >"$cache/$rel/version"
	echo "$pkg" >"$cache/$rel/package"
	echo "setup: kernel $rel in $cache/$rel/Image"
done
exit $status
