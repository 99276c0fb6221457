#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build, once, a small debug kernel from Debian's linux-source-6.1:
# tinyconfig + kvm_guest.config + scripts/debug-kernel.config (KASAN,
# kmemleak, lockdep, fault injection, KUnit).  The tree is kept, for
# building scull.ko against it, in $SCULL_CACHE/debug-kernel/<key>/, where
# the key hashes the config fragment and the source package's version.
#
#   debug-kernel.sh               build if needed, print the tree's path
#   debug-kernel.sh --print-path  print the tree's path only
set -euo pipefail
. "$(dirname "$0")/lib.sh"

frag=$SCULL_TOP/scripts/debug-kernel.config
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || echo none)
key=$( (echo "$srcver"; cat "$frag") | sha1sum | cut -c1-12)
tree=$SCULL_CACHE/debug-kernel/$key/linux-source-6.1

if [ "${1:-}" = --print-path ]; then
	echo "$tree"
	exit 0
fi
if [ -f "$tree/.scull-built" ]; then
	echo "$tree"
	exit 0
fi

missing=
for p in linux-source-6.1 flex bison libelf-dev libssl-dev bc gcc make; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	log "installing:$missing"
	apt-get update -qq
	# shellcheck disable=SC2086 # a list of package names
	apt-get install -y -qq --no-install-recommends $missing > /dev/null
fi

start=$(date +%s)
log "building the debug kernel in $tree (15-25 min on 2 cores)"
rm -rf "$SCULL_CACHE/debug-kernel/$key"
mkdir -p "$SCULL_CACHE/debug-kernel/$key"
tar -C "$SCULL_CACHE/debug-kernel/$key" -xf /usr/src/linux-source-6.1.tar.xz
cd "$tree"
make -s ARCH=x86_64 tinyconfig > /dev/null
scripts/kconfig/merge_config.sh -m .config kernel/configs/kvm_guest.config "$frag" > /dev/null
make -s ARCH=x86_64 olddefconfig > /dev/null

# Every option asked for must have survived olddefconfig.
bad=
while read -r line; do
	case $line in
	CONFIG_*=*) grep -qx "$line" .config || bad="$bad $line" ;;
	"# CONFIG_"*" is not set") grep -qx "$line" .config || bad="$bad ${line#\# }" ;;
	esac
done < "$frag"
[ -z "$bad" ] || die "the debug config lost:$bad"

nice -n 10 make -s -j"$(nproc)" ARCH=x86_64 bzImage modules_prepare > build.log 2>&1 ||
	{ tail -n 40 build.log; die "the debug kernel did not build"; }
touch .scull-built
log "debug kernel built in $(( $(date +%s) - start )) s"
echo "$tree"
