#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: throughput, allocation latency, fragmentation, seek scaling
# and metadata of the scull devices, one QEMU boot per kernel.
#
#   bench/run.sh [6.1|6.12|<kver>]...      (default: both kernels)
#
# Sets up, fetches and builds through scripts/, boots each kernel with
# 3 GiB of RAM (BENCH_MEM) and runs bench/guest.sh in it, then writes
# bench/results/<kver>.md (or under BENCH_RESULTS) and its PNG plots
# (bench/report.sh) and prints a summary.  Raw results and the guest's console: build/bench/<kver>/.
# A run takes about 15 minutes per kernel under TCG.  Timing is the
# guest's clock (BENCH_ICOUNT=1: QEMU's icount, see bench/icount/).
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

start=$(date +%s)
bench=$SCULL_TOP/bench
results=${BENCH_RESULTS:-$bench/results}

"$SCULL_TOP/scripts/setup.sh" -q
# shellcheck disable=SC2046 # kernel versions have no spaces
"$SCULL_TOP/scripts/fetch-kernels.sh" $(scull_kvers)
mkdir -p "$SCULL_BUILD/bench"
# shellcheck disable=SC2046
"$SCULL_TOP/scripts/build.sh" $(scull_kvers) > "$SCULL_BUILD/bench/build.log" 2>&1 ||
	{ cat "$SCULL_BUILD/bench/build.log"; die "build failed"; }
make -s -C "$bench" O="$SCULL_BUILD/bench/bin"
mkdir -p "$results"

# The test boots' debugging options (slub_debug, page poisoning, KFENCE)
# would be measured along with the driver: switch them off for the bench.
# Later options win over vm.sh's own.
append="slub_debug=- page_poison=0 kfence.sample_interval=0"

# Timing: the guest's clock, which under TCG follows the host's: memory,
# caches and TLB misses cost what they cost, but on a shared host the
# figures move from run to run, so each is a median and reported as a
# ratio within the boot.  BENCH_ICOUNT=1 runs QEMU with -icount
# (bench/icount/): deterministic, but time is then instructions and a TLB
# miss or a cache miss costs nothing.
vmpath=$PATH
if [ "${BENCH_ICOUNT:-0}" != 0 ]; then
	vmpath=$bench/icount:$PATH
	timing="icount shift=${BENCH_ICOUNT_SHIFT:-0} sleep=off"
else
	timing="wall clock"
fi

# The guest's knobs (bench/guest.sh) that are set here go along.
knobs=()
for v in BENCH_SEQ_MIB BENCH_RAND_MIB BENCH_LAT_N BENCH_FRAG_N BENCH_FILL_MIB BENCH_GRAPH_MIB BENCH_DEVS \
	BENCH_ZONE_N BENCH_PRESSURE_MIB BENCH_PRESSURE_ROUNDS BENCH_READERS_MIB; do
	[ -z "${!v:-}" ] || knobs+=(--env "$v=${!v}")
done

# Clean page cache for the GFP measurement: the guest reads this file over
# 9p (cache=loose) past the size of its RAM.  Sparse: it takes no disk.
cachefile=$SCULL_BUILD/bench/pagecache.dat
[ -f "$cachefile" ] || truncate -s 16G "$cachefile"

# shellcheck disable=SC2046 # kernel versions have no spaces
[ $# -gt 0 ] || set -- $(scull_kvers)
status=0
summaries=()
for k in "$@"; do
	kver=$(scull_kver_of "$k")
	out=$SCULL_BUILD/bench/$kver
	rm -rf "$out"
	mkdir -p "$out"
	log "bench on $kver: booting QEMU (${BENCH_MEM:-3G}, TCG); progress in $out/console.log"
	# The guest reads its script as it goes: run a copy, so that editing
	# bench/guest.sh during a run cannot break it.
	cp "$bench/guest.sh" "$out/guest.sh"
	t0=$(date +%s)
	rc=0
	# Two readers side by side need two host threads: multi-threaded TCG,
	# but for 6.12, whose boot races under it (scripts/vm.sh), and icount,
	# which needs one thread.  BENCH_TCG_THREAD=single asks for one thread
	# (CI's quick run: a guest on two threads of a machine whose other
	# guests keep both CPUs busy ran 920 s instead of about 400).
	# x86: the TSC is the guest's clock (local_clock(), which times the
	# driver's allocations).  With two vCPUs the boot's sync check finds
	# their TSCs apart (TCG runs them in turn) and marks it unstable;
	# local_clock() then clamps to the tick, and a guest starved by a busy
	# host read 0 ns for 10 to 50 of 50 allocations (CI, 2026-12-06).
	# Under TCG every vCPU's TSC is the host's clock: reliable.
	kappend=$append
	[ "$(scull_arch_of "$kver")" = arm64 ] || kappend="$append tsc=reliable"
	tcg=${BENCH_TCG_THREAD:-multi}
	case $kver in 6.12.*) tcg=single ;; esac
	[ "${BENCH_ICOUNT:-0}" = 0 ] || tcg=single
	(cd "$SCULL_TOP" && PATH=$vmpath SCULL_VM_TCG_THREAD=$tcg "$SCULL_TOP/scripts/vm.sh" --kver "$kver" --mem "${BENCH_MEM:-3G}" \
		--timeout 2400 --append "$kappend" --out "$out" \
		--env "SCULL_KO=$SCULL_BUILD/$kver/scull.ko" \
		--env "BENCH_OUT=$out" --env "BENCH_BIN=$SCULL_BUILD/bench/bin" --env "BENCH_CACHEFILE=$cachefile" \
		--env "BENCH_TIMING=$timing" --env "BENCH_REPS=${BENCH_REPS:-5}" --env "BENCH_TCG_THREAD=$tcg" "${knobs[@]}" \
		-- bash "$out/guest.sh") > "$out/console.log" 2>&1 || rc=$?
	{
		echo "run seconds $(( $(date +%s) - t0 ))"
		echo "run dmesg $(sed -n 's/^SCULL-DMESG //p' "$out/console.log" | tail -n 1)"
		echo "run rc $rc"
	} >> "$out/results.txt"
	if [ "$rc" -ne 0 ]; then
		log "the bench on $kver failed (rc $rc); the end of its console:"
		tail -n 30 "$out/console.log" >&2
		status=1
	fi
	if grep -q "^fio " "$out/results.txt"; then
		"$bench/report.sh" "$out" "$results" > "$out/summary.txt" ||
			{ log "report for $kver failed"; status=1; }
		summaries+=("$out/summary.txt")
	fi
done

for s in "${summaries[@]}"; do
	echo
	cat "$s"
done
echo
echo "# make bench took $(( $(date +%s) - start )) s; reports in ${results#"$SCULL_TOP"/}/"
exit "$status"
