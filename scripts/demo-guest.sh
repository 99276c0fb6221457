#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The guest's half of make demo (see demo.sh): run as root in the guest, in
# the repo.  Loads scull.ko (order=2: 16 KiB quanta), writes scullv once on
# the freshly booted machine and keeps where its pages went, then leaves
# one-page holes in the kernel's memory (tests/holes.c) as a machine that
# has run for a while has them, copies 4 MiB of random data into each node
# with cp and dd, reads it back with cat and dd, shows /proc/scullmem for
# every allocator (scullv's first quanta from both runs side by side),
# prints the whole of it between
# SCULL-SNAPSHOT-BEGIN and SCULL-SNAPSHOT-END (demo.sh draws it with
# scripts/scullmap), the TLB table (the page-table entries that map 16 MiB
# in each device), then the zone table: for each device and each zone
# modifier, the zones that 64 one-page quanta came from, then the holds
# table: what each allocator holds for quanta of 1 byte to 64 KiB (between
# SCULL-HOLDS-BEGIN/-END, its data between SCULL-HOLDS-DATA-BEGIN/-END);
# and unloads.  With
# --numa (a two-node guest), only the NUMA table and a snapshot of every
# device with half its data written from each node's CPU.
set -euo pipefail

say() { printf '\n$ %s\n' "$*"; }

# The devices, in minor order: scullp, scullv, scullk, and any that a
# newer module has.
devices() {
	local d
	for d in /sys/class/scullmem/*; do
		[ -e "$d/dev" ] || continue
		echo "$(cut -d: -f2 "$d/dev") ${d##*/}"
	done | sort -n | cut -d' ' -f2
}

# ---- the NUMA table (issue 28) -----------------------------------------------
# demo.sh boots amd64 and arm64 a second time, on two nodes, for this
# alone (--numa): the rest of the demo keeps one node, whose zones the
# zone table and docs/allocators.md show.  4 MiB
# written into each device from five placements of the writer, and the
# share of its quanta on each node, from the device's `quanta by node:`
# line (a quantum counts on the node of its first page; "split": quanta
# with pages on both).  numapol (tests/numapol.c) sets the task's memory
# policy as numactl would: the guests' roots have no numactl.

# numa_cell DEV: "A/B" percent of DEV's quanta on node 0/node 1.
numa_cell() {
	awk -v h="Device $1:" '/^Device / { p = index($0, h) == 1; next }
		p && sub(/^  quanta by node: /, "") {
			split($0, part, "; "); n = split(part[1], kv, ", ")
			for (i = 1; i <= n; i++) { split(kv[i], x, " "); c[x[1]] = x[2]; t += x[2] }
			sub(/^on several nodes /, "", part[2])
			s = (t ? int(100 * c[0] / t + 0.5) : 0) "/" (t ? int(100 * c[1] / t + 0.5) : 0)
			if (part[2] + 0) s = s " (" part[2] " split)"
			print s; exit
		}' /proc/scullmem
}

numa_table() {
	local rows=("taskset -c 0" "taskset -c 1" "taskset -c 0 numapol bind 1" "taskset -c 0 numapol interleave all"
		"taskset -c 0, the device's node=1") r d w
	head -c 4M /dev/urandom > /tmp/numa.bin
	echo
	echo "# where 4 MiB written into each device went: % of its quanta on node 0/node 1,"
	echo "# by the writer's placement (numapol bind 1 = numactl --membind=1, interleave all = --interleave=all)"
	w=0
	for r in "${rows[@]}"; do [ ${#r} -le "$w" ] || w=${#r}; done
	{
	printf '%-*s' "$w" "writer"
	for d in "${devs[@]}"; do printf '  %-17s' "$d"; done
	echo
	for r in "${rows[@]}"; do
		printf '%-*s' "$w" "$r"
		for d in "${devs[@]}"; do
			: > "/dev/$d"
			case $r in
			*numapol*)
				# shellcheck disable=SC2086 # the row is the command's words
				${r} -- cp /tmp/numa.bin "/dev/$d" ;;
			*node=1)
				echo 1 > "/sys/class/scullmem/$d/node"
				taskset -c 0 cp /tmp/numa.bin "/dev/$d"
				echo local > "/sys/class/scullmem/$d/node" ;;
			*)
				# shellcheck disable=SC2086
				${r} cp /tmp/numa.bin "/dev/$d" ;;
			esac
			printf '  %-17s' "$(numa_cell "$d")"
			: > "/dev/$d"
		done
		echo
	done
	} | sed 's/ *$//'
	rm -f /tmp/numa.bin
}

