#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest blocks of README.md and of the guides in docs/, run as written
# (scripts/readme-blocks.sh extracts them), as root in the guest, from a
# copy of the repository as a user's clone would be.  The guest's root is the host's, read-only: the
# directories the blocks write to get private tmpfs mounts first.  `sudo`
# runs its arguments (the guest is root already) when there is none.  Each
# block is one KTAP test: it passes when every command in it succeeds and
# its expected output (below) is there; a guest block this script does not
# know by name must run without error, so that no guide's commands go
# untried.  The shown output is compared with real runs: the /proc/scullmem
# snapshot (docs/proc.md) and the README's excerpt of it, scullctl's and
# gfp's output, and the benchmark table (against bench/results/).
# SCULL_README (for scripts/readme-blocks.sh) reads the blocks from other
# copies of the documents.  Ends with `# scull-totals: ...`.
set -u

kver=${1:-$(uname -r)}
TOP=$(cd "$(dirname "$0")/.." && pwd)
blocks=$TOP/scripts/readme-blocks.sh
. "$TOP/tests/lib.sh"

note() { sed 's/^/# /'; }

echo "KTAP version 1"
[ "$kver" = "$(uname -r)" ] || { echo "# booted $(uname -r), asked for $kver"; exit 1; }

if ! command -v sudo > /dev/null; then
	mkdir -p /tmp/readme-bin
	printf '#!/bin/sh\nexec "$@"\n' > /tmp/readme-bin/sudo
	chmod +x /tmp/readme-bin/sudo
	export PATH=/tmp/readme-bin:$PATH
fi

