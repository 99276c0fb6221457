# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Shared helpers of the scullmem bench scripts; source it, don't run it.
#
# Environment (all optional):
#   SCULL_CACHE  downloads, extracted kernels, checkpatch (~/.cache/scullmem)
#   SCULL_BUILD  per-kernel builds, test binaries, logs (<repo>/build)
#   SCULL_KVERS  the kernels to use, short or full names ("6.12"); default:
#                those behind linux-headers-amd64 and linux-headers-6.12-amd64

SCULL_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCULL_CACHE=${SCULL_CACHE:-$HOME/.cache/scullmem}
SCULL_BUILD=${SCULL_BUILD:-$SCULL_TOP/build}
export SCULL_TOP SCULL_CACHE SCULL_BUILD DEBIAN_FRONTEND=noninteractive

# The meta-packages whose dependency names the kernel we build and test for.
SCULL_HEADER_PKGS="linux-headers-amd64 linux-headers-6.12-amd64"

# Kernel reports that fail a run when they show up in a guest's dmesg.
# shellcheck disable=SC2034 # used by the scripts that source this file
SCULL_DMESG_BAD='WARNING:|BUG:|BUG |Oops|Call Trace|kernel BUG|Poison overwritten|Redzone|redzone|KFENCE:|KASAN:|kmemleak:.*(new suspected|unreferenced)|possible recursive locking|possible circular locking|inconsistent lock state|sleeping function called from invalid context|invoked oom-killer|Out of memory|page allocation failure|general protection fault|Object padding overwritten|UBSAN:|list_add corruption|list_del corruption'

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
die() { log "error: $*"; exit 1; }

# pkgs_missing PKG...: print those of the packages that are not installed.
pkgs_missing() {
	local ok
	ok=$(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null |
		awk '$NF == "installed" { print $1 }')
	printf '%s\n' "$@" | grep -v -x -F "$ok" || true
}

# The kernel version a header meta-package depends on, from the installed
# package (dpkg) or, when it is not installed, from apt's lists.
scull_kver_of_pkg() {
	local dep
	dep=$(dpkg-query -W -f='${Depends}' "$1" 2>/dev/null) || dep=
	if [ -z "$dep" ]; then
		dep=$(apt-cache depends "$1" 2>/dev/null |
			awk '$1 == "Depends:" && $2 ~ /^linux-headers-[0-9]/ { print $2; exit }')
	fi
	dep=${dep%%,*}
	dep=${dep%% *}
	case $dep in
	linux-headers-[0-9]*) echo "${dep#linux-headers-}" ;;
	*) die "cannot tell the kernel behind $1: run scripts/setup.sh" ;;
	esac
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

# Pick a kernel version from a short or full name (the debug kernel, "debug",
# is its own name).
scull_kver_of() {
	local k pkg
	case $1 in
	debug) echo debug; return 0 ;;
	esac
	for pkg in $SCULL_HEADER_PKGS; do
		k=$(scull_kver_of_pkg "$pkg") || return 1
		if [ "$1" = "$k" ] || [ "$1" = "$(scull_kshort "$k")" ]; then
			echo "$k"
			return 0
		fi
	done
	die "unknown kernel '$1' (have: $(SCULL_KVERS='' scull_kvers | tr '\n' ' '))"
}
