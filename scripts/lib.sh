# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Shared helpers of the scullmem bench scripts; source it, don't run it.
#
# Environment (all optional):
#   SCULL_CACHE  downloads, extracted kernels, checkpatch (~/.cache/scullmem)
#   SCULL_BUILD  per-kernel builds, test binaries, logs (<repo>/build)
#   SCULL_KVERS  the kernels to use, names or full versions ("6.12 i386");
#                default: make check's targets (SCULL_TARGETS_TABLE), for
#                the bench and DKMS this machine's two kernels, for the
#                demo 6.1, i386 and arm64

SCULL_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCULL_CACHE=${SCULL_CACHE:-$HOME/.cache/scullmem}
SCULL_BUILD=${SCULL_BUILD:-$SCULL_TOP/build}
export SCULL_TOP SCULL_CACHE SCULL_BUILD DEBIAN_FRONTEND=noninteractive

# The meta-packages whose dependency names the kernel we build and test for.
SCULL_HEADER_PKGS="linux-headers-amd64 linux-headers-6.12-amd64"

# Kernel reports that fail a run when they show up in a guest's dmesg:
# the headers of reports, on every architecture (x86 prints "Call Trace",
# arm64 "Call trace:"; a hung task, an RCU stall or a duplicate sysfs
# name is a message line and a stack dump), and the notices that a
# checker turned itself off (kmemleak).
# shellcheck disable=SC2034 # used by the scripts that source this file
SCULL_DMESG_BAD='WARNING:|BUG:|BUG |Oops|Call Trace|Call trace:|kernel BUG|Poison overwritten|Redzone|redzone|KFENCE:|KASAN:|kmemleak:.*(new suspected|unreferenced)|kmemleak: Kernel memory leak detector disabled|Cannot allocate a kmemleak_object|possible recursive locking|possible circular locking|inconsistent lock state|sleeping function called from invalid context|invoked oom-killer|Out of memory|page allocation failure|general protection fault|Object padding overwritten|UBSAN:|list_add corruption|list_del corruption|INFO: task .* blocked for more than|rcu: INFO: .*stall|self-detected stall|hard LOCKUP|refcount_t: |sysfs: cannot create duplicate filename|vmalloc error:'

# scull_dmesg_verdict FILE: the verdict on a guest's dmesg dump, FILE
# being the console's lines from SCULL-DMESG-BEGIN to SCULL-DMESG-END:
# "clean", or "dirty N" with N the report lines ($SCULL_DMESG_BAD) left
# by scripts/dmesg-filter.awk, or "dirty 1" when the dump is empty or cut
# short (no END line: the guest died or was killed while printing it, and
# its last reports were never seen).  The report lines go to stderr.
scull_dmesg_verdict() {
	local file=$1 n
	if [ ! -s "$file" ] || ! grep -q 'SCULL-DMESG-END' "$file"; then
		log "the guest's dmesg did not come back whole (no SCULL-DMESG-END)"
		echo "dirty 1"
		return
	fi
	n=$(awk -f "$SCULL_TOP/scripts/dmesg-filter.awk" "$file" | grep -E -c "$SCULL_DMESG_BAD")
	if [ "$n" -gt 0 ]; then
		log "the guest's dmesg is dirty ($n report lines):"
		awk -f "$SCULL_TOP/scripts/dmesg-filter.awk" "$file" |
			grep -E -B2 -A20 "$SCULL_DMESG_BAD" | head -n 120 >&2
		echo "dirty $n"
	else
		echo clean
	fi
}

# scull_sync_sources DIR: make DIR's copy of the module's sources (Kbuild,
# Makefile, dkms.conf, the top's *.c and *.h) match the repo's.  Only changed
# files are copied, so that builds in DIR stay incremental.
scull_sync_sources() {
	local dir=$1 f name
	mkdir -p "$dir"
	for f in "$SCULL_TOP"/Kbuild "$SCULL_TOP"/Makefile "$SCULL_TOP"/dkms.conf \
			"$SCULL_TOP"/*.c "$SCULL_TOP"/*.h; do
		[ -f "$f" ] || continue
		name=${f##*/}
		cmp -s "$f" "$dir/$name" || cp "$f" "$dir/$name"
	done
	# Sources deleted from the repo go from the copy too.
	for f in "$dir"/*.c "$dir"/*.h; do
		[ -f "$f" ] || continue
		[ -f "$SCULL_TOP/${f##*/}" ] || rm -f "$f"
	done
}

