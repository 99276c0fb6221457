#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The guest's half of make demo (see demo.sh).  Run as root in the guest.
set -euo pipefail

echo 1 > /proc/sys/kernel/kptr_restrict	# real addresses in vmallocinfo
echo "# ./load.sh order=2"
./load.sh order=2
ls -l /dev/scullp /dev/scullv /dev/scullk

head -c $((4 << 20)) /dev/urandom > /tmp/demo.bin
echo "# cp /tmp/demo.bin /dev/scullp; cat /tmp/demo.bin > /dev/scullv; dd ... of=/dev/scullk"
cp /tmp/demo.bin /dev/scullp
cat /tmp/demo.bin > /dev/scullv
dd if=/tmp/demo.bin of=/dev/scullk bs=1M status=none
for d in scullp scullv scullk; do
	cmp /tmp/demo.bin /dev/$d
	echo "$d: $(stat -c %s /tmp/demo.bin) bytes in, read back identical"
done

echo
echo "# /proc/scullmem, side by side: the first quanta of each device"
awk '
	/^Device / { dev = $2; sub(":", "", dev); next }
	/^  backend / { be[dev] = $2; sub(",", "", be[dev]); next }
	/^    quantum / {
		q = $2; sub(":", "", q)
		if (q + 0 >= 8) next
		phys = $6; sub(/^0+/, "", phys)
		line[q, dev] = sprintf("%s %9s  %s", $4, phys, $13 "/" $11)
	}
	END {
		printf "%-4s  %-40s %-40s %-40s\n", "q", "scullp (" be["scullp"] ")",
			"scullv (" be["scullv"] ")", "scullk (" be["scullk"] ")"
		printf "%-4s  %-40s %-40s %-40s\n", "", "virt             phys       runs",
			"virt             phys       runs", "virt             phys       runs"
		for (q = 0; q < 8; q++)
			printf "%-4d  %-40s %-40s %-40s\n", q, line[q, "scullp"],
				line[q, "scullv"], line[q, "scullk"]
	}' /proc/scullmem
echo "(runs: physically contiguous runs / pages in the quantum)"

echo
echo "# head of /proc/scullmem for each device"
head -n 10 /proc/scullmem
for d in scullp scullv scullk; do
	grep -A 6 "^Device $d:" /proc/scullmem
done
echo
echo "# each scullv quantum is a vmalloc area:"
awk '/\[scull\]/ && n++ < 3' /proc/vmallocinfo
echo "# ./unload.sh"
./unload.sh
