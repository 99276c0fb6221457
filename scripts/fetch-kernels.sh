#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch the Debian kernel images the bench boots, without installing them:
# `apt-get download linux-image-<kver>-unsigned`, `dpkg-deb -x` into
# $SCULL_CACHE/kernels/<kver>/root/ (kernel: root/boot/vmlinuz-<kver>), then
# build each kernel's base initramfs: busybox-static, scripts/initramfs-init
# as /init, and the modules 9p over virtio needs (modprobe --show-depends,
# in load order, .ko.xz unpacked), listed in kernels/<kver>/modules.list.
#
#   scripts/fetch-kernels.sh [6.1|i386|<target>|<kver>|debug|kcsan]...
#                           (default: make check's targets)
#
# A target of another root (lib.sh's SCULL_TARGETS_TABLE) is downloaded
# with that root's apt, and its initramfs gets that root's busybox.
#
# Cached: a kernel is fetched once; its initramfs is rebuilt when one of its
# inputs (the init, this script, busybox) changes.  Files are replaced
# atomically, so guests that are booting meanwhile are not disturbed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# As root, apt warns that the download is not sandboxed: it needn't be.
download() {
	apt-get download -qq -o Acquire::Retries=3 -o APT::Sandbox::User=root "$1"
}

# fetch_in_root ROOT KVER DIR: the image of a root's kernel into DIR, with
# the root's apt (its lists were updated when the root was made; a foreign
# root's is this machine's apt-get on the root's lists): the
# -unsigned package where Debian signs the kernel, the plain one elsewhere,
# and, where the image is split (sid: linux-image-<kver> depends on
# linux-binary-<kver>, linux-modules-<kver> and linux-base-<kver>, which
# has modules.builtin), those parts too.
fetch_in_root() {
	local root=$1 kver=$2 dir=$3 p deb parts
	in_dir() {
		if scull_root_foreign "$root"; then
			(cd "$dir" && scull_root_apt "$SCULL_CACHE/roots/$root" "$(scull_arch_of "$kver")" \
				download -qq "$@" 2> /dev/null)
			return
		fi
		# shellcheck disable=SC2016 # expanded by the inner sh
		scull_in_root "$root" sh -c 'cd "$1" && shift && apt-get download -qq \
			-o Acquire::Retries=3 -o APT::Sandbox::User=root "$@" 2> /dev/null' sh "$dir" "$@"
	}
	for p in "linux-image-$kver-unsigned" "linux-image-$kver"; do
		in_dir "$p" || continue
		deb=$(find "$dir" -name "${p}_*.deb" | head -n 1)
		parts=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' |
			awk -v k="$kver" '$1 == "linux-binary-" k || $1 == "linux-modules-" k ||
				$1 == "linux-base-" k { print $1 }')
		# shellcheck disable=SC2086 # a list of package names
		[ -z "$parts" ] || in_dir $parts || die "apt-get download $parts failed in the $root root"
		return 0
	done
	die "apt-get download linux-image-$kver(-unsigned) failed in the $root root;" \
		"a newer ABI since the root was made? remake it: rm -r $SCULL_CACHE/roots/$root"
}