log() { printf '%s\n' "scullmem: $*" >&2; }

# scull_plan FILE: N of FILE's last unindented KTAP plan `1..N` (empty if
# there is none; a subtest's plan is indented).
scull_plan() { sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$1" | tail -n 1; }

# scull_plan_ok FILE TOTAL: FILE's plan is TOTAL results, and TOTAL is not 0.
scull_plan_ok() {
	local plan
	plan=$(scull_plan "$1")
	[ "${plan:-0}" -eq "$2" ] && [ "$2" -gt 0 ]
}

# scull_verdict LOG LABEL CLEAN: the verdict on one guest run from vm.sh's
# output in LOG: its totals, checked against its plan (a run that did not
# report them counts as one failure), and one more test, its dmesg (CLEAN
# says what a clean one is free of).  Prints the not-ok lines and the
# dmesg's verdict; sets verdict_p, verdict_f and verdict_s.
scull_verdict() {
	local log=$1 label=$2 totals p=0 f=0 s=0
	totals=$(grep '^# scull-totals:' "$log" | tail -n 1)
	if [ -n "$totals" ]; then
		read -r _ p _ f _ s <<< "${totals#\# scull-totals: }"
		echo "# $label: $p passed, $f failed, $s skipped"
		# The plan must add up to the totals.
		if ! scull_plan_ok "$log" $((p + f + s)); then
			echo "not ok - $label: plan 1..$(scull_plan "$log") but $((p + f + s)) results"
			f=$((f + 1))
		fi
	else
		f=1
		echo "not ok - $label: the run did not finish (see $log)"
		grep -v '^\[' "$log" | tail -n 30 | sed 's/^/#   /'
	fi
	if grep -q '^SCULL-DMESG clean' "$log"; then
		p=$((p + 1))
		echo "ok - $label: dmesg free of $3"
	else
		f=$((f + 1))
		echo "not ok - $label: dmesg has kernel reports (see $log)"
		grep -E "$SCULL_DMESG_BAD" "$log" | head -n 10 | sed 's/^/#   /'
	fi
	# shellcheck disable=SC2034 # the caller reads them
	verdict_p=$p verdict_f=$f verdict_s=$s
}
die() { log "error: $*"; exit 1; }

# scull_apt_lock: hold, until this shell exits, the lock that lets one of
# the project's apt-get installs or updates run at a time (make check-debug
# and scripts/setup.sh may both install packages at once; apt itself would
# fail the second).  scripts/debug-kernel.sh, which stands alone, takes the
# same file.
scull_apt_lock() {
	exec 5> "${TMPDIR:-/tmp}/scullmem-apt.lock"
	flock 5
}

# pkgs_missing PKG...: print those of the packages that are not installed.
pkgs_missing() {
	local ok
	ok=$(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null |
		awk '$NF == "installed" { print $1 }')
	printf '%s\n' "$@" | grep -v -x -F "$ok" || true
}

# scull_kver_of_pkg PKG [ROOT]: the kernel version a header meta-package
# depends on, from the installed package (dpkg; ROOT's when ROOT is given)
# or, when it is not installed here, from apt's lists.
scull_kver_of_pkg() {
	local dep admin=()
	[ -z "${2:-}" ] || admin=(--admindir="$SCULL_CACHE/roots/$2/var/lib/dpkg")
	dep=$(dpkg-query "${admin[@]}" -W -f='${Depends}' "$1" 2>/dev/null) || dep=
	if [ -z "$dep" ] && [ -z "${2:-}" ]; then
		dep=$(apt-cache depends "$1" 2>/dev/null |
			awk '$1 == "Depends:" && $2 ~ /^linux-headers-[0-9]/ { print $2; exit }')
	fi
	# The first dependency that names a versioned headers package (sid's
	# meta-packages depend on linux-base-<flavour> first).
	dep=$(echo "$dep" | tr ',' '\n' | awk '$1 ~ /^linux-headers-[0-9]/ { print $1; exit }')
	case $dep in
	linux-headers-[0-9]*) echo "${dep#linux-headers-}" ;;
	*) [ -z "${2:-}" ] || die "cannot tell the kernel behind $1 in the $2 root: run scripts/mkroot.sh $2"
		die "cannot tell the kernel behind $1: run scripts/setup.sh" ;;
	esac
}

