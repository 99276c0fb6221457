#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build scull.ko for each kernel (default: both) into build/<kver>/, from a
# copy of the sources so that the kernels' objects never mix, and the test
# programs into build/tests/.  Extra make arguments come from $SCULL_MAKEFLAGS
# (e.g. "C=2 W=1").
set -euo pipefail
. "$(dirname "$0")/lib.sh"

build_one() {
	local kver=$1 dir=$SCULL_BUILD/$1
	mkdir -p "$dir"
	cp "$SCULL_TOP"/Kbuild "$SCULL_TOP"/Makefile "$SCULL_TOP"/dkms.conf \
		"$SCULL_TOP"/*.c "$SCULL_TOP"/*.h "$dir/"
	# shellcheck disable=SC2086 # a list of make arguments
	if ! make -s -C "/usr/src/linux-headers-$kver" M="$dir" ${SCULL_MAKEFLAGS:-} \
			modules > "$dir/build.log" 2>&1; then
		cat "$dir/build.log" >&2
		die "building scull.ko for $kver failed"
	fi
	grep -v '^Skipping BTF generation' "$dir/build.log" || true
}

# shellcheck disable=SC2046 # kernel versions have no spaces
[ $# -gt 0 ] || set -- $(scull_kvers)
for kver in "$@"; do
	build_one "$kver"
done
make -s -C "$SCULL_TOP" scullctl
if [ -f "$SCULL_TOP/tests/Makefile" ]; then
	make -s -C "$SCULL_TOP/tests" O="$SCULL_BUILD/tests"
fi
