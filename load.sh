#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# load.sh - load scull.ko and give its nodes a group and a mode, as LDD3's
# scull_load did.  POSIX sh: runs under dash and busybox ash.
#
#   ./load.sh [-m MODE] [-g GROUP] [order=N|quantum=BYTES] [qset=M]
#
# Arguments other than -m and -g go to insmod.  The module is $SCULL_KO,
# else scull.ko beside this script, else the installed one (modprobe).
# With devtmpfs the kernel makes the nodes; without it they are made here
# from /proc/devices and listed in $SCULL_STATE for unload.sh.

module=scull
devices="scullp scullv scullk scullc scullh scullx scullkv"
mode=${SCULL_MODE:-664}
group=${SCULL_GROUP:-}
state=${SCULL_STATE:-/run/scullmem.nodes}

die() {
	echo "load.sh: $*" >&2
	exit 1
}

while [ $# -gt 0 ]; do
	case $1 in
	-m) [ $# -ge 2 ] || die "-m needs a mode"; mode=$2; shift 2 ;;
	-g) [ $# -ge 2 ] || die "-g needs a group"; group=$2; shift 2 ;;
	-h|--help)
		echo "usage: $0 [-m MODE] [-g GROUP] [order=N|quantum=BYTES] [qset=M]"
		exit 0 ;;
	*) break ;;
	esac
done

case $mode in
''|*[!0-7]*) die "mode '$mode' is not an octal mode such as 664" ;;
esac

[ "$(id -u)" -eq 0 ] || die "must be run as root (try: sudo $0${*:+ $*})"
[ -d /sys/module/$module ] &&
	die "$module is already loaded; run ./unload.sh first"

if [ -z "$group" ]; then
	# Debian and Ubuntu have "staff", other distributions "wheel".
	if grep -q '^staff:' /etc/group; then
		group=staff
	elif grep -q '^wheel:' /etc/group; then
		group=wheel
	else
		group=root
	fi
fi

ko=${SCULL_KO:-$(dirname "$0")/$module.ko}
if [ -f "$ko" ]; then
	insmod "$ko" "$@" || die "insmod $ko $* failed (see dmesg)"
elif modinfo $module >/dev/null 2>&1; then
	modprobe $module "$@" || die "modprobe $module $* failed (see dmesg)"
else
	die "$ko not found and $module is not installed: run make first"
fi

major=$(awk -v m=scullmem '$2 == m { print $1 }' /proc/devices)
[ -n "$major" ] || die "scullmem is missing from /proc/devices"

# devtmpfs makes the nodes before insmod returns; wait a little for udev.
made=
minor=0
for dev in $devices; do
	tries=0
	while [ ! -c "/dev/$dev" ] && [ $tries -lt 20 ]; do
		sleep 0.1 2>/dev/null || sleep 1
		tries=$((tries + 1))
	done
	if [ ! -c "/dev/$dev" ]; then
		# No devtmpfs: make the node the LDD3 way.
		rm -f "/dev/$dev"
		mknod "/dev/$dev" c "$major" $minor || die "mknod /dev/$dev failed"
		made="$made /dev/$dev"
	fi
	chgrp "$group" "/dev/$dev" || die "chgrp $group /dev/$dev failed"
	chmod "$mode" "/dev/$dev" || die "chmod $mode /dev/$dev failed"
	minor=$((minor + 1))
done

if [ -n "$made" ]; then
	echo "$made" > "$state" || die "cannot record the nodes in $state"
fi
echo "load.sh: $module loaded (major $major), /dev/scull{p,v,k,c,h,x,kv} mode $mode group $group"
