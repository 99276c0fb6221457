#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build scull.ko for each kernel (default: make check's targets) into
# build/<kver>/, from a copy of the sources (Kbuild, Makefile, dkms.conf,
# *.c, *.h of the repo's top) so that the kernels' objects never mix, then
# scripts/scullctl and the test programs (tests/Makefile) into build/tests/.
# A target of another root (Debian 11's gcc-10, i386's userland: lib.sh's
# SCULL_TARGETS_TABLE) builds in that root, with its compiler and headers,
# or, for arm64's and i386's, here with the cross compiler; its test programs and
# scullctl go to build/tests-<root>/.
#
#   scripts/build.sh [6.1|i386|<target>|<kver>]...
#
# Only changed sources are copied, so a rebuild is incremental.  Extra make
# arguments for the module build come from $SCULL_MAKEFLAGS (e.g. "C=2 W=1").
set -euo pipefail
. "$(dirname "$0")/lib.sh"

jobs=$(nproc 2>/dev/null || echo 2)

# One build at a time in $SCULL_BUILD: make check, make check-debug and
# make demo may run side by side (.ci/run does), and share build/tests.
mkdir -p "$SCULL_BUILD"
exec 8> "$SCULL_BUILD/.build.lock"
flock 8

# Run a command here or, for a kernel of another root, in that root; for
# a foreign root (arm64, i386), here with its cross compiler.
run_for() {
	local root=$1
	shift
	if [ -z "$root" ]; then
		"$@"
	elif scull_root_foreign "$root"; then
		"$@" CC="$(scull_cross_prefix "${root##*-}")gcc"
	else
		scull_in_root "$root" "$@"
	fi
}

roots=()
build_one() {
	local kver=$1 dir=$SCULL_BUILD/$1 kdir=/usr/src/linux-headers-$1 root
	root=$(scull_root_of "$kver")
	if [ -n "$root" ]; then
		# A foreign root's kernels build against headers kept elsewhere
		# (lib.sh's scull_make_for).
		scull_root_foreign "$root" || [ -d "$SCULL_CACHE/roots/$root$kdir" ] ||
			die "$kdir is missing in the $root root: remake it (scripts/mkroot.sh $root)"
		printf '%s\n' "${roots[@]}" | grep -q -x -F "$root" || roots+=("$root")
	else
		[ -d "$kdir" ] || die "$kdir is missing: run scripts/setup.sh"
	fi
	scull_sync_sources "$dir"
	# shellcheck disable=SC2086 # a list of make arguments
	if ! scull_make_for "$kver" -s -j"$jobs" M="$dir" ${SCULL_MAKEFLAGS:-} \
			modules > "$dir/build.log" 2>&1; then
		cat "$dir/build.log" >&2
		die "building scull.ko for $kver failed (log: $dir/build.log)"
	fi
	[ -f "$dir/scull.ko" ] || die "no scull.ko in $dir after the build"
	grep -v '^Skipping BTF generation' "$dir/build.log" || true
	if [ -n "$root" ] && scull_root_foreign "$root"; then
		log "cross-built $dir/scull.ko (for the $root userland)"
	else
		log "built $dir/scull.ko${root:+ in the $root root}"
	fi
}

# build_tests ROOT: scullctl and the test programs for a userland.
build_tests() {
	local root=$1 out=$SCULL_BUILD/tests${1:+-$1}
	mkdir -p "$out"
	run_for "$root" make -s -C "$SCULL_TOP" scullctl SCULLCTL="$out/scullctl"
	if [ -f "$SCULL_TOP/tests/Makefile" ]; then
		run_for "$root" make -s -j"$jobs" -C "$SCULL_TOP/tests" O="$out"
		log "built the tests${root:+ of the $root root} into $out"
	fi
}

# shellcheck disable=SC2046 # kernel versions have no spaces
[ $# -gt 0 ] || set -- $(scull_targets)
for k in "$@"; do
	build_one "$(scull_kver_of "$k")"
done
make -s -C "$SCULL_TOP" scullctl
build_tests ''
for root in "${roots[@]}"; do
	build_tests "$root"
done
