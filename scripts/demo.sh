#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: build, then boot each kernel in QEMU (one VM per kernel, once)
# and run scripts/demo-guest.sh in it: load scull.ko with load.sh, copy 4 MiB
# of random data into each node with cp and dd, read it back with cat and
# dd, show the allocators side by side in /proc/scullmem, the zone table
# (which zones each device's quanta come from with each zone modifier),
# the TLB table (the page-table entries that map 16 MiB in each device,
# and in scullv with huge=1), the holds table (what each allocator sets
# aside for a quantum of 1, 100, 4000, 4097, 5000 and 20000 bytes, from a
# sweep of 1 byte to 64 KiB), unload.  The guest prints its /proc/scullmem
# between markers; it is cut out into build/demo/<kver>.txt and drawn with
# scripts/scullmap as build/demo/<kver>-phys.png/.svg and
# <kver>-virt.png/.svg; the holds table is saved in <kver>-holds.txt and
# its sweep in <kver>-holds.dat, drawn with scripts/holdsplot as
# <kver>-holds.png/.svg.  amd64 and arm64 then boot once more, on two NUMA
# nodes (2 GiB), for the placement table (demo-guest.sh --numa) and a
# snapshot with every device's data on both nodes, drawn as
# <kver>-numa-phys.png (each node's zones in their own tint).
#
#   scripts/demo.sh [--kver 6.1|i386|<target>|<kver>]... [<target>|<kver>]...
#                   (default: 6.1 on x86_64, i386 and arm64; or $SCULL_KVERS)
#
# One kernel per architecture, so that their layouts can be compared.
# Memory: x86_64 5 GiB (DMA, DMA32 and Normal all exist), i386 2 GiB (it
# has high memory), arm64 1 GiB.  The demo measures nothing, so the guests
# boot without the slab and page-poisoning debugging of the tests (they
# slow a 5 GiB guest's boot a lot).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kvers=()
while [ $# -gt 0 ]; do
	case $1 in
	--kver) [ $# -ge 2 ] || die "--kver needs a kernel"; kvers+=("$2"); shift 2 ;;
	-h | --help) sed -n '/^#   scripts\/demo.sh/,/^#$/p' "$0" | sed -e 's/^#   //' -e '/^#$/d'; exit 0 ;;
	*) kvers+=("$1"); shift ;;
	esac