# The targets make check builds and boots, one a line: NAME ROOT META.
# NAME is what SCULL_KVERS and vm.sh --kver take besides the full version;
# ROOT the Debian root (scripts/mkroot.sh) the target builds in and its
# guests run in (- : this machine); META the header meta-package whose
# dependency names the kernel.  The default kernels of the bench and DKMS
# are this machine's (SCULL_HEADER_PKGS); the demo's, one per architecture,
# are 6.1, i386 and arm64.  A root of an
# architecture other than this machine's (arm64, i386: scull_root_foreign)
# is made without chroot; make check cross-builds its targets (scull_make_for),
# and its guests build the module themselves, with the root's own gcc.
SCULL_TARGETS_TABLE='6.1 - linux-headers-amd64
6.12 - linux-headers-6.12-amd64
5.10 bullseye-amd64 linux-headers-amd64
sid sid-amd64 linux-headers-amd64
i386 bookworm-i386 linux-headers-686-pae
arm64 bookworm-arm64 linux-headers-arm64
sid-arm64 sid-arm64 linux-headers-arm64'

# scull_target_kver NAME ROOT META: the kernel version of one target.
scull_target_kver() {
	if [ "$2" = - ]; then
		scull_kver_of_pkg "$3"
	else
		scull_kver_of_pkg "$3" "$2"
	fi
}

# scull_target_names: the names of the targets to prepare, one a line:
# every target of SCULL_TARGETS_TABLE, or those $SCULL_KVERS names (a
# target's name, this machine's kernel by short or full version, or the
# full version of a root's kernel, whose root exists then).
scull_target_names() {
	local k name root meta kver found
	if [ -z "${SCULL_KVERS:-}" ]; then
		echo "$SCULL_TARGETS_TABLE" | awk '{ print $1 }'
		return 0
	fi
	for k in $SCULL_KVERS; do
		found=
		while read -r name root meta; do
			if [ "$k" = "$name" ]; then
				found=$name
			elif [ "$root" = - ]; then
				kver=$(scull_kver_of_pkg "$meta" 2> /dev/null) || continue
				[ "$k" != "$kver" ] && [ "$k" != "$(scull_kshort "$kver")" ] || found=$name
			elif [ -f "$SCULL_CACHE/roots/$root/.done" ]; then
				kver=$(scull_kver_of_pkg "$meta" "$root" 2> /dev/null) || continue
				[ "$k" != "$kver" ] || found=$name
			fi
			[ -z "$found" ] || break
		done <<< "$SCULL_TARGETS_TABLE"
		case $k in
		debug | kcsan) found=$k ;;
		esac
		[ -n "$found" ] || die "unknown kernel '$k' (have: $(echo "$SCULL_TARGETS_TABLE" |
			awk '{ printf "%s ", $1 }')or a full version)"
		echo "$found"
	done | awk '!seen[$1]++'
}

# scull_roots_of NAME...: the roots these targets need, one a line, each
# once: the root a target builds and runs in, and the amd64 root whose
# cross compiler builds a foreign root's kernels (scull_cross_root).
scull_roots_of() {
	local n name root meta
	for n in "$@"; do
		while read -r name root meta; do
			if [ "$n" = "$name" ] && [ "$root" != - ]; then
				! scull_root_foreign "$root" || scull_cross_root "$root"
				echo "$root"
			fi
		done <<< "$SCULL_TARGETS_TABLE"
	done | awk 'NF && !seen[$1]++'
}

# scull_root_error LOG: the one-line reason a scripts/mkroot.sh run whose
# output is LOG failed (its last `error:` line), or a generic one.
scull_root_error() {
	local why
	why=$(sed -n 's/^scullmem: error: //p' "$1" 2> /dev/null | tail -n 1)
	echo "${why:-scripts/mkroot.sh failed (log: $1)}"
}

