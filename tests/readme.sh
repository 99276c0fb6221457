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

# ---- /proc/scullmem and scullctl: devices holding data --------------------
# The README's /proc snapshot is "after ./load.sh order=2 qset=100 and
# copying the same 3,000,000-byte file into each node": do that, and
# compare line shapes.  A shape is a line with what differs from boot to
# boot masked: addresses, PFNs, allocation times, the runs of a vmalloc
# quantum, the index of a quantum or qset (the snapshot is abridged).  The
# rest (geometry, counts, metadata, the layout of each line) must match,
# both ways: every shape of the README's snapshot is in the real file, and
# every shape of the real file is in the README's.
shapes() {
	sed -E 's/\<[0-9a-f]{16}\>/X/g
		s/\<pfn [0-9a-f]+\>/pfn X/
		s/ alloc ns min [0-9]+ mean [0-9]+ max [0-9]+$/ alloc ns min N mean N max N/
		s/histogram:( 2\^[0-9]+:[0-9]+)+$/histogram: H/
		s/ vmalloc pages ([0-9]+) runs [0-9]+ [a-z]+$/ vmalloc pages \1 runs R/
		s/^( +quantum )[0-9]+:/\1N:/
		s/^( +qset )[0-9]+ at /\1N at /' | sort -u
}
quiet make scullctl && quiet ./load.sh order=2 qset=100 &&
	head -c 3000000 /dev/urandom > /tmp/readme-3000000 &&
	cp /tmp/readme-3000000 /dev/scullp && cp /tmp/readme-3000000 /dev/scullv &&
	cp /tmp/readme-3000000 /dev/scullk &&
	cat /proc/scullmem > /tmp/readme-proc.real &&
	"$blocks" output output proc-snapshot > /tmp/readme-proc.shown &&
	shapes < /tmp/readme-proc.real > /tmp/readme-proc.real.shapes &&
	shapes < /tmp/readme-proc.shown > /tmp/readme-proc.shown.shapes &&
	[ -s /tmp/readme-proc.shown.shapes ]
rc=$?
if [ "$rc" -eq 0 ]; then
	comm -23 /tmp/readme-proc.shown.shapes /tmp/readme-proc.real.shapes | sed 's/^/README only: /' > /tmp/readme-proc.diff
	comm -13 /tmp/readme-proc.shown.shapes /tmp/readme-proc.real.shapes | sed 's/^/real only: /' >> /tmp/readme-proc.diff
	[ ! -s /tmp/readme-proc.diff ] || rc=1
	note < /tmp/readme-proc.diff
	if [ "$rc" -ne 0 ]; then
		echo "# the real /proc/scullmem, abridged as the README's (three quanta per device):"
		awk '/^Device / { skip = 0 } /^ +qset / { skip = $2 != 0 } /^ +quantum / { if (skip || $2 + 0 > 2) next } !skip || !/^ /' \
			/tmp/readme-proc.real | note
	fi
fi
ok $rc "README /proc/scullmem snapshot: the same line shapes as a real one at order 2, qset 100, 3000000 bytes"

# scullctl: the block's output is what the README shows under it, line for
# line; then the reset it shows took effect.
run scullctl &&
	"$blocks" output guest scullctl > /tmp/readme-scullctl.shown &&
	[ -s /tmp/readme-scullctl.shown ] &&
	{ diff /tmp/readme-scullctl.shown /tmp/readme-scullctl.out | note; [ "${PIPESTATUS[0]}" -eq 0 ]; } &&
	[ "$(cat /sys/class/scullmem/scullv/order)" = 4 ] &&
	[ "$(cat /sys/class/scullmem/scullv/size)" = 0 ]
ok $? "README scullctl: the output shown, then reset order=4"
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
