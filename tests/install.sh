#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make install / uninstall, run as root in the guest.  The guest's root is
# the host's, read-only, so /lib/modules/<kver>, /etc/modprobe.d and
# /etc/udev/rules.d get private tmpfs mounts first.  Checks: modprobe
# loads the installed module with parameters, an options line in
# /etc/modprobe.d is honoured, the udev rule is installed, and uninstall
# takes both away.  Ends with `# scull-totals: ...`.
set -u

kver=${1:-$(uname -r)}
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"

echo "KTAP version 1"
mount -t tmpfs tmpfs "/lib/modules/$kver"
mount -t tmpfs tmpfs /etc/modprobe.d
mount -t tmpfs tmpfs /etc/udev/rules.d
# A copy of the sources, built here as on a real machine: make && make install.
mkdir -p /tmp/src/scripts
cp "$TOP"/Kbuild "$TOP"/Makefile "$TOP"/dkms.conf "$TOP"/*.c "$TOP"/*.h /tmp/src/
cp "$TOP"/scripts/60-scull.rules "$TOP"/scripts/scullctl.c /tmp/src/scripts/
make_() { make -s -C /tmp/src KVER="$kver" KDIR="/usr/src/linux-headers-$kver" "$@"; }

make_ > /tmp/make.log 2>&1 && make_ install > /tmp/install.log 2>&1
ok $? "make && make install"
ko=$(find "/lib/modules/$kver/updates" -name 'scull.ko*' 2>/dev/null)
[ -n "$ko" ] && [ -f /etc/udev/rules.d/60-scull.rules ]
ok $? "the module is in /lib/modules/$kver/updates and 60-scull.rules in /etc/udev/rules.d"

modprobe scull order=2 && [ "$(cat /sys/module/scull/parameters/order)" = 2 ] &&
	[ -c /dev/scullp ] && rmmod scull
ok $? "modprobe scull order=2"

echo "options scull qset=77" > /etc/modprobe.d/scull.conf
modprobe scull && [ "$(cat /sys/module/scull/parameters/qset)" = 77 ] && rmmod scull
ok $? "an options line in /etc/modprobe.d is honoured"
rm /etc/modprobe.d/scull.conf

grep -q 'GROUP="staff", MODE="0664"' /etc/udev/rules.d/60-scull.rules
ok $? "the udev rule sets group staff and mode 0664"

make_ uninstall > /tmp/uninstall.log 2>&1 && ! modprobe scull 2>/dev/null &&
	[ ! -e /etc/udev/rules.d/60-scull.rules ]
ok $? "make uninstall removes the module and the rule"

totals
[ "$fail" -eq 0 ]
