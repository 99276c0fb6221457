#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: set up, build for both kernels, run the static checks and the
# DKMS build, then boot each kernel in QEMU three times: tests/guest.sh
# (the functional suite), tests/exhaust.sh (256 MiB) and tests/install.sh.  Every check
# counts; the guest's dmesg is one more check per kernel.  The last line
# is `N passed, N failed` (`, N skipped` when some were).  Logs: build/logs/.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

start=$(date +%s)
logs=$SCULL_BUILD/logs
mkdir -p "$logs"
pass=0 fail=0 skip=0

add() { pass=$((pass + $1)); fail=$((fail + $2)); skip=$((skip + ${3:-0})); }

"$SCULL_TOP/scripts/setup.sh" || die "setup failed"
"$SCULL_TOP/scripts/fetch-kernels.sh" || die "fetching the kernels failed"
if "$SCULL_TOP/scripts/build.sh" > "$logs/build.log" 2>&1; then
	add 1 0
	echo "ok - build scull.ko for $(scull_kvers | tr '\n' ' ')and the tests"
else
	cat "$logs/build.log"
	echo "not ok - build"
	echo "0 passed, 1 failed"
	exit 1
fi

# Host-side checks, each printing KTAP lines.
for step in static-checks dkms-check; do
	"$SCULL_TOP/scripts/$step.sh" 2>&1 | tee "$logs/$step.log"
	add "$(grep -c '^ok ' "$logs/$step.log")" "$(grep -c '^not ok ' "$logs/$step.log")"
done

# guest_run KVER LABEL MEM SCRIPT: one boot, one test script, its totals.
guest_run() {
	local kver=$1 label=$2 mem=$3 script=$4 log totals p f s
	log=$logs/$label-$kver.log
	log "$label on $kver ($mem guest; minutes under TCG)"
	"$SCULL_TOP/scripts/vm.sh" --kver "$kver" --mem "$mem" --timeout 2400 \
		--env "SCULL_KO=$SCULL_BUILD/$kver/scull.ko" -- \
		bash "$script" "$kver" > "$log" 2>&1
	grep -E '^(not ok|ok) |^    not ok|^# ' "$log" | grep -v '^ok ' || true
	totals=$(grep '^# scull-totals:' "$log" | tail -n 1)
	if [ -n "$totals" ]; then
		read -r _ p _ f _ s <<< "${totals#\# scull-totals: }"
		add "$p" "$f" "$s"
		echo "# $label on $kver: $p passed, $f failed, $s skipped"
	else
		add 0 1
		echo "not ok - $label on $kver: the run did not finish (see $log)"
		tail -n 30 "$log"
	fi
	if grep -q '^SCULL-DMESG clean' "$log"; then
		add 1 0
		echo "ok - $label on $kver: dmesg free of WARNING, BUG, Oops, OOM, KFENCE and poison reports"
	else
		add 0 1
		echo "not ok - $label on $kver: dmesg has kernel reports (see $log)"
	fi
}

for kver in $(scull_kvers); do
	guest_run "$kver" tests 1G tests/guest.sh
	guest_run "$kver" exhaustion 256M tests/exhaust.sh
	guest_run "$kver" install 1G tests/install.sh
done

echo "# make check took $(( $(date +%s) - start )) s; logs in $logs"
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
