#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Memory exhaustion, run as root in a 256 MiB guest (scripts/check.sh):
# write to each node until it fails.  The write must end with a clean
# ENOMEM or ENOSPC (vm.sh fails the run on an OOM kill or an allocation
# failure splat in dmesg), the data written before must be intact, and
# rmmod must give the memory back.  Ends with `# scull-totals: ...`.
set -u

kver=${1:-$(uname -r)}
TOP=$(cd "$(dirname "$0")/.." && pwd)
KO=${SCULL_KO:-${SCULL_BUILD:-$TOP/build}/$kver/scull.ko}
. "$TOP/tests/lib.sh"

fill_until_full() {
	local dev=$1 err
	cp /tmp/marker "/dev/$dev" || return 1
	# Append zeros until the device refuses.
	err=$(dd if=/dev/zero of="/dev/$dev" bs=1M seek=1 count=100000 conv=notrunc 2>&1 >/dev/null)
	echo "# $dev: $(grep -m1 copied <<< "$err")"
	echo "# $dev: $(head -n 1 <<< "$err")"
	echo "# $dev: $(cat "/sys/class/scullmem/$dev/quanta") quanta, $(( $(cat "/sys/class/scullmem/$dev/bytes_allocated") >> 20 )) MiB held"
	grep -q -E 'Cannot allocate memory|No space left on device' <<< "$err" || return 1
	cmp -n $((1 << 20)) /tmp/marker "/dev/$dev" || { echo "# $dev: earlier data changed"; return 1; }
	# Still usable: truncate, write, read back.
	: > "/dev/$dev"
	cp /tmp/marker "/dev/$dev" && cmp /tmp/marker "/dev/$dev"
}

echo "KTAP version 1"
echo "# exhaustion in a $(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo) MiB guest"
head -c $((1 << 20)) /dev/urandom > /tmp/marker
insmod "$KO" max_size=$((1 << 40)) || { echo "not ok 1 insmod"; exit 1; }
for dev in scullp scullv scullk; do
	fill_until_full $dev
	ok $? "$dev: filling memory ends in ENOMEM/ENOSPC, earlier data intact, device usable"
	: > "/dev/$dev"
done
# scullk holds less: the test boots run slub_debug, which pads each 4 KiB
# kmalloc object with red zones and tracking to several pages.
echo "# kmalloc-cg-4k object size with slub_debug:" \
	"$(awk '$1 == "kmalloc-cg-4k" { print $4 }' /proc/slabinfo) bytes"
rmmod scull
ok $? "rmmod after exhaustion"

# Memory back: the first round grew what the kernel keeps once grown (the
# page tables of the vmalloc range, slab caches), so count free pages
# around a second, identical round.
settle
before=$(free_pages)
insmod "$KO" max_size=$((1 << 40)) || { echo "not ok 1 insmod"; exit 1; }
for dev in scullp scullv scullk; do
	fill_until_full $dev > /dev/null
	: > "/dev/$dev"
done
rmmod scull
settle
after=$(free_pages)
echo "# free pages before the second load $before, after its rmmod $after"
[ $((before - after)) -le 256 ]
ok $? "rmmod gives the memory back (free pages within 1 MiB)"
totals
[ "$fail" -eq 0 ]
