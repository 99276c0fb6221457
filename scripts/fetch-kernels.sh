#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch the Debian kernel images the bench boots, without installing them:
# apt-get download + dpkg-deb -x into the cache, then build each kernel's
# base initramfs (busybox-static, the 9p modules, scripts/initramfs-init).
# Cached: a kernel is fetched once, an initramfs rebuilt when its init is.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

fetch_one() {
	local kver=$1 dir=$SCULL_CACHE/kernels/$1 deb
	if [ ! -f "$dir/root/boot/vmlinuz-$kver" ]; then
		log "fetching linux-image-$kver-unsigned"
		mkdir -p "$SCULL_CACHE/debs" "$dir"
		(cd "$SCULL_CACHE/debs" && { apt-get download -qq "linux-image-$kver-unsigned" ||
			{ apt-get update -qq && apt-get download -qq "linux-image-$kver-unsigned"; }; })
		deb=$(find "$SCULL_CACHE/debs" -name "linux-image-${kver}-unsigned_*.deb" | sort | tail -n 1)
		rm -rf "$dir/root"
		dpkg-deb -x "$deb" "$dir/root"
		depmod -b "$dir/root" "$kver"
	fi
	[ "$dir/initramfs.cpio" -nt "$SCULL_TOP/scripts/initramfs-init" ] ||
		make_initramfs "$kver" "$dir"
}

# The modules that 9p over virtio needs, in load order (the debug kernel
# has them built in).
ninep_modules() {
	local name
	[ "$1" != debug ] || return 0
	for name in virtio_pci 9pnet_virtio 9p; do
		modprobe -d "$2/root" -S "$1" --show-depends "$name"
	done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }'
}

# busybox, /init and the 9p modules.
make_initramfs() {
	local kver=$1 dir=$2 ir m name
	log "building the initramfs for $kver"
	ir=$(mktemp -d)
	mkdir -p "$ir/bin" "$ir/modules" "$ir/proc" "$ir/sys" "$ir/dev"
	cp /bin/busybox "$ir/bin/busybox"
	cp "$SCULL_TOP/scripts/initramfs-init" "$ir/init"
	chmod 755 "$ir/init"
	: > "$ir/modules.list"
	for m in $(ninep_modules "$kver" "$dir"); do
		name=$(basename "$m")
		case $name in
		*.xz)
			xz -dc "$m" > "$ir/modules/${name%.xz}"
			name=${name%.xz} ;;
		*) cp "$m" "$ir/modules/$name" ;;
		esac
		echo "$name" >> "$ir/modules.list"
	done
	(cd "$ir" && find . | cpio -o -H newc --quiet) > "$dir/initramfs.cpio"
	rm -rf "$ir"
}

# shellcheck disable=SC2046 # kernel versions have no spaces
[ $# -gt 0 ] || set -- $(scull_kvers)
for kver in "$@"; do
	if [ "$kver" = debug ]; then
		# The debug kernel comes from debug-kernel.sh; only its initramfs is made here.
		dir=$SCULL_CACHE/kernels/debug
		mkdir -p "$dir"
		[ "$dir/initramfs.cpio" -nt "$SCULL_TOP/scripts/initramfs-init" ] ||
			make_initramfs debug "$dir"
		continue
	fi
	fetch_one "$kver"
done
