#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-debug: build (once, cached) the debug kernel from Debian's
# linux-source-6.1 with KASAN, kmemleak, lockdep, fault injection and
# KUnit; build scull.ko and the KUnit module against it; boot it in QEMU
# and run tests/debug-guest.sh (KUnit, fault injection, the functional
# suite with the fuzzer, kmemleak).  Any KASAN, lockdep, "sleeping
# function called from invalid context" or kmemleak report fails the run.
# The last line is `N passed, N failed`.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

start=$(date +%s)
logs=$SCULL_BUILD/logs
mkdir -p "$logs"
# The kernel first: it installs the few packages it needs itself, and its
# build is the longest step, so on a new machine it starts while
# scripts/setup.sh is still installing the rest.
"$SCULL_TOP/scripts/debug-kernel.sh" > "$logs/debug-kernel.log" 2>&1 ||
	{ tail -n 30 "$logs/debug-kernel.log"; die "the debug kernel did not build"; }
"$SCULL_TOP/scripts/setup.sh" || die "setup failed"
tree=$("$SCULL_TOP/scripts/debug-kernel.sh" --print-path)
"$SCULL_TOP/scripts/fetch-kernels.sh" debug
# shellcheck disable=SC2046 # kernel versions have no spaces
"$SCULL_TOP/scripts/build.sh" $(scull_kvers) > /dev/null || die "build failed"

dir=$SCULL_BUILD/debug
mkdir -p "$dir"
cp "$SCULL_TOP"/Kbuild "$SCULL_TOP"/Makefile "$SCULL_TOP"/dkms.conf \
	"$SCULL_TOP"/*.c "$SCULL_TOP"/*.h "$dir/"
make -s -C "$tree" M="$dir" modules > "$logs/debug-build.log" 2>&1 ||
	{ cat "$logs/debug-build.log"; die "scull.ko does not build against the debug kernel"; }
grep -q '^CONFIG_KUNIT=y' "$tree/.config" || die "the debug kernel has no KUnit"
make -s -C "$SCULL_TOP/tests/kunit" KDIR="$tree" >> "$logs/debug-build.log" 2>&1 ||
	{ cat "$logs/debug-build.log"; die "the KUnit module does not build"; }

log "testing on the debug kernel (KASAN under TCG: slow)"
SCULL_VM_URGENT=1 "$SCULL_TOP/scripts/vm.sh" --kver debug --mem 2G --timeout 3600 \
	--env "SCULL_KO=$dir/scull.ko" -- bash tests/debug-guest.sh > "$logs/debug.log" 2>&1
grep -E '^(not ok|ok) |^    not ok|^# ' "$logs/debug.log" | grep -v '^ok ' || true
pass=0 fail=0 skip=0
totals=$(grep '^# scull-totals:' "$logs/debug.log" | tail -n 1)
if [ -n "$totals" ]; then
	read -r _ pass _ fail _ skip <<< "${totals#\# scull-totals: }"
	# The plan must add up to the totals.
	if ! scull_plan_ok "$logs/debug.log" $((pass + fail + skip)); then
		echo "not ok - debug run: plan 1..$(scull_plan "$logs/debug.log") but $((pass + fail + skip)) results"
		fail=$((fail + 1))
	fi
else
	fail=1
	echo "not ok - the debug run did not finish (see $logs/debug.log)"
	tail -n 30 "$logs/debug.log"
fi
if grep -q '^SCULL-DMESG clean' "$logs/debug.log"; then
	pass=$((pass + 1))
	echo "ok - debug kernel: no KASAN, lockdep, atomic-sleep, kmemleak, WARNING or BUG report"
else
	fail=$((fail + 1))
	echo "not ok - debug kernel: dmesg has kernel reports (see $logs/debug.log)"
fi
echo "# make check-debug took $(( $(date +%s) - start )) s; log in $logs/debug.log"
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