fetch_one() {
	local kver=$1 dir=$SCULL_CACHE/kernels/$1 pkg=linux-image-$1-unsigned tmp root debs deb
	root=$(scull_root_of "$kver")
	if [ ! -f "$dir/root/boot/vmlinuz-$kver" ]; then
		debs=$SCULL_CACHE/debs/$kver
		rm -rf "$debs"
		mkdir -p "$debs" "$dir"
		if [ -n "$root" ]; then
			log "fetching linux-image-$kver in the $root root"
			fetch_in_root "$root" "$kver" "$debs"
		else
			log "fetching $pkg"
			# Stale package lists (a new machine, or a kernel update since the
			# last apt-get update) make the download fail: update, then retry.
			if ! (cd "$debs" && download "$pkg"); then
				(scull_apt_lock && scull_apt_update "$debs/update.log" apt-get -q -o Acquire::Retries=3) ||
					log "apt-get update: going on without what failed"
				(cd "$debs" && download "$pkg") ||
					die "apt-get download $pkg failed; if Debian has a newer kernel ABI by now," \
						"upgrade the headers (apt-get install $SCULL_HEADER_PKGS) and run again"
			fi
		fi
		tmp=$(mktemp -d "$dir/.root.XXXXXX")
		for deb in "$debs"/*.deb; do
			dpkg-deb -x "$deb" "$tmp" || { rm -rf "$tmp"; die "dpkg-deb -x $deb failed"; }
		done
		# Packages of a merged /usr (sid) put the modules and the image in
		# usr/lib/modules/<kver>/: move them where the others have them.
		if [ -d "$tmp/usr/lib/modules" ] && [ ! -e "$tmp/lib/modules" ]; then
			mkdir -p "$tmp/lib" "$tmp/boot"
			mv "$tmp/usr/lib/modules" "$tmp/lib/modules"
			[ ! -f "$tmp/lib/modules/$kver/vmlinuz" ] ||
				mv "$tmp/lib/modules/$kver/vmlinuz" "$tmp/boot/vmlinuz-$kver"
		fi
		[ -f "$tmp/boot/vmlinuz-$kver" ] ||
			{ rm -rf "$tmp"; die "no boot/vmlinuz-$kver in $(ls "$debs")"; }
		# The package leaves modules.dep to its postinst.
		depmod -b "$tmp" "$kver"
		rm -rf "$dir/root"
		mv "$tmp" "$dir/root"
		rm -rf "$debs"
	fi
	ensure_initramfs "$kver" "$dir" "${root:+$SCULL_CACHE/roots/$root}"
}

# The modules that 9p over virtio needs, in load order (the debug kernel
# has them built in).
ninep_modules() {
	local name
	! scull_is_debug "$1" || return 0
	for name in virtio_pci 9pnet_virtio 9p; do
		modprobe -d "$2/root" -S "$1" --show-depends "$name" ||
			die "modprobe --show-depends $name failed for $1"
	done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }'
}

# ensure_initramfs KVER DIR [ROOTDIR]: (re)build DIR/initramfs.cpio when
# its inputs changed.  Its busybox is the machine's, or ROOTDIR's for a
# kernel of another root (of the guest's architecture).
ensure_initramfs() {
	local kver=$1 dir=$2 busybox=${3:-}/bin/busybox key
	[ -x "$busybox" ] || die "$busybox is missing: run scripts/setup.sh (or scripts/mkroot.sh)"
	key=$(cat "$SCULL_TOP/scripts/initramfs-init" "$SCULL_TOP/scripts/fetch-kernels.sh" \
		"$busybox" | sha256sum | cut -c1-16)
	if [ -f "$dir/initramfs.cpio" ] && [ "$(cat "$dir/initramfs.key" 2>/dev/null)" = "$key" ]; then
		return 0
	fi
	make_initramfs "$kver" "$dir" "$busybox"
	echo "$key" > "$dir/initramfs.key"
}

# busybox, /init and the 9p modules.
make_initramfs() {
	local kver=$1 dir=$2 busybox=$3 ir m name
	log "building the initramfs for $kver"
	ir=$(mktemp -d)
	mkdir -p "$ir/bin" "$ir/modules" "$ir/proc" "$ir/sys" "$ir/dev" "$ir/host"
	cp "$busybox" "$ir/bin/busybox"
	cp "$SCULL_TOP/scripts/initramfs-init" "$ir/init"
	chmod 755 "$ir/init"
	: > "$ir/modules.list"
	: > "$dir/modules.list.tmp"
	for m in $(ninep_modules "$kver" "$dir"); do
		name=$(basename "$m")
		case $name in
		*.ko.xz)
			xz -dc "$m" > "$ir/modules/${name%.xz}"
			name=${name%.xz} ;;
		*.ko.zst)
			zstd -qdc "$m" > "$ir/modules/${name%.zst}"
			name=${name%.zst} ;;
		*.ko.gz)
			gzip -dc "$m" > "$ir/modules/${name%.gz}"
			name=${name%.gz} ;;
		*) cp "$m" "$ir/modules/$name" ;;
		esac
		echo "$name" >> "$ir/modules.list"
		echo "$m" >> "$dir/modules.list.tmp"
	done
	if ! scull_is_debug "$kver" && ! grep -q '/9p\.ko' "$dir/modules.list.tmp"; then
		rm -rf "$ir"
		die "no 9p module found for $kver under $dir/root"
	fi
	(cd "$ir" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$dir/initramfs.cpio.tmp"
	rm -rf "$ir"
	mv "$dir/modules.list.tmp" "$dir/modules.list"
	mv "$dir/initramfs.cpio.tmp" "$dir/initramfs.cpio"
}

# One fetch at a time (make check and make check-debug may overlap).
mkdir -p "$SCULL_CACHE/kernels"
exec 9> "$SCULL_CACHE/kernels/.lock"
flock 9

# shellcheck disable=SC2046 # kernel versions have no spaces
[ $# -gt 0 ] || set -- $(scull_targets)
for k in "$@"; do
	kver=$(scull_kver_of "$k")
	if scull_is_debug "$kver"; then
		# The debug kernels come from debug-kernel.sh; only their initramfs is made here.
		dir=$SCULL_CACHE/kernels/$kver
		mkdir -p "$dir"
		ensure_initramfs "$kver" "$dir"
		continue
	fi
	fetch_one "$kver"
done
