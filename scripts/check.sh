#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: set up (scripts/setup.sh); make the Debian roots of the
# chosen targets (all, or those SCULL_KVERS names; scripts/mkroot.sh) in
# the background while this machine's kernels are fetched, built and
# queued for booting; then fetch and build the other targets and queue
# theirs.  A target that cannot be prepared (its root, its kernel's
# download or its build failed) is one failure, `not ok - NAME: REASON`,
# and the others go on; a root that fell back to fewer indexes says so
# (`# NAME: ...`).  While the guests run: the preparation again, offline
# (tests/offline.sh), the preparation against a local mirror mid-sync
# (tests/aptrepo.sh), the dmesg verdict on crafted dumps (tests/dmesg.sh),
# the static checks and the DKMS build.  Each kernel boots three times in QEMU:
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
targets=$(scull_target_names) || abort "the targets (SCULL_KVERS: ${SCULL_KVERS:-})"
# The Debian roots of the chosen targets that are not this machine's:
# side by side and in the background (debootstrap and apt are mostly
# downloads), while this machine's kernels are fetched, built and booted.
# shellcheck disable=SC2086 # target names have no spaces
roots=$(scull_roots_of $targets)
phase "roots: ${roots//$'\n'/ }"
declare -A root_pid
for root in $roots; do
	"$SCULL_TOP/scripts/mkroot.sh" "$root" > "$logs/mkroot-$root.log" 2>&1 &
	root_pid[$root]=$!
done

# target_failed NAME WHY: a target that could not be prepared is one
# failure, with its reason; the others go on.
target_failed() {
	echo "not ok - $1: $2"
	add 0 1
}

