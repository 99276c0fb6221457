#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: build, boot each kernel (default: 6.1 and 6.12) in QEMU, load
# scull.ko with load.sh, copy a few MiB into each node with cp, cat and dd,
# read them back, and show the three allocators side by side in
# /proc/scullmem.   Usage: demo.sh [6.1|6.12|<kver>]...
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$SCULL_TOP/scripts/setup.sh"
"$SCULL_TOP/scripts/fetch-kernels.sh"
"$SCULL_TOP/scripts/build.sh" > /dev/null
# shellcheck disable=SC2046 # kernel versions have no spaces
[ $# -gt 0 ] || set -- $(scull_kvers)
for k in "$@"; do
	kver=$(scull_kver_of "$k")
	echo "=== scullmem on Debian's $kver kernel (QEMU) ==="
	"$SCULL_TOP/scripts/vm.sh" --kver "$kver" \
		--env "SCULL_KO=$SCULL_BUILD/$kver/scull.ko" -- bash scripts/demo-guest.sh
done
