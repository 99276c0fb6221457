#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest's half of make bench (see bench/run.sh): one boot, every
# measurement.  Runs as root in the QEMU guest, chrooted in the host's root.
#
#   SCULL_KO=<scull.ko> BENCH_OUT=<writable dir> BENCH_BIN=<bench programs>
#   bash bench/guest.sh
#
# Raw results go to $BENCH_OUT/results.txt (one record a line, parsed by
# bench/report.sh on the host) and a few side files; progress to stdout.
# Sizes can be changed with BENCH_REPS, BENCH_SEQ_MIB, BENCH_RAND_MIB,
# BENCH_LAT_N, BENCH_FRAG_N, BENCH_FILL_MIB, BENCH_GRAPH_MIB, BENCH_ZONE_N,
# BENCH_PRESSURE_MIB, BENCH_PRESSURE_ROUNDS (BENCH_CACHEFILE: the page-cache
# file), and the
# devices measured with BENCH_DEVS (default: all five).
set -uo pipefail
# free_pages and settle, shared with the tests.  bench/run.sh runs a copy
# of this script from the build directory: the repo is $SCULL_TOP.
. "${SCULL_TOP:?SCULL_TOP is not set}/tests/lib.sh" || exit 1

ko=${SCULL_KO:?SCULL_KO is not set}
out=${BENCH_OUT:?BENCH_OUT is not set}
bin=${BENCH_BIN:?BENCH_BIN is not set}
reps=${BENCH_REPS:-3}
seq_mib=${BENCH_SEQ_MIB:-256}
rand_mib=${BENCH_RAND_MIB:-32}
lat_n=${BENCH_LAT_N:-1000}
frag_n=${BENCH_FRAG_N:-100}
fill_mib=${BENCH_FILL_MIB:-1024}
graph_mib=${BENCH_GRAPH_MIB:-8}
max_order=6
zone_n=${BENCH_ZONE_N:-500}
pressure_mib=${BENCH_PRESSURE_MIB:-512}
pressure_rounds=${BENCH_PRESSURE_ROUNDS:-3}
cachefile=${BENCH_CACHEFILE:-}
devs=${BENCH_DEVS:-scullp scullv scullk scullc scullh}
T=/sys/kernel/tracing
res=$out/results.txt
: > "$res"

emit() {
	echo "$*" >> "$res"
}

say() {
	echo "bench: $*"
}

phase_start=$(date +%s.%N)
phase() {
	local t
	t=$(date +%s.%N)
	emit "phase $1 $(awk -v a="$phase_start" -v b="$t" 'BEGIN { printf "%.1f", b - a }')"
	phase_start=$t
}

# (Re)load the module; no argument means the default parameters.
load() {
	local _
	[ ! -d /sys/module/scull ] || rmmod scull || { say "rmmod failed"; exit 1; }
	insmod "$ko" "$@" || { say "insmod $* failed"; exit 1; }
	for _ in $(seq 50); do
		[ -c "/dev/${devs##* }" ] && break
		sleep 0.1
	done
}

# fio writes the output of exec_prerun into the current directory.
cd /tmp || exit 1
# Programs that run while memory is fragmented must not page in from 9p.
cp "$bin"/memcpy_bw "$bin"/fragment "$bin"/latbench "$bin"/seekread "$bin"/tracedio /tmp/ ||
	{ say "cannot copy the bench programs"; exit 1; }

emit "info kver $(uname -r)"
emit "info devs $devs"
emit "info cmdline $(cat /proc/cmdline)"
emit "info memtotal_kb $(awk '/^MemTotal/ { print $2 }' /proc/meminfo)"
emit "info cpu $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
emit "info cpus $(nproc)"
emit "info timing ${BENCH_TIMING:-unknown}"
emit "info tcg_thread ${BENCH_TCG_THREAD:-unknown}"
emit "info fio $(fio --version)"
emit "info thp $(cat /sys/kernel/mm/transparent_hugepage/enabled)"
echo 1 > /proc/sys/kernel/kptr_restrict
load
emit "info max_size $(cat /sys/module/scull/parameters/max_size)"
emit "info kptr_restrict $(cat /proc/sys/kernel/kptr_restrict)"

