#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The guest's half of make demo (see demo.sh): run as root in the guest, in
# the repo.  Loads scull.ko (order=2: 16 KiB quanta), copies 4 MiB of random
# data into each node with cp and dd, reads it back with cat and dd, shows
# /proc/scullmem for every allocator, and unloads.
set -euo pipefail

say() { printf '\n$ %s\n' "$*"; }

ko=${SCULL_KO:-./scull.ko}
if [ -x ./load.sh ]; then
	say "./load.sh order=2"
	./load.sh order=2
else
	say "insmod $ko order=2"
	insmod "$ko" order=2
fi
devs="scullp scullv scullk scullc scullh"
# shellcheck disable=SC2046,SC2086 # a list of names
ls -l $(printf '/dev/%s ' $devs)

say "head -c 4M /dev/urandom > /tmp/demo.bin"
head -c $((4 << 20)) /dev/urandom > /tmp/demo.bin
for d in $devs; do
	say "cp /tmp/demo.bin /dev/$d && cat /dev/$d > /tmp/back.bin && cmp /tmp/back.bin /tmp/demo.bin"
	cp /tmp/demo.bin "/dev/$d"
	cat "/dev/$d" > /tmp/back.bin
	cmp /tmp/back.bin /tmp/demo.bin
	echo "$d: $(stat -c %s /tmp/demo.bin) bytes in with cp, read back identical with cat"
	say "dd if=/tmp/demo.bin of=/dev/$d bs=64k && dd if=/dev/$d bs=1M | cmp - /tmp/demo.bin"
	dd if=/tmp/demo.bin of="/dev/$d" bs=64k status=none
	dd if="/dev/$d" bs=1M status=none | cmp - /tmp/demo.bin
	echo "$d: rewritten with dd, read back identical with dd"
done

# Root has CAP_SYS_ADMIN, so /proc/scullmem shows real addresses; with
# kptr_restrict=1, /proc/vmallocinfo does too (for CAP_SYSLOG).
say "echo 1 > /proc/sys/kernel/kptr_restrict"
echo 1 > /proc/sys/kernel/kptr_restrict

say "grep -E '^(scullmem|layout|zone|stats)' /proc/scullmem"
grep -E '^(scullmem|layout|zone|stats)' /proc/scullmem

# LDD3's comparison, from this kernel: where the linear map ends and the
# vmalloc range begins (far apart on x86_64, side by side on i386), and
# whether the machine has high memory.
echo
echo "# the kernel's address space on $(uname -m) ($(uname -r))"
gawk '
	function mib(x) { return sprintf("%.0f MiB", x / 1048576) }
	function far(x) {
		if (x >= 2^40) return sprintf("%.0f TiB", x / 2^40)
		if (x >= 2^30) return sprintf("%.0f GiB", x / 2^30)
		return mib(x)
	}
	/^layout: linear / {
		split($3, l, "-"); split($5, v, "-"); sub(",", "", l[2])
		llo = strtonum("0x" l[1]); lhi = strtonum("0x" l[2])
		vlo = strtonum("0x" v[1]); vhi = strtonum("0x" v[2])
		printf "linear map  %s-%s  PAGE_OFFSET %s, %s of RAM mapped\n", l[1], l[2], l[1], mib(lhi - llo)
		printf "vmalloc     %s-%s  %s, starting %s %s the linear map'"'"'s end\n", v[1], v[2],
			far(vhi - vlo + 1), far(vlo >= lhi ? vlo - lhi : lhi - vlo), vlo >= lhi ? "above" : "below"
	}' /proc/scullmem
awk '$1 == "HighTotal:" { h = $2 } END {
	if (h) printf "high memory %d MiB (ZONE_HIGHMEM): RAM the linear map does not reach\n", h / 1024
	else print "high memory none: the linear map reaches all RAM" }' /proc/meminfo

# side_by_side DEV...: the first 8 quanta of each device, one column each.
side_by_side() {
	awk -v list="$*" '
		BEGIN { n = split(list, col, " ") }
		/^Device / { dev = $2; sub(":", "", dev); next }
		/^  backend / { be[dev] = $2; sub(",", "", be[dev]); next }
		/^    quantum / {
			q = $2; sub(":", "", q)
			if (q + 0 >= 8) next
			phys = $6; sub(/^0+/, "", phys)
			line[q, dev] = sprintf("%s %9s  %s", $4, phys, $13 "/" $11)
		}
		END {
			printf "%-4s ", "q"
			for (i = 1; i <= n; i++) printf " %-40s", col[i] " (" be[col[i]] ")"
			printf "\n%-4s ", ""
			for (i = 1; i <= n; i++) printf " %-40s", "virt             phys       runs"
			printf "\n"
			for (q = 0; q < 8; q++) {
				printf "%-4d ", q
				for (i = 1; i <= n; i++) printf " %-40s", line[q, col[i]]
				printf "\n"
			}
		}' /proc/scullmem
}

echo
echo "# /proc/scullmem, side by side: the first quanta of each device"
side_by_side scullp scullv scullk
echo "# and of the lookaside cache and of alloc_pages (high memory where there is some: virt -)"
side_by_side scullc scullh
echo "(runs: physically contiguous runs / pages in the quantum)"

for d in $devs; do
	echo
	echo "# /proc/scullmem, the head of $d's block"
	awk -v d="Device $d:" 'index($0, d) == 1 { p = 1 } /^Device / && index($0, d) != 1 { p = 0 }
		p && n++ < 12' /proc/scullmem
done

echo
echo "# each scullv quantum is a vmalloc area (/proc/vmallocinfo):"
awk '/\[scull\]/ && n++ < 3' /proc/vmallocinfo
if [ -x ./unload.sh ]; then
	say "./unload.sh"
	./unload.sh
else
	say "rmmod scull"
	rmmod scull
fi
