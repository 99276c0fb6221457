#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# unload.sh - remove scull.ko and any nodes that load.sh made by hand.
# POSIX sh: runs under dash and busybox ash.

module=scull
state=${SCULL_STATE:-/run/scullmem.nodes}

die() {
	echo "unload.sh: $*" >&2
	exit 1
}

[ "$(id -u)" -eq 0 ] || die "must be run as root (try: sudo $0)"
[ -d /sys/module/$module ] || die "$module is not loaded"

rmmod $module || die "rmmod $module failed: is a node still open? (see lsof /dev/scull*)"

if [ -f "$state" ]; then
	# shellcheck disable=SC2046 # the file holds a list of paths
	rm -f $(cat "$state")
	rm -f "$state"
fi
echo "unload.sh: $module unloaded"
