#!/bin/sh
# tests/x86/setup.sh - fetch the real x86 kernels the tests boot (tests/x86/
# guest.sh), from Debian's archive, without installing them:
#   - the newest linux-image-6.1.0-*-cloud-amd64-unsigned of bookworm, and
#   - the newest linux-image-6.12.*+deb12-cloud-amd64-unsigned of
#     bookworm-backports,
# each extracted to CACHE/<kernel version>/: vmlinuz, irqbypass.ko, kvm.ko,
# kvm-amd.ko (decompressed from the package's .ko.xz) and a `version` file.
# What is cached already is not fetched again.  The cloud kernels have the
# serial console, devtmpfs and tracefs built in; kvm-amd loads under
# `qemu-system-x86_64 -accel tcg -cpu max`, which emulates SVM.
#
# Usage: tests/x86/setup.sh [--no-install]
#   --no-install  only fetch the kernels; do not apt-get install host tools
#                 (as root without it: qemu-system-x86, busybox-static, cpio
#                 and xz-utils, where missing).
# CACHE is ${PMUFC_X86_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pmufc-x86},
# outside the source tree, so `make distcheck` finds it too.
#
# apt runs on a private sources list and private state and cache folders
# (the machine's own apt configuration and lists stay as they are, and it
# works as any user).  The archive is the machine's own: the one its apt
# sources use for bookworm (`apt-get indextargets`; PMUFC_X86_ARCHIVE
# overrides), with bookworm-backports added on the same URI.
set -eu

cache=${PMUFC_X86_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pmufc-x86}
install=yes
case ${1:-} in
--no-install) install=no ;;
'') ;;
*) echo "usage: $0 [--no-install]" >&2; exit 2 ;;
esac
export DEBIAN_FRONTEND=noninteractive

# 1. host tools (root only: a user gets the kernels, and the tests say
# what is missing).
if test $install = yes && test "$(id -u)" = 0; then
	missing=
	for p in qemu-system-x86 busybox-static cpio xz-utils; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		    grep -q 'install ok installed' || missing="$missing $p"
	done
	if test -n "$missing"; then
		echo "setup: installing$missing"
		apt-get update -q >/dev/null
		# shellcheck disable=SC2086
		apt-get install -y -q --no-install-recommends $missing >/dev/null
	fi
fi

# 2. the archive: where this machine's apt gets Debian's bookworm from.
archive=${PMUFC_X86_ARCHIVE:-}
if test -z "$archive"; then
	archive=$(apt-get indextargets 'Codename: bookworm' 'Identifier: Packages' \
	    --format '$(REPO_URI)' 2>/dev/null | head -n 1)
fi
if test -z "$archive"; then
	# Another Debian release: its main archive (not the security one)
	# serves bookworm as well.
	archive=$(apt-get indextargets 'Label: Debian' 'Identifier: Packages' \
	    --format '$(REPO_URI)' 2>/dev/null | head -n 1)
fi
if test -z "$archive"; then
	# No lists yet: the sources themselves (deb822 URIs: lines, then
	# one-line entries).
	archive=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
	    awk '/^URIs:/ { u = $2 } /^Suites:/ && / bookworm( |$)/ { print u; exit }')
fi
if test -z "$archive"; then
	archive=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
	    awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) break;
	        if ($(i + 1) == "bookworm") { print $i; exit } }')
fi
if test -z "$archive"; then
	echo "setup: no Debian bookworm archive in this machine's apt sources (set PMUFC_X86_ARCHIVE=URI)" >&2
	exit 1
fi
archive=${archive%/}

