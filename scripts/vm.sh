#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a kernel in QEMU (software emulation, no KVM) and run a command in it.
#
#   vm.sh --kver 6.1|6.12|<kver>|debug|kcsan [--mem 1G] [--append ARGS]
#         [--timeout S] [--out DIR] [--kernel BZIMAGE] [--env NAME=VALUE]...
#         [--numa] -- COMMAND...
#
# COMMAND runs as root in bash, chrooted in the host's root (read-only over
# 9p), in the current directory, with a private tmpfs /tmp.  A kernel of
# another root (scull_root_of in lib.sh: i386, arm64, Debian 11) runs COMMAND in
# that root instead, with this tree, its build and cache directories
# mounted at their paths.  The guest sees SCULL_KVER, SCULL_ARCH, SCULL_BIN
# (the test programs of its userland), SCULL_CACHE, SCULL_BUILD, SCULL_TOP,
# the --env variables and SCULL_KO when it is set here.  --out DIR makes DIR writable
# in the guest, at the same path.  --append adds to the kernel command line
# (later options win over the defaults).  --numa boots two NUMA nodes, each
# with one of the two CPUs (its own socket: two CPUs of one package on two
# nodes make x86 warn in topology_sane) and half of the memory; without
# it, one node.  The payload's output is printed;
# the guest's dmesg is checked for kernel reports ($SCULL_DMESG_BAD in
# lib.sh), the offending lines printed on stderr.  KCSAN's reports count
# only when they name a scull function, and the kernel's "GUP no longer
# grows the stack" notice not at all (scripts/dmesg-filter.awk); those
# left out are listed on stderr, one line each.
#
# Exit code: COMMAND's; 1 if it did not finish (crash, or QEMU used
# --timeout seconds of CPU, default 1200, or three times that went by on
# the clock) or if the dmesg is dirty.  The last line on stdout
# is `SCULL-DMESG clean` or `SCULL-DMESG dirty N` (N report lines; also
# dirty when no dmesg came back, or came back cut short: lib.sh's
# scull_dmesg_verdict).  SCULL_CONSOLE_SAVE=FILE / SCULL_DMESG_SAVE=FILE
# keep the whole console / the dmesg.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() { sed -n '4,8p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

kver='' mem=1G append='' timeout=1200 out='' kernel='' envs=() numa=0
while [ $# -gt 0 ]; do
	case $1 in
	--kver | --mem | --append | --timeout | --out | --kernel | --env)
		[ $# -ge 2 ] || die "vm.sh: $1 needs a value" ;;
	esac
	case $1 in
	--kver) kver=$(scull_kver_of "$2"); shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--out) out=$(mkdir -p "$2" && cd "$2" && pwd); shift 2 ;;
	--kernel) kernel=$2; shift 2 ;;
	--env)
		case $2 in
		[A-Za-z_]*=*) envs+=("$2") ;;
		*) die "vm.sh: --env wants NAME=VALUE, not '$2'" ;;
		esac
		shift 2 ;;
	--numa) numa=1; shift ;;
	-h | --help) usage ;;
	--) shift; break ;;
	*) log "vm.sh: unknown option $1"; usage ;;
	esac
done
[ $# -gt 0 ] || { log "vm.sh: no command"; usage; }
[ -n "$kver" ] || { log "vm.sh: --kver is required"; usage; }
case $timeout in
'' | *[!0-9]*) die "vm.sh: --timeout wants seconds, not '$timeout'" ;;
esac

kdir=$SCULL_CACHE/kernels/$kver
root='' rootdir=''
if ! scull_is_debug "$kver"; then
	root=$(scull_root_of "$kver")
	[ -z "$root" ] || rootdir=$SCULL_CACHE/roots/$root
fi
arch=$(scull_arch_of "$kver")
# The machine: a PC for amd64 and i386 (qemu-system-x86_64 runs both), the
# virt board for arm64.  -cpu max,pauth-impdef=on: every feature QEMU has,
# with the cheap pointer-authentication hash (the architected one, QARMA,
# slows TCG down by half).
case $arch in
arm64)
	qemu=(qemu-system-aarch64 -M virt -cpu 'max,pauth-impdef=on')
	console=ttyAMA0 ;;
*)
	qemu=(qemu-system-x86_64)
	console=ttyS0 ;;