# The clone: the sources, the scripts, the README.
clone=/tmp/scullmem
mkdir -p "$clone/scripts" "$clone/docs"
cp "$TOP"/Kbuild "$TOP"/Makefile "$TOP"/dkms.conf "$TOP"/*.c "$TOP"/*.h \
	"$TOP"/load.sh "$TOP"/unload.sh "$TOP"/README.md "$clone/"
cp "$TOP"/docs/*.md "$clone/docs/"
cp "$TOP"/scripts/scullctl.c "$TOP"/scripts/60-scull.rules "$clone/scripts/"
cd "$clone" || exit 1

# run NAME [SED]: run guest block NAME with bash -e in the clone; its output
# goes to /tmp/readme-NAME.out.  SED, a sed expression, rewrites the block
# first, and must change it.
ran=()
run() {
	local cmds line
	ran+=("$1")
	cmds=$("$blocks" show guest "$1")
	[ -n "$cmds" ] || { echo "# no document has a guest block '$1'"; return 1; }
	if [ -n "${2:-}" ]; then
		line=$(sed -e "$2" <<< "$cmds")
		[ "$line" != "$cmds" ] || { echo "# $1: '$2' does not apply to the block"; return 1; }
		cmds=$line
	fi
	while IFS= read -r line; do
		echo "# $1: \$ $line"
	done <<< "$cmds"
	local t0=$SECONDS
	(cd "$clone" && bash -e -c "$cmds") > "/tmp/readme-$1.out" 2>&1
	local rc=$?
	echo "# $1: took $((SECONDS - t0)) s"
	if [ "$rc" -ne 0 ]; then
		tail -n 20 "/tmp/readme-$1.out" | note
		[ ! -f /var/lib/dkms/scullmem/0.1.0/build/make.log ] ||
			tail -n 20 /var/lib/dkms/scullmem/0.1.0/build/make.log | note
	fi
	return $rc
}

quiet() { "$@" > /dev/null 2>&1; }

# ---- On a real Linux machine: make && sudo ./load.sh ... ------------------
# The module's build in a TCG guest takes two to four minutes of CPU, so
# make check has it done once per architecture (scripts/check.sh,
# native_in_guest).  Elsewhere (SCULL_NATIVE=0) the host's build of the
# same sources for this kernel, with its headers and compiler
# (scripts/build.sh), goes into the clone, the block's `make` builds
# scullctl only, and the guest's build of the module counts as skipped:
# load.sh, the copy, /proc/scullmem, unload.sh and, in tests/install.sh,
# make install still run as written, on that module.
what="make, load.sh, cp and cmp, /proc/scullmem, unload.sh"
if [ "${SCULL_NATIVE:-1}" = 0 ]; then
	skipped "README native path: the module's build in the guest" \
		"SCULL_NATIVE=0: make check builds it in one guest per architecture, this kernel's module was built on the host"
	built=$(dirname "${SCULL_KO:-}")
	cp "$built/scull.ko" "$built/Module.symvers" "$clone/" &&
		sed "s|^$built/|$clone/|" "$built/modules.order" > "$clone/modules.order" &&
		run native 's/^make && /make scullctl \&\& /'
	rc=$?
	what="with the host's scull.ko: make scullctl, load.sh, cp and cmp, /proc/scullmem, unload.sh"
else
	run native
	rc=$?
fi
[ "$rc" -eq 0 ] && grep -q '^Device scullv' /tmp/readme-native.out &&
	[ ! -d /sys/module/scull ] && [ ! -e /dev/scullp ]
ok $? "README native path: $what"

# ---- /proc/scullmem and scullctl: devices holding data --------------------
# docs/proc.md's snapshot is "after ./load.sh order=2 qset=100 and
# copying the same 3,000,000-byte file into each node": do that, and
# compare line shapes.  A shape is a line with what differs from boot to
# boot masked: addresses, PFNs and their runs, allocation times, the runs
# of a vmalloc quantum, the index of a quantum or qset (the snapshot is
# abridged), the zones and nodes and the kernel's release and machine
# (they differ from one architecture to another, and from one node to
# two: the nodes of the banner and the header's counts by node), the objects per slab
# and slab order of scullc's cache and the pages a slab quantum touches
# (they depend on slub_debug and KASAN: a red zone before an object puts
# it off a page boundary, and it touches one page more),
# and whether scullh's quanta are in high memory (i386): one there, "virt
# - ... highmem", has the shape of one in the linear map; the sizes of
# the page-table entries that map a quantum and the header's count of them
# (2M or 1G entries of the direct map, 4K ones of vmalloc, "-" for high
# memory, "?" on arm64), the region lines (each architecture has its
# own: pkmap on i386, PCI I/O on arm64), and the addresses of the module
# line, of each device's struct pages and of scullh's last kmap.  The
# rest (geometry, counts, metadata, the layout of each line) must match,
# both ways: every shape of the shown snapshot is in the real file, and
# every shape of the real file is in the shown one.
# The shown snapshot is from x86_64: on a 32-bit kernel, whose pointers
# and so metadata are half as wide, the metadata figures are masked too.
meta_mask=''
[ "$(getconf LONG_BIT)" = 64 ] ||
	meta_mask='s/ metadata [0-9]+ bytes, (.*) metadata\/data [0-9.]+%$/ metadata M bytes, \1 metadata\/data M%/'
shapes() {
	sed -E 's/\<(virt|phys|at) [0-9a-f]+\>/\1 X/g
		s/^layout: linear [0-9a-f]+-[0-9a-f]+, vmalloc [0-9a-f]+-[0-9a-f]+$/layout: linear X-X, vmalloc X-X/
		s/^kernel [^ ]+ [^ ]+$/kernel R M/
		s/^region [a-z-]+ [0-9a-f]+-[0-9a-f]+$/region NAME X-X/
		s/^module ([a-z]+) text [0-9a-f]+-[0-9a-f]+, rodata [0-9a-f]+-[0-9a-f]+, data [0-9a-f]+-[0-9a-f]+$/module \1 text X-X, rodata X-X, data X-X/
		s/^  struct pages [0-9a-f]+-[0-9a-f]+$/  struct pages X-X/
		s/^  kmap last [0-9a-f]+$/  kmap last X/
		s/, objects per slab [0-9]+, slab order [0-9]+$/, objects per slab N, slab order N/
		s/^  highmem quanta [0-9]+ /  highmem quanta N /
		s/ virt - (phys X pfn [0-9a-f]+) highmem / virt X \1 linear /
		s/ pfns [0-9a-f,-]+( |$)/ pfns P\1/
		s/ holds [0-9]+/ holds N/
		s/ span [0-9]+/ span N/
		s/^  held: asked [0-9]+ bytes, held [0-9]+ bytes, overhead [0-9.]+%$/  held: asked A bytes, held H bytes, overhead P%/
		s/^  kvmalloc: kmalloc served [0-9]+, vmalloc served [0-9]+$/  kvmalloc: kmalloc served N, vmalloc served N/
		s/ map [0-9KMGx,.?-]+ / map M /
		s/^  page-table entries: .*$/  page-table entries: E/
		'"$meta_mask"'
		s/\<pfn [0-9a-f]+\>/pfn X/
		s/ alloc ns min [0-9]+ mean [0-9]+ max [0-9]+$/ alloc ns min N mean N max N/
		s/histogram:( 2\^[0-9]+:[0-9]+)+$/histogram: H/
		s/ vmalloc pages ([0-9]+) runs [0-9]+ (contiguous|scattered)\>/ vmalloc pages \1 runs R/
		s/^( +quantum )[0-9]+:/\1N:/
		s/^( +qset )[0-9]+ at /\1N at /
		s/^zone [A-Za-z0-9]+ node [0-9]+ pfn [0-9a-fX]+-[0-9a-f]+ present [0-9]+$/zone Z node N pfn X-X present N/
		s/^  quanta by zone: .*$/  quanta by zone: Z/
		s/^node [0-9]+ cpus [0-9,-]+ pfn ([0-9a-fX]+-[0-9a-f]+|-) present [0-9]+$/node N cpus C pfn X-X present N/
		s/^  quanta by node: .*; on several nodes [0-9]+; node /  quanta by node: Q; on several nodes N; node /
		s/ zones? [A-Za-z0-9,]+ nodes? [0-9,]+ kind / zone Z node N kind /
		s/ pages [0-9]+ (runs [0-9]+ [a-z]+ zone Z node N kind slab )/ pages N \1/' | sort -u
}
quiet make scullctl && quiet ./load.sh order=2 qset=100 &&
	head -c 3000000 /dev/urandom > /tmp/readme-3000000 &&
	cp /tmp/readme-3000000 /dev/scullp && cp /tmp/readme-3000000 /dev/scullv &&
	cp /tmp/readme-3000000 /dev/scullk && cp /tmp/readme-3000000 /dev/scullc &&
	cp /tmp/readme-3000000 /dev/scullh &&
	cat /proc/scullmem > /tmp/readme-proc.real &&
	"$blocks" output output proc-snapshot > /tmp/readme-proc.shown &&
	shapes < /tmp/readme-proc.real > /tmp/readme-proc.real.shapes &&
	shapes < /tmp/readme-proc.shown > /tmp/readme-proc.shown.shapes &&
	[ -s /tmp/readme-proc.shown.shapes ]
rc=$?
if [ "$rc" -eq 0 ]; then
	comm -23 /tmp/readme-proc.shown.shapes /tmp/readme-proc.real.shapes | sed 's|^|docs/proc.md only: |' > /tmp/readme-proc.diff
	comm -13 /tmp/readme-proc.shown.shapes /tmp/readme-proc.real.shapes | sed 's/^/real only: /' >> /tmp/readme-proc.diff
	[ ! -s /tmp/readme-proc.diff ] || rc=1
	note < /tmp/readme-proc.diff
	if [ "$rc" -ne 0 ]; then
		echo "# the real /proc/scullmem, abridged as docs/proc.md's (three quanta per device):"
		awk '/^Device / { skip = 0 } /^ +qset / { skip = $2 != 0 } /^ +quantum / { if (skip || $2 + 0 > 2) next } !skip || !/^ /' \
			/tmp/readme-proc.real | note
	fi
fi
ok $rc "docs/proc.md's /proc/scullmem snapshot: the same line shapes as a real one at order 2, qset 100, 3000000 bytes"

# The README's screenful of /proc/scullmem is an excerpt of that snapshot:
# its lines, in the same order.
"$blocks" output output proc-snapshot > /tmp/readme-snapshot.shown &&
	"$blocks" output output proc-excerpt > /tmp/readme-excerpt.shown &&
	[ -s /tmp/readme-excerpt.shown ] &&
	awk 'NR == FNR { snap[++n] = $0; next }
		{ while (i < n && snap[++i] != $0) ; if (snap[i] != $0) { print "# not in the snapshot (in order): " $0; bad = 1; exit } }
		END { exit bad }' /tmp/readme-snapshot.shown /tmp/readme-excerpt.shown
ok $? "README's excerpt of /proc/scullmem: lines of docs/proc.md's snapshot, in order"

# scullctl: the block's output is what the README shows under it, line for
# line; then the reset it shows took effect.
run scullctl &&
	"$blocks" output guest scullctl > /tmp/readme-scullctl.shown &&
	[ -s /tmp/readme-scullctl.shown ] &&
	{ diff /tmp/readme-scullctl.shown /tmp/readme-scullctl.out | note; [ "${PIPESTATUS[0]}" -eq 0 ]; } &&
	[ "$(cat /sys/class/scullmem/scullv/order)" = 4 ] &&
	[ "$(cat /sys/class/scullmem/scullv/size)" = 0 ]
ok $? "docs/interfaces.md scullctl: the output shown, then reset order=4"

# gfp: the attribute and a refusal, as shown; the flags of a mask are
# compared as a set (kernels list them in their own order).
flag_sets() { gawk '{ if ($2 ~ /\|/) { n = split($2, f, "|"); asort(f); $2 = f[1]
	for (i = 2; i <= n; i++) $2 = $2 "|" f[i] } print }'; }
run gfp &&
	"$blocks" output guest gfp | flag_sets > /tmp/readme-gfp.shown &&
	[ -s /tmp/readme-gfp.shown ] &&
	{ flag_sets < /tmp/readme-gfp.out | diff /tmp/readme-gfp.shown - | note; [ "${PIPESTATUS[1]}" -eq 0 ]; }
ok $? "docs/allocators.md gfp: the attribute and the refusal shown"
quiet ./unload.sh

# ---- Benchmarks: the table against the committed reports ----------------------
# Every goal of bench/results/<6.1 kver>.md and <6.12 kver>.md is a row of the
# table headed "| figure | 6.1 | 6.12 | goal |" (docs/benchmarks.md: in
# whichever document has it), by the report's name, with the report's
# figure and range, marked "missed" exactly where the report says MISSED;
# the two other rows are the figures of the report's sentences on reads
# (known rows only).  Other tables (the claims) are not this one.
bench_table() {
	local r1 r2
	r1=$(echo "$TOP"/bench/results/6.1.*.md) r2=$(echo "$TOP"/bench/results/6.12.*.md)
	if [ ! -f "$r1" ] || [ ! -f "$r2" ]; then
		echo "# not one report per kernel: $r1, $r2"
		return 1
	fi
	awk '
	function trim(x) { gsub(/^ +| +$/, "", x); return x }
	function bad(m) { print "# Benchmarks table: " m; nbad++ }
	FNR == 1 { f++ }
	f <= 2 && /^## / { g = /^## Goals/ }
	f <= 2 && g && /^\| / && !/^\| goal / && !/^\|---/ {
		split($0, c, " [|] ")
		name = substr(c[1], 3); fig = c[2]; sub(/x$/, "", fig)
		goal[f, name] = fig; range[f, name] = c[3]; missed[f, name] = c[5] ~ /MISSED/
		goals[f, name] = 1
		next
	}
	f <= 2 { text[f] = text[f] " " $0; next }
	# The table under "| figure | 6.1 | 6.12 | goal |", to its end.
	/^\| figure \| 6\.1 \| 6\.12 \| goal \|$/ { t = 1; next }
	!/^\|/ { t = 0 }
	t && /^\| / && !/^\|---/ {
		split($0, c, "|")
		name = trim(c[2])
		for (k = 1; k <= 2; k++) {
			cell = trim(c[k + 2])
			match(cell, /^[0-9.]+%?/); num = substr(cell, 1, RLENGTH)
			if (num == "") { bad(name ": no figure for kernel " k); continue }
			if (!((k, name) in goals)) {
				if (name == "seq read 1 MiB, order 4, best device / tmpfs") {
					dev = cell; sub(/^[^(]*[(]/, "", dev); sub(/[)].*$/, "", dev)
					src = "the best device (" dev ") reads at " num "x tmpfs"
				} else if (name == "tmpfs seq read / user-space memcpy") {
					src = "tmpfs itself reads at " num "x memcpy"
				} else {
					bad(name ": a row with no known source in the reports")
					continue
				}
				if (!index(text[k], src))
					bad(name ": \"" src "\" is not in the report")
				continue
			}
			seen[k, name] = 1
			if (num != goal[k, name])
				bad(name ": " num ", the report says " goal[k, name])
			if (match(cell, /\([0-9.]+-[0-9.]+\)/) &&
			    substr(cell, RSTART + 1, RLENGTH - 2) != range[k, name])
				bad(name ": range " substr(cell, RSTART, RLENGTH) ", the report says " range[k, name])
			if ((cell ~ /missed/) != missed[k, name])
				bad(name ": " (missed[k, name] ? "MISSED in the report, not marked missed" : "marked missed, MET in the report"))
		}
	}
	END {
		for (k in goals)
			if (!(k in seen)) {
				split(k, kk, SUBSEP)
				bad("goal \"" kk[2] "\" of report " kk[1] " is not in the table")
			}
		exit nbad > 0
	}' "$r1" "$r2" "${docs[@]}"
}
mapfile -t docs < <("$blocks" files)
bench_table
ok $? "Benchmarks table: the reports' goals, figures, ranges and misses"

# ---- max_size ----------------------------------------------------------------
quiet ./load.sh && run max-size &&
	[ "$(cat /sys/module/scull/parameters/max_size)" = $((64 << 20)) ] &&
	! head -c $((65 << 20)) /dev/zero > /dev/scullp 2> /dev/null &&
	[ "$(cat /sys/class/scullmem/scullp/size)" = $((64 << 20)) ]
ok $? "docs/interfaces.md max_size: 64 MiB set, a 65 MiB write stops at 64 MiB"
quiet ./unload.sh

# ---- tracepoints ---------------------------------------------------------------
[ -e /sys/kernel/tracing/trace ] || mount -t tracefs tracefs /sys/kernel/tracing
quiet ./load.sh && run trace &&
	q=$(( ($(stat -c %s /etc/services) + 4095) / 4096 )) &&
	[ "$(grep -c 'scull_quantum_alloc: dev=scullv .* success=1' /tmp/readme-trace.out)" -eq "$q" ]
ok $? "docs/interfaces.md tracepoints: one scull_quantum_alloc event per quantum of /etc/services"
echo 0 > /sys/kernel/tracing/events/scull/enable
quiet ./unload.sh

# ---- DKMS ----------------------------------------------------------------------
# Writable /usr/src, DKMS's state and /lib/modules/<kver> (with its build
# link).  The headers in /usr/src stay at their paths, bind-mounted back
# into the tmpfs: their relative symlinks reach into /usr/lib.
# /lib/modules/<kver> holds no other module, only the index files of the
# kernel's (DKMS 3.2 skips depmod when modules.dep is missing, and modprobe
# then cannot find what it installed): depmod, which DKMS runs, would
# otherwise read the kernel's thousands of modules, minutes under TCG.
# Only the kernels' headers are brought back (linux-*): on this machine's
# own kernels the root is the host's, read-only, where scripts/dkms-check.sh
# may hold /usr/src/scullmem-<ver> at that moment (the block's cp then
# failed with EROFS, in CI).
# The clone keeps its build (tests/install.sh, next in the same boot, uses
# it): DKMS cleans its own copy before building.
dkms_root() {
	local e
	mkdir -p /tmp/usr-src
	mount --bind /usr/src /tmp/usr-src &&
		mount -t tmpfs tmpfs /usr/src || return 1
	for e in /tmp/usr-src/linux-*; do
		if [ -L "$e" ]; then
			ln -s "$(readlink "$e")" "/usr/src/${e##*/}"
			continue
		elif [ -d "$e" ]; then
			mkdir "/usr/src/${e##*/}"
		else
			touch "/usr/src/${e##*/}"
		fi
		mount --bind "$e" "/usr/src/${e##*/}" || return 1
	done
	local mods=$SCULL_CACHE/kernels/$kver/root/lib/modules/$kver
	mount -t tmpfs tmpfs /var/lib/dkms &&
		mount -t tmpfs tmpfs "/lib/modules/$kver" &&
		ln -s "/usr/src/linux-headers-$kver" "/lib/modules/$kver/build" &&
		cp "$mods"/modules.builtin* "/lib/modules/$kver/" &&
		depmod "$kver" && [ -s "/lib/modules/$kver/modules.dep.bin" ]
}
# dkms_block: docs/install.md's DKMS block in that root; its diagnostics on failure.
dkms_block() {
	local t0=$SECONDS rc
	dkms_root && run dkms && [ "$(cat /sys/module/scull/parameters/order)" = 2 ] &&
		find "/lib/modules/$kver" -name 'scull.ko*' | grep -q . && rmmod scull
	rc=$?
	echo "# DKMS, with its set-up: $((SECONDS - t0)) s"
	if [ "$rc" -ne 0 ]; then
		find "/lib/modules/$kver" -maxdepth 3 | note
		note < "/lib/modules/$kver/modules.dep"
		modprobe -n -v scull 2>&1 | note
	fi
	return "$rc"
}
# SCULL_DKMS=0 skips it: the build takes minutes under TCG, and make
# check runs it in one guest only (scripts/check.sh says which).
what="docs/install.md DKMS: dkms add, build, install, then modprobe scull order=2"
if [ "${SCULL_DKMS:-1}" = 0 ]; then
	skipped "$what" "SCULL_DKMS=0: make check builds with DKMS in one guest, the newest arm64 kernel's (the module used here was built by the native path or on the host)"
	ran+=(dkms)
else
	dkms_block
	ok $? "$what"
fi

# ---- every other guest block: its commands run ---------------------------------
while read -r where name file; do
	[ "$where" = guest ] || continue
	printf '%s\n' "${ran[@]}" | grep -q -x -F "$name" && continue
	quiet ./unload.sh
	run "$name"
	ok $? "$file guest block $name: its commands run"
	quiet ./unload.sh
done < <("$blocks" list)

totals
[ "$fail" -eq 0 ]
