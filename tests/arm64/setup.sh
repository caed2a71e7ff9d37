#!/bin/sh
# tests/arm64/setup.sh - fetch what tests/arm64/kvm-arm64.sh needs, from
# Debian's apt only, and only what is missing:
#   - the host tools: qemu-system-arm (qemu-system-aarch64), the aarch64
#     cross compiler and C library, the arm64 uapi headers, cpio;
#   - Debian's arm64 kernel (the package behind linux-image-arm64:arm64),
#     extracted to $PMUFC_ARM64_CACHE/Image (a plain arm64 Image).
#
# Usage: tests/arm64/setup.sh [--no-install]
#   --no-install  only fetch the kernel; do not apt-get install tools.
# The cache folder is $PMUFC_ARM64_CACHE, by default
# ${XDG_CACHE_HOME:-$HOME/.cache}/pmufc-arm64 (outside the source tree, so
# `make distcheck` finds it too).  Needs root for apt-get install and for
# `dpkg --add-architecture arm64`.
set -eu

cache=${PMUFC_ARM64_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pmufc-arm64}
install=yes
test "${1:-}" = --no-install && install=no

export DEBIAN_FRONTEND=noninteractive
updated=no
apt_update() {
	if test $updated = no; then
		apt-get update -q >/dev/null
		updated=yes
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
		apt_update
		# shellcheck disable=SC2086
		apt-get install -y -q --no-install-recommends $missing >/dev/null
	fi
fi

# 2. the arm64 kernel.
if test -s "$cache/Image"; then
	echo "setup: kernel already in $cache/Image ($(cat "$cache/version" 2>/dev/null || echo '?'))"
	exit 0
fi
mkdir -p "$cache"
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	dpkg --add-architecture arm64
	updated=no
fi
apt_update
# linux-image-arm64 is a metapackage: its first Depends is the real image.
pkg=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null |
    sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1)
if test -z "$pkg"; then
	echo "setup: cannot resolve linux-image-arm64:arm64 (apt lists for arm64?)" >&2
	exit 1
fi
case $pkg in *:arm64) ;; *) pkg=$pkg:arm64 ;; esac
echo "setup: downloading $pkg"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pmufc-arm64-setup.XXXXXX")
# apt-get download fetches as the _apt user where that user can write.
chown _apt "$tmp" 2>/dev/null || chmod 777 "$tmp"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
(cd "$tmp" && apt-get download -q "$pkg" >/dev/null)
for deb in "$tmp"/*.deb; do
	dpkg-deb -x "$deb" "$tmp/x"
done
for img in "$tmp"/x/boot/vmlinuz-*; do
	break
done
test -f "$img" || { echo "setup: no /boot/vmlinuz-* in $pkg" >&2; exit 1; }
# Debian's arm64 vmlinuz is a plain Image; accept a gzip one too.
if gzip -t "$img" 2>/dev/null; then
	gzip -dc "$img" >"$cache/Image.new"
else
	cp "$img" "$cache/Image.new"
fi
mv "$cache/Image.new" "$cache/Image"
basename "$img" | sed 's/^vmlinuz-//' >"$cache/version"
echo "setup: kernel $(cat "$cache/version") in $cache/Image"