# --- the physical limit: user-space memcpy --------------------------------
say "memcpy bandwidth"
/tmp/memcpy_bw 256 5 >> "$res"
phase memcpy

# --- allocation latency, from the scull_quantum_alloc tracepoint ----------
# latbench makes every device allocate $n quanta of each order 0..6, one
# write() per quantum; the tracepoint times each allocation.
trace_start() {
	echo 0 > $T/tracing_on
	echo 16384 > $T/buffer_size_kb
	echo 1 > $T/events/scull/scull_quantum_alloc/enable
	echo > $T/trace
	echo 1 > $T/tracing_on
}

trace_stop() {	# $1: plain or frag
	echo 0 > $T/tracing_on
	echo 0 > $T/events/scull/scull_quantum_alloc/enable
	awk '/scull_quantum_alloc:/ {
		for (i = 1; i <= NF; i++)
			if (split($i, kv, "=") == 2)
				v[kv[1]] = kv[2]
		print v["dev"], v["order"], v["ns"], v["success"]
	}' $T/trace > "$out/trace-$1.txt"
	grep -c . "$out/trace-$1.txt" | sed "s/^/trace_events $1 /" >> "$res"
	echo > $T/trace
}

say "allocation latency, unfragmented memory ($lat_n quanta per device and order)"
load
echo reset > /proc/scullmem
trace_start
# shellcheck disable=SC2046,SC2086 # device names have no spaces
/tmp/latbench "$lat_n" $max_order $(printf '/dev/%s ' $devs) | sed 's/^latbench /alloc plain /' >> "$res"
trace_stop plain
load
phase latency_plain

# --- throughput: fio, psync --------------------------------------------------
# Five workloads: 1 MiB sequential write (after truncation, so every quantum
# is allocated), 1 MiB sequential read (twice over the data), 1 MiB
# sequential overwrite of the same data (nothing to allocate: the copy
# alone), 4 KiB random write (after truncation) and 4 KiB random read (four
# times over).  One fio run (a "block") at one order runs each workload on
# tmpfs and the devices back to back, and a memcpy measurement just
# before the reads (exec_prerun); blocks go round the orders $reps times.
# The host is shared and TCG timing follows its load, so the ratios are
# taken between jobs that ran a second or two apart, and their median over
# the blocks is reported.
fio_job() {	# target file workload
	local t=$1 f=$2
	echo "[$t.$3]"
	echo "filename=$f"
	case $3 in
	seqwrite) printf 'exec_prerun=: > %s\nrw=write\nbs=1M\nsize=%sM\n' "$f" "$seq_mib" ;;
	seqread) printf 'rw=read\nbs=1M\nsize=%sM\nloops=2\n' "$seq_mib"
		[ "$t" != tmpfs ] || echo "exec_prerun=/tmp/memcpy_bw 128 3" ;;
	overwrite) printf 'rw=write\nbs=1M\nsize=%sM\n' "$seq_mib" ;;
	randwrite) printf 'exec_prerun=: > %s\nrw=randwrite\nbs=4k\nsize=%sM\n' "$f" "$rand_mib" ;;
	randread) printf 'rw=randread\nbs=4k\nsize=%sM\nloops=4\n' "$rand_mib" ;;
	esac
}

fio_block() {	# order rep
	local order=$1 rep=$2 w dev
	{
		printf '[global]\nioengine=psync\ninvalidate=0\nfallocate=none\nstonewall\n'
		for w in seqwrite seqread overwrite randwrite randread; do
			fio_job tmpfs /tmp/bench-tmpfs.dat $w
			for dev in $devs; do
				fio_job "$dev" "/dev/$dev" $w
			done
		done
	} > /tmp/bench.fio
	rm -f /tmp/tmpfs.seqread.prerun.txt
	fio --output-format=terse --terse-version=3 /tmp/bench.fio |
	awk -F';' -v o="$order" -v r="$rep" '
		$1 == 3 { split($3, n, ".")
			  if (n[2] ~ /write/) print "fio", n[1], o, r, n[2], $47, $50, $5
			  else print "fio", n[1], o, r, n[2], $6, $9, $5 }' >> "$res"
	awk -v o="$order" -v r="$rep" '$1 == "memcpy" { print "memcpyblk", o, r, $2, $3 }' \
		/tmp/tmpfs.seqread.prerun.txt >> "$res"
	rm -f /tmp/bench-tmpfs.dat
}

