#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: set up (scripts/setup.sh); make the Debian roots of the other
# targets (scripts/mkroot.sh) in the background while this machine's
# kernels are fetched, built and queued for booting; then fetch and build
# the other targets and queue theirs; run the static checks and the DKMS
# build while the guests run.  Each kernel boots three times in QEMU:
# tests/userland.sh (the blocks of README.md and docs/ as written, then make install,
# in one clone: the module is built in the guest, with the guest's own
# gcc and the headers of its root), tests/guest.sh (the functional suite)
# and tests/exhaust.sh (256 MiB guest, arm64 384).  Every check counts:
# the builds, each static check, each KTAP test the guests report in
# their `# scull-totals: pass P fail F skip S` line (a run that does not
# report counts as one failure), and each run's dmesg verdict.  The boots
# run one per CPU (SCULL_JOBS=1: one at a time).  The last line is
# `N passed, N failed` (`, N skipped` when some were).  Exit code 0 iff
# nothing failed.  Logs: build/logs/ (check.log: all of this output;
# <run>-<kver>.log: a guest's output; <run>-<kver>.console: its whole
# console with the dmesg).
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
kvers_here=$(SCULL_KVERS='' scull_kvers) || abort "this machine's kernel versions (scripts/setup.sh)"
# The Debian roots of the targets that are not this machine's: side by
# side and in the background (debootstrap and apt are mostly downloads),
# while this machine's kernels are fetched, built and booted.
phase "roots: $(scull_roots | tr '\n' ' ')"
root_pids=()
for root in $(scull_roots); do
	"$SCULL_TOP/scripts/mkroot.sh" "$root" > "$logs/mkroot-$root.log" 2>&1 &
	root_pids+=($!)
done

# build WHAT KVER...: fetch and build these kernels' modules and tests.
build() {
	local what=$1
	shift
	phase "fetching and building: $what"
	"$SCULL_TOP/scripts/fetch-kernels.sh" "$@" > "$logs/fetch-$what.log" 2>&1 ||
		{ cat "$logs/fetch-$what.log"; abort "fetching the kernels (scripts/fetch-kernels.sh $*)"; }
	if "$SCULL_TOP/scripts/build.sh" "$@" > "$logs/build-$what.log" 2>&1; then
		add 1 0
		echo "ok - build scull.ko for $* and the tests"
	else
		cat "$logs/build-$what.log"
		abort "build (log: $logs/build-$what.log)"
	fi
}

# host_step NAME SCRIPT [ARG...]: a host-side check script printing KTAP lines
# (`1..N`, then `ok`/`not ok` lines) and exiting with its failure count.
# Its results count, and so does how it ended: a non-zero exit with no
# `not ok`, fewer results than its plan, or no result at all is a failure
# too.  A missing script is a failure.
host_step() {
	local name=$1 script=$SCULL_TOP/$2 out=$logs/$1.log rc p f plan
	shift 2
	if [ ! -x "$script" ]; then
		echo "not ok - $name: ${script#"$SCULL_TOP"/} is missing"
		add 0 1
		return
	fi
	"$script" "$@" > "$out" 2>&1
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

# guest_run KVER LABEL MEM TIMEOUT SCRIPT [APPEND]: one boot running one
# test script (APPEND: more kernel command line).  Prints its report and
# writes "P F S" to <label>-<kver>.counts.
guest_run() {
	local kver=$1 label=$2 mem=$3 timeout=$4 script=$5 append=${6:-} log
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
		--env "SCULL_KO=$SCULL_BUILD/$kver/scull.ko" ${guest_env:+--env "$guest_env"} -- \
		bash "$script" "$kver") > "$log" 2>&1
	phase "$label on $kver: done"
	# The failures and the diagnostics, not the passes.
	grep -E '^(not ok|ok) |^ +not ok|^# ' "$log" | grep -v -E '^ok |^# scull-totals' || true
	scull_verdict "$log" "$label on $kver" "WARNING, BUG, Oops, OOM, KFENCE and poison reports"
	echo "$verdict_p $verdict_f $verdict_s" > "$logs/$label-$kver.counts"
}

