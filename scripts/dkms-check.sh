#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The DKMS path, on the host (nothing is loaded): dkms add, then dkms build
# against each Debian kernel's headers, then dkms remove.  One KTAP line
# per step.  Installs dkms with apt when it is missing.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

dpkg-query -W -f='${Status}' dkms 2>/dev/null | grep -q "ok installed" || {
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends dkms > /dev/null
}

ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$SCULL_TOP/dkms.conf")
src=/usr/src/scullmem-$ver
n=0 fail=0
result() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fail=$((fail + 1)); fi
}

# This machine's kernels, whatever SCULL_KVERS says: DKMS here builds
# against this machine's headers (each target's guest runs the README's
# DKMS block in tests/readme.sh).
kvers=$(SCULL_KVERS='' scull_kvers)
echo "KTAP version 1"
echo "1..$(( $(echo "$kvers" | wc -l) + 2 ))"

# A clean copy of the sources, as a release tarball would hold them.
dkms remove "scullmem/$ver" --all > /dev/null 2>&1
rm -rf "$src"
mkdir -p "$src"
cp "$SCULL_TOP"/Kbuild "$SCULL_TOP"/Makefile "$SCULL_TOP"/dkms.conf \
	"$SCULL_TOP"/*.c "$SCULL_TOP"/*.h "$src/"
dkms add "scullmem/$ver" > "$SCULL_BUILD/logs/dkms.log" 2>&1
result $? "dkms add scullmem/$ver"
for kver in $kvers; do
	dkms build "scullmem/$ver" -k "$kver" >> "$SCULL_BUILD/logs/dkms.log" 2>&1 &&
		modinfo -F version "/var/lib/dkms/scullmem/$ver/$kver/x86_64/module/scull.ko"* |
		grep -qx "$ver"
	result $? "dkms build scullmem/$ver -k $kver (MODULE_VERSION $ver)"
done
dkms remove "scullmem/$ver" --all >> "$SCULL_BUILD/logs/dkms.log" 2>&1
result $? "dkms remove"
rm -rf "$src"
[ "$fail" -eq 0 ] || tail -n 30 "$SCULL_BUILD/logs/dkms.log"
exit "$fail"
