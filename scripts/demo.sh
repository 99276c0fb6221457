#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: build, then boot each kernel in QEMU (one VM per kernel) and
# run scripts/demo-guest.sh in it: load scull.ko with load.sh, copy 4 MiB
# of random data into each node with cp and dd, read it back with cat and
# dd, show the three allocators side by side in /proc/scullmem, unload.
#
#   scripts/demo.sh [--kver 6.1|6.12|<kver>]... [6.1|6.12|<kver>]...
#                   (default: both kernels)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kvers=()
while [ $# -gt 0 ]; do
	case $1 in
	--kver) [ $# -ge 2 ] || die "--kver needs a kernel"; kvers+=("$2"); shift 2 ;;
	-h | --help) sed -n '9,10p' "$0" | sed 's/^# //'; exit 0 ;;
	*) kvers+=("$1"); shift ;;
	esac
done
# shellcheck disable=SC2207 # kernel versions have no spaces
[ ${#kvers[@]} -gt 0 ] || kvers=($(scull_kvers))

"$SCULL_TOP/scripts/setup.sh" -q
"$SCULL_TOP/scripts/fetch-kernels.sh"
log "building scull.ko"
"$SCULL_TOP/scripts/build.sh" > /dev/null 2>&1 || "$SCULL_TOP/scripts/build.sh"
status=0
for k in "${kvers[@]}"; do
	kver=$(scull_kver_of "$k")
	echo
	echo "=== scullmem on Debian's $kver kernel (QEMU, TCG) ==="
	(cd "$SCULL_TOP" && "$SCULL_TOP/scripts/vm.sh" --kver "$kver" --timeout 900 \
		--env "SCULL_KO=$SCULL_BUILD/$kver/scull.ko" -- bash scripts/demo-guest.sh) ||
		status=1
done
exit "$status"
