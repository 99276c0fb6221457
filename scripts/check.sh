#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: set up (scripts/setup.sh), make the Debian roots of the other
# targets (scripts/mkroot.sh), fetch the kernels, build scull.ko for every
# target and the tests, run the static checks and the DKMS build, then
# boot each kernel in QEMU four times: tests/guest.sh (the functional
# suite), tests/exhaust.sh (256 MiB guest, arm64 384), tests/install.sh and
# tests/readme.sh (both build the module in the guest, arm64's too, with
# its root's own gcc and the headers mkroot.sh keeps there).  Every
# check counts: the build, each static check, each KTAP test the guests
# report in their `# scull-totals: pass P fail F skip S` line (a run that
# does not report counts as one failure), and each run's dmesg verdict.
# The boots run one per CPU (SCULL_JOBS=1: one at a time).  The last line
# is `N passed, N failed` (`, N skipped` when some were).  Exit code 0 iff nothing failed.
# Logs: build/logs/ (check.log: all of this output; <run>-<kver>.log: a
# guest's output; <run>-<kver>.console: its whole console with the dmesg).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

start=$SECONDS
logs=$SCULL_BUILD/logs
mkdir -p "$logs"
rm -f "$logs"/*.counts
# Everything printed from here on goes to check.log too; at exit, wait
# for tee so that the last line is out before make returns.
exec > >(tee "$logs/check.log") 2>&1
tee_pid=$!
trap 'exec > /dev/null 2>&1; wait "$tee_pid"' EXIT
pass=0 fail=0 skip=0

add() { pass=$((pass + $1)); fail=$((fail + $2)); skip=$((skip + ${3:-0})); }

totals_line() {
	if [ "$skip" -gt 0 ]; then
		echo "$pass passed, $fail failed, $skip skipped"
	else
		echo "$pass passed, $fail failed"
	fi
}

# abort WHAT: a step the rest depends on failed.
abort() {
	echo "not ok - $1"
	add 0 1
	echo "# make check stopped after $((SECONDS - start)) s; logs in $logs"
	totals_line
	exit 1
}

phase() { log "[$((SECONDS - start)) s] $*"; }

phase "setup"
"$SCULL_TOP/scripts/setup.sh" -q || abort "setup (scripts/setup.sh)"
# The Debian roots of the targets that are not this machine's: side by
# side (debootstrap and apt are mostly downloads).
phase "roots: $(scull_roots | tr '\n' ' ')"
pids=()
for root in $(scull_roots); do
	"$SCULL_TOP/scripts/mkroot.sh" "$root" > "$logs/mkroot-$root.log" 2>&1 &
	pids+=($!)
done
for pid in "${pids[@]}"; do
	wait "$pid" || { cat "$logs"/mkroot-*.log; abort "making the roots (scripts/mkroot.sh)"; }
done
kvers=$(scull_targets) || abort "kernel versions (scripts/setup.sh, scripts/mkroot.sh)"
phase "fetching the kernels"
"$SCULL_TOP/scripts/fetch-kernels.sh" || abort "fetching the kernels (scripts/fetch-kernels.sh)"
phase "building"
if "$SCULL_TOP/scripts/build.sh" > "$logs/build.log" 2>&1; then
	add 1 0
	echo "ok - build scull.ko for $(echo "$kvers" | tr '\n' ' ')and the tests"
else
	cat "$logs/build.log"
	abort "build (log: $logs/build.log)"
fi

# host_step NAME SCRIPT: a host-side check script printing KTAP lines
# (`1..N`, then `ok`/`not ok` lines) and exiting with its failure count.
# Its results count, and so does how it ended: a non-zero exit with no
# `not ok`, fewer results than its plan, or no result at all is a failure
# too.  A missing script is a failure.
host_step() {
	local name=$1 script=$SCULL_TOP/$2 out=$logs/$1.log rc p f plan
	if [ ! -x "$script" ]; then
		echo "not ok - $name: $2 is missing"
		add 0 1
		return
	fi
	"$script" > "$out" 2>&1
	rc=$?
	cat "$out"
	p=$(grep -c '^ok ' "$out")
	f=$(grep -c '^not ok ' "$out")
	plan=$(scull_plan "$out")
	add "$p" "$f"
	if [ $((p + f)) -eq 0 ]; then
		echo "not ok - $name: no result line (exit $rc; log $out)"
		add 0 1
	elif [ -n "$plan" ] && [ "$plan" -ne $((p + f)) ]; then
		echo "not ok - $name: planned $plan checks, $((p + f)) reported (exit $rc)"
		add 0 1
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name: exit $rc with no failed check (log $out)"
		add 0 1
	elif [ "$rc" -eq 0 ] && [ "$f" -gt 0 ]; then
		echo "not ok - $name: exit 0 with $f failed checks"
		add 0 1
	fi
}

# Host-side checks.  DKMS state is global: one DKMS check at a time on
# this machine.
phase "static checks"
host_step static-checks scripts/static-checks.sh
phase "DKMS check"
exec 7> "${TMPDIR:-/tmp}/scullmem-dkms.lock"
flock 7
host_step dkms-check scripts/dkms-check.sh
exec 7>&-

# guest_run KVER LABEL MEM TIMEOUT SCRIPT [APPEND]: one boot running one
# test script (APPEND: more kernel command line).  Prints its report and
# writes "P F S" to <label>-<kver>.counts.
guest_run() {
	local kver=$1 label=$2 mem=$3 timeout=$4 script=$5 append=${6:-} log totals p=0 f=0 s=0
	log=$logs/$label-$kver.log
	if [ ! -f "$SCULL_TOP/$script" ]; then
		echo "not ok - $label on $kver: $script is missing"
		echo "0 1 0" > "$logs/$label-$kver.counts"
		return
	fi
	phase "$label on $kver: booting ($mem guest, TCG)"
	(cd "$SCULL_TOP" && SCULL_CONSOLE_SAVE=$logs/$label-$kver.console \
		"$SCULL_TOP/scripts/vm.sh" --kver "$kver" --mem "$mem" --timeout "$timeout" \
		${append:+--append "$append"} \
		--env "SCULL_KO=$SCULL_BUILD/$kver/scull.ko" -- \
		bash "$script" "$kver") > "$log" 2>&1
	phase "$label on $kver: done"
	# The failures and the diagnostics, not the passes.
	grep -E '^(not ok|ok) |^ +not ok|^# ' "$log" | grep -v -E '^ok |^# scull-totals' || true
	totals=$(grep '^# scull-totals:' "$log" | tail -n 1)
	if [ -n "$totals" ]; then
		read -r _ p _ f _ s <<< "${totals#\# scull-totals: }"
		echo "# $label on $kver: $p passed, $f failed, $s skipped"
		# The plan must add up to the totals.
		if ! scull_plan_ok "$log" $((p + f + s)); then
			echo "not ok - $label on $kver: plan 1..$(scull_plan "$log") but $((p + f + s)) results"
			f=$((f + 1))
		fi
	else
		f=1
		echo "not ok - $label on $kver: the run did not finish (see $log)"
		grep -v '^\[' "$log" | tail -n 30 | sed 's/^/#   /'
	fi
	if grep -q '^SCULL-DMESG clean' "$log"; then
		p=$((p + 1))
		echo "ok - $label on $kver: dmesg free of WARNING, BUG, Oops, OOM, KFENCE and poison reports"
	else
		f=$((f + 1))
		echo "not ok - $label on $kver: dmesg has kernel reports (see $log)"
		grep -E "$SCULL_DMESG_BAD" "$log" | head -n 10 | sed 's/^/#   /'
	fi
	echo "$p $f $s" > "$logs/$label-$kver.counts"
}

# one_run KVER LABEL: one boot of a kernel.  A 32-bit kernel's suite runs
# with 2 GiB, so that it has high memory (ZONE_HIGHMEM).
one_run() {
	local kver=$1 mem=1G append=''
	case $2 in
	tests)
		[ "$(scull_arch_of "$kver")" != i386 ] || mem=2G
		guest_run "$kver" tests "$mem" 1800 tests/guest.sh ;;
	exhaustion)
		# 5.10's 9p client kmallocs each request's buffers at msize (order
		# 7 at the default 512000), which fails once the test has filled
		# memory, and then the guest cannot load a program: smaller ones.
		case $kver in 5.*) append=scullvm.msize=32768 ;; esac
		# arm64: Debian's kernel sets 64 MiB aside for CMA, where no
		# quantum can go, and is larger: in 256 MiB, 49 MiB were left
		# available on 7.2, too little for the driver's 16 MiB reserve
		# and slub_debug's 12 KiB kmalloc-4k slots to fill half of it.
		mem=256M
		[ "$(scull_arch_of "$kver")" != arm64 ] || mem=384M
		guest_run "$kver" exhaustion "$mem" 900 tests/exhaust.sh "$append" ;;
	install) guest_run "$kver" install 1G 900 tests/install.sh ;;
	readme) guest_run "$kver" readme 1G 900 tests/readme.sh ;;
	esac
}

# Every boot of every kernel is one job in one queue, the longest first
# (the suites, then the README's blocks, make install, exhaustion), and
# SCULL_JOBS of them (default: one per CPU) run at a time, so that no CPU
# waits at the end for one kernel's boots to go one after the other.
jobs=${SCULL_JOBS:-$(nproc 2>/dev/null || echo 1)}
queue=()
for label in tests readme install exhaustion; do
	for kver in $kvers; do
		queue+=("$kver $label")
	done
done
phase "booting: ${#queue[@]} runs of $(echo "$kvers" | wc -l) kernels, $jobs at a time"
live=()
for job in "${queue[@]}"; do
	if [ "${#live[@]}" -ge "$jobs" ]; then
		wait -n -p ended "${live[@]}" || true
		for i in "${!live[@]}"; do
			[ "${live[i]}" != "$ended" ] || unset 'live[i]'
		done
		live=("${live[@]}")
	fi
	# Progress (stderr) shows live, the reports once all is done.
	# shellcheck disable=SC2086 # "KVER LABEL"
	one_run $job > "$logs/run-${job// /-}.out" &
	live+=($!)
done
wait "${live[@]}"
for kver in $kvers; do
	for label in tests exhaustion install readme; do
		cat "$logs/run-$kver-$label.out"
	done
done

# Per-kernel summaries, then the total.
for kver in $kvers; do
	kp=0 kf=0 ks=0
	for c in "$logs"/*-"$kver".counts; do
		[ -f "$c" ] || continue
		read -r p f s < "$c"
		kp=$((kp + p)) kf=$((kf + f)) ks=$((ks + s))
	done
	[ -n "$(ls "$logs"/*-"$kver".counts 2>/dev/null)" ] || kf=1
	add "$kp" "$kf" "$ks"
	echo "# $kver: $kp passed, $kf failed, $ks skipped"
done
echo "# make check took $((SECONDS - start)) s; logs in $logs"
totals_line
[ "$fail" -eq 0 ]
