#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/scullmap on saved /proc/scullmem snapshots, on the host (KTAP):
#
#   tests/scullmap.sh [SNAPSHOT...]    (default: every file in tests/data/snapshots/)
#
# For each snapshot: scullmap --data draws it; the data file holds exactly
# the snapshot's quanta (read here with gawk, not with scullmap's parser):
# the same devices and indexes, each quantum's runs of pfns (its pfns
# field, or `pages` pages from `pfn` when it is one run, else its first
# page), its zones, and the snapshot's zone lines (or /proc/zoneinfo's,
# for a snapshot without them); the runs add up to each quantum's pages;
# both PNGs are whole PNGs of 1500x1100 pixels that are not blank (decoded
# with python3's zlib: many colours, and each known device's colour on more
# pixels than its legend swatch exactly when it has quanta, and node 1's
# tint behind the zones exactly when they are on two nodes); both SVGs are
# well-formed XML.  Then bad input: an empty file, snapshots cut mid-line
# and at a line boundary, an unprivileged snapshot, an unknown quantum
# line, /etc/services and a machine without gnuplot must each give one
# line on stderr starting `scullmap:`, a non-zero exit and no file.
# Ends with `# scull-totals: ...`; exits non-zero when a check failed.
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
map=$TOP/scripts/scullmap
W=1500 H=1100
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The fixed palette of scripts/scullmap for the devices it knows.
declare -A colour=([scullp]=0072b2 [scullv]=d55e00 [scullk]=009e73 [scullc]=cc79a7 [scullh]=e69f00
	[node1]=cfe0f1)	# node1: the tint of node 1's first zone, when there are two nodes
swatch=300	# pixels of a device's colour in the legend's swatch alone

note() { sed 's/^/# /'; }

# expected_runs SNAPSHOT: "DEV QIDX FIRST LAST ZONES" for each run of
# contiguous pfns of each quantum, as scullmap's --help says it draws them.
expected_runs() {
	gawk '
	function after(word,   i) {
		for (i = 1; i < NF; i++)
			if ($i == word)
				return $(i + 1)
		return ""
	}
	/^Device / { dev = $2; sub(/:$/, "", dev); next }
	/^    quantum [0-9]+: / {
		idx = $2; sub(/:$/, "", idx)
		pfn = after("pfn"); pages = after("pages"); runs = after("runs")
		zones = after("zone"); if (zones == "") zones = after("zones")
		if (zones == "") zones = "-"
		pfns = after("pfns")
		if (pfns != "" && pfns != "-") {
			n = split(pfns, r, ",")
			for (i = 1; i <= n; i++) {
				m = split(r[i], ab, "-")
				print dev, idx, ab[1], (m == 2 ? ab[2] : ab[1]), zones
			}
		} else if (runs == 1) {
			print dev, idx, pfn, sprintf("%x", strtonum("0x" pfn) + pages - 1), zones
		} else {
			print dev, idx, pfn, pfn, zones
		}
	}' "$1" | sort
}

# expected_zones SNAPSHOT: "zone NAME NODE FIRST LAST PRESENT" from its zone
# lines, else from this machine's /proc/zoneinfo (populated zones).
expected_zones() {
	if grep -q '^zone ' "$1"; then
		awk '/^zone / { split($6, p, "-"); print "zone", $2, $4, p[1], p[2], $8 }' "$1"
	else
		gawk '/^Node/ { if (z != "" && pr > 0) print "zone", z, node, sprintf("%x", st),
				sprintf("%x", st + sp - 1), pr
			node = $2; sub(/,$/, "", node); z = $4; sp = pr = 0; st = "" }
		$1 == "spanned" { sp = $2 }
		$1 == "present" { pr = $2 }
		$1 == "start_pfn:" { st = $2 }
		END { if (z != "" && pr > 0) print "zone", z, node, sprintf("%x", st),
			sprintf("%x", st + sp - 1), pr }' /proc/zoneinfo
	fi
}