# numa_snapshot: 4 MiB into each device, its first half written from CPU 0
# and the second appended from CPU 1, so that every allocator has quanta
# on both nodes; the whole /proc/scullmem between the markers, for
# demo.sh to draw (scullmap tints each node's zones).
numa_snapshot() {
	local d
	head -c 4M /dev/urandom > /tmp/numa.bin
	for d in "${devs[@]}"; do
		taskset -c 0 dd if=/tmp/numa.bin of="/dev/$d" bs=64k count=32 status=none
		taskset -c 1 dd if=/tmp/numa.bin of="/dev/$d" bs=64k skip=32 seek=32 conv=notrunc status=none
		cmp /tmp/numa.bin "/dev/$d"
	done
	rm -f /tmp/numa.bin
	echo
	echo "# /proc/scullmem with 2 MiB written from each node's CPU into every device"
	grep -E '^(node |Device |  quanta by node: )' /proc/scullmem
	echo SCULL-SNAPSHOT-BEGIN
	cat /proc/scullmem
	echo SCULL-SNAPSHOT-END
}


if [ "${1:-}" = --numa ]; then
	online=$(cat /sys/devices/system/node/online 2> /dev/null || true)
	[ "$online" = 0-1 ] || { echo "demo: --numa wants nodes 0-1 online, not '${online:-none}'" >&2; exit 1; }
	insmod "${SCULL_KO:-./scull.ko}" order=2
	# shellcheck disable=SC2207 # device names have no spaces
	devs=($(devices))
	say "the writer's placement: taskset, numapol (tests/numapol.c), the device's node"
	PATH=${SCULL_BIN:?}:$PATH numa_table
	say "taskset -c 0 dd ... of=/dev/DEVICE; taskset -c 1 dd ... seek=32 conv=notrunc"
	numa_snapshot
	rmmod scull
	exit 0
fi

ko=${SCULL_KO:-./scull.ko}
if [ -x ./load.sh ]; then
	say "./load.sh order=2"
	./load.sh order=2
else
	say "insmod $ko order=2"
	insmod "$ko" order=2
fi
# shellcheck disable=SC2207 # device names have no spaces
devs=($(devices))
(cd /dev && ls -l "${devs[@]}")

say "head -c 4M /dev/urandom > /tmp/demo.bin"
head -c $((4 << 20)) /dev/urandom > /tmp/demo.bin

# scullv on the freshly booted machine: its pages are where they went,
# kept for the table below; then emptied.
say "cp /tmp/demo.bin /dev/scullv   # on the freshly booted machine, kept for later; then emptied"
cp /tmp/demo.bin /dev/scullv
cat /proc/scullmem > /tmp/proc-fresh.txt
: > /dev/scullv

# A machine that has run for a while has its free memory in small pieces;
# one freshly booted has long free runs, from which vmalloc, taking one
# page at a time, gets pages side by side.  holes (tests/holes.c) makes
# the first: 64 MiB of pipe buffers, written a page at a time round robin,
# every other pipe closed, the rest held while the devices are written.
# On one CPU, with the writers: the pages the closed pipes free go to
# that CPU's per-CPU free list first, and a writer on the other CPU
# would be served from long free runs instead (a validation run on a
# busy machine saw all of scullv's first quanta contiguous so).
taskset -p -c 0 $$ > /dev/null
holes=${SCULL_BIN:?}/holes
rm -f /tmp/holes.in
mkfifo /tmp/holes.in
say "holes 64 &   # tests/holes.c: hold every other page of 64 MiB of pipe buffers"
"$holes" 64 < /tmp/holes.in > /tmp/holes.out &
holes_pid=$!
exec 9> /tmp/holes.in
for _ in $(seq 600); do
	grep -q '^ready$' /tmp/holes.out && break
	kill -0 "$holes_pid" 2> /dev/null || break
	sleep 0.1
done
grep -q '^ready$' /tmp/holes.out || { cat /tmp/holes.out; echo "holes did not start" >&2; exit 1; }
grep -v '^ready$' /tmp/holes.out