# scull_fallback NAME: the line a root made from fewer indexes than its
# sources name keeps (mkroot.sh's .fallback): the kernel it fell back to,
# and why.  Nothing for a root made from all of them.
scull_fallback() { cat "$SCULL_CACHE/roots/$1/.fallback" 2> /dev/null || true; }

# scull_prepare_target NAME LOGDIR: make NAME's roots (scripts/mkroot.sh,
# cached), each run's output in LOGDIR/mkroot-ROOT.log.  On failure,
# prints the reason (scull_root_error) and returns 1.
scull_prepare_target() {
	local root
	for root in $(scull_roots_of "$1"); do
		[ -f "$SCULL_CACHE/roots/$root/.done" ] ||
			log "$1: making the $root root (scripts/mkroot.sh; log: $2/mkroot-$root.log)"
		"$SCULL_TOP/scripts/mkroot.sh" "$root" > "$2/mkroot-$root.log" 2>&1 ||
			{ scull_root_error "$2/mkroot-$root.log"; return 1; }
	done
}

# --- apt, against a mirror that may be mid-sync -----------------------
#
# A mirror can serve an index that disagrees with its Release file for a
# while ("File has unexpected size ... Mirror sync in progress?").
# scull_apt_update runs `apt-get update` again, after a printed pause,
# while an index fails: SCULL_APT_TRIES times in all (default 3),
# SCULL_APT_PAUSE seconds apart (default 15).  An index that still fails
# is left out, and apt goes on with the others (mkroot.sh: a root falls
# back to what they offer, and says so).

# scull_apt_reason FILE: apt's one-line reason in FILE, an apt-get
# output: its first failed fetch (the reason, the index's suite before
# it), or its first other error.
scull_apt_reason() {
	scull_apt_failures "$1" | head -n 1 | grep . ||
		sed -n '/Some index files failed/d; s/^E: //p' "$1" | head -n 1
}

# scull_apt_failures FILE: one line per index that FILE, an apt-get
# update's output, says failed: "SUITE's index: REASON".
scull_apt_failures() {
	awk '/^[EW]: Failed to fetch / {
		url = $5; reason = $0
		sub(/^[EW]: Failed to fetch [^ ]+ +/, "", reason)
		sub(/ *\[IP: [^]]*\]/, "", reason)
		suite = url
		if (match(url, /\/dists\/[^\/]+\//))
			suite = substr(url, RSTART + 7, RLENGTH - 8)
		line = suite "\047s index: " reason
		if (!seen[line]++)
			print line
	}' "$1"
}

# scull_apt_update LOG CMD...: `CMD update` (CMD: an apt-get with its
# options, of this machine or of a root), its output appended to LOG,
# tried again while an index fails (see above).  Returns 0 when every
# index came; otherwise 1, with scull_apt_failed set to one line per
# index that did not (scull_apt_failures), the lists of the others there.
scull_apt_update() {
	local log=$1 try=1 tries=${SCULL_APT_TRIES:-3} pause=${SCULL_APT_PAUSE:-15} out rc
	shift
	out=$(mktemp)
	while :; do
		"$@" update > "$out" 2>&1
		rc=$?
		cat "$out" >> "$log"
		scull_apt_failed=$(scull_apt_failures "$out")
		if [ -z "$scull_apt_failed" ] && [ "$rc" -ne 0 ]; then
			scull_apt_failed="apt-get update: $(scull_apt_reason "$out" | grep . || echo "exit $rc")"
		fi
		[ -n "$scull_apt_failed" ] || break
		if [ "$try" -ge "$tries" ]; then
			rm -f "$out"
			return 1
		fi
		log "apt-get update, try $try of $tries: $(head -n 1 <<< "$scull_apt_failed");" \
			"trying again in $pause s"
		sleep "$pause"
		try=$((try + 1))
	done
	rm -f "$out"
	[ "$try" -eq 1 ] || log "apt-get update: every index came at try $try"
}

# scull_targets: every target's kernel version, or those of $SCULL_KVERS.
scull_targets() {
	local name root meta k
	if [ -n "${SCULL_KVERS:-}" ]; then
		for k in $SCULL_KVERS; do
			scull_kver_of "$k" || return 1
		done
		return 0
	fi
	while read -r name root meta; do
		scull_target_kver "$name" "$root" "$meta" || return 1
	done <<< "$SCULL_TARGETS_TABLE"
}

