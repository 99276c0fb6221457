#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# What a user does with a clone, in one boot, run as root in the guest:
# tests/readme.sh (the blocks of README.md and docs/ as written: make && ./load.sh, ...,
# DKMS), then tests/install.sh (make install, modprobe, udev) in the same
# clone, whose native build it reuses: a build in a TCG guest takes
# minutes, and make check runs this on every kernel.
#
#   tests/userland.sh <kver>
#
# Each script's results are a KTAP subtest, indented; their totals add
# up.  Ends with `# scull-totals: pass P fail F skip S`.
set -u

kver=${1:-$(uname -r)}
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"

# part SCRIPT [ENV...]: run one script, indented, and add its totals.
part() {
	local script=$1 t0=$SECONDS
	shift
	subrun "$script" env "$@" bash "$TOP/tests/$script" "$kver"
	echo "# $script took $((SECONDS - t0)) s"
}

echo "KTAP version 1"
part readme.sh
# readme.sh left its clone, built by the README's native path, here.
part install.sh SCULL_SRC=/tmp/scullmem
totals
[ "$fail" -eq 0 ]
