#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-debug, the guest's half: run as root in a debug kernel.
#
# The KASAN kernel (KASAN, kmemleak, lockdep, fault injection, KUnit), in
# order: the KUnit suite, fault injection at every allocation site, the
# whole functional suite (tests/guest.sh, with the fuzzer and the race
# stress), then a kmemleak scan after rmmod.
#
# The KCSAN kernel (KCSAN, lockdep): the functional suite with the race
# stress at more operations, then KCSAN's verdict: no report may name a
# scull function; the core kernel's own reports are listed, not counted.
#
# vm.sh fails the run on any KASAN, lockdep, "sleeping function",
# kmemleak report, or KCSAN report naming scull.  Ends with
# `# scull-totals: ...`.
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${SCULL_BUILD:-$TOP/build}
KO=${SCULL_KO:-$BUILD/debug/scull.ko}
BIN=${SCULL_BIN:-$BUILD/tests}
DEVS="scullp scullv scullk scullc scullh"
DBG=/sys/kernel/debug
. "$TOP/tests/lib.sh"

echo "KTAP version 1"
echo "# debug kernel $(uname -r)"
# For tests/guest.sh, which runs after KUnit and fault injection here.
# SCULL_DEBUG_GUEST: guest.sh leaves out what the stock kernels cover.
SCULL_AUTO_INIT=$(dmesg | grep -m 1 'mem auto-init: stack:') SCULL_DEBUG_GUEST=1
export SCULL_AUTO_INIT SCULL_DEBUG_GUEST

# ---- KCSAN ---------------------------------------------------------------------
# The suite with the race stress at 4 threads x SCULL_STRESS_OPS (3000, as
# on the stock kernels: KCSAN watches one of scull's accesses in 100, so
# the races it can see need many operations) and the fuzzer at a third.
kcsan_run() {
	local reports ours watched
	echo "# the functional suite, with the fuzzer at 10000 and 34000 operations in all," \
		"the race stress at 4 threads x ${SCULL_STRESS_OPS:-3000}"
	suite SCULL_FUZZ_TOTAL0=10000 SCULL_FUZZ_TOTAL=34000 SCULL_TRINITY_CALLS=3000 \
		SCULL_STRESS_OPS="${SCULL_STRESS_OPS:-3000}"
	[ ! -d /sys/module/scull ] || rmmod scull
	echo "# KCSAN: $(tr '\n' ' ' < $DBG/kcsan)"
	# Only scull.ko is instrumented (debug-kernel.sh): every watchpoint
	# KCSAN set up was on one of scull's accesses.
	watched=$(awk '$1 == "setup_watchpoints:" { print $2 }' $DBG/kcsan)
	[ "${watched:-0}" -gt 0 ]
	ok $? "KCSAN watched scull's accesses: ${watched:-no} watchpoints set up"
	reports=$(dmesg | awk -v mode=list -f "$TOP/scripts/dmesg-filter.awk" | sort | uniq -c)
	ours=$(grep -c ' scull ' <<< "$reports")
	echo "# KCSAN reports naming scull: $ours; the core kernel's own (not counted):" \
		"$(grep -c ' other ' <<< "$reports")"
	grep ' other ' <<< "$reports" | sed 's/^ */#   /; s/ other / /'
	[ "$ours" -eq 0 ] || dmesg | awk -f "$TOP/scripts/dmesg-filter.awk" |
		grep -A30 'BUG: KCSAN' | head -n 120 | sed 's/^/# /'
	[ "$ours" -eq 0 ]
	ok $? "KCSAN: no data race reported in a scull function"
}

# ---- the functional suite ----------------------------------------------------
# suite VAR=VALUE...: tests/guest.sh with these settings, its lines
# indented as they go (the console shows where a run is), its totals
# added to ours.
suite() {
	subrun tests/guest.sh env SCULL_KO="$KO" "$@" bash "$TOP/tests/guest.sh" debug
}

if [ -e $DBG/kcsan ]; then
	kcsan_run
	totals
	[ "$fail" -eq 0 ]
	exit
fi

# Forget whatever kmemleak suspects from boot: only what follows counts.
echo scan > $DBG/kmemleak
echo clear > $DBG/kmemleak

# ---- KUnit -------------------------------------------------------------------
kunit() {
	local res
	insmod "$TOP/tests/kunit/scull_kunit.ko" || return 1
	res=$(dmesg | grep -E '# scullmem: pass:[0-9]+ fail:[0-9]+' | tail -n 1)
	echo "# kunit: ${res#*] }"
	dmesg | grep -E '^\[[ 0-9.]+\]     (not )?ok [0-9]+ ' | sed 's/^\[[ 0-9.]*\]/#/'
	rmmod scull_kunit
	grep -q 'fail:0 skip:0 ' <<< "$res" && grep -q -E 'pass:[1-9]' <<< "$res"
}
kunit
ok $? "KUnit: scullmem geometry arithmetic"