for d in "${devs[@]}"; do
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
say "exec 9>&-   # holes ends, the pipes are freed; the devices keep their pages"
exec 9>&-
wait "$holes_pid"

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
		printf "linear map  %s-%s  PAGE_OFFSET %s, %s of physical addresses mapped (RAM and its holes)\n", l[1], l[2], l[1], mib(lhi - llo)
		printf "vmalloc     %s-%s  %s, starting %s %s the linear map'"'"'s end\n", v[1], v[2],
			far(vhi - vlo + 1), far(vlo >= lhi ? vlo - lhi : lhi - vlo), vlo >= lhi ? "above" : "below"
	}
	# The rest of it (issue 27): the regions, where scull.ko itself was
	# loaded, where the struct pages of each device'"'"'s quanta are, and
	# where scullh'"'"'s last kmap_local_page() mapped a page.
	/^region / {
		split($3, r, "-")
		printf "%-11s %s-%s  %s\n", $2, r[1], r[2], far(strtonum("0x" r[2]) - strtonum("0x" r[1]))
		if ($2 == "modules") { mlo = strtonum("0x" r[1]); mhi = strtonum("0x" r[2]) }
	}
	/^module / {
		gsub(",", "")
		split($4, t, "-"); t0 = strtonum("0x" t[1])
		printf "%-11s text %s, rodata %s, data %s%s\n", $2 ".ko", $4, $6, $8,
			t0 >= mlo && t0 < mhi ? "" : (t0 >= vlo && t0 <= vhi ? \
			" (in the vmalloc range: KASLR loads modules near the kernel image)" : " (outside the modules area)")
	}
	/^Device / { dev = $2; sub(":", "", dev) }
	/^  struct pages [0-9a-f]/ { printf "%-11s %s  the struct pages of %s'"'"'s quanta\n", "", $3, dev }
	/^  kmap last / { printf "%-11s %s  where %s'"'"'s last kmap_local_page() mapped a page\n", "kmap last", $3, dev }
	' /proc/scullmem
awk '$1 == "HighTotal:" { h = $2 } END {
	if (h) printf "high memory %d MiB (ZONE_HIGHMEM): RAM the linear map does not reach\n", h / 1024
	else print "high memory none: the linear map reaches all RAM" }' /proc/meminfo

# side_by_side COL...: the first 8 quanta of each device, one column each.
# A column is DEV (from /proc/scullmem) or FILE:DEV@TITLE (from a saved
# copy of it, TITLE added to the heading).
side_by_side() {
	local c files=()
	for c in "$@"; do
		case $c in
		*:*) files+=("${c%%:*}") ;;
		*) files+=(/proc/scullmem) ;;
		esac
	done
	# shellcheck disable=SC2046 # file names without spaces
	awk -v list="$*" '
		BEGIN {
			n = split(list, col, " ")
			for (i = 1; i <= n; i++) {
				file[i] = col[i] ~ /:/ ? col[i] : "/proc/scullmem:" col[i]
				sub(/:.*$/, "", file[i]); sub(/^.*:/, "", col[i])
				title[i] = col[i] ~ /@/ ? col[i] : ""
				sub(/^[^@]*@/, "", title[i]); sub(/@.*$/, "", col[i])
			}
		}
		FNR == 1 { f = FILENAME }
		/^Device / { dev = $2; sub(":", "", dev); next }
		/^  backend / { be[dev] = $2; sub(",", "", be[dev]); next }
		/^    quantum / {
			q = $2; sub(":", "", q)
			if (q + 0 >= 8) next
			phys = $6; sub(/^0+/, "", phys)
			line[f, q, dev] = sprintf("%s %9s  %s", $4, phys, $13 "/" $11)
		}
		END {
			printf "%-4s ", "q"
			for (i = 1; i <= n; i++)
				printf " %-40s", col[i] " (" be[col[i]] ")" (title[i] == "" ? "" : ", " title[i])
			printf "\n%-4s ", ""
			for (i = 1; i <= n; i++) printf " %-40s", "virt             phys       runs"
			printf "\n"
			for (q = 0; q < 8; q++) {
				printf "%-4d ", q
				for (i = 1; i <= n; i++) printf " %-40s", line[file[i], q, col[i]]
				printf "\n"
			}
		}' $(printf '%s\n' "${files[@]}" | sort -u) | sed 's/ *$//'
}

