#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# A Debian root of another release or architecture, for the kernels whose
# headers want another compiler (Debian 11's 5.10: gcc-10; sid's: gcc-16)
# and for the guests that cannot run this machine's amd64 programs (i386,
# arm64).  An amd64 root is the build machine of its kernels (scull.ko,
# scullctl and the tests build in it, with its own gcc, headers and libc);
# every root is the userland of its kernels' guests (scripts/vm.sh chroots
# into it over 9p).
#
#   scripts/mkroot.sh NAME          print the root's path, making it first
#   scripts/mkroot.sh --list        the names it knows
#
# NAME is <suite>-<arch>: bullseye-amd64, bookworm-i386, sid-amd64,
# bookworm-arm64, sid-arm64.  A root is `debootstrap --variant=minbase`,
# then apt-get inside it installs the packages below, the header
# meta-package of its kernel flavour among them.  A foreign root (arm64,
# i386: another architecture than this machine's) is made without chroot:
# see make_foreign.  Cached under $SCULL_CACHE/roots/NAME/; remade when its
# packages, sources or recipe change; never updated otherwise, so that a
# made root needs no network.  Only the root's own apt is used (its
# sources.list, written here); the machine's /etc/apt is not touched.
# Needs root (chroot).
#
# A mirror may be mid-sync: apt-get update is tried again while an index
# fails (lib.sh's scull_apt_update), and when an index of another suite
# than the root's own (-updates, -security) still fails, the root is made
# from the indexes that came: its kernel is then the newest of its series
# that they offer.  One line says so, and the root keeps it in .fallback
# (lib.sh's scull_fallback) until it is remade (rm -r the root).  The
# root's own suite failing fails the root, with apt's one-line reason as
# the last `error:` line.
#
# SCULL_MIRROR and SCULL_MIRROR_SECURITY name the mirrors; either may
# start with apt's options in brackets (tests/aptrepo.sh: "[trusted=yes]
# file:/...").
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mirror=${SCULL_MIRROR:-http://deb.debian.org/debian}
security=${SCULL_MIRROR_SECURITY:-http://deb.debian.org/debian-security}

# What the guests run (tests/*.sh, the README's blocks, make install) and
# what the builds need; netbase for the README's /etc/services; trinity for
# tests/trinity.sh.  The header meta-package pulls in the compiler its
# kernel was built with (linux-compiler-gcc-N-x86 -> gcc-N).
ROOT_PKGS="bash coreutils util-linux procps gawk findutils sed grep kmod
	cpio xz-utils busybox-static fio gcc make libc6-dev sparse udev dkms
	netbase ca-certificates trinity"

# A foreign root (arm64 and i386 on amd64: lib.sh's scull_root_foreign)
# is its guests' userland: what the tests run, and what the README's
# blocks and make install need to build the module in the guest (gcc,
# make, dkms, udev; the kernel headers and the root's linux-kbuild:
# foreign_headers), and trinity (tests/trinity.sh).  make check's own
# builds of its targets are cross builds, here or for sid in the sid-amd64
# root, against the same headers.
FOREIGN_PKGS="bash dash coreutils util-linux mount procps gawk findutils sed
	grep diffutils kmod busybox-static fio base-files base-passwd netbase
	libc-bin gcc make libc6-dev udev dkms trinity"

ROOTS="bullseye-amd64 bookworm-i386 sid-amd64 bookworm-arm64 sid-arm64"

# root_conf NAME: set suite, arch, flavour, extra (packages), sources.
root_conf() {
	suite=${1%-*} arch=${1##*-} extra=''
	case " $ROOTS " in
	*" $1 "*) ;;
	*) die "mkroot.sh: unknown root '$1' (know: $ROOTS)" ;;
	esac
	case $arch in
	amd64) flavour=amd64 ;;
	i386) flavour=686-pae ;;
	arm64) flavour=arm64 ;;
	esac
	case $suite in
	sid)
		# pahole: BTF for the newest kernels' modules; the cross gcc
		# builds sid's arm64 kernels' (lib.sh's scull_make_for).
		extra=dwarves
		[ "$arch" != amd64 ] || extra="dwarves gcc-aarch64-linux-gnu"
		sources="deb $mirror sid main" ;;
	*)
		sources="deb $mirror $suite main
deb $mirror $suite-updates main
deb $security $suite-security main" ;;
	esac
}

