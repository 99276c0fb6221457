#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-debug: build (once, cached) the two debug kernels from
# Debian's linux-source-6.1 (scripts/debug-kernel.sh), build scull.ko
# against each, boot each in QEMU and run tests/debug-guest.sh in it:
#
#   kasan  KASAN, kmemleak, lockdep, fault injection, KUnit: the KUnit
#          suite, fault injection, the functional suite with the fuzzer and
#          the race stress, kmemleak
#   kcsan  KCSAN, lockdep: the functional suite with the race stress at
#          full length; no KCSAN report may name a scull function
#
# The KASAN guest starts as soon as its kernel is built, and runs while
# the KCSAN kernel builds.  SCULL_DEBUG_FLAVOURS (default "kasan kcsan")
# picks the kernels; one left out counts as one skipped test.  Any
# KASAN, lockdep, "sleeping function called from invalid context",
# kmemleak report, or KCSAN report naming scull, fails the run.  The last line is `N passed, N failed[, N skipped]`.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

start=$(date +%s)
logs=$SCULL_BUILD/logs
mkdir -p "$logs"
# The KASAN kernel first: it installs the few packages it needs itself,
# and its build is the longest step, so on a new machine it starts while
# scripts/setup.sh is still installing the rest.
"$SCULL_TOP/scripts/debug-kernel.sh" kasan > "$logs/debug-kernel.log" 2>&1 ||
	{ tail -n 30 "$logs/debug-kernel.log"; die "the KASAN kernel did not build"; }
"$SCULL_TOP/scripts/setup.sh" || die "setup failed"
"$SCULL_TOP/scripts/fetch-kernels.sh" debug kcsan
# shellcheck disable=SC2046 # kernel versions have no spaces
"$SCULL_TOP/scripts/build.sh" $(scull_kvers) > /dev/null || die "build failed"

# module_for FLAVOUR DIR: scull.ko built against that debug kernel in DIR.
module_for() {
	local tree
	tree=$("$SCULL_TOP/scripts/debug-kernel.sh" "$1" --print-path)
	mkdir -p "$2"
	cp "$SCULL_TOP"/Kbuild "$SCULL_TOP"/Makefile "$SCULL_TOP"/dkms.conf \
		"$SCULL_TOP"/*.c "$SCULL_TOP"/*.h "$2/"
	make -s -C "$tree" M="$2" modules > "$logs/debug-build-$1.log" 2>&1 ||
		{ cat "$logs/debug-build-$1.log"; die "scull.ko does not build against the $1 kernel"; }
	[ "$1" = kasan ] || return 0
	grep -q '^CONFIG_KUNIT=y' "$tree/.config" || die "the KASAN kernel has no KUnit"
	make -s -C "$SCULL_TOP/tests/kunit" KDIR="$tree" >> "$logs/debug-build-$1.log" 2>&1 ||
		{ cat "$logs/debug-build-$1.log"; die "the KUnit module does not build"; }
}

# guest KVER LOG DIR: the debug guest's run, in the background.
guest() {
	SCULL_VM_URGENT=1 "$SCULL_TOP/scripts/vm.sh" --kver "$1" --mem 2G --timeout 3600 \
		--env "SCULL_KO=$3/scull.ko" -- bash tests/debug-guest.sh > "$2" 2>&1 &
}

module_for kasan "$SCULL_BUILD/debug"
log "testing on the KASAN kernel (KASAN under TCG: slow)"
guest debug "$logs/debug.log" "$SCULL_BUILD/debug"
kasan_pid=$!
kcsan_pid=
flavours=" ${SCULL_DEBUG_FLAVOURS:-kasan kcsan} "
want_kcsan=0
[ "${flavours/ kcsan /}" = "$flavours" ] || want_kcsan=1
if [ "$want_kcsan" = 1 ] &&
	"$SCULL_TOP/scripts/debug-kernel.sh" kcsan > "$logs/debug-kernel-kcsan.log" 2>&1; then
	module_for kcsan "$SCULL_BUILD/kcsan"
	log "testing on the KCSAN kernel"
	guest kcsan "$logs/kcsan.log" "$SCULL_BUILD/kcsan"
	kcsan_pid=$!
elif [ "$want_kcsan" = 1 ]; then
	tail -n 30 "$logs/debug-kernel-kcsan.log"
	log "the KCSAN kernel did not build"
fi

pass=0 fail=0 skip=0
# verdict NAME LOG CLEAN: one guest's totals and its dmesg's verdict.
verdict() {
	grep -E '^(not ok|ok) |^    not ok|^# ' "$2" | grep -v -E '^ok |^# scull-totals' |
		sed "s/^/$1: /" || true
	grep '^vm.sh: .*KCSAN, not in scull' "$2" | sed "s/^/$1: /" || true
	scull_verdict "$2" "$1 kernel" "$3"
	pass=$((pass + verdict_p)) fail=$((fail + verdict_f)) skip=$((skip + verdict_s))
}

wait "$kasan_pid"
verdict KASAN "$logs/debug.log" "KASAN, lockdep, atomic-sleep, kmemleak, WARNING and BUG reports"
if [ -n "$kcsan_pid" ]; then
	wait "$kcsan_pid"
	verdict KCSAN "$logs/kcsan.log" "KCSAN reports naming scull, lockdep, atomic-sleep, WARNING and BUG reports"
elif [ "$want_kcsan" = 0 ]; then
	skip=$((skip + 1))
	echo "ok - the KCSAN kernel # SKIP not in SCULL_DEBUG_FLAVOURS ($flavours)"
else
	fail=$((fail + 1))
	echo "not ok - the KCSAN kernel did not build (see $logs/debug-kernel-kcsan.log)"
fi
echo "# make check-debug took $(( $(date +%s) - start )) s; logs in $logs/debug.log and $logs/kcsan.log"
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