echo
echo "# /proc/scullmem, side by side: the first quanta of each device"
echo "# (written while holes held every other page of 64 MiB of pipe buffers)"
side_by_side scullp scullv scullk
echo "(runs: physically contiguous runs / pages in the quantum)"
echo
echo "# scullv's first quanta: written right after boot (fresh), and again with holes in memory"
side_by_side /tmp/proc-fresh.txt:scullv@fresh scullv@holes
echo "(on a freshly booted machine free memory is a few long runs, and vmalloc's one-page"
echo " allocations may come out of them side by side, 1/4, or not, from boot to boot; with"
echo " holes in memory, as on a machine that has run for a while, they are pages apart)"
echo
echo "# and the first quanta of the lookaside cache and of alloc_pages (high memory where there is some: virt -)"
side_by_side scullc scullh
# The point of the first table: none of scullv's first quanta may be
# physically contiguous there.  If one is, the holes did not do their job,
# and the demo says so and fails.
demo_status=0
together=$(awk '/^Device / { p = $2 == "scullv:" }
	p && $1 == "quantum" && $2 + 0 < 8 && $13 == 1 { sub(":", "", $2); printf " %s", $2 }' /proc/scullmem)
if [ -n "$together" ]; then
	echo "demo: scullv's quanta$together are physically contiguous although written with holes in memory" >&2
	demo_status=1
fi

for d in "${devs[@]}"; do
	echo
	echo "# /proc/scullmem, the head of $d's block"
	awk -v d="Device $d:" 'index($0, d) == 1 { p = 1 } /^Device / && index($0, d) != 1 { p = 0 }
		p && n++ < 12' /proc/scullmem
done

echo
echo "# each scullv quantum is a vmalloc area (/proc/vmallocinfo):"
awk '/\[scull\]/ && n++ < 3' /proc/vmallocinfo

# The whole privileged /proc/scullmem, for scripts/scullmap: the guest's
# root is read-only, so it goes to the console, and demo.sh cuts it out
# into build/demo/<kver>.txt and draws it.
echo
echo "# /proc/scullmem with the devices full, for scripts/scullmap on the host"
echo SCULL-SNAPSHOT-BEGIN
cat /proc/scullmem
echo SCULL-SNAPSHOT-END

ps=$(getconf PAGESIZE)
order=$(cat /sys/module/scull/parameters/order)
scullctl=${SCULL_BIN:-scripts}/scullctl

# ---- the TLB table (issue 27) ------------------------------------------------
# For each device: 16 MiB written into it, empty, at the module's order,
# then its `page-table entries:` line, the kernel page-table entries (that
# is TLB entries) that map the data, by size.  scullv once more with
# huge=1 at order 9 (2 MiB quanta, vmalloc_huge): one PMD each, where the
# architecture and kernel map vmalloc areas with huge entries.

# tlb_row DEV ALLOCATOR: DEV's entries for 16 MiB, as one table row.
tlb_row() {
	local d=$1 what=$2 line
	head -c 16M /tmp/demo16.bin > "/dev/$d"
	line=$(awk -v h="Device $d:" '/^Device / { p = index($0, h) == 1; next }
		p && sub(/^  page-table entries: /, "") { print; exit }' /proc/scullmem)
	: > "/dev/$d"
	printf '%-26s %-9s %s\n' "$d ($what)" "${line%% *}" "$(sed -n 's/^[^(]*(\(.*\))$/\1/p' <<< "$line")"
}

head -c 16M /dev/urandom > /tmp/demo16.bin
say "for each device D: cp 16 MiB into /dev/D; D's 'page-table entries' in /proc/scullmem;" \
	"scullv again with scullctl order=9 huge=1"
echo
echo "# the kernel page-table entries (TLB entries) that map 16 MiB of data, per device"
printf '%-26s %-9s %s\n' "device (quanta)" "entries" "by size"
for d in "${devs[@]}"; do
	: > "/dev/$d"
	tlb_row "$d" "$(( (ps << order) / 1024 )) KiB"
done
: > /dev/scullv
for o in 9 10; do
	if "$scullctl" /dev/scullv order=$o huge=1 > /dev/null 2> /tmp/huge.err; then
		tlb_row scullv "$((ps << o >> 20)) MiB, huge=1"
	else
		printf '%-26s %s\n' "scullv ($((ps << o >> 20)) MiB, huge=1)" "refused: $(cat /tmp/huge.err)"
	fi
	"$scullctl" /dev/scullv huge=0 > /dev/null
done
"$scullctl" /dev/scullv "order=$order" > /dev/null
case $(uname -m) in
x86_64)
	echo "(x86_64: the direct map is built from 1G and 2M entries, where the kernel did not split"
	echo " them; vmalloc maps each page with a 4K entry, and vmalloc_huge a 2 MiB area with one 2M;"
	echo " before 6.13, with no node given, only when the area divided by the online nodes is 2 MiB"
	echo " or more: on two nodes, 2 MiB quanta get 4K entries and 4 MiB ones 2M entries)" ;;
i*86)
	echo "(i386: no huge vmalloc; scullh's high memory has no kernel mapping, so no entries:"
	echo " kmap_local_page() maps one page at a time while it is copied)" ;;