# root_fixups DIR: what the packages lack, put right on every call (cheap,
# idempotent, outside the cache key).  Debian's 7.x header packages lack
# scripts/checker-valid.sh, which their Makefile runs for C=1 and C=2 (a
# missing script reads as "sparse is not available" and sparse is not
# run): give them one that prints 1 when the checker accepts the
# __typeof_unqual__ that those headers use.
root_fixups() {
	local mk common
	for mk in "$1"/usr/src/linux-headers-*-common/Makefile; do
		[ -f "$mk" ] || continue
		common=${mk%/Makefile}
		if ! grep -q 'scripts/checker-valid.sh' "$mk" || [ -e "$common/scripts/checker-valid.sh" ]; then
			continue
		fi
		cat > "$common/scripts/checker-valid.sh" <<- 'EOF'
		#!/bin/sh
		# Added by scullmem's scripts/mkroot.sh: the package lacks it.
		# Prints 1 when the checker (the arguments) runs and reports no
		# error on a probe using __typeof_unqual__, 0 otherwise.
		command -v "$1" > /dev/null || exit 1
		probe=$(mktemp --suffix=.c) || exit 1
		echo 'int f(const int *p) { __typeof_unqual__(*p) x = *p; return x; }' > "$probe"
		if "$@" "$probe" 2>&1 | grep -q error; then echo 0; else echo 1; fi
		rm -f "$probe"
		EOF
		chmod 755 "$common/scripts/checker-valid.sh"
	done
}

# make_foreign: the foreign root in $tmp, without running anything of
# it: this machine's apt-get resolves and downloads FOREIGN_PKGS and their
# dependencies for $arch (scull_root_apt: the root's own sources, lists
# and status), each package is dpkg-deb -x'ed and recorded as installed
# in the root's dpkg status (so that dpkg-query --admindir can read it),
# and what maintainer scripts would have made is written by hand: the
# users and groups (base-passwd's masters).
make_foreign() {
	mkdir -p "$tmp/etc/apt" "$tmp/var/lib/apt/lists/partial" \
		"$tmp/var/cache/apt/archives/partial" "$tmp/var/lib/dpkg"
	printf '%s\n' "$sources" > "$tmp/etc/apt/sources.list"
	: > "$tmp/var/lib/dpkg/status"
	update_lists scull_root_apt "$tmp" "$arch" -q
	# shellcheck disable=SC2086 # a list of package names
	scull_root_apt "$tmp" "$arch" install -d -y -q --no-install-recommends \
		$FOREIGN_PKGS $extra > "$tmp.out" 2>&1 || apt_failed "downloading the packages"
	cat "$tmp.out" >> "$rootlog"
	unpack_debs
	rm -rf "$tmp/usr/share/doc" "$tmp/usr/share/man" "$tmp/usr/share/locale"
	foreign_headers
	cp "$tmp/usr/share/base-passwd/passwd.master" "$tmp/etc/passwd"
	cp "$tmp/usr/share/base-passwd/group.master" "$tmp/etc/group"
	# update-alternatives' links (those the tests and the README's blocks
	# need: awk, and cc for make scullctl).
	ln -sfn gawk "$tmp/usr/bin/awk"
	ln -sfn gcc "$tmp/usr/bin/cc"
	if [ ! -x "$tmp/bin/bash" ] || [ ! -x "$tmp/bin/busybox" ]; then
		die "the $name root has no bin/bash or bin/busybox"
	fi
}

