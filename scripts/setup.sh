#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what the bench needs, idempotently: Debian packages, and the few
# files of linux-source-6.1 that are used (checkpatch and its data, the
# kselftest harness).  Safe to run again; does nothing when all is there.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PKGS="qemu-system-x86 busybox-static kmod cpio xz-utils sparse gcc make
      libc6-dev perl fio liburing-dev libaio-dev linux-source-6.1
      $SCULL_HEADER_PKGS dash shellcheck util-linux procps gawk"

missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	log "installing:$missing"
	[ "$(id -u)" -eq 0 ] || die "run as root to install packages"
	apt-get update -qq
	# shellcheck disable=SC2086 # a list of package names
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

src=$SCULL_CACHE/linux-source-6.1
if [ ! -f "$src/.done" ]; then
	log "extracting checkpatch and kselftest_harness.h from linux-source-6.1"
	mkdir -p "$SCULL_CACHE"
	rm -rf "$src"
	tar -C "$SCULL_CACHE" -xf /usr/src/linux-source-6.1.tar.xz \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch \
		linux-source-6.1/tools/testing/selftests/kselftest_harness.h \
		linux-source-6.1/tools/testing/selftests/kselftest.h
	touch "$src/.done"
fi