# scull_is_debug KVER: KVER is one of make check-debug's kernels, built
# here from linux-source-6.1 by scripts/debug-kernel.sh: "debug" (KASAN)
# or "kcsan".
scull_is_debug() { [ "$1" = debug ] || [ "$1" = kcsan ]; }

# scull_debug_flavour KVER: debug-kernel.sh's flavour of a debug kernel.
scull_debug_flavour() {
	case $1 in
	kcsan) echo kcsan ;;
	*) echo kasan ;;
	esac
}

# scull_root_of KVER: the name of the root KVER builds and runs in; nothing
# for this machine's kernels (and for the debug kernel).
scull_root_of() {
	local name root meta
	while read -r name root meta; do
		if [ "$root" = - ] || [ ! -f "$SCULL_CACHE/roots/$root/.done" ]; then
			continue
		fi
		if [ "$(scull_target_kver "$name" "$root" "$meta")" = "$1" ]; then
			echo "$root"
			return 0
		fi
	done <<< "$SCULL_TARGETS_TABLE"
}

# scull_arch_of KVER: the Debian architecture of a kernel version.
scull_arch_of() {
	case $1 in
	*-686-pae | *-686) echo i386 ;;
	*-arm64) echo arm64 ;;
	*) echo amd64 ;;
	esac
}

# scull_bin_of KVER: where the test programs and scullctl of KVER's
# userland are built (build/tests for this machine's).
scull_bin_of() {
	local root
	root=$(scull_root_of "$1")
	echo "$SCULL_BUILD/tests${root:+-$root}"
}

# scull_root_foreign NAME: the root is of another architecture than this
# machine's (arm64 or i386 on amd64).  Such a root is made with dpkg-deb
# -x, without chroot, and its kernels, tests and scullctl are cross-built
# here (scull_cross_prefix): arm64 programs cannot run on an amd64 machine,
# and i386 ones only where the kernel has IA32 emulation, which some
# machines this runs on lack (debootstrap's second stage then fails with
# "Exec format error").  One path for both, whatever the machine can run.
scull_root_foreign() {
	case $1 in
	*-arm64 | *-i386) [ "$(dpkg --print-architecture)" != "${1##*-}" ] ;;
	*) return 1 ;;
	esac
}

# scull_cross_prefix ARCH: the prefix of the cross tools for a Debian
# architecture (bookworm's gcc-aarch64-linux-gnu, gcc-i686-linux-gnu).
scull_cross_prefix() {
	case $1 in
	arm64) echo aarch64-linux-gnu- ;;
	i386) echo i686-linux-gnu- ;;
	*) die "no cross compiler for $1" ;;
	esac
}

# scull_kbuild_arch ARCH: kbuild's ARCH= for a Debian architecture.
scull_kbuild_arch() {
	case $1 in
	amd64) echo x86_64 ;;
	*) echo "$1" ;;
	esac
}

# scull_root_apt DIR ARCH APT-GET-ARGS...: this machine's apt-get on the
# sources, lists and package status of a foreign root (in DIR), for ARCH.
scull_root_apt() {
	local dir=$1 arch=$2
	shift 2
	apt-get -o "Dir::Etc::sourcelist=$dir/etc/apt/sources.list" -o Dir::Etc::sourceparts=/nonexistent \
		-o "Dir::State::Lists=$dir/var/lib/apt/lists" -o "Dir::State::status=$dir/var/lib/dpkg/status" \
		-o "Dir::Cache=$dir/var/cache/apt" -o "APT::Architecture=$arch" -o "APT::Architectures::=$arch" \
		-o Acquire::Retries=3 -o APT::Sandbox::User=root -o Debug::NoLocking=1 \
		-o Acquire::Check-Valid-Until=false "$@"
}

# scull_cross_root NAME: the amd64 root whose cross compiler builds the
# kernels of foreign root NAME: that of its release (sid-arm64: sid-amd64),
# or nothing for this machine's release, whose cross compiler is here.
scull_cross_root() {
	[ "${1%-*}" = bookworm ] || echo "${1%-*}-amd64"
}

