#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: build, then boot each kernel in QEMU (one VM per kernel) and
# run scripts/demo-guest.sh in it: load scull.ko with load.sh, copy 4 MiB
# of random data into each node with cp and dd, read it back with cat and
# dd, show the three allocators side by side in /proc/scullmem, unload.
#
#   scripts/demo.sh [--kver 6.1|i386|<target>|<kver>]... [<target>|<kver>]...
#                   (default: this machine's two kernels, i386 and arm64)
#
# One kernel per architecture at least, so that their layouts can be
# compared; the i386 guest has 2 GiB, so that it has high memory.
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
[ ${#kvers[@]} -gt 0 ] || kvers=($(scull_kvers) i386 arm64)

"$SCULL_TOP/scripts/setup.sh" -q
scull_ensure_roots "${kvers[@]}" || die "making the roots failed (scripts/mkroot.sh)"
"$SCULL_TOP/scripts/fetch-kernels.sh" "${kvers[@]}"
log "building scull.ko"
"$SCULL_TOP/scripts/build.sh" "${kvers[@]}" > /dev/null 2>&1 || "$SCULL_TOP/scripts/build.sh" "${kvers[@]}"
status=0
for k in "${kvers[@]}"; do
	kver=$(scull_kver_of "$k")
	mem=1G
	[ "$(scull_arch_of "$kver")" != i386 ] || mem=2G
	echo
	echo "=== scullmem on Debian's $kver kernel (QEMU, TCG, $mem) ==="
	(cd "$SCULL_TOP" && "$SCULL_TOP/scripts/vm.sh" --kver "$kver" --mem "$mem" --timeout 900 \
		--env "SCULL_KO=$SCULL_BUILD/$kver/scull.ko" -- bash scripts/demo-guest.sh) ||
		status=1
done
exit "$status"
