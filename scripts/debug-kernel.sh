#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build, once, a debug kernel of `make check-debug`: Debian's
# linux-source-6.1, tinyconfig + kernel/configs/kvm_guest.config +
# fragments, all that the guest needs built in.  Two flavours, as KASAN
# and KCSAN exclude each other:
#
#   kasan  scripts/debug-kernel.config (KASAN, kmemleak, lockdep, fault
#          injection, KUnit)
#   kcsan  the same + scripts/debug-kcsan.config, whose lines win (KCSAN,
#          lockdep, atomic-sleep checks; no KASAN, kmemleak or fault
#          injection)
#
# The tree is kept, configured and with Module.symvers, for building
# modules with `make -C TREE M=DIR`:
#
#   $SCULL_CACHE/debug-kernel/FLAVOUR/KEY/linux-source-6.1/
#   $SCULL_CACHE/debug-kernel/FLAVOUR/KEY/build.log
#
# KEY hashes the fragments and the linux-source-6.1 package version:
# change either and the next run builds a new tree (and deletes the old
# ones of that flavour).  An interrupted build resumes where it stopped.
#
#   debug-kernel.sh [FLAVOUR]                 build if needed, print the bzImage's path
#   debug-kernel.sh [FLAVOUR] --print-path    print the tree's path, build nothing
#   debug-kernel.sh [FLAVOUR] --print-bzimage print the bzImage's path, build nothing
#
# FLAVOUR is kasan (the default) or kcsan.
#
# Env: SCULL_CACHE (default ~/.cache/scullmem), SCULL_JOBS (default nproc),
# SCULL_NICE (default 10: the build yields to the guests of make check;
# .ci/run sets 0, as the debug kernel is on its critical path).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
flavour=kasan
case ${1:-} in
kasan | kcsan) flavour=$1; shift ;;
esac
base=${SCULL_CACHE:-$HOME/.cache/scullmem}/debug-kernel
cache=$base/$flavour
frags=("$top/scripts/debug-kernel.config")
[ "$flavour" = kasan ] || frags+=("$top/scripts/debug-$flavour.config")
# The KCSAN kernel instruments none of its own code, only the modules
# built against it: scull.ko.  scull's races are between scull's own
# accesses, which KCSAN sees there (and a racy read of scull's whose value
# changes under it, whoever wrote it: "race of unknown origin"); the whole
# kernel instrumented costs several times the guest's CPU time, and its
# reports are the core kernel's own races.  KCSAN's runtime is built in
# either way, as is the rest of the fragment.
make_vars=()
[ "$flavour" != kcsan ] || make_vars=(KCSAN_SANITIZE=n)
src=/usr/src/linux-source-6.1.tar.xz
export DEBIAN_FRONTEND=noninteractive

log() { printf 'debug-kernel: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# Bump when the recipe below changes in a way that changes the tree.
recipe=3
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || true)

key_of() {
	{
		printf 'recipe %s\nlinux-source-6.1 %s\n' "$recipe" "$1"
		[ "$flavour" = kasan ] || echo "flavour $flavour: make ${make_vars[*]}"
		cat "${frags[@]}"
	} | sha256sum | cut -c1-12
}

case ${1:-} in
--print-path | --print-bzimage)
	[ -n "$srcver" ] || die "linux-source-6.1 is not installed: run $0 once"
	d=$cache/$(key_of "$srcver")/linux-source-6.1
	[ "$1" = --print-path ] && echo "$d" || echo "$d/arch/x86/boot/bzImage"
	exit 0 ;;
'') ;;
*) die "usage: $0 [kasan | kcsan] [--print-path | --print-bzimage]" ;;
esac

# The build tools and the source.  dwarves (pahole) is not needed: no
# DEBUG_INFO, so no BTF.
pkgs='linux-source-6.1 build-essential flex bison bc libelf-dev libssl-dev xz-utils'
missing=
for p in $pkgs; do
	installed "$p" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	# One apt at a time: lib.sh's scull_apt_lock takes the same file.
	exec 5> "${TMPDIR:-/tmp}/scullmem-apt.lock"
	flock 5
	log "installing:$missing"
	sudo=
	[ "$(id -u)" = 0 ] || sudo=sudo
	# A mirror mid-sync may fail an index: the packages may be in the
	# others (the install says if not).
	$sudo apt-get update -qq -o Acquire::Retries=3 ||
		log "apt-get update failed; installing from the lists there are"
	# shellcheck disable=SC2086 # a list of package names
	$sudo apt-get install -y -o Acquire::Retries=3 --no-install-recommends $missing >&2
	exec 5>&-
	srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
fi
[ -f "$src" ] || die "$src is missing (linux-source-6.1 $srcver)"

key=$(key_of "$srcver")
dir=$cache/$key
tree=$dir/linux-source-6.1
bz=$tree/arch/x86/boot/bzImage