# Where each quantum of a device lies: contiguity (runs) and addresses.
layout() {	# dev order
	awk -v want="$1" -v order="$2" '
		/^Device / { dev = $2; sub(":", "", dev); next }
		dev == want && /^    quantum / {
			n++; runs += $13; if ($13 == 1) contig++
			if ($13 > maxruns) maxruns = $13
			if (vmin == "" || $4 < vmin) vmin = $4
			if ($4 > vmax) vmax = $4
			if (first == "") { first = $4; fphys = $6 }
			region[$9]++
		}
		END {
			r = ""; for (k in region) r = r k ":" region[k] " "
			printf "layout %s %s quanta %d contiguous %d mean_runs %.2f max_runs %d virt_min %s virt_max %s first_virt %s first_phys %s regions %s\n",
				want, order, n, contig, n ? runs / n : 0, maxruns, vmin, vmax, first, fphys, r
		}' /proc/scullmem >> "$res"
	# The kernel page-table entries (TLB entries) that map its data:
	# "ptes DEV ORDER BYTES TOTAL [SIZE:COUNT...]" ("?" where they cannot
	# be read: arm64).
	awk -v want="$1" -v order="$2" '
		/^Device / { dev = $2; sub(":", "", dev); sz = $NF; next }
		dev == want && sub(/^  page-table entries: /, "") {
			gsub(/[(),]/, ""); out = "ptes " want " " order " " sz " " $1
			for (i = 2; i < NF; i += 2) out = out " " $i ":" $(i + 1)
			print out
		}' /proc/scullmem >> "$res"
}

say "throughput (fio: ${seq_mib} MiB sequential, ${rand_mib} MiB random, $reps blocks per order)"
for rep in $(seq "$reps"); do
	for order in 0 2 4; do
		load order=$order
		fio_block "$order" "$rep"
		if [ "$rep" -eq "$reps" ] && [ "$order" -ge 2 ]; then
			for dev in $devs; do
				layout "$dev" "$order"
			done
			emit "vmallocinfo order $order scull_areas $(grep -c scull /proc/vmallocinfo)"
		fi
		for dev in $devs; do
			: > "/dev/$dev"
		done
		say "  block: order $order, run $rep done"
	done
done
load
phase fio

# --- readers side by side --------------------------------------------------
# read() takes a device's outer lock shared, so readers of one device run
# side by side.  The aggregate throughput of 2 concurrent 1 MiB sequential
# readers against 1 (fio, numjobs, group_reporting), each reading the whole
# $readers_mib MiB four times over, on scullp, scullv and tmpfs, $reps
# times.  Only a guest whose two vCPUs run on two host threads can show it
# (info tcg_thread: multi).
readers_mib=${BENCH_READERS_MIB:-256}
say "readers side by side ($readers_mib MiB, 1 and 2 readers, $reps runs)"
load
head -c $((readers_mib << 20)) /dev/zero > /tmp/bench-readers.dat
for dev in scullp scullv; do
	head -c $((readers_mib << 20)) /dev/zero > "/dev/$dev"
done
for rep in $(seq "$reps"); do
	for t in tmpfs scullp scullv; do
		f=/dev/$t
		[ "$t" != tmpfs ] || f=/tmp/bench-readers.dat
		for j in 1 2; do
			fio --name="readers-$t" --filename="$f" --rw=read --bs=1M --size="${readers_mib}M" \
				--loops=4 --numjobs=$j --group_reporting --ioengine=psync --invalidate=0 \
				--output-format=terse --terse-version=3 |
			awk -F';' -v t="$t" -v r="$rep" -v j="$j" \
				'$1 == 3 { print "readers", t, r, j, $6, $9, $5 }' >> "$res"
		done
	done
