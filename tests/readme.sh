#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# README.md's guest blocks, run as written (scripts/readme-blocks.sh
# extracts them), as root in the guest, from a copy of the repository as a
# user's clone would be.  The guest's root is the host's, read-only: the
# directories the blocks write to get private tmpfs mounts first.  `sudo`
# runs its arguments (the guest is root already) when there is none.  Each
# block is one KTAP test: it passes when every command in it succeeds and
# its expected output (below) is there.  Ends with `# scull-totals: ...`.
set -u

kver=${1:-$(uname -r)}
TOP=$(cd "$(dirname "$0")/.." && pwd)
blocks=$TOP/scripts/readme-blocks.sh
. "$TOP/tests/lib.sh"

note() { sed 's/^/# /'; }

echo "KTAP version 1"
[ "$kver" = "$(uname -r)" ] || { echo "# booted $(uname -r), asked for $kver"; exit 1; }

if ! command -v sudo > /dev/null; then
	mkdir -p /tmp/readme-bin
	printf '#!/bin/sh\nexec "$@"\n' > /tmp/readme-bin/sudo
	chmod +x /tmp/readme-bin/sudo
	export PATH=/tmp/readme-bin:$PATH
fi

# The clone: the sources, the scripts, the README.
clone=/tmp/scullmem
mkdir -p "$clone/scripts"
cp "$TOP"/Kbuild "$TOP"/Makefile "$TOP"/dkms.conf "$TOP"/*.c "$TOP"/*.h \
	"$TOP"/load.sh "$TOP"/unload.sh "$TOP"/README.md "$clone/"
cp "$TOP"/scripts/scullctl.c "$TOP"/scripts/60-scull.rules "$clone/scripts/"
cd "$clone" || exit 1

# run NAME: run guest block NAME with bash -e in the clone; its output goes
# to /tmp/readme-NAME.out.
run() {
	local cmds line
	cmds=$("$blocks" show guest "$1")
	[ -n "$cmds" ] || { echo "# README.md has no guest block '$1'"; return 1; }
	while IFS= read -r line; do
		echo "# $1: \$ $line"
	done <<< "$cmds"
	(cd "$clone" && bash -e -c "$cmds") > "/tmp/readme-$1.out" 2>&1
	local rc=$?
	if [ "$rc" -ne 0 ]; then
		tail -n 20 "/tmp/readme-$1.out" | note
		[ ! -f /var/lib/dkms/scullmem/0.1.0/build/make.log ] ||
			tail -n 20 /var/lib/dkms/scullmem/0.1.0/build/make.log | note
	fi
	return $rc
}

quiet() { "$@" > /dev/null 2>&1; }

# ---- On a real Linux machine: make && sudo ./load.sh ... ------------------
run native && grep -q '^Device scullv' /tmp/readme-native.out &&
	[ ! -d /sys/module/scull ] && [ ! -e /dev/scullp ]
ok $? "README native path: make, load.sh, cp and cmp, /proc/scullmem, unload.sh"

# ---- scullctl: a device holding data --------------------------------------
quiet make scullctl && quiet ./load.sh order=2 qset=100 &&
	head -c 3000000 /dev/urandom > /dev/scullv &&
	run scullctl &&
	grep -q '^/dev/scullv: order 2, qset 100, quantum 16384, size 3000000, quanta 184' \
		/tmp/readme-scullctl.out &&
	[ "$(cat /sys/class/scullmem/scullv/order)" = 4 ] &&
	[ "$(cat /sys/class/scullmem/scullv/size)" = 0 ]
ok $? "README scullctl: the geometry line as shown, then reset order=4"
quiet ./unload.sh

# ---- max_size ----------------------------------------------------------------
quiet ./load.sh && run max-size &&
	[ "$(cat /sys/module/scull/parameters/max_size)" = $((64 << 20)) ] &&
	! head -c $((65 << 20)) /dev/zero > /dev/scullp 2> /dev/null &&
	[ "$(cat /sys/class/scullmem/scullp/size)" = $((64 << 20)) ]
ok $? "README max_size: 64 MiB set, a 65 MiB write stops at 64 MiB"
quiet ./unload.sh

# ---- tracepoints ---------------------------------------------------------------
[ -e /sys/kernel/tracing/trace ] || mount -t tracefs tracefs /sys/kernel/tracing
quiet ./load.sh && run trace &&
	q=$(( ($(stat -c %s /etc/services) + 4095) / 4096 )) &&
	[ "$(grep -c 'scull_quantum_alloc: dev=scullv .* success=1' /tmp/readme-trace.out)" -eq "$q" ]
ok $? "README tracepoints: one scull_quantum_alloc event per quantum of /etc/services"
echo 0 > /sys/kernel/tracing/events/scull/enable
quiet ./unload.sh

# ---- DKMS ----------------------------------------------------------------------
# Writable /usr/src, DKMS's state and /lib/modules/<kver> (with its build
# link).  The headers in /usr/src stay at their paths, bind-mounted back
# into the tmpfs: their relative symlinks reach into /usr/lib.
dkms_root() {
	local e
	mkdir -p /tmp/usr-src
	mount --bind /usr/src /tmp/usr-src &&
		mount -t tmpfs tmpfs /usr/src || return 1
	for e in /tmp/usr-src/*; do
		if [ -L "$e" ]; then
			ln -s "$(readlink "$e")" "/usr/src/${e##*/}"
			continue
		elif [ -d "$e" ]; then
			mkdir "/usr/src/${e##*/}"
		else
			touch "/usr/src/${e##*/}"
		fi
		mount --bind "$e" "/usr/src/${e##*/}" || return 1
	done
	mount -t tmpfs tmpfs /var/lib/dkms &&
		mount -t tmpfs tmpfs "/lib/modules/$kver" &&
		ln -s "/usr/src/linux-headers-$kver" "/lib/modules/$kver/build"
}
quiet make clean && dkms_root && run dkms && [ "$(cat /sys/module/scull/parameters/order)" = 2 ] &&
	find "/lib/modules/$kver" -name 'scull.ko*' | grep -q . && rmmod scull
ok $? "README DKMS: dkms add, build, install, then modprobe scull order=2"

totals
[ "$fail" -eq 0 ]