esac
command -v "${qemu[0]}" > /dev/null || die "${qemu[0]} is missing: run scripts/setup.sh"
# Two CPUs; with --numa, on two nodes of half the memory each.
smp=(-smp 2)
if [ "$numa" = 1 ]; then
	case $mem in
	*[0-9]G) mib=$((${mem%G} * 1024)) ;;
	*[0-9]M) mib=${mem%M} ;;
	*) die "vm.sh: --numa wants --mem in M or G, not '$mem'" ;;
	esac
	half=$((mib / 2))
	# shellcheck disable=SC2054 # QEMU's option values are comma lists
	smp=(-smp 2,sockets=2,cores=1,threads=1
		-object "memory-backend-ram,id=m0,size=${half}M"
		-object "memory-backend-ram,id=m1,size=$((mib - half))M"
		-numa node,nodeid=0,cpus=0,memdev=m0 -numa node,nodeid=1,cpus=1,memdev=m1)
fi
# Cheap when all is cached; rebuilds the initramfs when its init changed.
"$SCULL_TOP/scripts/fetch-kernels.sh" "$kver"
if [ -z "$kernel" ] && scull_is_debug "$kver"; then
	kernel=$("$SCULL_TOP/scripts/debug-kernel.sh" "$(scull_debug_flavour "$kver")" --print-bzimage)
fi
[ -n "$kernel" ] || kernel=$kdir/root/boot/vmlinuz-$kver
[ -f "$kernel" ] || die "no kernel image at $kernel"