# check_data SNAPSHOT DATA: the data file against the snapshot.
check_data() {
	local rc=0
	expected_runs "$1" > "$tmp/want"
	grep -v -e '^#' -e '^zone	' "$2" | tr '\t' ' ' | sort > "$tmp/got"
	if ! diff -u "$tmp/want" "$tmp/got" > "$tmp/diff"; then
		echo "# data file and snapshot differ (- snapshot, + data file):"
		head -n 20 "$tmp/diff" | note
		rc=1
	fi
	[ -s "$tmp/want" ] || [ "$(grep -c '^    quantum ' "$1")" -eq 0 ] ||
		{ echo "# no quantum read from the snapshot"; rc=1; }
	expected_zones "$1" > "$tmp/wantz"
	grep '^zone	' "$2" | tr '\t' ' ' > "$tmp/gotz"
	if ! diff -u "$tmp/wantz" "$tmp/gotz" > "$tmp/diff"; then
		echo "# zones differ (- expected, + data file):"
		note < "$tmp/diff"
		rc=1
	fi
	[ -s "$tmp/wantz" ] || { echo "# no zone at all"; rc=1; }
	return $rc
}

# check_pages SNAPSHOT DATA: for every quantum drawn whole (a pfns field,
# or one run), its runs in the data file add up to its pages.
check_pages() {
	gawk 'FNR == NR {
		if ($1 != "zone" && $1 !~ /^#/)
			got[$1 " " $2] += strtonum("0x" $4) - strtonum("0x" $3) + 1
		next
	}
	/^Device / { dev = $2; sub(/:$/, "", dev); next }
	/^    quantum [0-9]+: / {
		idx = $2; sub(/:$/, "", idx)
		for (i = 1; i < NF; i++) {
			if ($i == "pages") pages = $(i + 1)
			if ($i == "runs") runs = $(i + 1)
		}
		whole = / pfns [0-9a-f]/ || runs == 1
		if (!whole)
			next
		n++
		if (got[dev " " idx] != pages) {
			printf "# %s quantum %s: runs of %d pages, the snapshot says %d\n",
				dev, idx, got[dev " " idx], pages
			bad++
		}
	}
	END { printf "# %d quanta drawn whole, %d with the wrong number of pages\n", n, bad
	      exit bad > 0 }' "$2" "$1"
}

# check_png FILE [DEVICE=any|none...]: a whole PNG of W x H, not blank;
# DEVICE=any: its colour in the band of all of RAM (the top 40%), and on
# more pixels than its legend swatch; DEVICE=none: neither.
check_png() {
	local f=$1 out size rc=0 dev want n top
	shift
	size=$(stat -c %s "$f" 2>/dev/null || echo 0)
	[ "$size" -gt 30000 ] || { echo "# $f: $size bytes"; rc=1; }
	local cols=()
	for dev in "$@"; do cols+=("${colour[${dev%=*}]}"); done
	out=$(python3 -c "$png_py" "$f" "${cols[@]}" 2>&1) || { echo "# $f: $out"; return 1; }
	echo "# $(basename "$f"): $out"
	read -r _ dims _ n _ <<< "$out"
	[ "$dims" = "${W}x$H" ] || { echo "# $f is $dims, not ${W}x$H"; rc=1; }
	[ "$n" -gt 64 ] || { echo "# $f has only $n colours"; rc=1; }
	for dev in "$@"; do
		want=${dev#*=} dev=${dev%=*}
		IFS=: read -r _ n top < <(grep -o "${colour[$dev]}:[0-9]*:[0-9]*" <<< "$out")
		if [ "$want" = any ] && { [ "$n" -le $((swatch + 60)) ] || [ "$top" -eq 0 ]; }; then
			echo "# $dev's colour on $n pixels, $top in the band: its quanta are not drawn"; rc=1
		elif [ "$want" = none ] && { [ "$n" -gt $((swatch + 60)) ] || [ "$top" -gt 0 ]; }; then
			echo "# $dev's colour on $n pixels, $top in the band, and it has no quanta"; rc=1
		fi
	done
	return $rc
}

# The PNG decoder: signature, IHDR first, whole chunks, IEND, the pixels
# unfiltered; prints "size WxH colours N RRGGBB:PIXELS:TOP..." where TOP
# counts the pixels in the top 40% of the picture (the band of all of RAM).
png_py='
import collections, struct, sys, zlib
path, colours = sys.argv[1], [tuple(bytes.fromhex(c)) for c in sys.argv[2:]]
data = open(path, "rb").read()
def fail(msg):
    print(msg)
    sys.exit(1)
if data[:8] != b"\x89PNG\r\n\x1a\n":
    fail("no PNG signature")
if data[12:16] != b"IHDR":
    fail("IHDR is not the first chunk")
w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", data[16:29])
pos, idat, end = 8, b"", False
while pos + 8 <= len(data):
    n, t = struct.unpack(">I4s", data[pos:pos + 8])
    if pos + 12 + n > len(data):
        fail("chunk %r cut short" % t)
    if t == b"IDAT":
        idat += data[pos + 8:pos + 8 + n]
    end = end or t == b"IEND"
    pos += 12 + n
if not end:
    fail("no IEND chunk")
if depth != 8 or ctype not in (2, 6) or interlace:
    fail("depth %d, colour type %d, interlace %d" % (depth, ctype, interlace))
bpp = 3 if ctype == 2 else 4
stride = w * bpp
try:
    raw = zlib.decompress(idat)
except zlib.error as e:
    fail("pixels: %s" % e)
if len(raw) != h * (stride + 1):
    fail("%d bytes of pixels for %dx%d" % (len(raw), w, h))
prev, seen, top, i = bytearray(stride), collections.Counter(), collections.Counter(), 0
for y in range(h):
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
    i += stride + 1
    if f == 1:
        for x in range(bpp, stride):
            line[x] = (line[x] + line[x - bpp]) & 255
    elif f == 2:
        line = bytearray((a + b) & 255 for a, b in zip(line, prev))
    elif f == 3:
        for x in range(stride):
            line[x] = (line[x] + (((line[x - bpp] if x >= bpp else 0) + prev[x]) >> 1)) & 255
    elif f == 4:
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], (prev[x - bpp] if x >= bpp else 0)
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    elif f:
        fail("row %d: filter %d" % (y, f))
    seen.update(zip(line[0::bpp], line[1::bpp], line[2::bpp]))
    if y < 0.4 * h:
        top.update(zip(line[0::bpp], line[1::bpp], line[2::bpp]))
    prev = line