# ---- fault injection ---------------------------------------------------------
setup_fail() {
	local d=$DBG/$1
	echo 0 > "$d/times"
	echo 15 > "$d/probability"
	echo 1 > "$d/interval"
	echo 0 > "$d/verbose"
	echo Y > "$d/task-filter"
	echo N > "$d/ignore-gfp-wait"
	[ ! -e "$d/ignore-gfp-highmem" ] || echo N > "$d/ignore-gfp-highmem"
	[ ! -e "$d/min-order" ] || echo 0 > "$d/min-order"
	echo 1000000 > "$d/times"
}

injected() { echo $((1000000 - $(cat "$DBG/$1/times"))); }

faults() {
	local order=$1 dev rc=0
	insmod "$KO" order="$order" qset=4 max_size=$((1 << 40)) || return 1
	setup_fail failslab
	setup_fail fail_page_alloc
	for dev in $DEVS; do
		"$BIN/faultinj" "/dev/$dev" 800 $((RANDOM + 1)) || rc=1
	done
	echo "# order $order: failures injected by failslab $(injected failslab)," \
		"by fail_page_alloc $(injected fail_page_alloc)"
	echo 0 > $DBG/failslab/times
	echo 0 > $DBG/fail_page_alloc/times
	grep -E '^stats scull.: (allocs|qset)' /proc/scullmem | sed 's/^/# /'
	# Every allocation site of every device saw failures: the quantum,
	# its qset array and the xarray node that indexes the array.
	for dev in $DEVS; do
		grep -q -E "^stats $dev: allocs [0-9]+, frees [0-9]+, failures [1-9]" /proc/scullmem ||
			{ echo "# order $order: no quantum allocation of $dev failed"; rc=1; }
		grep -q -E "^stats $dev: qset array failures [1-9][0-9]*, index failures [1-9]" /proc/scullmem ||
			{ echo "# order $order: a qset array or index allocation of $dev never failed"; rc=1; }
	done
	# And the devices still work without them.
	for dev in $DEVS; do
		: > "/dev/$dev" && head -c 100000 /dev/urandom > /tmp/x &&
			cp /tmp/x "/dev/$dev" && cmp /tmp/x "/dev/$dev" || rc=1
	done
	rmmod scull || rc=1
	return $rc
}
faults 0
ok $? "fault injection, order 0: whole, short or ENOMEM writes; data intact; devices usable"
faults 2
ok $? "fault injection, order 2: whole, short or ENOMEM writes; data intact; devices usable"

# ---- the functional suite ----------------------------------------------------
# With a third of the fuzzer's and the race stress's operations of the stock
# kernels' runs: KASAN under TCG makes each one several times slower, and
# what it checks is every path, which the fewer operations still take.
# trinity makes 3000 calls, as in the KCSAN kernel: its 6000 took 222 of
# this guest's 1475 s in CI (2026-12-06), and the stock kernels make 6000
# each.
echo "# the functional suite, with the fuzzer at 10000 and 34000 operations in all," \
	"the race stress at 4 threads x 1000, trinity 3000 calls"
suite SCULL_FUZZ_TOTAL0=10000 SCULL_FUZZ_TOTAL=34000 SCULL_STRESS_OPS=1000 SCULL_TRINITY_CALLS=3000

# ---- kmemleak ----------------------------------------------------------------
# The verdict counts only if kmemleak is still on: a kmemleak that turned
# itself off (out of objects, say, under fault injection) refuses the scan
# and the read, and an empty report would prove nothing.
[ ! -d /sys/module/scull ] || rmmod scull
if echo scan > $DBG/kmemleak && sleep 5 && echo scan > $DBG/kmemleak &&
	cat $DBG/kmemleak > /tmp/kmemleak.txt; then
	leaks=$(grep -c '^unreferenced object' /tmp/kmemleak.txt)
	echo "# kmemleak: $leaks unreferenced objects after the workload and rmmod"
	[ "$leaks" -eq 0 ] || head -n 40 /tmp/kmemleak.txt | sed 's/^/# /'
else
	leaks=-1
	echo "# kmemleak refused the scan or the read: it is off ($(dmesg | grep -m 1 'kmemleak:.*disabled'))"
fi
[ "$leaks" -eq 0 ]
ok $? "kmemleak, still on, finds nothing after the workload and rmmod"

totals
[ "$fail" -eq 0 ]