# prepare NAME: fetch and build one target's kernel (its roots are
# made): prep_kver is its version.  Returns 1, with prep_why, when it
# cannot be done.
prepare() {
	local name=$1 why
	prep_kver=$(scull_kver_of "$name" 2> "$logs/kver-$name.log") || {
		prep_why=$(sed -n 's/^scullmem: error: //p' "$logs/kver-$name.log")
		return 1
	}
	phase "fetching and building: $name ($prep_kver)"
	if ! "$SCULL_TOP/scripts/fetch-kernels.sh" "$prep_kver" > "$logs/fetch-$name.log" 2>&1; then
		cat "$logs/fetch-$name.log"
		why=$(sed -n 's/^scullmem: error: //p' "$logs/fetch-$name.log" | tail -n 1)
		prep_why="fetching its kernel: ${why:-see $logs/fetch-$name.log}"
		return 1
	fi
	if ! "$SCULL_TOP/scripts/build.sh" "$prep_kver" > "$logs/build-$name.log" 2>&1; then
		cat "$logs/build-$name.log"
		prep_why="build (log: $logs/build-$name.log)"
		return 1
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
# test script (APPEND: more kernel command line; guest_numa=1: on two NUMA
# nodes, vm.sh --numa).  Prints its report and
# writes "P F S" to <label>-<kver>.counts.
guest_run() {
	local kver=$1 label=$2 mem=$3 timeout=$4 script=$5 append=${6:-} log e env_args=()
	log=$logs/$label-$kver.log
	for e in ${guest_envs[@]+"${guest_envs[@]}"}; do
		env_args+=(--env "$e")
	done
	if [ ! -f "$SCULL_TOP/$script" ]; then
		echo "not ok - $label on $kver: $script is missing"
		echo "0 1 0" > "$logs/$label-$kver.counts"
		return
	fi
	phase "$label on $kver: booting ($mem guest, TCG)"
	(cd "$SCULL_TOP" && SCULL_CONSOLE_SAVE=$logs/$label-$kver.console \
		"$SCULL_TOP/scripts/vm.sh" --kver "$kver" --mem "$mem" --timeout "$timeout" \
		${append:+--append "$append"} ${guest_numa:+--numa} \
		--env "SCULL_KO=$SCULL_BUILD/$kver/scull.ko" "${env_args[@]}" -- \
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
# the newest arm64 kernel only (sid's DKMS, another architecture); the
# others skip it (counted as skipped).  Debian 12's DKMS builds on the
# host (scripts/dkms-check.sh, against this machine's kernels), which
# the guest of this machine's first kernel only repeated, with install
# and modprobe, for 200 CPU seconds.  SCULL_DKMS=all: on every kernel.
dkms_in_guest() {
	[ "${SCULL_DKMS:-}" != all ] || return 0
	[ "$(scull_arch_of "$1")" = arm64 ] && [ "$1" = "$(arm64_kver last)" ]
}

# arm64_kver first|last: the oldest or the newest arm64 kernel of this run.
arm64_kver() {
	local k
	for k in $kvers; do
		[ "$(scull_arch_of "$k")" != arm64 ] || echo "$k"
	done | sort -V | if [ "$1" = first ]; then head -n 1; else tail -n 1; fi
}

# native_in_guest KVER: whether the README's native path builds the module
# in KVER's guest.  That build takes two to four minutes of CPU under TCG,
# and on seven kernels it was the most of the userland boots' CPU time
# (1257 of 1657 s in the run of 2026-12-06) and took CI past its 75
# minutes.  So it runs once per architecture: on this machine's first
# kernel, on i386 (the 32-bit build) and on the oldest arm64 one (DKMS
# builds in the newest's guest).  The others run the block with the
# host's build of the same sources for that kernel (scripts/build.sh,
# with the kernel's headers and compiler), and count the guest's make
# as skipped.  SCULL_NATIVE=all: on every kernel.
native_in_guest() {
	[ "${SCULL_NATIVE:-}" != all ] || return 0
	[ "$1" != "${first[0]:-}" ] || return 0
	[ "$(scull_arch_of "$1")" != i386 ] || return 0
	[ "$(scull_arch_of "$1")" = arm64 ] && [ "$1" = "$(arm64_kver first)" ]
}

# one_run KVER LABEL: one boot of a kernel.  A 32-bit kernel's suite runs
# with 2 GiB, so that it has high memory (ZONE_HIGHMEM).  The suite's boot
# of an amd64 or arm64 kernel has two NUMA nodes, a CPU and half the memory
# each (issue 28); i386's kernel has no CONFIG_NUMA, and the exhaustion and
# userland boots keep one node (docs/testing.md).
one_run() {
	local kver=$1 mem=1G append='' timeout guest_numa=''
	case $2 in
	tests)
		[ "$(scull_arch_of "$kver")" != i386 ] || mem=2G
		[ "$(scull_arch_of "$kver")" = i386 ] || guest_numa=1
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
		mem=256M timeout=900
		[ "$(scull_arch_of "$kver")" != arm64 ] || mem=384M
		# i386: 2 GiB, so that there is high memory, and lowmem and the
		# vmalloc range run out before memory does (issue 24).
		[ "$(scull_arch_of "$kver")" != i386 ] || mem=2G timeout=2400
		guest_run "$kver" exhaustion "$mem" "$timeout" tests/exhaust.sh "$append" ;;
	userland)
		# Without slub_debug and page poisoning, which make the two
		# module builds in the guest 30% slower (minutes under TCG):
		# the driver does a part of what the suite does, which runs
		# with them.  guest_envs: see dkms_in_guest and native_in_guest.
		local guest_envs=(SCULL_DKMS=0 SCULL_NATIVE=0)
		! dkms_in_guest "$kver" || guest_envs[0]=SCULL_DKMS=1
		! native_in_guest "$kver" || guest_envs[1]=SCULL_NATIVE=1
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

# ready NAME...: prepare these targets; kvers gets the kernel of each
# one prepared, and prepared its name.
kvers='' prepared=()
ready() {
	local name
	for name in "$@"; do
		if ! prepare "$name"; then
			target_failed "$name" "$prep_why"
			continue
		fi
		echo "ok - build scull.ko for $prep_kver and the tests"
		add 1 0
		kvers+="${kvers:+$'\n'}$prep_kver"
		prepared+=("$name")
		new+=("$prep_kver")
	done
}

# This machine's kernels boot first, while the roots are being made.
first=() new=()
for name in $targets; do
	[ -n "$(scull_roots_of "$name")" ] || ready "$name"
done
first=("${new[@]}")
if [ "${#first[@]}" -gt 0 ]; then
	phase "booting ${first[*]}"
	launch "${first[@]}"
fi
# The others, once their roots are made; a target whose root could not be
# made is that target's failure, with the reason mkroot.sh gave.
declare -A root_failed
for root in $roots; do
	wait "${root_pid[$root]}" && continue
	root_failed[$root]=$(scull_root_error "$logs/mkroot-$root.log")
	cat "$logs/mkroot-$root.log" >&2
done
new=()
for name in $targets; do
	r=$(scull_roots_of "$name")
	[ -n "$r" ] || continue
	why=
	for root in $r; do
		[ -z "${root_failed[$root]:-}" ] || why=${why:-"the $root root: ${root_failed[$root]}"}
		line=$(scull_fallback "$root")
		[ -z "$line" ] || echo "# $name: $line"
	done
	if [ -n "$why" ]; then
		target_failed "$name" "$why"
		continue
	fi
	ready "$name"
done
[ "${#prepared[@]}" -gt 0 ] || abort "no target could be prepared"
# What follows (the static checks, scull_targets) sees the prepared ones.
export SCULL_KVERS="${prepared[*]}"
if [ "${#new[@]}" -gt 0 ]; then
	phase "booting ${new[*]}"
	launch "${new[@]}"
fi
phase "${#boots[@]} boots of $(echo "$kvers" | wc -l) kernels queued; static checks meanwhile"

# Host-side checks.  The preparation offline, now that it is cached; and
# against a local mirror mid-sync.
phase "preparation, offline and against a broken index"
host_step offline tests/offline.sh
host_step aptrepo tests/aptrepo.sh
phase "the dmesg verdict on crafted dumps"
host_step dmesg tests/dmesg.sh
phase "make bench's verdict on a recorded quick run and crafted variants"
host_step benchreport tests/benchreport.sh
# DKMS state is global: one DKMS check at a time on this machine.
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

# bad_skips KVER: the skips of KVER's boots that no documented reason
# explains, one `not ok` line each (docs/testing.md lists the reasons):
# the mmap tests of slab quanta (scullc's at any order; scullk's below
# order 2, and at every order from 6.17 on, where a slab page cannot be
# mapped), the DKMS block and the guest's native build where make check
# does not run them (dkms_in_guest, native_in_guest), and the NUMA
# tests that need two nodes on i386 (no CONFIG_NUMA: one_run boots the
# other architectures' suites on two nodes).  Sets bad_n to their count.
bad_skips() {
	local kver=$1 reason newk=0
	bad_n=0
	[ "$(printf '%s\n' 6.17 "$kver" | sort -V | head -n 1)" != 6.17 ] || newk=1
	while IFS= read -r reason; do
		case $reason in
		"scullc quanta of order "[0-9]*" cannot be mapped on this kernel") continue ;;
		"scullk quanta of order "[01]" cannot be mapped on this kernel") continue ;;
		"scullk quanta of order "[0-9]*" cannot be mapped on this kernel")
			[ "$newk" -eq 0 ] || continue ;;
		"SCULL_DKMS=0: "*) dkms_in_guest "$kver" || continue ;;
		"SCULL_NATIVE=0: "*) native_in_guest "$kver" || continue ;;
		"one NUMA node online: only the suite's amd64 and arm64 boots have two")
			[ "$(scull_arch_of "$kver")" != i386 ] || continue ;;
		# write_flushes_dcache_of_mapped_page: only arm64 marks a page
		# that flush_dcache_page() has not flushed (PG_dcache_clean).
		*" keeps no data cache state in PG_arch_1")
			[ "$(scull_arch_of "$kver")" = arm64 ] || continue ;;
		esac
		echo "not ok - $kver: a skip no documented reason explains: $reason"
		bad_n=$((bad_n + 1))
	done < <(cat "$logs"/{userland,tests,exhaustion}-"$kver".log 2> /dev/null |
		sed -n 's/^ *ok [0-9][0-9]*.* # SKIP \(.*\)$/\1/p')
}

# Per-kernel summaries, then the total.
for kver in $kvers; do
	kp=0 kf=0 ks=0
	# Each of its three boots must have reported.
	for label in userland tests exhaustion; do
		c=$logs/$label-$kver.counts
		if [ ! -f "$c" ]; then
			echo "not ok - $label on $kver: no report"
			kf=$((kf + 1))
			continue
		fi
		read -r p f s < "$c"
		kp=$((kp + p)) kf=$((kf + f)) ks=$((ks + s))
	done
	bad_skips "$kver"
	kf=$((kf + bad_n))
	add "$kp" "$kf" "$ks"
	echo "# $kver: $kp passed, $kf failed, $ks skipped"
done
echo "# make check took $((SECONDS - start)) s; logs in $logs"
totals_line
[ "$fail" -eq 0 ]
