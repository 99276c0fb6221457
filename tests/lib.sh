# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Shared helpers of the guest-side test scripts (bash); source it.
# KTAP results: ok RC NAME counts a test in pass/fail/n, totals ends a run
# with the plan and the `# scull-totals:` line that scripts/check.sh reads.

pass=0 fail=0 skip=0 n=0 planned=

# plan N: KTAP's plan, first: the number of results the script will give,
# worked out before it runs from its lists and the test sources, not
# from the counter that counts them.  A section that stops early or a
# loop that runs short then leaves the plan unmet: totals() counts that
# as a failure, and scripts/check.sh compares the plan with the totals.
plan() {
	planned=$1
	echo "1..$1"
}

ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		pass=$((pass + 1))
		echo "ok $n $2"
	else
		fail=$((fail + 1))
		echo "not ok $n $2"
	fi
}

# subrun NAME CMD...: run CMD, a script that prints KTAP and ends with a
# `# scull-totals:` line, with its lines indented as they come, and add its
# totals to ours; without a totals line, one failure: "NAME ran to
# completion".
subrun() {
	local name=$1 out totals p f s
	shift
	out=$(mktemp)
	"$@" 2>&1 | tee "$out" | sed 's/^/    /'
	totals=$(grep '^# scull-totals:' "$out" | tail -n 1)
	rm -f "$out"
	if [ -z "$totals" ]; then
		ok 1 "$name ran to completion"
		return
	fi
	read -r _ p _ f _ s <<< "${totals#\# scull-totals: }"
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s)) n=$((n + p + f + s))
}

# skipped NAME REASON: a test that does not run here, counted as skipped.
skipped() {
	n=$((n + 1))
	skip=$((skip + 1))
	echo "ok $n $1 # SKIP $2"
}

totals() {
	if [ -z "$planned" ]; then
		echo "1..$n"
	elif [ "$n" -ne "$planned" ]; then
		echo "# the plan was $planned results, the run gave $n: one more failure"
		fail=$((fail + 1))
	fi
	echo "# scull-totals: pass $pass fail $fail skip $skip"
}

# Free pages, counting the per-CPU lists that MemFree leaves out.
free_pages() {
	# $1 exactly: 6.15 and later also print nr_free_pages_blocks.
	awk '$1 == "nr_free_pages" || $1 == "count:" { s += $2 } END { print s }' /proc/zoneinfo
}

# Let the caches and per-CPU lists settle before counting free pages.
settle() {
	local f
	sync
	echo 3 > /proc/sys/vm/drop_caches
	for f in /sys/kernel/slab/*/shrink; do echo 1 > "$f" 2>/dev/null; done
	sleep 2
	echo 3 > /proc/sys/vm/drop_caches
	sleep 1
}

# meminfo_moved FILE: the /proc/meminfo lines that differ from FILE's by
# more than 256 KiB, as notes ("Slab: 61232 -> 63400 kB").
meminfo_moved() {
	awk 'NR == FNR { was[$1] = $2; next }
	     ($1 in was) && ($2 - was[$1] > 256 || was[$1] - $2 > 256) {
		printf "# moved since the count before load: %s %d -> %d kB\n", $1, was[$1], $2
	     }' "$1" /proc/meminfo
}

# ---- every quantum allocated was freed -------------------------------------
# The exact check behind "memory is given back": after a workload and a
# truncation of each device, /proc/scullmem's stats lines count as many
# frees as allocations, and so do the tracepoints scull:scull_quantum_alloc
# (success=1) and scull:scull_quantum_free, recorded over the same workload
# in the ring buffer.  The stats count from the load: writing "reset" to
# /proc/scullmem would clear them (bench/guest.sh does, no test script
# does).  The trace counts from trace_start: start it right after the load.
# Read it before rmmod: the events and their formats go with the module.

TRACEFS=/sys/kernel/tracing

# trace_setup KIB [CPU]: tracing off, no event enabled, and a ring buffer of
# KIB KiB on CPU (default: on each CPU).  The buffer is memory: set it up
# before counting free pages.
trace_setup() {
	local f=$TRACEFS/buffer_size_kb
	[ -e $TRACEFS/buffer_size_kb ] || mount -t tracefs nodev $TRACEFS || return 1
	[ -z "${2:-}" ] || f=$TRACEFS/per_cpu/cpu$2/buffer_size_kb
	# "7 (expanded: 1408)" until the buffer was first used.
	trace_kb_file=$f
	trace_kb_old=$(sed 's/.*expanded: \([0-9]*\).*/\1/' "$f")
	echo 0 > $TRACEFS/tracing_on &&
		echo 0 > $TRACEFS/events/enable &&
		echo "$1" > "$f" &&
		[ "$(cat "$f")" -ge "$1" ]	# whole pages of 4080 bytes of data
}