# scull_make_for KVER MAKE-ARGS...: make against KVER's headers, where KVER
# builds: here, in its root, or, for a foreign root's kernel, with the cross
# compiler against the headers that root keeps (mkroot.sh's
# foreign_headers): here (bookworm's gcc-aarch64-linux-gnu), or in its
# scull_cross_root.
scull_make_for() {
	local kver=$1 root tree cross arch pre
	shift
	root=$(scull_root_of "$kver")
	if [ -z "$root" ]; then
		make -C "/usr/src/linux-headers-$kver" "$@"
		return
	fi
	tree=$SCULL_CACHE/roots/$root/usr/src/linux-headers-$kver
	arch=$(scull_arch_of "$kver")
	if ! scull_root_foreign "$root"; then
		scull_in_root "$root" make -C "/usr/src/linux-headers-$kver" "$@"
		return
	fi
	[ -f "$tree/Makefile.cross" ] ||
		{ log "the $root root has no $tree/Makefile.cross: run scripts/mkroot.sh $root"; return 1; }
	pre=$(scull_cross_prefix "$arch")
	set -- -C "$tree" -f "$tree/Makefile.cross" ARCH="$(scull_kbuild_arch "$arch")" \
		CROSS_COMPILE="$pre" "$@"
	if cross=$(scull_cross_root "$root") && [ -n "$cross" ]; then
		scull_in_root "$cross" make "$@"
	else
		make "$@"
	fi
}

# scull_in_root NAME CMD...: run CMD chrooted in the NAME root, in a mount
# namespace of its own where /proc, /dev and this tree's top, build and
# cache directories are mounted at their own paths.
scull_in_root() {
	local dir=$SCULL_CACHE/roots/$1
	shift
	[ -f "$dir/.done" ] || die "no ${dir##*/} root: run scripts/mkroot.sh ${dir##*/}"
	# shellcheck disable=SC2016 # expanded by the inner sh
	unshare -m --propagation private sh -c '
		r=$1; shift
		mount -t proc proc "$r/proc" && mount --bind /dev "$r/dev" || exit 125
		for p in "$SCULL_TOP" "$SCULL_BUILD" "$SCULL_CACHE"; do
			mkdir -p "$r$p" && mount --bind "$p" "$r$p" || exit 125
		done
		exec chroot "$r" env PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C "$@"' \
		sh "$dir" "$@"
}

# Print the kernel versions behind the header meta-packages, one a line,
# e.g. 6.1.0-56-amd64 and 6.12.117+deb12-amd64, or those of $SCULL_KVERS.
scull_kvers() {
	local pkg k
	if [ -n "${SCULL_KVERS:-}" ]; then
		for k in $SCULL_KVERS; do
			scull_kver_of "$k" || return 1
		done
		return 0
	fi
	for pkg in $SCULL_HEADER_PKGS; do
		scull_kver_of_pkg "$pkg" || return 1
	done
}

# The short name of a kernel version, as used in file names: 6.1 or 6.12.
scull_kshort() {
	local v=${1%%-*}
	v=${v%%+*}
	echo "$v" | awk -F. '{ print $1 "." $2 }'
}

# Pick a kernel version from a target's name (6.1, 5.10, i386: see
# SCULL_TARGETS_TABLE), a short name of this machine's kernels or a full
# version (the debug kernels, "debug" and "kcsan", are their own names).
scull_kver_of() {
	local k pkg name root meta
	case $1 in
	debug | kcsan) echo "$1"; return 0 ;;
	esac
	while read -r name root meta; do
		[ "$1" = "$name" ] || continue
		scull_target_kver "$name" "$root" "$meta"
		return
	done <<< "$SCULL_TARGETS_TABLE"
	for pkg in $SCULL_HEADER_PKGS; do
		k=$(scull_kver_of_pkg "$pkg") || return 1
		if [ "$1" = "$k" ] || [ "$1" = "$(scull_kshort "$k")" ]; then
			echo "$k"
			return 0
		fi
	done
	# The full version of a root's kernel.
	if [ -n "$(scull_root_of "$1")" ]; then
		echo "$1"
		return 0
	fi
	die "unknown kernel '$1' (have: $(echo "$SCULL_TARGETS_TABLE" | awk '{ printf "%s ", $1 }')or a full version)"
}