# unpack_debs: dpkg-deb -x each downloaded package into the foreign root
# in $tmp, record it as installed in the root's dpkg status, drop the .deb.
unpack_debs() {
	local deb
	for deb in "$tmp"/var/cache/apt/archives/*.deb; do
		dpkg-deb -x "$deb" "$tmp" || die "dpkg-deb -x $deb failed"
		{ dpkg-deb -f "$deb"; echo 'Status: install ok installed'; echo; } >> "$tmp/var/lib/dpkg/status"
	done
	rm -f "$tmp"/var/cache/apt/archives/*.deb
}

# foreign_headers: the kernel headers of a foreign root, downloaded
# without their dependencies (apt would want an arm64 gcc of the headers'
# own linux-compiler package): the header meta-package, the flavour's
# package, its -common and the arm64 linux-kbuild, extracted and recorded.
# The same tree serves three builds: the guest's (chrooted in this root),
# the cross build here (bookworm-arm64: this machine's gcc-aarch64 and
# amd64 linux-kbuild-6.1) and the one in the release's amd64 root
# (sid-arm64 in sid-amd64, whose gcc, kbuild and pahole fit its headers).
# The flavour's Makefile stays as packaged, for the guest, which sees the
# root at /; the cross builds use Makefile.cross beside it (lib.sh's
# scull_make_for: make -f), which names the directories by this root's
# path (the cache is mounted at its own path in the amd64 root).  Both
# can't be the one Makefile: newer kbuild (sid's 7.2) regenerates
# $(CURDIR)/Makefile when it differs from the KBUILD_OUTPUT that the
# flavour's Makefile sets, and the guest's /usr/src is read-only.  The
# scripts and tools links point at /usr/lib/linux-kbuild-<x.y>, which is
# the root's own kbuild in the guest and the amd64 one here or in the
# amd64 root.
foreign_headers() {
	local meta=linux-headers-$flavour dep d l
	(cd "$tmp/var/cache/apt/archives" && scull_root_apt "$tmp" "$arch" download -q "$meta") \
		>> "$rootlog" 2>&1 || die "apt-get download $meta failed ($name)"
	dep=$(dpkg-deb -f "$tmp"/var/cache/apt/archives/"${meta}"_*.deb Depends | tr ',' '\n' |
		awk '$1 ~ /^linux-headers-[0-9]/ { print $1; exit }')
	kver=${dep#linux-headers-}
	[ -n "$kver" ] || die "$meta names no linux-headers-<version> ($name)"
	record_fallback
	(cd "$tmp/var/cache/apt/archives" &&
		scull_root_apt "$tmp" "$arch" download -q "linux-headers-$kver" \
			"linux-headers-${kver%-"$flavour"}-common" "linux-kbuild-$(scull_kshort "$kver")") \
		>> "$rootlog" 2>&1 || die "apt-get download linux-headers-$kver failed ($name)"
	unpack_debs
	d=$tmp/usr/src/linux-headers-$kver
	[ -f "$d/Makefile" ] || die "linux-headers-$kver has no Makefile ($name)"
	sed "s|/usr/src/linux-headers-|$dir/usr/src/linux-headers-|g" "$d/Makefile" > "$d/Makefile.cross"
	find "$tmp/usr/src" -type l -lname '../../lib/linux-kbuild-*' | while read -r l; do
		ln -sfn "/usr/lib/$(readlink "$l" | sed 's|^\.\./\.\./lib/||')" "$l"
	done
}

# update_lists CMD...: the new root's apt lists, with CMD (its apt-get),
# through scull_apt_update.  An index of the root's own suite that does
# not come fails the root; another's is left out (fallback_why says which
# and why, record_fallback makes it the root's .fallback line).
update_lists() {
	fallback_why=
	scull_apt_update "$rootlog" "$@" && return 0
	if grep -q -e "^$suite's index" -e '^apt-get update:' <<< "$scull_apt_failed"; then
		tail -n 30 "$rootlog" >&2
		die "$name: $(head -n 1 <<< "$scull_apt_failed")"
	fi
	fallback_why=$(paste -s -d ';' <<< "$scull_apt_failed" | sed 's/;/; /g')
	log "$name: going on without what failed ($fallback_why)"
}

# apt_failed WHAT: apt-get, its output in $tmp.out, failed at WHAT: die
# with apt's one-line reason.
apt_failed() {
	cat "$tmp.out" >> "$rootlog"
	tail -n 30 "$tmp.out" >&2
	die "$name: $1 failed: $(scull_apt_reason "$tmp.out" | grep . || echo "see $rootlog")"
}

# record_fallback: when update_lists left an index out, say which kernel
# the root got ($kver) and why, and keep that line in the root.
record_fallback() {
	local came
	[ -n "$fallback_why" ] || return 0
	came=$(awk '{ for (i = 2; i < NF; i++) if ($i ~ /:/ && $i !~ /^\[/) { print $(i + 1); break } }' \
		<<< "$sources" | grep -v -x -F -e "$(awk -F "'s index:" '{ print $1 }' <<< "$scull_apt_failed")" |
		paste -s -d ',' | sed 's/,/, /g')
	echo "$name: fell back to kernel $kver, the newest in $came; left out: $fallback_why" \
		> "$tmp/.fallback"
	log "$(cat "$tmp/.fallback")"
}

[ "${1:-}" != --list ] || { echo "$ROOTS"; exit 0; }
[ $# -eq 1 ] || die "usage: $0 NAME | --list"
name=$1
root_conf "$name"
dir=$SCULL_CACHE/roots/$name
# Remade when what goes into it changes; bump ROOT_RECIPE when the steps do.
ROOT_RECIPE=1
pkgs=$ROOT_PKGS
# FOREIGN_RECIPE: make_foreign's steps (ROOT_RECIPE: the others').
FOREIGN_RECIPE=7
! scull_root_foreign "$name" || pkgs="foreign-$FOREIGN_RECIPE $FOREIGN_PKGS"
key=$(printf '%s\n' "$ROOT_RECIPE" "$suite" "$arch" "$sources" "$pkgs" "$extra" "$flavour" |
	sha256sum | cut -c1-16)
if [ "$(cat "$dir/.done" 2>/dev/null)" = "$key" ]; then
	# A foreign root's headers use the kbuild (and its fixups) of the
	# amd64 root that builds them.
	scull_root_foreign "$name" || root_fixups "$dir"
	[ ! -f "$dir/.fallback" ] || log "$(cat "$dir/.fallback")"
	echo "$dir"
	exit 0
fi

[ "$(id -u)" -eq 0 ] || die "making the $name root needs root"
command -v debootstrap > /dev/null || die "debootstrap is missing: run scripts/setup.sh"
mkdir -p "$SCULL_CACHE/roots"
exec 9> "$SCULL_CACHE/roots/.$name.lock"
flock 9
# Made by someone else while this one waited.
if [ "$(cat "$dir/.done" 2>/dev/null)" = "$key" ]; then
	echo "$dir"
	exit 0
fi

t0=$SECONDS
tmp=$SCULL_CACHE/roots/.$name.tmp
rootlog=$SCULL_CACHE/roots/$name.log
rm -rf "$tmp" "$tmp.out"
: > "$rootlog"
trap 'rm -f "$tmp.out"' EXIT
if scull_root_foreign "$name"; then
	log "making the $name root (dpkg-deb -x of $suite's $arch packages) in $dir"
	make_foreign
	echo "$key" > "$tmp/.done"
	rm -rf "$dir"
	mv "$tmp" "$dir"
	log "made the $name root in $((SECONDS - t0)) s"
	echo "$dir"
	exit 0
fi
log "making the $name root (debootstrap $suite, $arch) in $dir"
# A second stage of another architecture needs that architecture to run
# here: i386 does on amd64 (arm64 does not: make_foreign).  Tried again,
# as apt-get update is, when it fails.
try=1
until debootstrap --variant=minbase --arch="$arch" \
	--keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
	"$suite" "$tmp" "$mirror" > "$tmp.out" 2>&1; do
	cat "$tmp.out" >> "$rootlog"
	why=$(grep -E '^E: ' "$tmp.out" | tail -n 1 | sed 's/^E: //')
	if [ "$try" -ge "${SCULL_APT_TRIES:-3}" ]; then
		tail -n 30 "$tmp.out" >&2
		die "$name: debootstrap $suite ($arch) failed: ${why:-see $rootlog}"
	fi
	log "debootstrap $suite, try $try of ${SCULL_APT_TRIES:-3}: ${why:-failed};" \
		"trying again in ${SCULL_APT_PAUSE:-15} s"
	sleep "${SCULL_APT_PAUSE:-15}"
	try=$((try + 1))
	rm -rf "$tmp"
done
cat "$tmp.out" >> "$rootlog"
printf '%s\n' "$sources" > "$tmp/etc/apt/sources.list"
rm -f "$tmp/etc/apt/sources.list.d/"*
# No daemons start in the chroot; no documentation is kept.
printf '#!/bin/sh\nexit 101\n' > "$tmp/usr/sbin/policy-rc.d"
chmod 755 "$tmp/usr/sbin/policy-rc.d"
printf 'path-exclude /usr/share/doc/*\npath-exclude /usr/share/man/*\npath-exclude /usr/share/locale/*\n' \
	> "$tmp/etc/dpkg/dpkg.cfg.d/01-nodoc"
cp /etc/resolv.conf "$tmp/etc/resolv.conf" 2> /dev/null || true

# in_tmp CMD...: run CMD in the new root, /proc and /dev mounted.
in_tmp() {
	# shellcheck disable=SC2016 # expanded by the inner sh
	unshare -m --propagation private sh -c '
		r=$1; shift
		mount -t proc proc "$r/proc" && mount --bind /dev "$r/dev" &&
			exec chroot "$r" "$@"' sh "$tmp" "$@"
}
apt_opts="-y -q -o Dpkg::Use-Pty=0 -o Acquire::Retries=3 -o Acquire::Check-Valid-Until=false"
apt_opts="$apt_opts -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"
apt_opts="$apt_opts --no-install-recommends"
pkgs=$(tr '\n\t' '  ' <<< "$pkgs $extra linux-headers-$flavour")
update_lists in_tmp env LC_ALL=C apt-get -q -o Acquire::Check-Valid-Until=false -o Acquire::Retries=3
in_tmp env DEBIAN_FRONTEND=noninteractive LC_ALL=C sh -c "apt-get install $apt_opts $pkgs && apt-get clean" \
	> "$tmp.out" 2>&1 || apt_failed "installing the packages"
cat "$tmp.out" >> "$rootlog"
kver=$(dpkg-query --admindir="$tmp/var/lib/dpkg" -W -f='${Depends}' "linux-headers-$flavour" |
	tr ',' '\n' | awk '$1 ~ /^linux-headers-[0-9]/ { sub(/^linux-headers-/, "", $1); print $1; exit }')
record_fallback
root_fixups "$tmp"
echo "$key" > "$tmp/.done"
rm -rf "$dir"
mv "$tmp" "$dir"
log "made the $name root in $((SECONDS - t0)) s"
echo "$dir"
