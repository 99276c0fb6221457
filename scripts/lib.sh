# SPDX-License-Identifier: GPL-2.0
# Shared helpers of the scullmem bench scripts; source it, don't run it.

SCULL_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCULL_CACHE=${SCULL_CACHE:-$HOME/.cache/scullmem}
SCULL_BUILD=${SCULL_BUILD:-$SCULL_TOP/build}
export SCULL_TOP SCULL_CACHE SCULL_BUILD DEBIAN_FRONTEND=noninteractive

# The meta-packages whose dependency names the kernel we build and test for.
SCULL_HEADER_PKGS="linux-headers-amd64 linux-headers-6.12-amd64"

log() { printf '%s\n' "scullmem: $*" >&2; }
die() { log "error: $*"; exit 1; }

# Print the kernel versions behind the installed header meta-packages,
# e.g. 6.1.0-56-amd64 and 6.12.117+deb12-amd64.
scull_kvers() {
	local pkg dep
	for pkg in $SCULL_HEADER_PKGS; do
		dep=$(dpkg-query -W -f='${Depends}' "$pkg" 2>/dev/null) ||
			die "$pkg is not installed: run scripts/setup.sh"
		dep=${dep%%,*}
		dep=${dep%% *}
		echo "${dep#linux-headers-}"
	done
}

# The short name of a kernel version, as used in file names: 6.1 or 6.12.
scull_kshort() {
	local v=${1%%-*}
	v=${v%%+*}
	echo "${v%.*}" | awk -F. '{ print $1 "." $2 }'
}

# Pick a kernel version from a short or full name.
scull_kver_of() {
	local k
	for k in $(scull_kvers); do
		if [ "$1" = "$k" ] || [ "$1" = "$(scull_kshort "$k")" ]; then
			echo "$k"
			return 0
		fi
	done
	die "unknown kernel '$1' (have: $(scull_kvers | tr '\n' ' '))"
}