aarch64)
	echo "(arm64: ?, as a module cannot read the kernel's page tables there: init_mm is not exported)" ;;
esac
rm -f /tmp/demo16.bin

# ---- the zone table ----------------------------------------------------------
# For each device and zone modifier (gfp=ZONE,kernel on the empty device):
# 64 quanta of one page each (order 0, set with scullctl), counted per zone
# by the device's `quanta by zone:` line; a refusal is one dmesg line,
# printed once per rule under the table.  Then each device is put back:
# normal,kernel, the module's order, empty.

echo
echo "# this machine's zones (/proc/scullmem's zone lines), in physical memory"
gawk '
	function size(b) {
		if (b > 0 && b < 1048576) return sprintf("%d KiB", b / 1024)
		b /= 1048576
		return b == int(b) ? sprintf("%d MiB", b) : sprintf("%.2f MiB", b)
	}
	/^scullmem: page_size / { ps = $3 + 0 }
	/^zone / {
		split($6, r, "-")
		lo = strtonum("0x" r[1]) * ps; hi = (strtonum("0x" r[2]) + 1) * ps
		printf "%-8s node %s  pfn %-14s %10s to %-10s (%s present)\n", $2, $4, $6,
			size(lo), size(hi), size($8 * ps)
	}' /proc/scullmem

zones=(normal dma dma32 highmem)
head -c $((64 * ps)) /dev/urandom > /tmp/zone.bin
say "for each device D and modifier Z: echo Z,kernel > /sys/class/scullmem/D/gfp;" \
	"cp /tmp/zone.bin /dev/D ($((64 * ps / 1024)) KiB); D's 'quanta by zone' in /proc/scullmem"
