#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make install / uninstall, run as root in the guest.  The guest's root is
# the host's, read-only, so /lib/modules/<kver>, /etc/modprobe.d and
# /etc/udev/rules.d get private tmpfs mounts first; /run, where udevd keeps
# its state, is the guest's own tmpfs.  Checks: modprobe loads the
# installed module with parameters, an options line in /etc/modprobe.d is
# honoured, the installed udev rule is applied by a real systemd-udevd
# (root:staff 0664, where without it the nodes stay root:root 0600), and
# uninstall takes both away.  Ends with `# scull-totals: ...`.
#
# SCULL_SRC: a copy of the sources to install from, built already (the
# README's clone, after tests/readme.sh's native path, in the same boot:
# tests/userland.sh); by default a fresh copy in /tmp/src, built here.
set -u

kver=${1:-$(uname -r)}
TOP=$(cd "$(dirname "$0")/.." && pwd)
# Every node, the issue 26 ones (scullx, scullkv) too: the udev rule names them all.
DEVS="scullp scullv scullk scullc scullh scullx scullkv"
. "$TOP/tests/lib.sh"

# ---- a udevd of our own ----------------------------------------------------

udevd_pid=''
# The payload runs chrooted in the host's root: without this, udevadm's
# trigger, settle and control (make install's --reload-rules too) only say
# "Running in chroot, ignoring request." and return 0.
export SYSTEMD_IGNORE_CHROOT=1

udevd_start() {
	mkdir -p /run/udev
	/lib/systemd/systemd-udevd --debug > /tmp/udevd.log 2>&1 &
	udevd_pid=$!
	for _ in $(seq 100); do
		udevadm control --ping --timeout=5 2> /dev/null && return 0
		kill -0 "$udevd_pid" 2> /dev/null || break
		sleep 0.2
	done
	sed 's/^/# udevd: /' /tmp/udevd.log
	return 1
}

udevd_stop() {
	[ -n "$udevd_pid" ] || return 0
	kill "$udevd_pid" 2> /dev/null
	wait "$udevd_pid" 2> /dev/null
	udevd_pid=''
}
trap udevd_stop EXIT

# The events of the load, handled; then an "add" for each node, handled:
# udevd's database has each node.
udev_apply() {
	local d
	udevadm settle --timeout=60 &&
		udevadm trigger --settle --action=add --subsystem-match=scullmem || return 1
	for d in $DEVS; do
		[ -e "/run/udev/data/c$(cat "/sys/class/scullmem/$d/dev")" ] ||
			{ echo "# udevd did not handle $d"; return 1; }
	done
}

# nodes_are "OWNER GROUP MODE": what stat says of each node.
nodes_are() {
	local d got rc=0
	for d in $DEVS; do
		got=$(stat -c '%U %G %a' "/dev/$d") || { rc=1; continue; }
		echo "# /dev/$d: $got"
		[ "$got" = "$1" ] || rc=1
	done
	return $rc
}

# insmod the module built here, let udevd handle it, check the nodes.
nodes_after_insmod() {
	local rc
	insmod "$src/scull.ko" || return 1
	udev_apply && nodes_are "$1"
	rc=$?
	rmmod scull || rc=1
	return $rc
}

echo "KTAP version 1"
mount -t tmpfs tmpfs "/lib/modules/$kver"
mount -t tmpfs tmpfs /etc/modprobe.d
mount -t tmpfs tmpfs /etc/udev/rules.d
# A copy of the sources, built as on a real machine: make && make install.
src=${SCULL_SRC:-/tmp/src}
if [ -z "${SCULL_SRC:-}" ]; then
	mkdir -p /tmp/src/scripts
	cp "$TOP"/Kbuild "$TOP"/Makefile "$TOP"/dkms.conf "$TOP"/*.c "$TOP"/*.h /tmp/src/
	cp "$TOP"/scripts/60-scull.rules "$TOP"/scripts/scullctl.c /tmp/src/scripts/
fi
make_() { make -s -C "$src" KVER="$kver" KDIR="/usr/src/linux-headers-$kver" "$@"; }

udevd_start
ok $? "systemd-udevd runs ($(udevadm --version)), rules from /etc/udev/rules.d and /lib/udev/rules.d"

# A clone built before needs no second make (minutes under TCG).
if [ -z "${SCULL_SRC:-}" ]; then
	make_ > /tmp/make.log 2>&1
	ok $? "make"
fi
nodes_after_insmod "root root 600"
ok $? "without the rule, the nodes udevd handled are root:root 0600"

make_ install > /tmp/install.log 2>&1
ok $? "make install"
ko=$(find "/lib/modules/$kver/updates" -name 'scull.ko*' 2>/dev/null)
[ -n "$ko" ] && [ -f /etc/udev/rules.d/60-scull.rules ]
ok $? "the module is in /lib/modules/$kver/updates and 60-scull.rules in /etc/udev/rules.d"

modprobe scull order=2 && [ "$(cat /sys/module/scull/parameters/order)" = 2 ] &&
	[ -c /dev/scullp ] && udev_apply && nodes_are "root staff 664"
rc=$?
rmmod scull || rc=1
ok $rc "modprobe scull order=2; udevd applies the installed rule: root:staff 0664"

echo "options scull qset=77" > /etc/modprobe.d/scull.conf
modprobe scull && [ "$(cat /sys/module/scull/parameters/qset)" = 77 ] && rmmod scull
ok $? "an options line in /etc/modprobe.d is honoured"
rm /etc/modprobe.d/scull.conf
# That modprobe's add events, and rmmod's remove events, may still be in
# udevd's queue: it goes empty first, so that no worker still applying the
# installed rule can reach a node of the next insmod (same name, same
# dev_t), and the check below sees only what make uninstall did.
udevadm settle --timeout=60

# make uninstall asks udevd to reload its rules: the recipe says so (make
# -n), and then udevd no longer applies the removed rule.  udevadm
# control only sends the request; udevd acts on it in its own loop, where
# insmod's uevents may come first (CI saw the nodes keep the removed
# rule's 0664 on 5.10, 6.1 i386 and 6.1 arm64, once each in about twenty
# runs).  A ping, answered once udevd has read what came before it,
# lets the request be read before insmod; it reloads nothing itself.
uninstalled_nodes() {
	udevadm control --ping --timeout=30 || return 1
	nodes_after_insmod "root root 600" && return 0
	echo "# the nodes kept the removed rule's mode; udevd's processes: $(pgrep -c -f 'systemd-udevd' || true)"
	grep -i -E 'reload|control message|rules' /tmp/udevd.log | tail -n 20 | sed 's/^/# udevd: /'
	return 1
}
make_ -n uninstall | grep -q '^udevadm control --reload-rules' &&
	make_ uninstall > /tmp/uninstall.log 2>&1 && ! modprobe scull 2>/dev/null &&
	[ ! -e /etc/udev/rules.d/60-scull.rules ] && uninstalled_nodes
ok $? "make uninstall removes the module and the rule, and asks udevd to reload: the nodes are 0600 again"

udevd_stop
totals
[ "$fail" -eq 0 ]