done
rm -f /tmp/bench-readers.dat
load
phase readers

# --- seek scaling and metadata: 1 GiB on scullp, order 0 ------------------
# At the default qset (500) 1 GiB is only 525 qset arrays, so even a list
# walk to the last one would be cheap; at qset 1 it is 262144 of them, and
# a walk would cost as many pointer loads per lookup.  Both are measured.
# The metadata is measured independently of the driver's own estimate (the
# stats line): the memory the kernel accounts before and after the fill
# (slab, and free pages counting the per-CPU lists), with caches dropped
# and slabs shrunk both times, minus the data.
memacct() {	# "slab_kb S vmalloc_kb V free_pages F"
	echo "$(awk '/^Slab:/ { s = $2 } /^VmallocUsed:/ { v = $2 }
		END { printf "slab_kb %d vmalloc_kb %d", s, v }' /proc/meminfo) free_pages $(free_pages)"
}
seek_phase() {	# qset
	local q=$1 g=/sys/class/scullmem/scullp before after
	load qset="$q"
	settle
	before=$(memacct)
	/tmp/seekread /dev/scullp "$fill_mib" 200 | sed "s/^seekread /seek qset $q /" >> "$res"
	settle
	after=$(memacct)
	emit "memacct qset $q before $before after $after"
	grep '^stats scullp: metadata' /proc/scullmem | sed "s/^/meta qset $q /" >> "$res"
	emit "geometry qset $q $(cat $g/order) $(cat $g/qset) $(cat $g/quanta) $(cat $g/size)"
	: > /dev/scullp
}
for q in 500 1; do
	say "seek scaling and metadata (${fill_mib} MiB on scullp, order 0, qset $q)"
	seek_phase $q
done
load
phase seek

# --- allocation latency and failures on fragmented memory -----------------
# The fragmenter locks nearly all memory and frees every other page.  Locked
# (unevictable) pages are left alone by compaction only while
# compact_unevictable_allowed is 0; min_free_kbytes is lowered so that the
# memory it cannot take (the watermarks) is small; every freed page splits
# a mapping, so max_map_count is raised.  All restored afterwards.
say "allocation latency and failures, fragmented memory ($frag_n quanta per device and order)"
vm=/proc/sys/vm
saved="$(cat $vm/compact_unevictable_allowed) $(cat $vm/min_free_kbytes) $(cat $vm/max_map_count)"
emit "info vm_saved compact_unevictable_allowed min_free_kbytes max_map_count $saved"
echo 0 > $vm/compact_unevictable_allowed
echo 4096 > $vm/min_free_kbytes
echo 4194304 > $vm/max_map_count
echo 1 > $vm/drop_caches
load
echo reset > /proc/scullmem
trace_start
# shellcheck disable=SC2046,SC2086
/tmp/latbench -f /tmp/fragment -l 4 "$frag_n" $max_order $(printf '/dev/%s ' $devs) |
	sed 's/^latbench /alloc frag /; s/^buddyinfo /buddyinfo frag /' >> "$res" ||
	{ say "latbench on fragmented memory failed"; emit "missing alloc frag: latbench failed"; }
trace_stop frag
grep '^stats ' /proc/scullmem | sed 's/^/procstats frag /' >> "$res"
read -r a b c <<< "$saved"
echo "$a" > $vm/compact_unevictable_allowed
echo "$b" > $vm/min_free_kbytes
echo "$c" > $vm/max_map_count
load
phase latency_frag

# --- GFP flags: zone modifiers and action types ----------------------------
# Three of Love's and LDD3's statements on GFP flags, measured on scullp
# (scullh for __GFP_HIGHMEM, which only alloc_pages may be given).

# zone_pages ZONE FIELD: a field of a zone in /proc/zoneinfo ("managed",
# "free" for "pages free"), summed over the nodes.
zone_pages() {
	awk -v zone="$1" -v field="$2" '
		$1 == "Node" { in_zone = $4 == zone; next }
		in_zone && field == "free" && $1 == "pages" && $2 == "free" { s += $3 }
		in_zone && $1 == field && field != "free" { s += $2 }
		END { print s + 0 }' /proc/zoneinfo
}