mark=$(dmesg | wc -l)
declare -A cell at
for d in "${devs[@]}"; do
	: > "/dev/$d"
	"$scullctl" "/dev/$d" order=0 > /dev/null
	for z in "${zones[@]}"; do
		# bash's echo: a refused choice is a failed write (EINVAL).
		if ! { echo "$z,kernel" > "/sys/class/scullmem/$d/gfp"; } 2> /dev/null; then
			cell[$d,$z]=refused
			continue
		fi
		note=''
		cp /tmp/zone.bin "/dev/$d" 2> /dev/null || note=' (write failed)'
		# The zones, and where the pages lie: lowest and highest physical
		# address (one page per quantum at order 0).
		IFS=$'\t' read -r zs where < <(gawk -v h="Device $d:" -v ps="$ps" '
			/^Device / { p = index($0, h) == 1; next }
			p && sub(/^  quanta by zone: /, "") { zones = $0; next }
			p && $1 == "quantum" {
				a = strtonum("0x" $6); e = a + $11 * ps
				if (!n++ || a < lo) lo = a
				if (e > hi) hi = e
			}
			END { printf "%s\t%s\n", zones == "" ? "-" : zones,
				n ? sprintf("%.1f-%.1f", lo / 2^20, hi / 2^20) : "-" }' /proc/scullmem)
		cell[$d,$z]=$zs$note at[$d,$z]=$where
		: > "/dev/$d"
	done
	echo normal,kernel > "/sys/class/scullmem/$d/gfp"
	"$scullctl" "/dev/$d" "order=$order" > /dev/null
done

# The rules, from dmesg: dev_info_ratelimited lets 10 lines through in 5 s,
# so with many devices some can be missing; those are asked again, once,
# in a new interval.
rules() {
	dmesg | tail -n +$((mark + 1)) |
		sed -n 's/.* \(scull[a-z0-9]*\): gfp=\([a-z0-9]*\),kernel refused: /\1 \2 /p'
}
refused=$(rules)
again=()
for d in "${devs[@]}"; do
	for z in "${zones[@]}"; do
		[ "${cell[$d,$z]}" = refused ] && ! grep -q "^$d $z " <<< "$refused" && again+=("$d" "$z")
	done
done
if [ ${#again[@]} -gt 0 ]; then
	sleep 5
	for ((i = 0; i < ${#again[@]}; i += 2)); do
		{ echo "${again[i + 1]},kernel" > "/sys/class/scullmem/${again[i]}/gfp"; } 2> /dev/null || true
	done
	for d in "${devs[@]}"; do echo normal,kernel > "/sys/class/scullmem/$d/gfp"; done
	refused=$(rules)
fi

echo
echo "# the zones that 64 one-page quanta came from, per device and zone modifier (gfp=Z,kernel),"
echo "# and the lowest and highest physical address of their pages"
for d in "${devs[@]}"; do
	be=$(awk -v h="Device $d:" 'index($0, h) == 1 { p = 1; next } p { print $2; exit }' /proc/scullmem)
	printf '%s\t%s' "$d" "${be%,}"
	for z in "${zones[@]}"; do printf '\t%s' "${cell[$d,$z]}"; done
	printf '\n\tpages at (MiB)'
	for z in "${zones[@]}"; do printf '\t%s' "${at[$d,$z]:-}"; done
	echo
done | gawk -F'\t' -v zones="${zones[*]}" '
	{ for (i = 1; i <= NF; i++) { c[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } }
	END {
		nz = split(zones, z, " ")
		for (i = 1; i <= nz; i++) if (length(z[i]) > w[i + 2]) w[i + 2] = length(z[i])
		printf "%-*s  %-*s", w[1], "device", w[2], "allocator"
		for (i = 1; i <= nz; i++) printf "  %-*s", w[i + 2], z[i]
		print ""
		for (r = 1; r <= NR; r++) {
			printf "%-*s  %-*s", w[1], c[r, 1], w[2], c[r, 2]
			for (i = 1; i <= nz; i++) printf "  %-*s", w[i + 2], c[r, i + 2]
			print ""
		}
	}' | sed 's/ *$//'
if [ -n "$refused" ]; then
	echo "refused: EINVAL, and one dmesg line each (the rule, once per rule):"
	# Group the devices and modifiers that share a rule.
	gawk '{ key = $1 " " $2; r = $0; sub(/^[^ ]+ [^ ]+ /, "", r)
		if (seen[key]++) next
		if (!(r in who)) { order[++n] = r; who[r] = key; zone[r] = $2; devs[r] = $1 }
		else { who[r] = who[r] ", " key; devs[r] = devs[r] ", " $1; if ($2 != zone[r]) zone[r] = "" } }
		END { for (i = 1; i <= n; i++) { r = order[i]
			printf "  %s: %s\n", zone[r] != "" ? devs[r] " " zone[r] : who[r], r } }' <<< "$refused"
fi
for d in "${devs[@]}"; do
	for z in "${zones[@]}"; do
		[ "${cell[$d,$z]}" != refused ] || grep -q "^$d $z " <<< "$refused" ||
			echo "  $d $z: (no dmesg line: ratelimited)"
	done
done
# ---- the holds table (issue 26) ----------------------------------------------
# What each allocator sets aside for a quantum of N bytes (LDD3 8.1, "The
# size argument"): for each device and each size of a sweep (1 byte to 64
# KiB: the powers of two, each plus one, and 100, 4000, 5000, 20000), the
# device emptied, its quantum set to N through sysfs, 4 quanta written,
# and from /proc/scullmem quantum 0's `holds` (with vmalloc's `span`,
# kmalloc's `from` cache, kvmalloc's `via`) and the header's `held:` line.
# The raw lines go between SCULL-HOLDS-DATA-BEGIN and -END (demo.sh cuts
# them into build/demo/<kver>-holds.dat and draws them with
# scripts/holdsplot), the table for 1, 100, 4000, 4097, 5000 and 20000
# bytes between SCULL-HOLDS-BEGIN and -END (<kver>-holds.txt).  Then each
# device is put back: the module's quantum, empty.

# holds_lines RAW: the data from RAW, where holds_sweep put a line
# `@@ DEV N` and then the whole /proc/scullmem after writing DEV: one line
# per device and size, DEV BACKEND N HOLDS SPAN FROM VIA ASKED HELD
# OVERHEAD QUANTA MIXED ("-" for a field the lines had not; MIXED: how
# many quanta hold other than quantum 0's).
holds_lines() {
	awk '
		function flush() {
			if (d == "") return
			printf "%s %s %s %s %s %s %s %s %s %s %d %d\n", d, be == "" ? "-" : be, n,
				ho == "" ? "-" : ho, sp == "" ? "-" : sp, fr == "" ? "-" : fr,
				vi == "" ? "-" : vi, a == "" ? "-" : a, H == "" ? "-" : H,
				o == "" ? "-" : o, q, mixed
		}
		$1 == "@@" {
			flush()
			d = $2; n = $3; h = "Device " d ":"; p = 0
			be = ho = sp = fr = vi = a = H = o = ""; q = mixed = 0
			next
		}
		$1 == "@@refused" { flush(); d = ""; print $2, "-", $3, "refused - - - - - - 0 0"; next }
		/^Device / { p = index($0, h) == 1; next }
		!p { next }
		$1 == "backend" { be = $2; sub(",", "", be) }
		$1 == "held:" { a = $3; H = $6; o = $9; sub("%", "", o) }
		$1 == "quantum" && $2 ~ /^[0-9]+:$/ {
			q++
			hq = sq = fq = vq = ""
			for (i = 3; i < NF; i++) {
				if ($i == "holds") hq = $(i + 1)
				else if ($i == "span") sq = $(i + 1)
				else if ($i == "from") fq = $(i + 1)
				else if ($i == "via") vq = $(i + 1)
			}
			if ($2 == "0:") { ho = hq; sp = sq; fr = fq; vi = vq }
			else if (hq != ho) mixed++
		}
		END { flush() }' "$1"
}

# holds_sweep RAW: each device at each size, /proc/scullmem after each
# into RAW.  Bash builtins only in the loop (the data is spaces, from a
# variable; mapfile reads /proc/scullmem): a fork costs milliseconds under
# TCG, and the sweep makes 250 allocations of 4 quanta.
holds_sweep() {
	local d n modq sizes k buf lines
	modq=$(cat /sys/module/scull/parameters/quantum)
	sizes=(100 4000 5000 20000)
	for k in $(seq 0 16); do sizes+=($((1 << k))); done
	for k in $(seq 1 15); do sizes+=($(((1 << k) + 1))); done
	# shellcheck disable=SC2207 # numbers
	sizes=($(printf '%s\n' "${sizes[@]}" | sort -n -u))
	printf -v buf '%*s' $((4 * 65536)) ''
	: > "$1"
	for d in "${devs[@]}"; do
		: > "/dev/$d"
		for n in "${sizes[@]}"; do
			if ! { echo "$n" > "/sys/class/scullmem/$d/quantum"; } 2> /dev/null; then
				echo "@@refused $d $n" >> "$1"
				continue
			fi
			printf '%s' "${buf:0:4 * n}" > "/dev/$d" || true
			mapfile -t lines < /proc/scullmem
			printf '%s\n' "@@ $d $n" "${lines[@]}" >> "$1"
			: > "/dev/$d"
		done
		echo "$modq" > "/sys/class/scullmem/$d/quantum"
	done
}

# holds_table DATA: the table for LDD3's sizes, and what "up to twice as
# much" and "the smallest kmalloc" read on this kernel.
holds_table() {
	gawk -v devlist="${devs[*]}" '
		function pct(o) { return o + 0 >= 10 ? sprintf("%.0f", o) : sprintf("%.1f", o) }
		/^#/ { next }
		{
			d = $1; n = $3 + 0; be[d] = $2 == "-" ? be[d] : $2
			if ($4 == "refused") { cell[d, n] = "refused"; next }
			cell[d, n] = $4 " (+" pct($10) "%)" ($12 ? "*" : "")
			if ($5 != "-") span[d, n] = $5
			if ($6 != "-" && d == "scullk") from[n] = $6
			if ($7 != "-") via[d, n] = $7
			if (d == "scullk") { held[n] = $4 + 0; sz[++ns] = n }
		}
		END {
			nd = split(devlist, dv, " ")
			nr = split("1 100 4000 4097 5000 20000", rows, " ")
			w = 6
			for (i = 1; i <= nd; i++) {
				cw[i] = length(be[dv[i]]) > length(dv[i]) ? length(be[dv[i]]) : length(dv[i])
				for (r = 1; r <= nr; r++) if (length(cell[dv[i], rows[r]]) > cw[i]) cw[i] = length(cell[dv[i], rows[r]])
			}
			printf "%-*s", w, "asked"
			for (i = 1; i <= nd; i++) printf "  %-*s", cw[i], dv[i]
			printf "  %s\n%-*s", "scullk'"'"'s", w, "bytes"
			for (i = 1; i <= nd; i++) printf "  %-*s", cw[i], be[dv[i]]
			printf "  %s\n", "kmalloc cache"
			for (r = 1; r <= nr; r++) {
				n = rows[r]
				printf "%-*s", w, n
				for (i = 1; i <= nd; i++) printf "  %-*s", cw[i], cell[dv[i], n]
				printf "  %s\n", from[n]
			}
			printf "(bytes held per quantum and the overhead over the bytes asked, from the device'"'"'s held: line;"
			printf " 4097: a page and a byte"
			for (i = 1; i <= nd; i++) for (r = 1; r <= nr; r++) if (cell[dv[i], rows[r]] ~ /\*$/) star = 1
			if (star) printf "; *: not every quantum held the same"
			print ")"
			for (i = 1; i <= nd; i++) {
				s = ""
				for (r = 1; r <= nr; r++) if ((dv[i], rows[r]) in span) s = s (s == "" ? "" : ", ") rows[r] ": " span[dv[i], rows[r]]
				if (s != "") printf "%s'"'"'s span in the vmalloc range, guard page included: %s\n", dv[i], s
				s = ""; same = 1; v1 = ""
				for (r = 1; r <= nr; r++) if ((dv[i], rows[r]) in via) {
					s = s (s == "" ? "" : ", ") rows[r] ": " via[dv[i], rows[r]]
					if (v1 == "") v1 = via[dv[i], rows[r]]
					else if (via[dv[i], rows[r]] != v1) same = 0
				}
				if (s != "" && same) printf "%s'"'"'s quanta came via %s at each size\n", dv[i], v1
				else if (s != "") printf "%s'"'"'s quanta came via: %s\n", dv[i], s
			}
			if (!(1 in held)) exit
			min = held[1]
			printf "smallest kmalloc: 1 byte is held in %d bytes (%s)\n", min, from[1]
			best = 0; pbest = 0
			for (j = 1; j <= ns; j++) {
				n = sz[j]; r = held[n] / n
				if (n < min) continue
				if (from[n] == "page-allocator") { if (r > pbest) { pbest = r; pn = n } }
				else if (r > best) { best = r; bn = n }
			}
			printf "kmalloc rounds up to its size classes, at most %.4fx: %d bytes held in %d (%s),", best, bn, held[bn], from[bn]
			printf " of the sweep'"'"'s sizes from %d to 64 KiB", min
			if (pbest) printf "; above its largest cache it takes pages: %.4fx at %d (%d held)", pbest, pn, held[pn]
			print ""
		}' "$1" | sed 's/ *$//'
}

say "for each device D and size N of a sweep from 1 byte to 64 KiB: : > /dev/D;" \
	"echo N > /sys/class/scullmem/D/quantum; 4 quanta into /dev/D; D's holds and held: in /proc/scullmem"
holds_sweep /tmp/holds.raw
{
	echo "# kernel $(uname -r) $(uname -m) page_size $ps"
	echo "# device backend asked holds span from via held-asked held-held overhead% quanta mixed"
	holds_lines /tmp/holds.raw
} > /tmp/holds.dat
rm -f /tmp/holds.raw
echo "($(grep -vc "^#" /tmp/holds.dat) devices and sizes measured, 4 quanta each; the data for scripts/holdsplot:)"
echo SCULL-HOLDS-DATA-BEGIN
cat /tmp/holds.dat
echo SCULL-HOLDS-DATA-END
echo
echo SCULL-HOLDS-BEGIN
echo "# what each allocator holds for a quantum of N bytes, on $(uname -m) ($(uname -r))"
holds_table /tmp/holds.dat
echo SCULL-HOLDS-END

if [ -x ./unload.sh ]; then
	say "./unload.sh"
	./unload.sh
else
	say "rmmod scull"
	rmmod scull
fi
exit "$demo_status"