# dkms_in_guest KVER: whether the README's DKMS block runs in KVER's
# guest.  A second module build there costs about three minutes of CPU
# under TCG, and seven of them pushed CI past its time: so it runs on
# this machine's first kernel (Debian 12's DKMS) and on the newest arm64
# one (sid's DKMS, another architecture); the others skip it (counted as
# skipped).  SCULL_DKMS=all: on every kernel.  scripts/dkms-check.sh
# builds with DKMS on the host for this machine's kernels either way.
dkms_in_guest() {
	[ "${SCULL_DKMS:-}" != all ] || return 0
	[ "$1" != "${first[0]:-}" ] || return 0
	[ "$(scull_arch_of "$1")" = arm64 ] &&
		[ "$1" = "$(for k in $kvers; do [ "$(scull_arch_of "$k")" != arm64 ] || echo "$k"; done |
			sort -V | tail -n 1)" ]
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
	userland)
		# Without slub_debug and page poisoning, which make the two
		# module builds in the guest 30% slower (minutes under TCG):
		# the driver does a part of what the suite does, which runs
		# with them.  guest_env: see dkms_in_guest.
		local guest_env=SCULL_DKMS=0
		! dkms_in_guest "$kver" || guest_env=SCULL_DKMS=1
		guest_run "$kver" userland 1G 1500 tests/userland.sh "slub_debug=- page_poison=0" ;;
	esac
}

# launch KVER...: queue every boot of these kernels, the longest first
# (the README's blocks and make install, which build the module in the
# guest, then the suites, then exhaustion).  Each boot waits in
# scripts/vm.sh for a free CPU (one guest per CPU, SCULL_JOBS if set, in
# the order they came), so the CPUs stay busy until the last one ends.
# Progress (stderr) shows live, the reports once all is done.
[ -z "${SCULL_JOBS:-}" ] || export SCULL_VM_SLOTS=$SCULL_JOBS
boots=()
launch() {
	local label kver
	for label in userland tests exhaustion; do
		for kver in "$@"; do
			one_run "$kver" "$label" > "$logs/run-$kver-$label.out" &
			boots+=($!)
			sleep 0.1	# their tickets in vm.sh keep this order
		done
	done
}

# This machine's kernels boot first, while the roots are being made.
first=()
if [ -z "${SCULL_KVERS:-}" ]; then
	mapfile -t first <<< "$kvers_here"
else
	for k in $SCULL_KVERS; do
		kver=$(scull_kver_of "$k" 2> /dev/null) || continue
		! grep -q -x -F -- "$kver" <<< "$kvers_here" || first+=("$kver")
	done
fi
if [ "${#first[@]}" -gt 0 ]; then
	build here "${first[@]}"
	phase "booting ${first[*]}"
	launch "${first[@]}"
fi
for pid in "${root_pids[@]}"; do
	wait "$pid" || { cat "$logs"/mkroot-*.log; abort "making the roots (scripts/mkroot.sh)"; }
done
kvers=$(scull_targets) || abort "kernel versions (scripts/setup.sh, scripts/mkroot.sh)"
rest=()
for kver in $kvers; do
	printf '%s\n' "${first[@]}" | grep -q -x -F -- "$kver" || rest+=("$kver")
done
if [ "${#rest[@]}" -gt 0 ]; then
	build roots "${rest[@]}"
	phase "booting ${rest[*]}"
	launch "${rest[@]}"
fi
phase "${#boots[@]} boots of $(echo "$kvers" | wc -l) kernels queued; static checks meanwhile"

# Host-side checks.  DKMS state is global: one DKMS check at a time on
# this machine.
phase "static checks"
host_step static-checks scripts/static-checks.sh
phase "DKMS check"
exec 7> "${TMPDIR:-/tmp}/scullmem-dkms.lock"
flock 7
host_step dkms-check scripts/dkms-check.sh
exec 7>&-

phase "waiting for the boots"
wait "${boots[@]}"
for kver in $kvers; do
	for label in tests userland exhaustion; do
		cat "$logs/run-$kver-$label.out"
	done
done

# The /proc/scullmem snapshot that each kernel's suite printed, drawn by
# scripts/scullmap and checked against it (tests/scullmap.sh), with the
# synthetic ones of tests/data/snapshots/.
phase "scripts/scullmap on each kernel's snapshot"
snaps=()
for kver in $kvers; do
	sed -n '/^SCULL-SNAPSHOT-BEGIN$/,/^SCULL-SNAPSHOT-END$/p' "$logs/tests-$kver.log" |
		sed '1d;$d' > "$logs/snapshot-$kver.txt"
	snaps+=("$logs/snapshot-$kver.txt")
done
host_step scullmap tests/scullmap.sh "${snaps[@]}" "$SCULL_TOP"/tests/data/snapshots/*.txt

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
