#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build scull.ko for each kernel (default: both) into build/<kver>/, from a
# copy of the sources (Kbuild, Makefile, dkms.conf, *.c, *.h of the repo's
# top) so that the kernels' objects never mix, then scripts/scullctl and the
# test programs (tests/Makefile) into build/tests/.
#
#   scripts/build.sh [6.1|6.12|<kver>]...
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

build_one() {
	local kver=$1 dir=$SCULL_BUILD/$1 kdir=/usr/src/linux-headers-$1
	[ -d "$kdir" ] || die "$kdir is missing: run scripts/setup.sh"
	scull_sync_sources "$dir"
	# shellcheck disable=SC2086 # a list of make arguments
	if ! make -s -j"$jobs" -C "$kdir" M="$dir" ${SCULL_MAKEFLAGS:-} \
			modules > "$dir/build.log" 2>&1; then
		cat "$dir/build.log" >&2
		die "building scull.ko for $kver failed (log: $dir/build.log)"
	fi
	[ -f "$dir/scull.ko" ] || die "no scull.ko in $dir after the build"
	grep -v '^Skipping BTF generation' "$dir/build.log" || true
	log "built $dir/scull.ko"
}

# shellcheck disable=SC2046 # kernel versions have no spaces
[ $# -gt 0 ] || set -- $(scull_kvers)
for k in "$@"; do
	build_one "$(scull_kver_of "$k")"
done
make -s -C "$SCULL_TOP" scullctl
if [ -f "$SCULL_TOP/tests/Makefile" ]; then
	make -s -j"$jobs" -C "$SCULL_TOP/tests" O="$SCULL_BUILD/tests"
	log "built the tests into $SCULL_BUILD/tests"
fi