# The base initramfs plus a second archive with the payload.
work=$(mktemp -d "${TMPDIR:-/tmp}/scullvm.XXXXXX")
slot_dir=${TMPDIR:-/tmp}/scullmem-vm-slots
trap 'rm -rf "$work"; rm -f "$slot_dir/urgent.$$" "$slot_dir"/wait.*."$$"' EXIT
mkdir "$work/p"
{
	echo 'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
	echo "export HOME=/root LANG=C.UTF-8 TERM=dumb SCULL_KVER=$(printf %q "$kver") SCULL_ARCH=$arch"
	echo "export SCULL_BIN=$(printf %q "$(scull_bin_of "$kver")")"
	echo "export SCULL_TOP=$(printf %q "$SCULL_TOP")"
	echo "export SCULL_CACHE=$(printf %q "$SCULL_CACHE") SCULL_BUILD=$(printf %q "$SCULL_BUILD")"
	[ -z "${SCULL_KO:-}" ] || echo "export SCULL_KO=$(printf %q "$SCULL_KO")"
	for e in "${envs[@]}"; do
		echo "export ${e%%=*}=$(printf %q "${e#*=}")"
	done
	echo "cd $(printf %q "$PWD") || exit 125"
	printf '%q ' "$@"
	echo
} > "$work/p/payload.sh"
printf '%s' "$out" > "$work/p/outdir"
printf '%s\n' "$PWD" "$SCULL_TOP" "$SCULL_BUILD" "$SCULL_CACHE" > "$work/p/keep"
# The guest mounts these paths into another root: their mount points are
# made here, where the root is writable.
if [ -n "$rootdir" ]; then
	while read -r p; do
		case $p in /tmp/*) ;; *) mkdir -p "$rootdir$p" ;; esac
	done < "$work/p/keep"
	[ -z "$out" ] || mkdir -p "$rootdir$out"
fi
(cd "$work/p" && printf '%s\n' payload.sh outdir keep | cpio -o -H newc --quiet) > "$work/payload.cpio"
cat "$kdir/initramfs.cpio" "$work/payload.cpio" > "$work/initrd"

# log_buf_len: room for the whole run's messages, which are checked at the
# end.  Under TCG on a busy host a vCPU can be starved for tens of seconds:
# the longest lockup and RCU stall thresholds keep that from reading as a
# kernel bug, while a real lockup is still reported (after 120 s / 300 s).
cmdline="console=$console loglevel=3 log_buf_len=8M panic=-1 panic_on_warn=0"
# x86 checks at boot that the timer interrupt arrives through the IO-APIC
# within a few ticks; a vCPU starved by a busy host can miss them, and the
# kernel panics ("IO-APIC + timer doesn't work!", seen in a .ci/run while
# two debug kernels built).  Virtualised x86 guests skip the check.
[ "$arch" = arm64 ] || cmdline="$cmdline no_timer_check"
cmdline="$cmdline watchdog_thresh=60 rcupdate.rcu_cpu_stall_timeout=300"
# The debug kernels' own checkers see what slub_debug and page poisoning
# would, and more precisely: KASAN an out-of-bounds or freed access when it
# happens (slab, pages, vmalloc), not at the next free or allocation; and
# under KASAN the two made the suite's parts a quarter to a half slower.
if scull_is_debug "$kver"; then
	cmdline="$cmdline init_on_alloc=0"
	# Only scull.ko is instrumented in the KCSAN kernel (debug-kernel.sh):
	# watching one of its accesses in 100 instead of 4000 costs little and
	# makes a short race forty times likelier to be seen.  Its weak-memory
	# modelling is off: the kernel's own locks are not instrumented, so
	# KCSAN cannot see their barriers, and it reported scull's reads under
	# dev->lock as reordered past mutex_unlock() (6 "read (reordered)"
	# reports, /proc's stats read against writes under the same lock).
	[ "$kver" != kcsan ] || cmdline="$cmdline kcsan.skip_watch=100 kcsan.weak_memory=0"
else
	# Sanity checks, red zones and poisoning (F, Z, P) catch an overrun
	# or a use after free of any slab object; U, which records a stack
	# trace at every allocation and free, only tells who did it, and cost
	# a third of a 6.1 guest's time (300 fork+execs 31.7 s against 20.7,
	# 3000 small files read over 9p 31.9 s against 20.1; 76 CPU s against
	# 54, 2026-12-06): the KASAN kernel gives the whole story of a report.
	cmdline="$cmdline slub_debug=FZP init_on_alloc=0 page_poison=1"
fi
[ -z "$rootdir" ] || cmdline="$cmdline scullvm.root=$rootdir"
case $kver in
6.1.* | debug | kcsan) ;;
*) cmdline="$cmdline kfence.sample_interval=100" ;;
esac

virtfs=(-virtfs 'local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap')
[ -z "$out" ] || virtfs+=(-virtfs "local,path=$out,mount_tag=out,security_model=none,multidevs=remap")

# One guest per host CPU: a TCG guest (thread=single) keeps one CPU busy,
# and make check, make check-debug, make demo and make bench may run side
# by side (.ci/run does).  A guest waits here for a free slot, so that the
# CPUs are never oversubscribed.  What else runs beside the guests (a
# kernel build, the static checks) still takes CPU from them, so --timeout
# counts the CPU time QEMU used, not the time on the clock (cpu_timeout).
# SCULL_VM_SLOTS sets the number of slots (default: nproc); a guest with
# SCULL_VM_URGENT=1 (make check-debug's, the longest run) takes the next
# free slot before the others; SCULL_VM_NICE runs QEMU at that niceness
# (.ci/run: 5 for all but check-debug's, whose kernel build and guest are
# the longest chain of the run).
mkdir -p "$slot_dir"

urgent_waiting() {
	local f
	for f in "$slot_dir"/urgent.*; do
		[ -e "$f" ] || continue
		kill -0 "${f##*.}" 2> /dev/null && return 0
		rm -f "$f"
	done
	return 1
}

# first_in_line TICKET: no live guest has waited longer than TICKET's.
# Tickets are wait.<ns since the epoch>.<pid>: the glob sorts them by age.
first_in_line() {
	local f
	for f in "$slot_dir"/wait.*; do
		[ -e "$f" ] || continue
		[ "$f" != "$1" ] || return 0
		kill -0 "${f##*.}" 2> /dev/null && return 1
		rm -f "$f"
	done
	return 0
}

# Hold a slot on fd 6 until this script (and QEMU) exit.  Guests take the
# free slots in the order they came (a free-for-all starved some runs for
# half an hour), urgent ones first.
take_slot() {
	local slots=${SCULL_VM_SLOTS:-$(nproc)} i want='' t0=$SECONDS ticket
	ticket=$slot_dir/wait.$(date +%s%N).$$
	: > "$ticket"
	if [ "${SCULL_VM_URGENT:-0}" = 1 ]; then
		want=$slot_dir/urgent.$$
		: > "$want"
	fi
	while :; do
		if [ -n "$want" ] || { ! urgent_waiting && first_in_line "$ticket"; }; then
			for ((i = 0; i < slots; i++)); do
				exec 6> "$slot_dir/slot$i"
				if flock -n 6; then
					rm -f "$ticket"
					[ -z "$want" ] || rm -f "$want"
					[ $((SECONDS - t0)) -lt 2 ] ||
						log "$kver: waited $((SECONDS - t0)) s for a free CPU"
					return 0
				fi
				exec 6>&-
			done
		fi
		sleep 1
	done
}
take_slot

# thread=single: multi-threaded TCG races with 6.12's boot-time code
# patching (Oops: int3 in sched_clock_cpu).  SCULL_VM_TCG_THREAD=multi
# (make bench's readers, on kernels other than 6.12) runs each vCPU on a
# host thread of its own: such a guest can keep two CPUs busy, though it
# takes one slot.  -nic none: no network, and no
# iPXE option ROM to load.  The console (ttyS0, ttyAMA0) is stdout.
# child_cpu: set cpu to the CPU seconds used so far by this script's
# children (user + system), from bash's times, run in this shell (in a
# subshell it would count that subshell's children): the guest's is the
# difference around QEMU's run.
child_cpu() {
	times > "$work/times"
	cpu=$(awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, t, "m"); s += t[1] * 60 + t[2] }
		printf "%d\n", s }' "$work/times")
}
child_cpu
cpu0=$cpu

# cpu_timeout CPU CMD...: run CMD, and end it (TERM, then KILL) once it has
# used CPU seconds of CPU, or three times that on the clock (a guest that
# hangs idle); exit 124 then, as timeout(1) does.  A TCG guest's work is
# CPU time: on a busy machine it gets less of it per second, and a limit
# on the clock would cut a slow run short for the machine's load, not its
# own.
cpu_timeout() {
	local limit=$1 pid hz used t0=$SECONDS
	shift
	"$@" &
	pid=$!
	hz=$(getconf CLK_TCK)
	while sleep 2 && kill -0 "$pid" 2> /dev/null; do
		# utime and stime, all of QEMU's threads: fields 14 and 15.
		used=$(awk -v hz="$hz" '{ print int(($14 + $15) / hz) }' "/proc/$pid/stat" 2> /dev/null) || break
		if [ "${used:-0}" -ge "$limit" ] || [ $((SECONDS - t0)) -ge $((3 * limit)) ]; then
			kill "$pid" 2> /dev/null
			sleep 10
			kill -9 "$pid" 2> /dev/null
			wait "$pid"
			return 124
		fi
	done
	wait "$pid"
}

start=$SECONDS
set +e
cpu_timeout "$timeout" \
	nice -n "${SCULL_VM_NICE:-0}" "${qemu[@]}" -accel tcg,thread="${SCULL_VM_TCG_THREAD:-single}" "${smp[@]}" -m "$mem" \
	-nographic -no-reboot -serial mon:stdio -display none -nic none \
	-kernel "$kernel" -initrd "$work/initrd" -append "$cmdline $append" \
	"${virtfs[@]}" < /dev/null 2>&1 | sed -u 's/\r$//' | tee "$work/console" |
	awk '/SCULL-DMESG-BEGIN/ { p = 0 }
		p {
			# The marker after output that did not end its last line.
			if (match($0, /SCULL-VM-EXIT [0-9]+$/) && RSTART > 1) {
				print substr($0, 1, RSTART - 1)
				$0 = substr($0, RSTART)
			}
			print; fflush()
		}
		/SCULL-VM-START/ { p = 1 }'
qrc=${PIPESTATUS[0]}
set -e
elapsed=$((SECONDS - start))

# The verdicts.
sed -n '/SCULL-DMESG-BEGIN/,/SCULL-DMESG-END/p' "$work/console" > "$work/dmesg"
[ -z "${SCULL_DMESG_SAVE:-}" ] || cp "$work/dmesg" "$SCULL_DMESG_SAVE"
[ -z "${SCULL_CONSOLE_SAVE:-}" ] || cp "$work/console" "$SCULL_CONSOLE_SAVE"

boot=$(sed -n 's/.*SCULL-VM-START \([0-9.]*\)$/\1/p' "$work/console" | head -n 1)
rc=$(sed -n 's/.*SCULL-VM-EXIT \([0-9]*\)$/\1/p' "$work/console" | tail -n 1)
if [ -z "$rc" ]; then
	if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
		log "the guest ($kver) timed out: $timeout s of CPU or $((3 * timeout)) s went by; its console ends with:"
	else
		log "the guest ($kver) did not finish (QEMU exit $qrc; crash or panic?); its console ends with:"
	fi
	tail -n 60 "$work/console" >&2
	rc=1
fi
grep 'SCULL-VM-ERROR' "$work/console" >&2 || true
child_cpu
log "$kver: booted in ${boot:-?} s (guest clock), whole run ${elapsed} s, CPU $((cpu - cpu0)) s, payload exit $rc"

awk -v mode=list -f "$SCULL_TOP/scripts/dmesg-filter.awk" "$work/dmesg" |
	sed -n "s/^other /KCSAN, not in scull: /p; s/^notice /the kernel's notice, not a report: /p" |
	sort | uniq -c | sed 's/^ */vm.sh: /' >&2
verdict=$(scull_dmesg_verdict "$work/dmesg")
echo "SCULL-DMESG $verdict"
[ "$verdict" = clean ] || [ "$rc" -ne 0 ] || rc=1
exit "$rc"
