#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Static checks, each reported as one KTAP line:
#   - sparse and W=1 (make C=2 W=1) against each kernel: no warning at all;
#   - checkpatch --strict on the module's sources (exceptions: .checkpatch.conf);
#   - load.sh and unload.sh parse under dash and busybox sh, and shellcheck
#     finds nothing in them or the bench scripts.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

n=0 fail=0
result() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		fail=$((fail + 1))
	fi
}

echo "KTAP version 1"
kvers=$(scull_kvers)
echo "1..$(( $(echo "$kvers" | wc -l) + 3 ))"

for kver in $kvers; do
	dir=$SCULL_BUILD/sparse-$kver
	rm -rf "$dir"
	mkdir -p "$dir"
	cp "$SCULL_TOP"/Kbuild "$SCULL_TOP"/Makefile "$SCULL_TOP"/dkms.conf \
		"$SCULL_TOP"/*.c "$SCULL_TOP"/*.h "$dir/"
	make -C "/usr/src/linux-headers-$kver" M="$dir" C=2 W=1 modules > "$dir/log" 2>&1
	rc=$?
	if grep -E -i 'warning|error' "$dir/log" | grep -v 'Skipping BTF'; then
		rc=1
	fi
	result $rc "sparse C=2 W=1 on $kver"
done

cp=$SCULL_CACHE/linux-source-6.1/scripts/checkpatch.pl
(cd "$SCULL_TOP" && perl "$cp" --no-tree --strict --quiet --no-summary \
	-f ./*.c ./*.h scripts/*.c)
result $? "checkpatch --strict"

rc=0
for f in "$SCULL_TOP/load.sh" "$SCULL_TOP/unload.sh"; do
	dash -n "$f" || rc=1
	busybox sh -n "$f" || rc=1
done
result $rc "load.sh and unload.sh parse under dash and busybox sh"

(cd "$SCULL_TOP" && shellcheck -s sh load.sh unload.sh &&
	shellcheck -x -P SCRIPTDIR -s bash scripts/*.sh tests/*.sh .ci/run)
result $? "shellcheck"

echo "# static: $((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