mkdir -p "$cache"
work=$(mktemp -d "${TMPDIR:-/tmp}/pmufc-x86-setup.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 1' HUP INT TERM
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/deb"
opt=
test -r /usr/share/keyrings/debian-archive-keyring.gpg &&
    opt=" signed-by=/usr/share/keyrings/debian-archive-keyring.gpg"
cat >"$work/sources.list" <<EOF
deb [arch=amd64$opt] $archive bookworm main
deb [arch=amd64$opt] $archive bookworm-backports main
EOF
# As root apt fetches as _apt, which cannot write into a private folder;
# the private folder is ours, so fetch as ourselves.
apt_() {
	"$@" -q -o Dir::Etc::sourcelist="$work/sources.list" -o Dir::Etc::sourceparts=- \
	    -o Dir::State::Lists="$work/lists" -o Dir::Cache="$work/cache" \
	    -o Dir::Cache::pkgcache="$work/cache/pkgcache.bin" \
	    -o Dir::Cache::srcpkgcache="$work/cache/srcpkgcache.bin" \
	    -o Dir::State::extended_states="$work/extended_states" \
	    -o Acquire::Languages=none -o APT::Sandbox::User="$(id -un)" \
	    -o Debug::NoLocking=true
}
echo "setup: package lists of bookworm and bookworm-backports from $archive"
if ! apt_ apt-get update >"$work/update.log" 2>&1; then
	cat "$work/update.log" >&2
	echo "setup: apt-get update on the private sources list failed" >&2
	exit 1
fi

# newest PATTERN: the package whose name matches the (extended) regular
# expression, of the highest version: names sort as versions by their
# kernel version (6.1.0-NN, 6.12.NN+deb12).
newest() {
	apt_ apt-cache search --names-only "$1" 2>/dev/null | sed 's/ - .*//' |
	    grep -E "$1" | sed 's/^linux-image-\(.*\)-cloud-amd64-unsigned$/\1 &/' |
	    sort -V | tail -n 1 | cut -d ' ' -f 2
}
status=0
for series in 6.1.0-:'^linux-image-6\.1\.0-[0-9]+-cloud-amd64-unsigned$' \
    6.12.:'^linux-image-6\.12\.[0-9]+\+deb12-cloud-amd64-unsigned$'; do
	pattern=${series#*:} series=${series%%:*}
	pkg=$(newest "$pattern")
	if test -z "$pkg"; then
		# apt-get update only warns when the archive cannot be reached.
		for old in "$cache/$series"*/vmlinuz; do
			test -f "$old" || continue
			echo "setup: no package matches $pattern (offline?); keeping $(dirname "$old")" >&2
			continue 2
		done
		echo "setup: no package matches $pattern" >&2
		status=1
		continue
	fi
	# The kernel version is the package name's middle part.
	ver=${pkg#linux-image-}
	ver=${ver%-unsigned}
	dir=$cache/$ver
	if test -s "$dir/vmlinuz" && test -s "$dir/kvm-amd.ko" && test -s "$dir/version"; then
		echo "setup: $ver already in $dir"
		continue
	fi
	echo "setup: downloading $pkg ($(apt_ apt-cache show "$pkg" | sed -n 's/^Version: //p' | head -n 1))"
	rm -rf "$work/deb" "$work/x"
	mkdir -p "$work/deb"
	if ! (cd "$work/deb" && apt_ apt-get download "$pkg" >"$work/download.log" 2>&1); then
		cat "$work/download.log" >&2
		status=1
		continue
	fi
	dpkg-deb -x "$work"/deb/*.deb "$work/x"
	mkdir -p "$dir.new"
	ok=yes
	cp "$work/x/boot/vmlinuz-$ver" "$dir.new/vmlinuz" || ok=no
	for m in virt/lib/irqbypass arch/x86/kvm/kvm arch/x86/kvm/kvm-amd; do
		ko=$work/x/lib/modules/$ver/kernel/$m.ko
		name=$(basename "$m").ko
		if test -f "$ko.xz"; then
			xz -dc "$ko.xz" >"$dir.new/$name" || ok=no
		elif test -f "$ko"; then
			cp "$ko" "$dir.new/$name" || ok=no
		else
			echo "setup: $pkg has no $m.ko" >&2
			ok=no
		fi
	done
	rm -rf "$work/x" "$work/deb"
	if test $ok = no; then
		rm -rf "$dir.new"
		status=1
		continue
	fi
	echo "$ver" >"$dir.new/version"
	rm -rf "$dir"
	mv "$dir.new" "$dir"
	echo "setup: kernel $ver in $dir"
	# One kernel per series: an older one of the same series goes.
	for old in "$cache/$series"*; do
		test "$old" != "$dir" && test -f "$old/version" || continue
		echo "setup: removing the older $(basename "$old")"
		rm -rf "$old"
	done
done
exit $status