# 1. Allocation latency per zone modifier: $zone_n quanta of orders 0 to 2
# (ZONE_DMA holds about 16 MiB: $zone_n order-2 quanta must fit).
say "allocation latency per zone modifier ($zone_n quanta per order)"
for spec in scullp:normal scullp:dma32 scullp:dma scullh:highmem; do
	dev=${spec%%:*} zone=${spec#*:}
	load
	if ! echo "$zone" 2> /dev/null > "/sys/class/scullmem/$dev/gfp"; then
		emit "zonelat $zone $dev refused"
		continue
	fi
	trace_start
	/tmp/latbench "$zone_n" 2 "/dev/$dev" | sed "s/^latbench /alloc zone-$zone /" >> "$res"
	trace_stop "zone-$zone"
	emit "zonelat $zone $dev $(cat "/sys/class/scullmem/$dev/gfp")"
done
load
phase gfp_zones

# 2. ZONE_DMA is small: fill scullp with gfp=dma until the allocator says
# no.  ENOMEM after about the zone's size, no OOM kill, and the machine
# goes on: a GFP_KERNEL write to scullv works afterwards.
say "filling scullp with gfp=dma"
load
echo dma > /sys/class/scullmem/scullp/gfp
oom_before=$(awk '$1 == "oom_kill" { print $2 }' /proc/vmstat)
managed=$(zone_pages DMA managed) free_before=$(zone_pages DMA free)
dd if=/dev/zero of=/dev/scullp bs=64k 2> /tmp/dmafill.err
dd_rc=$?
free_after=$(zone_pages DMA free)
held=$(cat /sys/class/scullmem/scullp/bytes_allocated)
quanta=$(cat /sys/class/scullmem/scullp/quanta)
echo 1 > /proc/sys/kernel/kptr_restrict
in_dma=$(awk '$1 == "Device" { on = $2 == "scullp:"; next }
	on && /^    quantum / && / zone DMA / { n++ } END { print n + 0 }' /proc/scullmem)
echo 0 > /proc/sys/kernel/kptr_restrict
after_ok=0
dd if=/dev/zero of=/dev/scullv bs=1M count=64 2> /dev/null && after_ok=1
oom_after=$(awk '$1 == "oom_kill" { print $2 }' /proc/vmstat)
emit "dmafill managed $managed free_before $free_before free_after $free_after bytes $held" \
	"quanta $quanta in_dma $in_dma dd_rc $dd_rc oom_before $oom_before oom_after $oom_after" \
	"then_scullv_64mib $after_ok error $(head -n 1 /tmp/dmafill.err | tr ' ' '_')"
load
phase gfp_dma

# 3. GFP_KERNEL against GFP_ATOMIC and GFP_NOWAIT while clean page cache
# fills memory: a sparse file of the host's (bench/run.sh), read over 9p
# (cache=loose: into the page cache) past the size of RAM, so that free
# memory is down to the watermarks and the rest is reclaimable.  The
# driver's own low-memory guard counts that as available, so the requests
# reach the allocator.  Then as many order-0 quanta as free memory holds
# plus $pressure_mib MiB, with each action type, the page cache refilled
# before each: past the free pages, each allocation needs reclaim, direct
# (GFP_KERNEL) or by kswapd in time (GFP_ATOMIC, GFP_NOWAIT).
meminfo_mib() {
	awk '/^(MemFree|Cached|MemAvailable):/ { printf "%s %d ", $1, $2 / 1024 }' /proc/meminfo
}

cache_fill() {
	dd if="$cachefile" of=/dev/null bs=1M count=$((memtotal_mib * 3 / 2)) 2> /dev/null
}
memtotal_mib=$(awk '/^MemTotal/ { print int($2 / 1024) }' /proc/meminfo)
if [ -r "${cachefile:-}" ]; then
	emit "info pressure_mib $pressure_mib"
	emit "info pressure_rounds $pressure_rounds"
	say "GFP actions under page-cache pressure (free memory + $pressure_mib MiB of order-0 quanta each, $pressure_rounds rounds)"
	# Whether an allocation that does not reclaim fails is a race with
	# kswapd: the rounds take the actions in turn, each round in another
	# order, and the report sums them.
	actions=(kernel atomic nowait)
	for round in $(seq "$pressure_rounds"); do
		for i in 0 1 2; do
			action=${actions[(i + round - 1) % 3]}
			load
			echo "$action" > /sys/class/scullmem/scullp/gfp
			cache_fill
			emit "pressure $action before $(meminfo_mib)"
			free_mib=$(awk '/^MemFree:/ { print int($2 / 1024) }' /proc/meminfo)
			trace_start
			/tmp/latbench $(((free_mib + pressure_mib) * 256)) 0 /dev/scullp |
				sed "s/^latbench /alloc pressure-$action /" >> "$res"
			trace_stop "pressure-$action-$round"
			cat "$out/trace-pressure-$action-$round.txt" >> "$out/trace-pressure-$action.txt"
			rm -f "$out/trace-pressure-$action-$round.txt"
			emit "pressure $action after $(meminfo_mib)"
		done
	done
	echo 1 > /proc/sys/vm/drop_caches
	load
else
	say "no page-cache file (BENCH_CACHEFILE): the GFP action measurement is skipped"
	emit "pressure skipped"
fi
phase gfp_actions

# --- where the time goes: function_graph -----------------------------------
# $graph_mib MiB in 1 MiB read()/write() calls (after one untraced call), traced two
# calls deep below the entry point: what each callee costs per call, from
# the trace durations (tracing adds its own overhead to every call).
graph() {	# name function command...
	local name=$1 func=$2
	shift 2
	echo 0 > $T/tracing_on
	echo nop > $T/current_tracer
	echo "$func" > $T/set_graph_function || { say "cannot trace $func"; return; }
	echo 3 > $T/max_graph_depth
	echo 1 > $T/options/funcgraph-tail
	echo function_graph > $T/current_tracer
	echo > $T/trace
	"$@"	# switches tracing_on itself
	echo 0 > $T/tracing_on
	emit "graph_func $name $func"
	cp $T/trace "$out/graph-$name.trace"
	# Lines: " 1)   0.351 us    |      xa_load();" and "... |    } /* scull_slot [scull] */".
	awk -v name="$name" '
		/ us +\|/ {
			split($0, parts, "|")
			body = parts[2]; sub(/^ /, "", body)
			match(body, /^ */); depth = int(RLENGTH / 2) + 1
			sub(/^ */, "", body); gsub(/ \[[a-z0-9_]+\]/, "", body)
			if (body ~ /^}/) { sub(/^} \/\* /, "", body); sub(/ \*\/.*$/, "", body) }
			else { sub(/\(\).*$/, "", body) }
			match(parts[1], /[0-9.]+ us/)
			us = substr(parts[1], RSTART, RLENGTH - 3)
			key = depth " " body
			n[key]++; t[key] += us
		}
		END { for (k in n) printf "graph %s %s %d %.1f\n", name, k, n[k], t[k] }' $T/trace >> "$res"
	echo nop > $T/current_tracer
	echo > $T/set_graph_function
	echo > $T/trace
}
say "where the time goes (function_graph, $graph_mib MiB in 1 MiB calls)"
emit "info graph_mib $graph_mib"
load
graph scullp-write scull_write_iter /tmp/tracedio write /dev/scullp "$graph_mib"
graph scullp-read scull_read_iter /tmp/tracedio read /dev/scullp "$graph_mib"
: > /dev/scullp
graph tmpfs-write generic_perform_write /tmp/tracedio write /tmp/bench-tmpfs.dat "$graph_mib"
graph tmpfs-read shmem_file_read_iter /tmp/tracedio read /tmp/bench-tmpfs.dat "$graph_mib"
rm -f /tmp/bench-tmpfs.dat
phase graph

load
rmmod scull
say "done"
