#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch the kernel headers of another architecture, without installing
# them, for a cross build on this machine: Debian 12's arm64 flavour of the
# 6.1 kernel that make check boots on amd64 (same ABI, same
# linux-headers-<abi>-common, which the amd64 headers already installed),
# built with bookworm's gcc-12 cross compiler (gcc-aarch64-linux-gnu), as
# Debian builds that kernel.  The package list comes from
# a private apt configuration under $SCULL_CACHE/apt-<arch>/ (the machine's
# own sources, read with APT::Architecture=<arch>); /etc/apt is not touched.
# The package is `dpkg-deb -x`'ed into $SCULL_CACHE/headers/<kver>/ and its
# scripts and tools links point at the machine's linux-kbuild-6.1, which is
# Multi-Arch: foreign.
#
#   scripts/fetch-headers.sh arm64     print the header tree's path
#
# Cached: a tree is fetched once.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ "${1:-}" = arm64 ] || die "usage: $0 arm64"
arch=arm64
amd=$(scull_kver_of 6.1)
abi=${amd%-amd64}
kver=$abi-arm64
tree=$SCULL_CACHE/headers/$kver/usr/src/linux-headers-$kver
kbuild=/usr/lib/linux-kbuild-$(scull_kshort "$amd")
common=/usr/src/linux-headers-$abi-common

if [ ! -f "$tree/.done" ]; then
	[ -d "$common" ] || die "$common is missing: run scripts/setup.sh"
	[ -d "$kbuild/scripts" ] || die "$kbuild is missing: run scripts/setup.sh"
	apt_dir=$SCULL_CACHE/apt-$arch
	mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/sources.list.d"
	cp /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list "$apt_dir/sources.list.d/" \
		2> /dev/null || true
	[ ! -f /etc/apt/sources.list ] ||
		cp /etc/apt/sources.list "$apt_dir/sources.list.d/main.list"
	opts=(-o Dir::Etc::sourcelist=/dev/null -o "Dir::Etc::sourceparts=$apt_dir/sources.list.d"
		-o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
		-o Dir::State::status=/dev/null -o "APT::Architecture=$arch"
		-o "APT::Architectures::=$arch" -o Acquire::Retries=3 -o APT::Sandbox::User=root)
	pkg=linux-headers-$kver
	log "fetching $pkg ($arch)"
	# Stale lists (a new machine, or a new ABI since): update and retry.
	if ! (cd "$apt_dir" && apt-get "${opts[@]}" download -qq "$pkg" 2> /dev/null); then
		apt-get "${opts[@]}" update -qq || die "apt-get update ($arch) failed"
		(cd "$apt_dir" && apt-get "${opts[@]}" download -qq "$pkg") ||
			die "apt-get download $pkg failed"
	fi
	deb=$(find "$apt_dir" -maxdepth 1 -name "${pkg}_*_$arch.deb" | sort -V | tail -n 1)
	[ -n "$deb" ] || die "apt-get download $pkg gave no .deb"
	rm -rf "$SCULL_CACHE/headers/$kver"
	mkdir -p "$SCULL_CACHE/headers/$kver"
	dpkg-deb -x "$deb" "$SCULL_CACHE/headers/$kver"
	rm -f "$deb"
	[ -f "$tree/Makefile" ] || die "$pkg has no $tree/Makefile"
	grep -q "^include $common/Makefile" "$tree/Makefile" ||
		die "$tree/Makefile does not include $common/Makefile"
	# The package's relative links point into its own /usr/lib.
	ln -sfn "$kbuild/scripts" "$tree/scripts"
	ln -sfn "$kbuild/tools" "$tree/tools"
	touch "$tree/.done"
fi
echo "$tree"