mkdir -p "$cache"
exec 9> "$cache/.lock"
if ! flock -n 9; then
	log "another build holds $cache/.lock; waiting"
	flock 9
fi

if [ -f "$dir/.built" ] && [ -f "$bz" ]; then
	echo "$bz"
	exit 0
fi

start=$(date +%s)

# 1. Unpack (start again from scratch if an unpack was interrupted).
if [ ! -f "$dir/.unpacked" ]; then
	log "unpacking linux-source-6.1 $srcver into $dir"
	rm -rf "$dir"
	mkdir -p "$dir"
	tar -C "$dir" -xf "$src"
	[ -d "$tree" ] || die "$src did not unpack to linux-source-6.1/"
	touch "$dir/.unpacked"
fi
cd "$tree"

# 2. Configure, and check that every line of the fragment made it.
lost_report() {
	# $1: a symbol without CONFIG_.  Print where it is defined and what it
	# depends on / is selected by, to see why olddefconfig dropped it.
	grep -rn --include='Kconfig*' -E "^(menu)?config $1\$" . |
		while IFS=: read -r f n _; do
			awk -v n="$n" 'NR > n && /^(menu)?config |^(end)?(menu|if|choice)/ { exit }
				NR > n && /^[ \t]+(depends on|select|default|range)/ { sub(/^[ \t]+/, ""); print "        " $0 }' "$f"
			echo "        (${f#./}:$n)"
		done
}
if [ ! -f "$dir/.configured" ]; then
	log "configuring: tinyconfig + kvm_guest.config + ${frags[*]#"$top"/}"
	# What the fragments ask, the last line of each symbol winning.
	cat "${frags[@]}" | awk '
		/^CONFIG_[A-Za-z0-9_]+=/ { sym = $0; sub(/=.*/, "", sym) }
		/^# CONFIG_[A-Za-z0-9_]+ is not set$/ { sym = $2 }
		sym != "" { if (!(sym in line)) order[n++] = sym; line[sym] = $0; sym = "" }
		END { for (i = 0; i < n; i++) print line[order[i]] }' > "$dir/fragment.config"
	{
		make ARCH=x86_64 tinyconfig
		scripts/kconfig/merge_config.sh -m .config kernel/configs/kvm_guest.config "${frags[@]}"
		make ARCH=x86_64 olddefconfig
	} > "$dir/config.log" 2>&1 || { tail -n 30 "$dir/config.log" >&2; die "configuring failed"; }
	lost=0
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			grep -qxF -- "$line" .config && continue
			got=$(grep -E "^(# )?${line%%=*}[= ]" .config || echo "absent (dependencies unmet)") ;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }
			sym=${sym%% *}
			got=$(grep -E "^$sym=" .config) || continue ;;
		*) continue ;;
		esac
		[ "$lost" -gt 0 ] || log "error: olddefconfig did not keep these fragment lines:"
		lost=$((lost + 1))
		log "    wanted: $line   got: $got"
		sym=${line#\# }
		sym=${sym#CONFIG_}
		sym=${sym%%[= ]*}
		lost_report "$sym" >&2
	done < "$dir/fragment.config"
	[ "$lost" = 0 ] || die "$lost option(s) of ${frags[*]#"$top"/} lost; fix their dependencies (above) in the fragments"
	touch "$dir/.configured"
fi

# 3. Build: the kernel, and `modules` for Module.symvers (everything is
# built in, so there are no modules, but with Module.symvers modpost
# rejects an out-of-tree module that uses an unknown symbol).
jobs=${SCULL_JOBS:-$(nproc)}
niceness=${SCULL_NICE:-10}
log "building bzImage with -j$jobs under nice $niceness; log: $dir/build.log (about 8 min on 2 idle cores)"
if ! nice -n "$niceness" make -j"$jobs" ARCH=x86_64 "${make_vars[@]}" bzImage modules_prepare modules > "$dir/build.log" 2>&1; then
	grep -E 'error|Error' "$dir/build.log" | head -n 20 >&2 || true
	tail -n 20 "$dir/build.log" >&2
	die "the build failed; see $dir/build.log"
fi
if [ ! -f "$bz" ] || [ ! -f Module.symvers ]; then
	die "the build made no bzImage or Module.symvers"
fi
touch "$dir/.built"
log "built in $(( $(date +%s) - start )) s: $(make -s kernelrelease)"

# Older keys are stale trees of 1-2 GB each (and, before the flavours,
# the KASAN tree was $base/KEY).
for old in "$cache"/*/ "$base"/????????????/; do
	[ -d "$old" ] || continue
	old=${old%/}
	[ "$old" = "$dir" ] || { log "removing the stale $old"; rm -rf "$old"; }
done

echo "$bz"