# trace_start: record the scull events from now on, into an empty buffer.
# scull.ko must be loaded: its events come and go with it.
trace_start() {
	echo 0 > $TRACEFS/tracing_on &&
		echo > $TRACEFS/trace &&
		echo 1 > $TRACEFS/events/scull/scull_quantum_alloc/enable &&
		echo 1 > $TRACEFS/events/scull/scull_quantum_free/enable &&
		echo 1 > $TRACEFS/tracing_on
}

# trace_teardown: events off, buffer emptied and back to its old size.
trace_teardown() {
	echo 0 > $TRACEFS/events/enable
	echo > $TRACEFS/trace
	echo 1 > $TRACEFS/tracing_on
	echo "$trace_kb_old" > "$trace_kb_file"
}

# scull_stats DEV: "allocs frees failures" of DEV's stats line.
scull_stats() {
	awk -v d="$1:" '$1 == "stats" && $2 == d && $3 == "allocs" {
		gsub(",", ""); print $4, $6, $8; found = 1; exit }
		END { exit !found }' /proc/scullmem
}

# quanta_balanced DEV...: each DEV holds no quantum, its stats say allocs ==
# frees > 0, and since trace_start the trace saw as many successful allocs,
# frees and failed allocs as the stats count, with no event lost.
quanta_balanced() {
	local dev s t sa sf lost entries events rc=0
	# Lost: overwritten (overrun), dropped, or not committed in time.
	read -r lost entries < <(awk -F': *' '$1 == "entries" { e += $2 }
		$1 == "overrun" || $1 == "commit overrun" || $1 == "dropped events" { l += $2 }
		END { print l + 0, e + 0 }' $TRACEFS/per_cpu/cpu*/stats)
	awk '{ for (i = 1; i < NF; i++) {
			if ($i != "scull_quantum_alloc:" && $i != "scull_quantum_free:")
				continue
			dev = substr($(i + 1), 5)
			if ($i == "scull_quantum_free:")
				f[dev]++
			else if ($NF == "success=1")
				a[dev]++
			else
				x[dev]++
			n++
			break
		} }
		END { for (d in a) devs[d]; for (d in f) devs[d]; for (d in x) devs[d]
		      for (d in devs) print d, a[d] + 0, f[d] + 0, x[d] + 0
		      print "total", n + 0 }' $TRACEFS/trace > /tmp/trace.counts
	events=$(sed -n 's/^total //p' /tmp/trace.counts)
	echo "# trace: $events scull events read, $entries entries in the buffer, $lost lost"
	[ "$lost" -eq 0 ] || { echo "# the trace lost events: enlarge the buffer"; rc=1; }
	[ "$entries" -eq "$events" ] ||
		{ echo "# the buffer holds events that are not scull's, or unread ones"; rc=1; }
	for dev in "$@"; do
		s=$(scull_stats "$dev") || { echo "# $dev: no stats line"; rc=1; continue; }
		t=$(awk -v d="$dev" '$1 == d { print $2, $3, $4; f = 1 } END { if (!f) print "0 0 0" }' \
			/tmp/trace.counts)
		echo "# $dev: stats allocs, frees, failures $s; trace $t;" \
			"$(cat "/sys/class/scullmem/$dev/quanta") quanta held"
		read -r sa sf _ <<< "$s"
		[ "$sa" -gt 0 ] || { echo "# $dev: no allocation counted"; rc=1; }
		[ "$sa" -eq "$sf" ] || { echo "# $dev: $((sa - sf)) quanta allocated and not freed"; rc=1; }
		[ "$t" = "$s" ] || { echo "# $dev: the trace disagrees with the stats"; rc=1; }
		[ "$(cat "/sys/class/scullmem/$dev/quanta")" -eq 0 ] ||
			{ echo "# $dev: still holds quanta"; rc=1; }
	done
	return $rc
}
