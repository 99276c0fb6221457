#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what the bench needs, idempotently: Debian packages (as root, no
# questions asked), and the few files of linux-source-6.1 that are used
# (checkpatch and its data, the kselftest harness) extracted once into
# $SCULL_CACHE/linux-source-6.1/.  Safe to run again: when everything is
# there it neither calls apt nor extracts anything.
#
#   scripts/setup.sh [-q]      -q: print nothing when there is nothing to do
set -euo pipefail
. "$(dirname "$0")/lib.sh"

quiet=0
[ "${1:-}" != -q ] || quiet=1

# qemu-system-x86 .. cpio: the guests (qemu-system-arm: arm64's);
# debootstrap: the other Debian roots (scripts/mkroot.sh); sparse ..
# libc6-dev-i386-cross: the builds of the module and of the tests (arm64's
# and i386's cross builds) and static checks; fio .. libaio-dev, trinity:
# the tests (trinity runs only in the guests: tests/trinity.sh); gnuplot-nox,
# bc: the bench; dkms: the DKMS check; coccinelle: coccicheck; apt-utils:
# tests/aptrepo.sh's local repository (apt-ftparchive); the rest is what
# the scripts themselves run.
PKGS="qemu-system-x86 qemu-system-arm busybox-static kmod cpio xz-utils debootstrap
      sparse gcc make libc6-dev perl dash shellcheck gcc-aarch64-linux-gnu
      libc6-dev-arm64-cross gcc-i686-linux-gnu libc6-dev-i386-cross
      $SCULL_HEADER_PKGS linux-source-6.1
      fio liburing-dev libaio-dev trinity
      gnuplot-nox bc dkms coccinelle apt-utils
      util-linux procps gawk coreutils findutils"

# shellcheck disable=SC2086 # a list of package names
missing=$(pkgs_missing $PKGS | tr '\n' ' ')
if [ -n "${missing// /}" ]; then
	# One apt at a time (debug-kernel.sh installs its own packages, maybe
	# at the same time); then look again.
	scull_apt_lock
	# shellcheck disable=SC2086
	missing=$(pkgs_missing $PKGS | tr '\n' ' ')
fi
if [ -n "${missing// /}" ]; then
	log "installing: $missing"
	[ "$(id -u)" -eq 0 ] || die "run as root to install packages ($missing)"
	apt_opts=(-y -q -o Dpkg::Use-Pty=0 -o Acquire::Retries=3
		-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold
		--no-install-recommends)
	# An index that does not come (a mirror mid-sync) is left out: the
	# packages may well be in the others, and the install says if not.
	scull_apt_update "${TMPDIR:-/tmp}/scullmem-apt.log" apt-get -q -o Acquire::Retries=3 ||
		log "apt-get update: going on without what failed: $(paste -s -d ';' <<< "$scull_apt_failed")"
	# shellcheck disable=SC2086 # a list of package names
	apt-get install "${apt_opts[@]}" $missing > "${TMPDIR:-/tmp}/scullmem-apt.out" 2>&1 || {
		tail -n 40 "${TMPDIR:-/tmp}/scullmem-apt.out" >&2
		die "apt-get install failed: $(scull_apt_reason "${TMPDIR:-/tmp}/scullmem-apt.out")"
	}
	# shellcheck disable=SC2086
	still=$(pkgs_missing $PKGS | tr '\n' ' ')
	[ -z "${still// /}" ] || die "still missing after apt-get install: $still"
fi

# The headers of this machine's two kernels must be where build.sh looks
# for them, whatever SCULL_KVERS says: the other targets' kernels have
# theirs in their roots, which may not be made yet (scripts/mkroot.sh).
host_kvers=$(SCULL_KVERS='' scull_kvers)
for kver in $host_kvers; do
	[ -d "/usr/src/linux-headers-$kver" ] ||
		die "/usr/src/linux-headers-$kver is missing (reinstall linux-headers-$kver)"
done

src=$SCULL_CACHE/linux-source-6.1
tarball=/usr/src/linux-source-6.1.tar.xz
files=(scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch
	tools/testing/selftests/kselftest_harness.h tools/testing/selftests/kselftest.h
	scripts/coccicheck scripts/coccinelle)
# Re-extract when linux-source-6.1 is upgraded or the list above changes.
stamp="$(dpkg-query -W -f='${Version}' linux-source-6.1) ${files[*]}"
if [ "$(cat "$src/.done" 2>/dev/null)" != "$stamp" ]; then
	log "extracting checkpatch and the kselftest harness from $tarball"
	[ -f "$tarball" ] || die "$tarball is missing (reinstall linux-source-6.1)"
	mkdir -p "$SCULL_CACHE"
	tmp=$(mktemp -d "$SCULL_CACHE/.linux-source.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	tar -C "$tmp" -xJf "$tarball" "${files[@]/#/linux-source-6.1/}"
	echo "$stamp" > "$tmp/linux-source-6.1/.done"
	rm -rf "$src"
	mv "$tmp/linux-source-6.1" "$src"
	quiet=0
fi

if [ "$quiet" -eq 0 ]; then
	log "packages: all installed"
	log "checkpatch:        $src/scripts/checkpatch.pl"
	log "kselftest harness: $src/tools/testing/selftests/kselftest_harness.h"
	for kver in $host_kvers; do
		log "kernel $kver: headers /usr/src/linux-headers-$kver," \
			"image $SCULL_CACHE/kernels/$kver/root/boot/vmlinuz-$kver"
	done
fi
