#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# trinity (Debian's package, a third-party system call fuzzer) on the scull
# nodes, run as root inside the QEMU guest:
#
#   tests/trinity.sh <kver>        (through scripts/vm.sh, as tests/guest.sh)
#
# It loads scull.ko ($SCULL_KO, default build/<kver>/scull.ko) at order 0,
# qset 64 and a max_size of 4 MiB (so that the fuzzer cannot take the
# guest's memory), makes fresh nodes of the five devices in private
# directories, owned by nobody, and runs trinity as nobody (it refuses
# root) six times: on each node alone, then on the five together (trinity
# opens a few files at random among those it finds: with the five, some
# runs leave a device out).  Its only files are those nodes (-V, the
# directory itself left out), every other fd provider is off (sockets,
# pipes, perf...: --enable-fds=pseudo, the files one alone), and it makes
# only the calls that reach the driver: read/write and their vector and
# positioned forms, lseek, mmap and its kin, ioctl, splice, sendfile,
# copy_file_range, fsync, fcntl, flock, io_uring_setup (those of them that
# this trinity knows for this architecture; on amd64 the 32-bit ones too).
# SCULL_TRINITY_CALLS calls in all (default 30000, shared among the six
# runs), SCULL_TRINITY_CHILDREN children (default 2), each run under a
# timeout (SCULL_TRINITY_TIMEOUT s, default 600); SCULL_SEED replays a
# run's seeds (as nearly as trinity can).  Then: each run made its calls
# and stopped at its limit (`# trinity: N calls ...`), the kernel took no
# new taint (trinity ignores the flags set before it starts, scull's O and
# E among them, and stops on a new one; this script checks too), each node
# still round-trips data, rmmod works.  Where the root has no trinity,
# every test fails: setup.sh and mkroot.sh install it.  vm.sh checks the
# guest's dmesg.  Ends with
# `# scull-totals: ...`.
set -u

kver=${1:-${SCULL_KVER:-$(uname -r)}}
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${SCULL_BUILD:-$TOP/build}
KO=${SCULL_KO:-$BUILD/$kver/scull.ko}
DEVS="scullp scullv scullk scullc scullh"
RUNS="$DEVS all"
CALLS=${SCULL_TRINITY_CALLS:-30000}
CHILDREN=${SCULL_TRINITY_CHILDREN:-2}
LIMIT=${SCULL_TRINITY_TIMEOUT:-600}
MAX_SIZE=$((4 << 20))
# The calls to make, by trinity's names; those that this trinity does not
# know here are left out (llseek, mmap2, fcntl64 and sendfile64 are 32-bit
# ones: i386's, and amd64's compat calls).
WANT="read write readv writev pread64 pwrite64 preadv pwritev preadv2 pwritev2
	lseek llseek _llseek mmap mmap2 munmap mremap madvise msync ioctl
	splice tee vmsplice sendfile sendfile64 copy_file_range fsync fcntl
	fcntl64 flock io_uring_setup"

. "$TOP/tests/lib.sh"

note() { echo "# $*"; }

loaded() { [ -d /sys/module/scull ]; }

