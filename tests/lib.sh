# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Shared helpers of the guest-side test scripts (bash); source it.
# KTAP results: ok RC NAME counts a test in pass/fail/n, totals ends a run
# with the plan and the `# scull-totals:` line that scripts/check.sh reads.

pass=0 fail=0 skip=0 n=0

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

totals() {
	echo "1..$n"
	echo "# scull-totals: pass $pass fail $fail skip $skip"
}

# Free pages, counting the per-CPU lists that MemFree leaves out.
free_pages() {
	awk '/^ *nr_free_pages/ { s += $2 } /^ *count:/ { s += $2 } END { print s }' /proc/zoneinfo
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