done
[ ${#kvers[@]} -gt 0 ] || [ -n "${SCULL_KVERS:-}" ] || kvers=(6.1 i386 arm64)
# Targets' names (lib.sh's SCULL_TARGETS_TABLE), whatever was given.
# shellcheck disable=SC2207 # target names have no spaces
kvers=($(SCULL_KVERS=${kvers[*]:-$SCULL_KVERS} scull_target_names))

"$SCULL_TOP/scripts/setup.sh" -q
out=$SCULL_BUILD/demo
mkdir -p "$out"

# Each kernel is prepared on its own (its root, its image, scull.ko): one
# that cannot be is named at the end, with the reason, and the others
# are shown.
ready=() unready=()
for k in "${kvers[@]}"; do
	if ! why=$(scull_prepare_target "$k" "$out"); then
		unready+=("$k: $why")
		log "$k: cannot be prepared: $why"
		continue
	fi
	for root in $(scull_roots_of "$k"); do
		line=$(scull_fallback "$root")
		[ -z "$line" ] || log "$k: $line"
	done
	if ! kver=$(scull_kver_of "$k") ||
		! "$SCULL_TOP/scripts/fetch-kernels.sh" "$kver" > "$out/fetch-$k.log" 2>&1; then
		why=$(sed -n 's/^scullmem: error: //p' "$out/fetch-$k.log" 2> /dev/null | tail -n 1)
		unready+=("$k: fetching its kernel: ${why:-see $out/fetch-$k.log}")
		continue
	fi
	log "building scull.ko for $kver"
	if ! "$SCULL_TOP/scripts/build.sh" "$kver" > "$out/build-$k.log" 2>&1; then
		cat "$out/build-$k.log" >&2
		unready+=("$k: the build failed (log: $out/build-$k.log)")
		continue
	fi
	ready+=("$k")
done

# Paths as the user gave them: relative to the current directory when under it.
here() { case $1 in "$PWD"/*) echo "${1#"$PWD"/}" ;; *) echo "$1" ;; esac; }

# cut_snapshot SNAP [HOLDS]: the guest's output from stdin to the screen,
# but for the /proc/scullmem snapshot between the markers, which goes to
# SNAP (an older SNAP removed first: none is left when the guest printed
# none).  With HOLDS (HOLDS.txt, HOLDS.dat), the holds table between
# SCULL-HOLDS-BEGIN and -END goes to the screen and to HOLDS.txt, and the
# sweep's data between SCULL-HOLDS-DATA-BEGIN and -END to HOLDS.dat only.
# (The caller's pipefail makes the pipe fail when the guest did.)
cut_snapshot() {
	local snap=$1 holds=${2:-} rc=0
	rm -f "$snap"
	[ -z "$holds" ] || rm -f "$holds.txt" "$holds.dat"
	awk -v snap="$snap" -v holds="$holds" -v shown="$(here "$snap")" -v hshown="$(here "$holds")" '
		function begin(f) { cur = f; n = 0; printf "" > (f ".part") }
		function end(show) {
			close(cur ".part")
			if (system("mv \"" cur ".part\" \"" cur "\"") == 0)
				printf "(%d lines, saved in %s)\n", n, show
			cur = ""; tee = 0
		}
		$0 == "SCULL-SNAPSHOT-BEGIN" { begin(snap); next }
		$0 == "SCULL-SNAPSHOT-END" && cur == snap { end(shown); next }
		holds != "" && $0 == "SCULL-HOLDS-BEGIN" { begin(holds ".txt"); tee = 1; next }
		holds != "" && $0 == "SCULL-HOLDS-END" && cur == holds ".txt" { end(hshown ".txt"); next }
		holds != "" && $0 == "SCULL-HOLDS-DATA-BEGIN" { begin(holds ".dat"); next }
		holds != "" && $0 == "SCULL-HOLDS-DATA-END" && cur == holds ".dat" { end(hshown ".dat"); next }
		cur != "" { print > (cur ".part"); n++; if (!tee) next }
		{ print; fflush() }' || rc=$?
	rm -f "$snap.part"
	[ -z "$holds" ] || rm -f "$holds.txt.part" "$holds.dat.part"
	return "$rc"
}

# draw SNAP PREFIX: scripts/scullmap's pictures of SNAP, PREFIX-phys and
# PREFIX-virt (.png, .svg).  The snapshot's own `kernel` line, when it has
# one, wins over --kernel and --arch.
draw() {
	if [ ! -s "$1" ]; then
		log "$kver: no /proc/scullmem snapshot came back: no pictures"
		return 1
	fi
	if ! "$SCULL_TOP/scripts/scullmap" "$1" -o "$2" \
		--kernel "$kver" --arch "$(scull_kbuild_arch "$arch")"; then
		log "$kver: scripts/scullmap failed on $(here "$1")"
		return 1
	fi
}

status=0 pictures=()
for k in "${ready[@]}"; do
	kver=$(scull_kver_of "$k")
	arch=$(scull_arch_of "$kver")
	case $arch in
	amd64) mem=5G ;;
	i386) mem=2G ;;
	*) mem=1G ;;
	esac
	snap=$out/$kver.txt
	rm -f "$out/$kver"-{phys,virt,holds}.{png,svg}
	echo
	echo "=== scullmem on Debian's $kver kernel (QEMU, TCG, $mem) ==="
	# The snapshot between the markers goes to $snap, not to the screen.
	(cd "$SCULL_TOP" && "$SCULL_TOP/scripts/vm.sh" --kver "$kver" --mem "$mem" --timeout 900 \
		--append "slub_debug=- page_poison=0" \
		--env "SCULL_KO=$SCULL_BUILD/$kver/scull.ko" -- bash scripts/demo-guest.sh) |
		cut_snapshot "$snap" "$out/$kver-holds" || status=1
	# What each allocator held for a quantum of 1 byte to 64 KiB
	# (demo-guest.sh's holds sweep), drawn as <kver>-holds.png/.svg.
	if [ ! -s "$out/$kver-holds.dat" ]; then
		log "$kver: no holds sweep came back: no holds picture"
		status=1
	elif ! "$SCULL_TOP/scripts/holdsplot" "$out/$kver-holds.dat" -o "$out/$kver-holds"; then
		log "$kver: scripts/holdsplot failed on $(here "$out/$kver-holds.dat")"
		status=1
	fi
	draw "$snap" "$out/$kver" || { status=1; continue; }
	# A second, short boot on two NUMA nodes where the kernel has
	# CONFIG_NUMA (amd64, arm64; not i386): where each allocator puts a
	# writer's data, by the writer's CPU, memory policy and the device's
	# node (demo-guest.sh --numa).
	if [ "$arch" != i386 ]; then
		echo
		echo "=== NUMA on Debian's $kver kernel (QEMU, TCG, 2G on two nodes, a CPU each) ==="
		rm -f "$out/$kver-numa"-{phys,virt}.{png,svg}
		(cd "$SCULL_TOP" && "$SCULL_TOP/scripts/vm.sh" --kver "$kver" --mem 2G --timeout 600 --numa \
			--append "slub_debug=- page_poison=0" \
			--env "SCULL_KO=$SCULL_BUILD/$kver/scull.ko" -- bash scripts/demo-guest.sh --numa) |
			cut_snapshot "$out/$kver-numa.txt" || status=1
		draw "$out/$kver-numa.txt" "$out/$kver-numa" || status=1
	fi
	p="$(here "$out/$kver")-phys.png $(here "$out/$kver")-virt.png"
	[ ! -f "$out/$kver-holds.png" ] || p+=" $(here "$out/$kver")-holds.png"
	[ ! -f "$out/$kver-numa-phys.png" ] || p+=" $(here "$out/$kver")-numa-phys.png"
	echo "pictures: $p (and .svg)"
	pictures+=("$p")
done
echo
echo "make demo: ${#pictures[@]} of ${#kvers[@]} kernels drawn (.svg beside each .png):"
for p in "${pictures[@]}"; do echo "  $p"; done
if [ "${#unready[@]}" -gt 0 ]; then
	echo "make demo: ${#unready[@]} of ${#kvers[@]} kernels could not be prepared:"
	for p in "${unready[@]}"; do echo "  $p"; done
	status=1
fi
exit "$status"