# The kernel's taint flags, by bit (kernel/panic.c's taint_flags).
TAINT_LETTERS=PFSRMBUDAWCIOELKXTN
taint_letters() {
	local t=$1 i s=''
	for ((i = 0; i < ${#TAINT_LETTERS}; i++)); do
		[ $((t >> i & 1)) -eq 0 ] || s=$s${TAINT_LETTERS:i:1}
	done
	[ $((t >> ${#TAINT_LETTERS})) -eq 0 ] || s="$s+bits>=${#TAINT_LETTERS}"
	echo "${s:-none}"
}

# as_nobody DIR CMD...: CMD as nobody, in DIR, with a small environment.
as_nobody() {
	local dir=$1
	shift
	(cd "$dir" && env -i PATH="$PATH" HOME="$work" LANG=C.UTF-8 TERM=dumb \
		setpriv --reuid="$uid" --regid="$gid" --clear-groups -- "$@")
}

# make_nodes: $nodes/<run>/, nobody's, holding a node of nobody's, mode
# 0600, with the major and minor of /dev/<dev>, for each device (run <dev>)
# and for all five (run all).
make_nodes() {
	local dev maj min d
	for dev in $DEVS; do
		[ -c "/dev/$dev" ] || { note "no /dev/$dev"; return 1; }
		read -r maj min < <(stat -c '%t %T' "/dev/$dev")
		for d in "$dev" all; do
			mkdir -p "$nodes/$d" || return 1
			mknod -m 600 "$nodes/$d/$dev" c $((16#$maj)) $((16#$min)) || return 1
		done
	done
	chown -R "$uid:$gid" "$nodes" && chmod -R go-rwx "$nodes"
}

# The calls of WANT that `trinity -L` lists here ("entrypoint N NAME : ...",
# on amd64 once for each ABI).
syscalls_known() {
	local known
	known=$(as_nobody "$work" trinity -L 2>&1 | awk '$1 == "entrypoint" { print $3 }' | sort -u)
	[ -n "$known" ] || return 1
	# shellcheck disable=SC2086 # a list of names
	printf '%s\n' $WANT | grep -x -F -f <(echo "$known")
}

# allocs_of DEV...: the quanta the devices have allocated since the load,
# from their stats lines ("stats DEV: allocs A, frees F, failures X"), in
# one read of /proc/scullmem (which lists every quantum: slow under KASAN).
allocs_of() {
	awk -v devs=" $* " '$1 == "stats" && $3 == "allocs" {
		d = $2; sub(":", "", d)
		if (index(devs, " " d " ")) { sub(",", "", $4); s += $4; n++ } }
		END { print s + 0; exit n == 0 }' /proc/scullmem
}

# trinity_run RUN CALLS SEED: trinity as nobody, CALLS calls on the nodes of
# $nodes/RUN; its output in $work/RUN.out.  It took the nodes, stopped
# because it made the calls asked for (not for a taint, an error of its own
# or the timeout), and says how many it made; the calls reached the driver
# (quanta were allocated).
trinity_run() {
	local run=$1 calls=$2 seed=$3 out=$work/$1.out args=() s t0=$SECONDS
	local rc secs added reason ran n_ran n_ok n_fail devs=$1 a0 a1 want
	[ "$run" != all ] || devs=$DEVS
	want=$(wc -w <<< "$devs")
	for s in $syscalls; do args+=(-c "$s"); done
	# Run in the nodes' directory, with -V .: trinity leaves "." out of
	# its files.  --enable-fds=pseudo: the files provider alone, every
	# other one off, whatever this trinity has.  -l off: no per-child log
	# files, written and fsynced at every call (slow under TCG, and lost
	# with the guest anyway).  -N: the calls in all, then it exits.
	# -s: the seed.
	cmd=(trinity -V . --enable-fds=pseudo -l off -C "$CHILDREN" -N "$calls" -s "$seed" "${args[@]}")
	note "trinity on $run: in $nodes/$run, as nobody: ${cmd[*]}"
	# shellcheck disable=SC2086 # a list of names
	a0=$(allocs_of $devs)
	# timeout signals trinity's process group (its children too), and
	# kills it 30 s later if it is still there.
	as_nobody "$nodes/$run" timeout -k 30 "$LIMIT" "${cmd[@]}" > "$out" 2>&1
	rc=$?
	secs=$((SECONDS - t0))
	nobody_gone || note "processes of nobody's are left $((SECONDS - t0 - secs)) s after trinity"
	# shellcheck disable=SC2086
	a1=$(allocs_of $devs)
	added=$(sed -n 's|^.*Added \([0-9]*\) filenames from \.$|\1|p' "$out" | tail -n 1)
	reason=$(sed -n 's/^.*Bailing main loop because \(.*[^.]\)\.*$/\1/p' "$out" | tail -n 1)
	ran=$(sed -n 's/^.*Ran \([0-9]*\) syscalls\. Successes: \([0-9]*\)  *Failures: \([0-9]*\).*/\1 \2 \3/p' "$out" | tail -n 1)
	read -r n_ran n_ok n_fail <<< "${ran:-0 0 0}"
	total_calls=$((total_calls + n_ran))
	total_secs=$((total_secs + secs))
	# What it said, less the maps, futexes, and the calls and their results.
	grep -E 'Added|Bailing|Ran [0-9]|syscalls.*enabled|[Tt]aint|rror|[Ff]ail|Unknown|No idea|Sorry|refus|STALLED' "$out" |
		grep -v -E '^\[child|^ *= ' | head -n 20 | sed 's/^/#   /'
	note "trinity: $n_ran calls ($n_ok succeeded, $n_fail failed) on $run in $secs s," \
		"exit $rc, $((a1 - a0)) quanta allocated, stopped: ${reason:-no reason given}"
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		note "trinity timed out after $LIMIT s; its output ends with:"
		tail -n 30 "$out" | sed 's/^/#   /'
		return 1
	fi
	[ "${added:-0}" -eq "$want" ] ||
		{ note "trinity found ${added:-no} files in $nodes/$run, not $want"; tail -n 30 "$out" | sed 's/^/#   /'; return 1; }
	[ "$reason" = "Completed maximum number of operations" ] ||
		{ note "trinity did not stop at its limit"; tail -n 30 "$out" | sed 's/^/#   /'; return 1; }
	[ "$n_ran" -ge "$calls" ] || { note "trinity made $n_ran calls, $calls asked for"; return 1; }
	[ $((a1 - a0)) -gt 0 ] || { note "no quantum was allocated: the calls did not reach scull"; return 1; }
}

# no_new_taint: the flags the kernel had after insmod, and no more.
no_new_taint() {
	local t1 new
	t1=$(cat /proc/sys/kernel/tainted)
	new=$((t1 & ~taint0))
	note "taint after insmod $taint0 ($(taint_letters "$taint0")), after trinity $t1 ($(taint_letters "$t1"))"
	if grep -l 'kernel became tainted' "$work"/*.out 2> /dev/null | grep -q .; then
		note "trinity saw the kernel become tainted"
		return 1
	fi
	[ "$new" -eq 0 ] || { note "new taint: $(taint_letters "$new")"; return 1; }
}

# round_trip DEV: a random file written through /dev/DEV reads back whole.
round_trip() {
	cp "$work/data" "/dev/$1" || return 1
	cmp "$work/data" "/dev/$1" || return 1
	[ "$(cat "/sys/class/scullmem/$1/size")" -eq "$(stat -c %s "$work/data")" ]
}

# No process of nobody's is left (trinity's children hold the nodes open):
# wait up to 30 s, then say where those left wait.
nobody_gone() {
	local i p
	for ((i = 0; i < 30; i++)); do
		pgrep -u "$uid" > /dev/null || return 0
		sleep 1
	done
	for p in $(pgrep -u "$uid"); do
		note "left: pid $p $(tr '\0' ' ' < "/proc/$p/cmdline" 2> /dev/null)," \
			"state $(awk '{ print $3 }' "/proc/$p/stat" 2> /dev/null), wchan $(cat "/proc/$p/wchan" 2> /dev/null)"
		sed 's/^/#     /' "/proc/$p/stack" 2> /dev/null
	done
	return 1
}

# ---- main ------------------------------------------------------------------

nruns=$(wc -w <<< "$RUNS")
per_run=$((CALLS / nruns))
[ "$per_run" -gt 0 ] || per_run=1
TESTS=("insmod order=0 qset=64 max_size=$MAX_SIZE; nodes of nobody's, as /dev's, in private directories")
for r in $RUNS; do
	TESTS+=("trinity on $r: $per_run calls as nobody, on $([ "$r" = all ] && echo "the five nodes" || echo "that node") alone, to its limit")
done
TESTS+=("trinity: the kernel took no new taint")
for d in $DEVS; do TESTS+=("$d: a random file round-trips after trinity"); done
TESTS+=("rmmod after trinity")
# --plan: how many results a run gives (tests/guest.sh's plan adds them).
[ "${2:-}" != --plan ] || { echo "${#TESTS[@]}"; exit 0; }

echo "KTAP version 1"
note "trinity on the scull nodes, $(uname -r) $(uname -m), module $KO"
plan ${#TESTS[@]}

# setup.sh and every root install trinity: its absence is a failure, not
# a reason to skip.
if ! command -v trinity > /dev/null; then
	for t in "${TESTS[@]}"; do ok 1 "$t (trinity is not installed in this root)"; done
	totals
	exit 1
fi
note "trinity $(dpkg-query -W -f='${Version}' trinity 2> /dev/null || echo '(version unknown)')"

if ! uid=$(id -u nobody) || ! gid=$(id -g nobody); then
	ok 1 "user nobody exists"
	totals
	exit 1
fi
work=$(mktemp -d /tmp/scull-trinity.XXXXXX)
nodes=$(mktemp -d /tmp/scull-trinity-nodes.XXXXXX)
chown "$uid:$gid" "$work"
seed=${SCULL_SEED:-$(od -A n -N 4 -t u4 /dev/urandom | tr -d ' ')}
note "seed $seed (SCULL_SEED=$seed replays the runs, as nearly as trinity can; run i has seed + i)"

! loaded || rmmod scull
t=0
if ! insmod "$KO" order=0 qset=64 max_size=$MAX_SIZE || ! make_nodes; then
	ok 1 "${TESTS[t]}"
	totals
	exit 1
fi
ok 0 "${TESTS[t++]}"
taint0=$(cat /proc/sys/kernel/tainted)
dmesg_mark=$(dmesg | wc -l)

syscalls=$(syscalls_known | tr '\n' ' ')
note "calls: $syscalls($SECONDS s)"
total_calls=0 total_secs=0 i=0
for r in $RUNS; do
	if [ -z "$syscalls" ]; then
		note "trinity -L listed none of: $(tr -s ' \t\n' ' ' <<< "$WANT")"
		ok 1 "${TESTS[t++]}"
		continue
	fi
	trinity_run "$r" "$per_run" $(((seed + i) % 4294967296))
	ok $? "${TESTS[t++]}"
	i=$((i + 1))
done
note "trinity: $total_calls calls in all, in $total_secs s"
# Since 6.5 the kernel says so, with a stack dump (mm/gup.c's
# gup_vma_lookup(), at most once an hour), when a fault-in (scull's
# read_iter faults in the user's buffer) is asked for an address just below
# a stack, which it no longer grows: trinity's buffers can be there.  The
# dump makes vm.sh call the dmesg dirty; it is the kernel's notice, not a
# scull bug.
dmesg | tail -n +$((dmesg_mark + 1)) | grep 'GUP no longer grows the stack' |
	sed "s/^/# dmesg, the kernel's notice (not a scull report): /"
no_new_taint
ok $? "${TESTS[t++]}"

note "round trips from $SECONDS s"
head -c $((1 << 20 | 12345)) /dev/urandom > "$work/data"
for d in $DEVS; do
	round_trip "$d"
	ok $? "${TESTS[t++]}"
done
rmmod scull
ok $? "${TESTS[t++]}"

rm -rf "$work" "$nodes"
note "trinity.sh took $SECONDS s"
totals
[ "$fail" -eq 0 ]