print("size %dx%d colours %d %s" % (w, h, len(seen),
      " ".join("%02x%02x%02x:%d:%d" % (c + (seen[c], top[c])) for c in colours)))
'

# check_svg FILE: well-formed XML, an <svg> of W x H with many elements.
check_svg() {
	python3 -c '
import sys, xml.etree.ElementTree as ET
path, w, h = sys.argv[1], sys.argv[2], sys.argv[3]
try:
    root = ET.parse(path).getroot()
except (ET.ParseError, OSError) as e:
    print("# %s: %s" % (path, e))
    sys.exit(1)
n = sum(1 for _ in root.iter())
if not root.tag.endswith("svg") or root.get("width") != w or root.get("height") != h or n < 200:
    print("# %s: <%s> %sx%s with %d elements" % (path, root.tag, root.get("width"), root.get("height"), n))
    sys.exit(1)
' "$1" "$W" "$H"
}

# bad NAME FILE [ENV...]: scullmap must fail on FILE with one line on
# stderr starting "scullmap:" (no traceback, no internal error), nothing on
# stdout, and leave no file behind (not even a hidden temporary one).
bad() {
	local name=$1 file=$2 dir rc lines
	shift 2
	[[ $file == /* ]] || file=$PWD/$file	# it runs in its own directory
	dir=$tmp/bad-$name
	mkdir -p "$dir"
	(cd "$dir" && env "$@" "$map" --data "$dir/data.txt" -o "$dir/map" "$file" \
		> "$dir/../out-$name" 2> "$dir/../err-$name")
	rc=$?
	lines=$(wc -l < "$dir/../err-$name")
	echo "# $name: exit $rc: $(head -c 300 "$dir/../err-$name")"
	[ "$rc" -ne 0 ] && [ "$lines" -eq 1 ] && grep -q '^scullmap: ' "$dir/../err-$name" &&
		! grep -q -e Traceback -e 'internal error' "$dir/../err-$name" &&
		[ -z "$(ls -A "$dir")" ] && [ ! -s "$dir/../out-$name" ]
	local ok_=$?
	[ -z "$(ls -A "$dir")" ] || echo "# $name left: $(find "$dir" -mindepth 1 -printf '%f ')"
	return $ok_
}

# check_regions SNAP SVG: each "region NAME" line of SNAP gives its title
# in the address space picture (scripts/scullmap's REGION_TITLES), its
# module line the mark "scull.ko text, rodata, data", and scullh's "kmap
# last ADDR" the mark "kmap last"; a snapshot without them, none.
check_regions() {
	local snap=$1 svg=$2 name title want rc=0
	declare -A titles=([modules]="modules area" [vmemmap]="vmemmap (struct pages)"
		[pkmap]="pkmap (kmap)" [fixmap]="fixmap" [pci-io]="PCI I/O")
	for name in "${!titles[@]}"; do
		title=${titles[$name]}
		want=0
		! grep -q "^region $name " "$snap" || want=1
		if [ "$(grep -c -F ">$title" "$svg")" -gt 0 ] && [ "$want" = 0 ]; then
			note "region $name drawn, but the snapshot has no such line"
			rc=1
		elif ! grep -q -F "$title" "$svg" && [ "$want" = 1 ]; then
			note "region $name not drawn"
			rc=1
		fi
	done
	want=0
	! grep -q '^module scull text ' "$snap" || want=1
	[ "$(grep -c -F 'scull.ko text, rodata, data' "$svg" | sed 's/^[1-9][0-9]*$/1/')" = "$want" ] ||
		{ note "the scull.ko mark: expected $want"; rc=1; }
	want=0
	! grep -q '^  kmap last [0-9a-f]' "$snap" || want=1
	[ "$(grep -c -F '>kmap last<' "$svg" | sed 's/^[1-9][0-9]*$/1/')" = "$want" ] ||
		{ note "the kmap last mark: expected $want"; rc=1; }
	return $rc
}

echo "KTAP version 1"
command -v gawk > /dev/null || { echo "# gawk is missing (scripts/setup.sh installs it)"; exit 1; }
if [ $# -gt 0 ]; then
	snaps=("$@")
else
	snaps=("$TOP"/tests/data/snapshots/*)
fi

for snap in "${snaps[@]}"; do
	name=$(basename "$snap" .txt)
	out=$tmp/$name
	mkdir -p "$out"
	"$map" --data "$out/data.txt" -o "$out/map" --date 2026-12-04 "$snap" > "$out/stdout" 2> "$out/stderr"
	rc=$?
	note < "$out/stderr"
	# Notes are allowed (an older snapshot's zones), nothing else.
	[ "$rc" -eq 0 ] && ! grep -v -q '^scullmap: note: ' "$out/stderr"
	ok $? "$name: scullmap draws it"
	check_data "$snap" "$out/data.txt"
	ok $? "$name: the data file has the snapshot's quanta, runs of pfns and zones"
	check_pages "$snap" "$out/data.txt"
	ok $? "$name: each quantum's runs add up to its pages"
	# Each known device: its quanta drawn (any) or none.
	devs=()
	while read -r dev count; do
		[ -z "${colour[$dev]:-}" ] || devs+=("$dev=$([ "$count" -gt 0 ] && echo any || echo none)")
	done < <(awk '/^Device / { d = $2; sub(/:$/, "", d); order[++k] = d; n[d] = 0 }
		/^    quantum / { n[d]++ } END { for (i = 1; i <= k; i++) print order[i], n[order[i]] }' "$snap")
	# Node 1's zones in their tint, in the band of all of RAM, exactly
	# when the snapshot's zones are on several nodes.
	if [ "$(awk '/^zone / { print $4 }' "$snap" | sort -u | wc -l)" -gt 1 ]; then
		devs+=(node1=any) tint="node 1's zones in their tint"
	else
		devs+=(node1=none) tint="no node's tint (one node)"
	fi
	check_png "$out/map-phys.png" "${devs[@]}"
	ok $? "$name: the physical memory PNG is whole, ${W}x$H, not blank, each device's quanta drawn (or none), $tint"
	check_png "$out/map-virt.png"
	ok $? "$name: the address space PNG is whole, ${W}x$H, not blank"
	check_svg "$out/map-phys.svg" && check_svg "$out/map-virt.svg"
	ok $? "$name: both SVGs are well-formed XML"
	check_regions "$snap" "$out/map-virt.svg"
	ok $? "$name: the address space picture names the snapshot's regions, scull.ko and scullh's last kmap, exactly those it has"
done

# Bad input, made from the first snapshot with quanta (of the arguments,
# else of tests/data/snapshots/).
src=$(grep -l '^    quantum ' "${snaps[@]}" "$TOP"/tests/data/snapshots/* 2> /dev/null | head -n 1)
if [ -z "$src" ]; then
	echo "# no snapshot with quanta: the bad-input cases need one"
	ok 1 "a snapshot with quanta to make bad input from"
else
	echo "# bad input made from $src"
	: > "$tmp/empty.txt"
	bad empty "$tmp/empty.txt" && grep -q 'is empty' "$tmp/err-empty"
	ok $? "an empty file: one error line that says empty, no file"
	# Cut in the middle of the 200th line that is a quantum line.
	nr=$(grep -n '^    quantum ' "$src" | sed -n '200p;$p' | head -n 1 | cut -d: -f1)
	{ head -n $((nr - 1)) "$src"; sed -n "${nr}p" "$src" | cut -c1-70 | tr -d '\n'; } > "$tmp/cut.txt"
	bad cut-mid-line "$tmp/cut.txt" && grep -q truncated "$tmp/err-cut-mid-line"
	ok $? "a snapshot cut mid-line: one error line that says truncated, no file"
	head -c -1 "$src" > "$tmp/no-newline.txt"
	bad no-last-newline "$tmp/no-newline.txt" && grep -q truncated "$tmp/err-no-last-newline"
	ok $? "a snapshot without its last newline: one error line that says truncated, no file"
	# Cut at the end of a line: in the last device, and before the last device.
	head -n -10 "$src" > "$tmp/cut-line.txt"
	bad cut-in-last-device "$tmp/cut-line.txt" && grep -q truncated "$tmp/err-cut-in-last-device"
	ok $? "a snapshot cut in its last device: one error line that says truncated, no file"
	last=$(grep -n '^Device ' "$src" | tail -n 1 | cut -d: -f1)
	head -n $((last - 1)) "$src" > "$tmp/cut-device.txt"
	bad cut-before-device "$tmp/cut-device.txt" && grep -q truncated "$tmp/err-cut-before-device"
	ok $? "a snapshot cut before its last device: one error line that says truncated, no file"
	# What an unprivileged reader sees: zeros for addresses, layout hidden.
	sed -E -e '1s/view privileged/view unprivileged (addresses hidden)/' \
		-e 's/^layout: .*/layout: hidden/' \
		-e 's/^(  qset [0-9]+ at )[0-9a-f]+/\10000000000000000/' \
		-e 's/ virt [0-9a-f]+ phys [0-9a-f]+ pfn [0-9a-f]+ / virt 0000000000000000 phys 0000000000000000 pfn 0 /' \
		-e 's/ pfns [0-9a-f,-]+( holds |$)/ pfns -\1/' "$src" > "$tmp/unprivileged.txt"
	bad unprivileged "$tmp/unprivileged.txt"
	ok $? "an unprivileged snapshot: one error line, no file"
	grep -q 'run as root\|as root' "$tmp/err-unprivileged"
	ok $? "the unprivileged snapshot's error says to save it as root"
	sed -E "${nr}s/ runs [0-9]+ / runs many /" "$src" > "$tmp/unknown.txt"
	bad unknown-quantum-line "$tmp/unknown.txt"
	ok $? "an unknown quantum line: one error line, no file"
	grep -q "line $nr:" "$tmp/err-unknown-quantum-line"
	ok $? "the unknown quantum line's error names line $nr"
	bad not-a-snapshot /etc/services && grep -q 'not a /proc/scullmem snapshot' "$tmp/err-not-a-snapshot"
	ok $? "/etc/services: one error line that says it is not a snapshot, no file"
	# A PATH with python3 and nothing else.
	mkdir -p "$tmp/bin"
	ln -sf "$(python3 -c 'import sys; print(sys.executable)')" "$tmp/bin/python3"
	bad no-gnuplot "$src" PATH="$tmp/bin"
	ok $? "no gnuplot: one error line, no file"
	grep -q gnuplot-nox "$tmp/err-no-gnuplot"
	ok $? "no gnuplot: the error says to install gnuplot-nox"
fi

totals
[ "$fail" -eq 0 ]
