#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The functional test suite, run as root inside the QEMU guest:
#
#   tests/guest.sh <kver>        (scripts/check.sh runs it through vm.sh)
#
# It loads and unloads scull.ko ($SCULL_KO, default build/<kver>/scull.ko)
# with several geometries and prints KTAP.  Each check is one test line;
# the C suite's tests count one each.  The last line is
# `# scull-totals: pass P fail F skip S`.
set -u

kver=${1:-${SCULL_KVER:-$(uname -r)}}
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${SCULL_BUILD:-$TOP/build}
KO=${SCULL_KO:-$BUILD/$kver/scull.ko}
BIN=${SCULL_BIN:-$BUILD/tests}
DEVS="scullp scullv scullk scullc scullh"
# The devices of issue 26, alloc_pages_exact and kvmalloc: in the cheap
# checks (ALLDEVS) and their own scull_test fixture, not in the long loops
# over DEVS (every order, fio, stress, exhaustion), which with them made
# every test boot 40% longer.
ALLDEVS="$DEVS scullx scullkv"

. "$TOP/tests/lib.sh"

# check NAME CMD...: one test, passed when CMD exits 0.
check() {
	local name=$1 t0=$SECONDS rc
	shift
	"$@"
	rc=$?
	[ $((SECONDS - t0)) -lt 5 ] || note "took $((SECONDS - t0)) s: $name"
	ok $rc "$name"
}

note() { echo "# $*"; }

# check_stock NAME WHY CMD...: a check that the debug kernels leave out
# (tests/debug-guest.sh sets SCULL_DEBUG_GUEST), skipped there with WHY:
# it would only repeat the stock kernels' run of it, several times more
# slowly (KASAN, kmemleak and lockdep under TCG), and finds nothing they
# watch for that the rest of the suite does not reach.
check_stock() {
	local name=$1 why=$2
	shift 2
	if [ -n "${SCULL_DEBUG_GUEST:-}" ]; then
		skipped "$name" "the debug kernel: $why; the stock kernels run it"
	else
		check "$name" "$@"
	fi
}

loaded() { [ -d /sys/module/scull ]; }

# shellcheck disable=SC2120 # its arguments come through check()
load() {
	loaded && rmmod scull
	insmod "$KO" "$@" || { note "insmod $KO $* failed"; return 1; }
}

unload() { ! loaded || rmmod scull; }

# Lines dmesg printed since mark_dmesg.
mark_dmesg() { dmesg_mark=$(dmesg | wc -l); }
new_dmesg() { dmesg | tail -n +$((dmesg_mark + 1)); }

# suite_want: the tests scull_test runs, sorted: FIXTURE.VARIANT.TEST for
# every FIXTURE_VARIANT_ADD and TEST_F of tests/scull_test.c (fixture scull,
# one variant per device, and newdev, scullx and scullkv alone, whose few
# tests no other loop runs), or for the names in SCULL_TESTS, each of which
# must be a TEST_F of fixture scull there (if not, a note on stderr and exit
# 1); a newdev test of the same name runs then too.
suite_want() {
	local src=$TOP/tests/scull_test.c variants tests newvariants newtests want t v rc=0
	variants=$(sed -n 's/^FIXTURE_VARIANT_ADD(scull, \([a-z0-9_]*\)).*/\1/p' "$src")
	tests=$(sed -n 's/^TEST_F\(_TIMEOUT\)\{0,1\}(scull, \([a-z0-9_]*\)[,)].*/\2/p' "$src")
	newvariants=$(sed -n 's/^FIXTURE_VARIANT_ADD(newdev, \([a-z0-9_]*\)).*/\1/p' "$src")
	newtests=$(sed -n 's/^TEST_F\(_TIMEOUT\)\{0,1\}(newdev, \([a-z0-9_]*\)[,)].*/\2/p' "$src")
	if [ -n "${SCULL_TESTS+set}" ]; then
		want=$(tr ',' '\n' <<< "$SCULL_TESTS" | sed '/^$/d')
		for t in $want; do
			grep -q -x -F -- "$t" <<< "$tests" ||
				{ note "SCULL_TESTS names $t, which is no TEST_F in $src" >&2; rc=1; }
		done
		tests=$want
		newtests=$(grep -x -F -f <(echo "$want") <<< "$newtests" || true)
	fi
	{
		for v in $variants; do for t in $tests; do echo "scull.$v.$t"; done; done
		for v in $newvariants; do for t in $newtests; do echo "newdev.$v.$t"; done; done
	} | sort
	return $rc
}

# plan_suite: the results of one run_suite: its tests and the check that
# it ran them.
plan_suite() { echo $(($(suite_want 2> /dev/null | grep -c .) + 1)); }

# Run the C suite, indented as a KTAP subtest, and add up its totals.  One
# more test: it ran exactly the tests expected, worked out from the source
# and not from the binary: scull.VARIANT.TEST for every FIXTURE_VARIANT_ADD
# and TEST_F of tests/scull_test.c, or for the names in SCULL_TESTS (each of
# which must be a TEST_F there).  The plan, the RUN lines, the result lines
# and the totals must all agree with that list, and it may not be empty.
run_suite() {
	local label=$1 out totals p=0 f=0 x=0 y=0 s=0 e=0 t0=$SECONDS rc
	local src=$TOP/tests/scull_test.c want nwant plan ran bad=0
	shift
	out=$(mktemp)
	note "scull_test $label $*"
	timeout "${SCULL_SUITE_TIMEOUT:-900}" "$BIN/scull_test" "$@" > "$out" 2>&1
	rc=$?
	sed 's/^/    /' "$out"
	totals=$(grep '^# Totals:' "$out" | tail -n 1)
	if [ -z "$totals" ]; then
		ok 1 "scull_test $label: ran to completion"
	else
		# "# Totals: pass:P fail:F xfail:X xpass:Y skip:S error:E"
		IFS=' :' read -r _ _ _ p _ f _ x _ y _ s _ e <<< "$totals"
		pass=$((pass + p))
		fail=$((fail + f + e))
		skip=$((skip + s))
		n=$((n + p + f + e + s))
		note "scull_test $label: pass $p fail $f skip $s error $e ($((SECONDS - t0)) s)"
	fi
	want=$(suite_want) || bad=1
	nwant=$(grep -c . <<< "$want")
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$out" | head -n 1)
	ran=$(sed -n 's/^#  RUN  *\(\(scull\|newdev\)\.[a-z0-9_.]*\) \.\.\.$/\1/p' "$out" | sort)
	[ "$nwant" -gt 0 ] || { note "no test expected from $src"; bad=1; }
	[ "${plan:-none}" = "$nwant" ] ||
		{ note "scull_test planned ${plan:-no} tests, $nwant expected"; bad=1; }
	if [ "$ran" != "$want" ]; then
		note "scull_test ran other tests than expected (< expected, > ran):"
		diff <(echo "$want") <(echo "$ran") | grep '^[<>]' | sed 's/^/#   /'
		bad=1
	fi
	[ "$(grep -c -E '^(not )?ok [0-9]+( |$)' "$out")" -eq "$nwant" ] ||
		{ note "$(grep -c -E '^(not )?ok [0-9]+( |$)' "$out") result lines, $nwant expected"; bad=1; }
	[ $((p + f + x + y + s + e)) -eq "$nwant" ] ||
		{ note "the totals add up to $((p + f + x + y + s + e)) tests, $nwant expected"; bad=1; }
	# Exit 0 exactly when nothing failed.
	if [ -n "$totals" ] && [ $((rc != 0)) -ne $((f + e + y > 0)) ]; then
		note "scull_test exited $rc with $f failed, $e errors"
		bad=1
	fi
	ok $bad "scull_test $label: ran the $nwant tests expected from tests/scull_test.c"
	rm -f "$out"
}

# ---- bad parameters ------------------------------------------------------

bad_param() {
	local arg=$1 name=${1%%=*} value=${1#*=} want=${2:-} lines err
	mark_dmesg
	if err=$(insmod "$KO" "$arg" 2>&1); then
		note "insmod $arg succeeded"
		rmmod scull
		return 1
	fi
	# EINVAL, as kmod's insmod words it.
	grep -q -E 'Invalid (argument|parameters)' <<< "$err" || { note "insmod: $err"; return 1; }
	loaded && { note "scull is loaded after a refused insmod $arg"; return 1; }
	grep -q -w scullmem /proc/devices && { note "the scullmem major is left registered"; return 1; }
	[ -e /sys/class/scullmem ] && { note "/sys/class/scullmem is left"; return 1; }
	[ -e /dev/scullp ] && { note "/dev/scullp is left"; return 1; }
	# A scull line naming the parameter and the value as a whole number.
	lines=$(new_dmesg | sed 's/^\[[^]]*\] *//' | grep scull | grep -- "$name" |
		grep -E -- "(^|[^0-9-])$value([^0-9]|\$)")
	[ -n "$lines" ] || { note "no dmesg line names $name $value:"; new_dmesg | sed 's/^/#   /'; return 1; }
	# The driver's own refusals of qset also give the range.
	case $arg in
	qset=*) grep -q '65536' <<< "$lines" || { note "no range 1..65536 in: $lines"; return 1; } ;;
	esac
	[ -z "$want" ] || grep -q -F -- "$want" <<< "$lines" || { note "no '$want' in: $lines"; return 1; }
	note "refused: $(head -n 1 <<< "$lines")"
}

BAD_PARAMS="order=11 order=99 qset=0 qset=65537 qset=4294967295 order=-1 quantum=0 quantum=4294967296 quantum=abc"
PLAN_BAD_PARAMS=$(($(wc -w <<< "$BAD_PARAMS") + 4))
test_bad_params() {
	local a
	unload
	for a in $BAD_PARAMS; do
		check "insmod $a is refused, names the value, leaves nothing loaded" bad_param "$a"
	done
	# Every kernel here has 4 KiB pages and a largest page order of 10:
	# scullc's quanta stop one order below (scull_compat.h says why).
	check "insmod order=10 is refused by scullc, whose largest order is 9" \
		bad_param order=10 "scullc (kmem_cache) takes 0..9"
	check "insmod quantum=4000 order=1 is refused: order=1 is quantum=8192" bad_pair
	check "insmod quantum=4000: every device's quantum is 4000 bytes, order 0" quantum_param
	check "quantum=4000: fio verifies random writes on scullk (slab) and scullv (pages)" odd_fio
}

# fio at LDD3's quantum, 4000 bytes, which is not a whole page: on a slab
# device (scullk: copy_to_iter()) and a page device (scullv: copied page by
# page), one engine each, 4 MiB: a second or two.
odd_fio() {
	local rc=0
	load quantum=4000 || return 1
	fio_verify scullk pvsync2 || rc=1
	fio_verify scullv io_uring || rc=1
	unload
	return $rc
}

# quantum= and order= that disagree: EINVAL, one line that says so.
bad_pair() {
	mark_dmesg
	insmod "$KO" quantum=4000 order=1 2> /dev/null && { rmmod scull; return 1; }
	loaded && return 1
	[ "$(new_dmesg | grep -c 'quantum=4000 and order=1 disagree')" -eq 1 ] ||
		{ new_dmesg | sed 's/^/#   /'; return 1; }
}

# quantum=BYTES alone: every device (the issue 26 ones too) takes it.
quantum_param() {
	local d got
	load quantum=4000 || return 1
	[ "$(cat /sys/module/scull/parameters/quantum)" = 4000 ] || return 1
	for d in $ALLDEVS; do
		got="$(cat "/sys/class/scullmem/$d/quantum") $(cat "/sys/class/scullmem/$d/order")"
		[ "$got" = "4000 0" ] || { note "$d: quantum and order $got"; return 1; }
	done
	unload
}

# ---- fio: readv/writev, pwritev2/preadv2, AIO, io_uring --------------------

# fio's vsync engine skips the verify phase when iodepth > 1 (fio 3.33
# merges the writes and forgets them): it runs at depth 1, and the checks
# below make sure every engine really read its 4 MiB back.
fio_verify() {
	local dev=$1 engine=$2 size depth=8
	[ "$engine" != vsync ] || depth=1
	: > "/dev/$dev"
	[ "$(cat /sys/class/scullmem/"$dev"/size)" -eq 0 ] || return 1
	rm -f /tmp/fio.out
	timeout 180 fio --name="$dev-$engine" --filename="/dev/$dev" --size=4m --bsrange=512-64k \
		--rw=randwrite --ioengine="$engine" --iodepth=$depth --verify=crc32c \
		--do_verify=1 --verify_fatal=1 --invalidate=0 --allow_file_create=0 \
		--randrepeat=0 --output=/tmp/fio.out > /dev/null 2>&1 ||
		{ sed 's/^/# /' /tmp/fio.out; return 1; }
	grep -q "err= 0" /tmp/fio.out || { sed 's/^/# /' /tmp/fio.out; return 1; }
	# All 4 MiB written, then all of it read back and verified.
	if ! grep -q "WRITE: .*io=4096KiB" /tmp/fio.out || ! grep -q "READ: .*io=4096KiB" /tmp/fio.out; then
		sed 's/^/# /' /tmp/fio.out
		return 1
	fi
	size=$(cat /sys/class/scullmem/"$dev"/size)
	[ "$size" -eq $((4 << 20)) ] || { note "$dev: size $size after fio"; return 1; }
}

# Every engine, and every device, once: the engines differ in how the
# request reaches read_iter and write_iter (readv/writev, preadv2/pwritev2,
# Linux AIO, io_uring, pread/pwrite), the devices in where the quanta come
# from, and the two are independent: engine i runs on device i (mod the
# number of devices).
FIO_ENGINES="vsync pvsync2 libaio io_uring psync"
PLAN_FIO=$(wc -w <<< "$FIO_ENGINES")
test_fio() {
	local devs e i=0
	read -r -a devs <<< "$DEVS"
	for e in $FIO_ENGINES; do
		check "${devs[i % ${#devs[@]}]}: fio $e random writes verified" \
			fio_verify "${devs[i % ${#devs[@]}]}" "$e"
		i=$((i + 1))
	done
}

# ---- /proc/scullmem --------------------------------------------------------

fill_bytes=$((3 * 1024 * 1024 + 12345))

fill_devices() {
	local dev
	head -c $fill_bytes /dev/urandom > /tmp/data
	for dev in $DEVS; do
		cp /tmp/data "/dev/$dev" || return 1
		cmp /tmp/data "/dev/$dev" || return 1
	done
}

# Quantum lines of one device: "index virt phys pfn region pages runs word
# zone(s) Z node(s) N kind ...", without the final map, pfns and holds
# fields (" holds N", then span, from or via).
quanta_of() {
	awk -v h="Device $1:" '
		/^Device / { inb = index($0, h) == 1; next }
		inb && /^    quantum / {
			sub(/ holds [0-9]+( .*)?$/, "")
			if ($(NF - 1) == "pfns") NF -= 2
			if ($(NF - 1) == "map") NF -= 2
			sub(":", "", $2); $1 = ""; $3 = ""; $5 = ""; $7 = ""; $10 = ""; $12 = ""
			$0 = $0; $1 = $1; print }' "${2:-/proc/scullmem}"
}

# The "quanta by zone:" counts of a device's header, one "ZONE N" a line.
zone_counts_of() {
	awk -v h="Device $1:" '
		/^Device / { inb = index($0, h) == 1; next }
		inb && /^  quanta by zone: / {
			sub(/^  quanta by zone: /, ""); n = split($0, z, ", ")
			for (i = 1; i <= n; i++) if (z[i] != "none") print z[i] }' "$2"
}

# fill_devices wrote fill_bytes from offset 0: ceil(fill_bytes / quantum)
# quanta each, indices 0..n-1, each listed once.
proc_counts() {
	local dev q want
	q=$((4096 << $(cat /sys/module/scull/parameters/order)))
	want=$(( (fill_bytes + q - 1) / q ))
	for dev in $DEVS; do
		[ "$(quanta_of "$dev" | wc -l)" -eq "$want" ] ||
			{ note "$dev: $(quanta_of "$dev" | wc -l) quantum lines, wrote $want quanta"; return 1; }
		quanta_of "$dev" | awk -v n="$want" '$1 != NR - 1 { exit 1 } END { exit NR != n }' ||
			{ note "$dev: the quantum indices are not 0..$((want - 1))"; return 1; }
		[ "$(cat /sys/class/scullmem/"$dev"/quanta)" -eq "$want" ] || return 1
	done
}

# Every scullv quantum starts a vmalloc area; no other device's quantum is
# in any: theirs are linear addresses, or none (scullh's in high memory:
# "virt -", region highmem).
proc_vmallocinfo() {
	echo 1 > /proc/sys/kernel/kptr_restrict
	cat /proc/scullmem > /tmp/snap
	# Sorted by start (fixed-width hex: as text is as by value), for
	# the binary search below: thousands of areas times thousands of
	# quanta took minutes under TCG.
	awk '{ split($1, r, "-"); print r[1], r[2] }' /proc/vmallocinfo | sort > /tmp/areas
	quanta_of scullv /tmp/snap | awk '
		NR == FNR { start[$1] = 1; next }
		{ n++; if (!(("0x" $2) in start)) { bad++; print "# not in vmallocinfo:", $2 } }
		END { exit (n == 0 || bad > 0) }' /tmp/areas - || return 1
	for dev in $DEVS; do
		[ "$dev" != scullv ] || continue
		quanta_of "$dev" /tmp/snap | gawk '
			function area(v,  a, b, mid) {	# the last area starting at or below v
				a = 1; b = m
				while (a <= b) {
					mid = int((a + b) / 2)
					if (lo[mid] <= v) a = mid + 1; else b = mid - 1
				}
				return b
			}
			NR == FNR { lo[NR] = strtonum($1); hi[NR] = strtonum($2); m = NR; next }
			{ v = strtonum("0x" $2); n++; i = area(v)
			  if (i >= 1 && v < hi[i]) { bad++; print "# in vmalloc:", $2 } }
			END { exit (n == 0 || bad > 0) }' /tmp/areas - || return 1
		quanta_of "$dev" /tmp/snap | awk -v dev="$dev" '
			$5 != "linear" && !(dev == "scullh" && $5 == "highmem" && $2 == "-") { exit 1 }' ||
			return 1
	done
	quanta_of scullv /tmp/snap | awk '$5 != "vmalloc" { exit 1 }'
}

# Contiguity as reported: linear quanta (and slab objects: their slab is
# one folio) in one run; a vmalloc quantum's runs between 1 and its pages,
# "contiguous" exactly when there is one run.
proc_contiguity() {
	local dev pages=$((1 << $(cat /sys/module/scull/parameters/order)))
	cat /proc/scullmem > /tmp/snap
	for dev in $DEVS; do
		[ "$dev" != scullv ] || continue
		# The pages it touches: one more for a slab object that does not
		# start on a page boundary (slub_debug's red zone before it).
		quanta_of "$dev" /tmp/snap | gawk -v p=$pages '
			{ off = $2 == "-" ? 0 : strtonum("0x" substr($2, length($2) - 2))
			  want = int((off + p * 4096 + 4095) / 4096) }
			$6 != want || $7 != 1 || $8 != "contiguous" { bad++ } END { exit bad > 0 || NR == 0 }' ||
			{ note "$dev: a quantum is not reported contiguous over the pages it touches"; return 1; }
	done
	quanta_of scullv /tmp/snap | awk -v p=$pages '
		$6 != p || $7 < 1 || $7 > p || ($7 == 1) != ($8 == "contiguous") { bad++ }
		END { exit bad > 0 || NR == 0 }'
}

# The banner's kernel line is uname's; each quantum line ends in its pfns
# field (before what the allocator holds, " holds N ..."): runs of hex page frames ("1efc6,1efc8-1efc9") as many as its runs,
# adding up to its pages, the first starting at its pfn.
proc_pfns() {
	cat /proc/scullmem > /tmp/snap
	grep -q -x "kernel $(uname -r) $(uname -m)" /tmp/snap ||
		{ note "no line 'kernel $(uname -r) $(uname -m)': $(grep '^kernel' /tmp/snap)"; return 1; }
	[ "$(sed -n '3,$p' /tmp/snap | grep -v -E '^(region|module) ' | head -n 1 | cut -d' ' -f1)" = kernel ] ||
		{ note "the kernel line is not right after the layout and its region lines"; return 1; }
	gawk '/^    quantum / {
		n++
		sub(/ holds [0-9]+( .*)?$/, "")
		if ($(NF - 1) != "pfns") { bad++; print "# no pfns field: " $0; next }
		k = split($NF, r, ","); pages = 0
		for (i = 1; i <= k; i++) {
			if (r[i] !~ /^[0-9a-f]+(-[0-9a-f]+)?$/) { bad++; print "# bad run " r[i]; continue }
			m = split(r[i], e, "-"); lo = strtonum("0x" e[1]); hi = m == 2 ? strtonum("0x" e[2]) : lo
			if (m == 2 && hi <= lo) { bad++; print "# bad run " r[i] }
			if (i == 1 && lo != strtonum("0x" $8)) { bad++; print "# first run " r[i] " is not pfn " $8 }
			pages += hi - lo + 1
		}
		if (k != $13 || pages != $11) { bad++; print "# " k " runs of " pages " pages: " $0 } }
		END { exit n == 0 || bad > 0 }' /tmp/snap | head -n 5
	[ "${PIPESTATUS[0]}" -eq 0 ]
}

# Where the pages are (scullh's in HighMem exactly when they have no
# kernel address, as many as its header counts): the banner's zones are /proc/zoneinfo's populated
# ones (name, node, pfn span, present pages: a zone of each node, so two
# DMA32 zones on a two-node x86_64); every quantum names the zone
# and node that hold its first pfn among its zones (one "zone", or several
# "zones"), never HighMem for scullp and scullk (their addresses are
# logical ones), and HighMem for some scullv quanta where there is any
# (vmalloc asks for it); each header's counts are its quantum lines'; the
# kind of the first page is what the allocator makes at this order.
proc_zones() {
	local order dev
	order=$(cat /sys/module/scull/parameters/order)
	cat /proc/scullmem > /tmp/snap
	awk '/^Node / { node = $2; sub(",", "", node); zone = $4; present = 0 }
		$1 == "present" { present = $2 }
		$1 == "spanned" { spanned = $2 }
		$1 == "start_pfn:" && present > 0 {
			printf "zone %s node %s pfn %x-%x present %d\n", zone, node, $2,
				$2 + spanned - 1, present }' /proc/zoneinfo > /tmp/zones.want
	grep '^zone ' /tmp/snap > /tmp/zones.got
	[ -s /tmp/zones.want ] || { note "no populated zone in /proc/zoneinfo"; return 1; }
	cmp -s /tmp/zones.want /tmp/zones.got ||
		{ diff /tmp/zones.want /tmp/zones.got | sed 's/^/# /'; return 1; }
	for dev in $DEVS; do
		quanta_of "$dev" /tmp/snap | gawk -v dev="$dev" -v order="$order" '
			NR == FNR { key = $2 " " $4; split($6, r, "-"); lo[key] = strtonum("0x" r[1])
				    hi[key] = strtonum("0x" r[2]); zn[key] = $2; nd[key] = $4; has[$2] = 1; next }
			{ pfn = strtonum("0x" $4); z = ""; zk = ""; q++
			  for (n in lo) if (pfn >= lo[n] && pfn <= hi[n]) { z = zn[n]; zk = n }
			  k = split($10, zs, ","); found = 0
			  for (i = 1; i <= k; i++) { cnt[zs[i]]++; found = found || zs[i] == z }
			  if (!found || ($9 == "zone") != (k == 1) || $12 != nd[zk] || $11 != "node" ||
			      (dev != "scullv" && dev != "scullh" && z == "HighMem")) {
				bad++; print "# " dev " quantum " $1 ": pfn " $4 " is in " z " node " nd[zk] ", shown " $9 " " $10 " " $11 " " $12 }
			  if (dev == "scullh" && ((z == "HighMem") != ($2 == "-") || ($2 == "-") != ($5 == "highmem"))) {
				bad++; print "# scullh quantum " $1 " in " z ": virt " $2 ", region " $5 }
			  unmapped += $2 == "-"
			  kind = $14 ($15 == "" ? "" : " " $15 " " $16)
			  want = dev == "scullv" || ((dev == "scullp" || dev == "scullh") && order == 0) ? "page" :
				 dev == "scullk" && order <= 1 ? "slab cache -" :
				 dev == "scullc" ? "slab cache scullc-" 4096 * 2 ^ order : "compound order " order
			  if (kind != want) { bad++; print "# " dev " quantum " $1 ": kind " kind ", expected " want } }
			END { if ((dev == "scullv" || dev == "scullh") && ("HighMem" in has) && !cnt["HighMem"]) {
				bad++; print "# no " dev " quantum in HighMem" }
			      for (z in cnt) print "count", z, cnt[z]
			      print "unmapped", unmapped + 0
			      exit q == 0 || bad > 0 }' /tmp/zones.got - > /tmp/zones.check
		rc=$?
		grep '^#' /tmp/zones.check | head -n 5
		[ "$rc" -eq 0 ] || return 1
		[ "$(awk '$1 == "count" { print $2, $3 }' /tmp/zones.check | sort)" = \
			"$(zone_counts_of "$dev" /tmp/snap | sort)" ] ||
			{ note "$dev: header counts $(zone_counts_of "$dev" /tmp/snap | tr '\n' ' ')"; return 1; }
		[ "$dev" != scullh ] ||
			grep -q -x "  highmem quanta $(sed -n 's/^unmapped //p' /tmp/zones.check) (no kernel mapping: virt -)" \
				<(awk '/^Device / { inb = index($0, "Device scullh:") == 1 } inb' /tmp/snap) ||
			{ note "scullh: the header's highmem quanta are not its quanta with virt -"; return 1; }
	done
}

# KFENCE objects of slab cache $1 now allocated (0 without KFENCE): KFENCE
# samples allocations into a pool of its own, outside the cache's slabs, so
# /proc/slabinfo does not count them.  In its debugfs list an object is a
# block "kfence-#N: ..., cache=NAME", with "freed by task" once freed.
kfence_objects() {
	local f=/sys/kernel/debug/kfence/objects
	[ -d /sys/module/kfence ] || { echo 0; return; }
	[ -e $f ] || mount -t debugfs none /sys/kernel/debug 2> /dev/null
	[ -r $f ] || { echo 0; return; }
	awk -v c="cache=$1" '/^kfence-#[0-9]+: / { n += live; live = $NF == c; next }
		/^freed by task/ { live = 0 } END { print n + live }' $f
}

# scullc's kmem_cache as the kernel has it.  /proc/scullmem's header says
# "cache scullc-<quantum>, object size <quantum>, objects per slab N, slab
# order O"; /sys/kernel/slab/scullc-<quantum> has that object size, N
# objects per slab and order O; /proc/slabinfo has the one scullc cache,
# with N objects and 2^O pages per slab, a stride of at least the object
# size and at least as many active objects as the device has quanta (less
# those that KFENCE holds).
slab_cache() {
	local q name want hdr per order sys info active num size objs pages quanta kf
	q=$(cat /sys/class/scullmem/scullc/quantum)
	quanta=$(cat /sys/class/scullmem/scullc/quanta)
	name=scullc-$q
	want="  cache $name, object size $q, objects per slab [1-9][0-9]*, slab order [0-9]+"
	hdr=$(grep '^  cache ' /proc/scullmem)
	[[ $hdr =~ ^$want$ ]] || { note "scullc's header says '$hdr'"; return 1; }
	read -r per order <<< "$(sed -E 's/.* objects per slab ([0-9]+), slab order ([0-9]+)$/\1 \2/' <<< "$hdr")"
	sys=/sys/kernel/slab/$name
	[ -d "$sys" ] || { note "no $sys"; return 1; }
	if [ "$(cat "$sys/object_size")" != "$q" ] || [ "$(cat "$sys/objs_per_slab")" != "$per" ] ||
		[ "$(cat "$sys/order")" != "$order" ]; then
		note "$sys: object_size $(cat "$sys/object_size"), objs_per_slab $(cat "$sys/objs_per_slab")," \
			"order $(cat "$sys/order"); /proc/scullmem: $hdr"
		return 1
	fi
	# name active_objs num_objs objsize objperslab pagesperslab ...
	info=$(grep '^scullc-' /proc/slabinfo)
	read -r _ active num size objs pages _ <<< "$info"
	kf=$(kfence_objects "$name")
	note "slabinfo: $info; $quanta quanta, $kf of them KFENCE objects"
	if ! [ "$(wc -l <<< "$info")" -eq 1 ] || [ "${info%% *}" != "$name" ] ||
		[ "$objs" != "$per" ] || [ "$pages" -ne $((1 << order)) ] || [ "$size" -lt "$q" ] ||
		[ $((active + kf)) -lt "$quanta" ] || [ "$num" -lt "$active" ]; then
		note "/proc/slabinfo disagrees (the device holds $quanta quanta)"
		return 1
	fi
	[ "$(find /sys/kernel/slab -maxdepth 1 -name 'scullc-*' | wc -l)" -eq 1 ] ||
		{ note "more than one scullc cache in /sys/kernel/slab"; return 1; }
}

# SET_ORDER makes the cache of the new geometry and destroys the old one;
# data round-trips there; the old order brings the old cache back.
slab_cache_set_order() {
	local o new q nq
	o=$(cat /sys/class/scullmem/scullc/order)
	q=$(cat /sys/class/scullmem/scullc/quantum)
	new=$((o == 0 ? 1 : 0))
	nq=$((4096 << new))
	: > /dev/scullc
	"$BIN/scullctl" /dev/scullc order=$new > /dev/null || return 1
	if grep -q "^scullc-$q " /proc/slabinfo || [ -e "/sys/kernel/slab/scullc-$q" ] ||
		! grep -q "^scullc-$nq " /proc/slabinfo || [ ! -d "/sys/kernel/slab/scullc-$nq" ]; then
		note "after SET_ORDER $new: $(grep '^scullc-' /proc/slabinfo | cut -d' ' -f1 | tr '\n' ' ')"
		return 1
	fi
	cp /tmp/data /dev/scullc && cmp /tmp/data /dev/scullc && slab_cache || return 1
	: > /dev/scullc
	"$BIN/scullctl" /dev/scullc order="$o" > /dev/null &&
		grep -q "^scullc-$q " /proc/slabinfo && [ ! -e "/sys/kernel/slab/scullc-$nq" ]
}

# scullc and scullh at every order they take.  SET_ORDER to each order in
# turn (for scullc: a new cache each time, up to the largest order whose
# object fits in a slab with slub_debug's metadata); two quanta and a byte
# round-trip; /proc/scullmem shows three quanta of that order and kind.
# The first order refused is EINVAL, one past the last taken, which for
# scullh is MAX_PAGE_ORDER, one more than scullc's.  A write at an order
# above PAGE_ALLOC_COSTLY_ORDER (3) may find no such block free: ENOMEM
# there is noted, not failed, where /proc/buddyinfo showed no free block
# of the order the quantum needs; where it showed one, the first quantum
# must have been taken.  The order itself must be taken.
#
# free_blocks_from ORDER: free blocks of ORDER or more in the zones a
# quantum may come from (all but DMA, which lowmem_reserve keeps).
free_blocks_from() {
	awk -v o="$1" '$4 != "DMA" { for (i = 5 + o; i <= NF; i++) s += $i } END { print s + 0 }' /proc/buddyinfo
}

# block_order DEV ORDER: the order of the block a quantum of DEV at ORDER
# takes: a slab of scullc's cache (with slub_debug's metadata, often one
# more), or the quantum's own.
block_order() {
	local f=/sys/kernel/slab/scullc-$((4096 << $2))/order
	if [ "$1" = scullc ] && [ -r "$f" ]; then cat "$f"; else echo "$2"; fi
}

every_order() {
	local dev o n out kind want max_c='' err blocks need
	head -c $(((4 << 20) + 1)) /dev/urandom > /tmp/orders.data
	for dev in scullc scullh; do
		: > "/dev/$dev"
		for ((o = 0; ; o++)); do
			if ! err=$("$BIN/scullctl" "/dev/$dev" order=$o 2>&1 > /dev/null); then
				[[ $err == *"Invalid argument"* ]] || { note "$dev order=$o: $err"; return 1; }
				break
			fi
			n=$(((4096 << o) + 1))
			need=$(block_order $dev $o)
			blocks=$(free_blocks_from "$need")
			if ! err=$(head -c $n /tmp/orders.data 2>&1 > "/dev/$dev"); then
				if [[ $err != *"Cannot allocate memory"* ]] || [ $o -le 3 ]; then
					note "$dev order $o: $err"
					return 1
				fi
				if [ "$blocks" -gt 0 ] && [ "$(cat "/sys/class/scullmem/$dev/quanta")" -eq 0 ]; then
					note "$dev order $o: ENOMEM with no quantum taken, yet buddyinfo showed $blocks free blocks of order $need or more"
					return 1
				fi
				note "$dev order $o: ENOMEM after $(cat "/sys/class/scullmem/$dev/quanta") quanta; buddyinfo had $blocks free blocks of order $need or more"
				: > "/dev/$dev"
				continue
			fi
			cmp -n $n /tmp/orders.data "/dev/$dev" || { note "$dev order $o: data differ"; return 1; }
			case $dev:$o in
			scullc:*) want="slab cache scullc-$((4096 << o))" ;;
			scullh:0) want=page ;;
			*) want="compound order $o" ;;
			esac
			kind=$(quanta_of "$dev" | awk '{ k = $14; for (i = 15; i <= NF; i++) k = k " " $i; print k }' |
				sort | uniq -c | awk '{ $1 = $1 " x"; print }')
			[ "$kind" = "2 x $want" ] || { note "$dev order $o: kinds '$kind', expected 2 x $want"; return 1; }
			: > "/dev/$dev"
		done
		note "$dev: orders 0..$((o - 1)) taken, order $o refused"
		[ $o -gt 0 ] || return 1
		if [ "$dev" = scullc ]; then
			max_c=$((o - 1))
		else
			[ $((o - 1)) -eq $((max_c + 1)) ] ||
				{ note "scullh's largest order $((o - 1)) is not scullc's $max_c plus one"; return 1; }
		fi
		"$BIN/scullctl" "/dev/$dev" order="$(cat /sys/module/scull/parameters/order)" > /dev/null || return 1
	done
}

# An unprivileged opener sees no address, even reading through root.
proc_unprivileged() {
	local mode want
	want=$(grep -c '^    quantum ' /proc/scullmem)
	[ "$want" -gt 0 ] || return 1
	for mode in unpriv passed; do
		"$BIN/proc_reader" $mode > /tmp/unpriv || return 1
		head -n 1 /tmp/unpriv | grep -q "view unprivileged" || return 1
		sed -n 2p /tmp/unpriv | grep -q -x "layout: hidden" || return 1
		# The same lines as root sees, addresses aside.
		[ "$(grep -c '^    quantum ' /tmp/unpriv)" -eq "$want" ] || return 1
		grep '^    quantum \|^  qset ' /tmp/unpriv |
			grep -v -E ' (virt|at) (0+|-)( |$)' && return 1
		grep '^    quantum ' /tmp/unpriv |
			grep -v -E 'phys 0+ pfn 0 ' && return 1
		grep '^    quantum ' /tmp/unpriv | grep -v -E ' pfns - holds [0-9]+( .*)?$' && return 1
		grep -q -x "kernel $(uname -r) $(uname -m)" /tmp/unpriv || return 1
	done
	grep -q "view privileged" /proc/scullmem
}

PLAN_PROC=8	# the checks of test_proc
test_proc() {
	check "copy a 3 MiB file into each node and back" fill_devices
	check "/proc/scullmem: one line per allocated quantum" proc_counts
	check "/proc/scullmem: scullv in vmallocinfo, the other devices outside it" proc_vmallocinfo
	check "/proc/scullmem: contiguity as reported" proc_contiguity
	check "/proc/scullmem: the kernel line; each quantum's pfns field adds up to its pfn, pages and runs" proc_pfns
	check "/proc/scullmem: zones, nodes and page kinds as the kernel has them" proc_zones
	check "scullc: its cache in /proc/slabinfo and /sys/kernel/slab as /proc/scullmem shows it" slab_cache
	check "/proc/scullmem: no address for an unprivileged opener" proc_unprivileged
}

# ---- sparse files: SEEK_DATA/SEEK_HOLE seen by tools -----------------------

sparse_copy() {
	local end
	rm -f /tmp/sparse /tmp/copy
	truncate -s 10M /tmp/sparse
	printf data | dd of=/tmp/sparse conv=notrunc status=none
	printf more | dd of=/tmp/sparse bs=1 seek=5000000 conv=notrunc status=none
	head -c 9000 /dev/urandom | dd of=/tmp/sparse bs=1 seek=8000000 conv=notrunc status=none
	# dd skips the zero blocks; cp cannot make holes in a device, only in files.
	dd if=/tmp/sparse of=/dev/scullv bs=4k conv=sparse status=none || return 1
	[ "$(cat /sys/class/scullmem/scullv/quanta)" -le 6 ] || return 1
	end=$("$BIN/sparsemap" /dev/scullv | sed -n 's/^size //p')
	"$BIN/sparsemap" /tmp/sparse | grep -v '^size' > /tmp/map.file
	"$BIN/sparsemap" /dev/scullv | grep -v '^size' > /tmp/map.dev
	diff /tmp/map.file /tmp/map.dev || return 1
	cmp -n "$end" /tmp/sparse /dev/scullv || return 1
	cp --sparse=always /dev/scullv /tmp/copy || return 1
	cmp /tmp/copy /dev/scullv || return 1
	[ "$(du -k /tmp/copy | cut -f1)" -lt 100 ] || return 1
	: > /dev/scullv
}

# ---- scullctl ----------------------------------------------------------------

scullctl_tool() {
	local out
	out=$("$BIN/scullctl" /dev/scullk) || return 1
	grep -q "^/dev/scullk: order $(cat /sys/module/scull/parameters/order), qset " <<< "$out" || return 1
	: > /dev/scullk
	out=$("$BIN/scullctl" /dev/scullk order=3 qset=9) || return 1
	grep -q "order 3, qset 9, quantum 32768, size 0" <<< "$out" || return 1
	echo hello > /dev/scullk
	out=$("$BIN/scullctl" /dev/scullk order=1 2>&1) && return 1
	grep -q "Device or resource busy" <<< "$out" || return 1
	"$BIN/scullctl" /dev/scullk reset "order=$(cat /sys/module/scull/parameters/order)" \
		"qset=$(cat /sys/module/scull/parameters/qset)" > /dev/null
}

# ---- allocation flags (gfp) ----------------------------------------------------

# What this machine has, once: the populated zones (" DMA DMA32 "), and
# the kernel's version as major * 1000 + minor.
gfp_facts() {
	gfp_zones_here=" $(awk '/^Node / { zone = $4 } $1 == "present" && $2 > 0 { print zone }' \
		/proc/zoneinfo | sort -u | tr '\n' ' ')"
	gfp_kv=$(uname -r | awk -F'[.-]' '{ print $1 * 1000 + $2 }')
}

# What DEV must do with gfp=ZONE,ACTION: the rules of the README, from
# what each allocator can do and what this machine has.
gfp_expect() {
	local dev=$1 zone=$2 act=$3 z
	case $zone:$dev:$act in
	movable:* | highmem:scullp:* | highmem:scullk:* | dma32:scullk:* | \
		*:scullv:atomic | *:scullv:nowait | dma:scullc:* | dma32:scullc:* | \
		highmem:scullc:*) echo refused; return ;;
	*:scullv:noio | *:scullv:nofs) [ "$gfp_kv" -ge 5017 ] || { echo refused; return; } ;;
	esac
	# Since v6.19 __vmalloc drops zone modifiers (with a WARN).
	case $zone:$dev in
	dma:scullv | dma32:scullv | highmem:scullv) [ "$gfp_kv" -lt 6019 ] || { echo refused; return; } ;;
	esac
	case $zone in
	dma) z=DMA ;; dma32) z=DMA32 ;; highmem) z=HighMem ;; *) echo ok; return ;;
	esac
	[[ $gfp_zones_here == *" $z "* ]] && echo ok || echo refused
}

# The zones that quanta of DEV may come from with modifier ZONE: the zone
# and those below it (vmalloc adds __GFP_HIGHMEM to "normal" itself, and
# so does scullh's alloc_pages).
gfp_zones() {
	case $2 in
	dma) echo DMA ;;
	dma32) echo DMA DMA32 ;;
	normal) case $1 in
		scullv | scullh) echo DMA DMA32 Normal HighMem ;;
		*) echo DMA DMA32 Normal ;;
		esac ;;
	*) echo DMA DMA32 Normal HighMem ;;
	esac
}

# One choice on DEV, set through sysfs: refused with EINVAL, or taken:
# then the attribute shows it, its flags naming both parts, 96 KiB
# round-trip, and every quantum lies in a zone the modifier allows.  Few
# processes: under TCG each costs tens of milliseconds, and this runs 13
# times per device a boot.
gfp_one() {
	local dev=$1 zone=$2 act=$3 want err line zflag aflag
	want=$(gfp_expect "$dev" "$zone" "$act")
	# bash's echo, not dash's: dash reports every failed write as an I/O error.
	if err=$({ echo "$zone,$act" > "/sys/class/scullmem/$dev/gfp"; } 2>&1); then
		[ "$want" = ok ] || { note "$dev gfp=$zone,$act taken, expected refused"; return 1; }
	else
		[ "$want" = refused ] && [[ $err == *"Invalid argument"* ]] && return 0
		note "$dev gfp=$zone,$act: $err (expected $want)"
		return 1
	fi
	read -r line < "/sys/class/scullmem/$dev/gfp"
	case $zone in normal) zflag=GFP ;; dma) zflag=GFP_DMA ;; dma32) zflag=GFP_DMA32 ;; *) zflag=__GFP_HIGHMEM ;; esac
	aflag=GFP_${act^^}
	if [ "${line%% *}" != "$zone,$act" ] || [[ "|${line#* }" != *"|$aflag"* ]] ||
		[[ "|${line#* }" != *"|$zflag"* ]] || [[ $line != *ACCOUNT* ]]; then
		note "$dev gfp=$zone,$act: the attribute shows $line"
		return 1
	fi
	if ! cp /tmp/gfp-data "/dev/$dev" || ! cmp /tmp/gfp-data "/dev/$dev"; then
		note "$dev gfp=$zone,$act: no round-trip"
		return 1
	fi
	awk -v h="Device $dev:" -v ok=" $(gfp_zones "$dev" "$zone") " -v what="$dev gfp=$zone,$act" '
		/^Device / { inb = index($0, h) == 1; next }
		inb && /^    quantum / { n++; k = split($16, zs, ",")
			for (i = 1; i <= k; i++) if (index(ok, " " zs[i] " ") == 0) {
				bad++; print "# " what ": quantum " $2 " in " zs[i] } }
		END { exit n == 0 || bad > 0 }' /proc/scullmem || return 1
	: > "/dev/$dev"
}

gfp_choices() {
	local dev choice
	gfp_facts
	head -c 98304 /dev/urandom > /tmp/gfp-data
	for dev in $DEVS; do
		: > "/dev/$dev"
		# Every zone with kernel, every action with normal, and each
		# other zone with another action: each rule concerns one of the
		# two, and the mask is their OR (13 choices, not 25: each costs
		# seconds under TCG, times five devices and eight kernels).
		for choice in {normal,dma,dma32,highmem,movable}:kernel \
			normal:{atomic,nowait,noio,nofs} dma:atomic dma32:nowait highmem:noio movable:nofs; do
			gfp_one "$dev" "${choice%:*}" "${choice#*:}" || return 1
		done
		echo normal,kernel > "/sys/class/scullmem/$dev/gfp" || return 1
		"$BIN/scullctl" "/dev/$dev" | grep -q ", gfp normal,kernel, node local\$" ||
			{ note "$dev: scullctl shows no gfp normal,kernel"; return 1; }
	done
	"$BIN/scullctl" /dev/scullp gfp=dma32 2> /dev/null | grep -q ", gfp dma32,kernel, node local\$" ||
		[ "$(gfp_expect scullp dma32 kernel)" = refused ] || return 1
	echo normal,kernel > /sys/class/scullmem/scullp/gfp
}

# Each refusal says why in one dmesg line, in the README's words; the
# other bad writes get their errno: EBUSY on a device with data (the
# choice unchanged), EPERM without CAP_SYS_ADMIN, EINVAL for words that
# are no zone or action (scull_test.c's ioctl_gfp does the ioctl's).
# The online nodes as the kernel prints a nodemask (%*pbl): without
# CONFIG_NUMA (i386) there is no /sys/devices/system/node, and one node, 0.
online_nodes() { cat /sys/devices/system/node/online 2> /dev/null || echo 0; }

node_errors() {
	local out online last
	online=$(online_nodes)
	last=${online##*[-,]}
	# A new interval of dmesg's ratelimit; its first line may be the
	# kernel's "scull_set_node: N callbacks suppressed", not counted.
	sleep 6
	mark_dmesg
	"$BIN/scullctl" /dev/scullk node=$((last + 1)) > /dev/null 2>&1 && return 1
	echo two > /sys/class/scullmem/scullp/node 2> /dev/null && return 1
	out=$(new_dmesg)
	if ! grep -q "scullk: node: $((last + 1)) is not an online node: write local or one of $online\$" <<< "$out" ||
		! grep -q "scullp: node: write local or one of the online nodes $online\$" <<< "$out" ||
		[ "$(grep -v ': [0-9]* callbacks suppressed$' <<< "$out" | grep -c 'node: ')" -ne 2 ]; then
		note "dmesg: $out"
		return 1
	fi
	echo x > /dev/scullk
	out=$("$BIN/scullctl" /dev/scullk node="$last" 2>&1) || { note "$out"; return 1; }
	grep -q ", node $last\$" <<< "$out" || { note "$out"; return 1; }
	[ "$(cat /sys/class/scullmem/scullk/node)" = "$last" ] || return 1
	out=$("$BIN/scullctl" /dev/scullk node=local reset 2>&1) || { note "$out"; return 1; }
	grep -q ", node local\$" <<< "$out" || { note "$out"; return 1; }
}

gfp_errors() {
	local out err dev
	for dev in $DEVS; do : > "/dev/$dev"; done
	# The refusals of gfp_choices used up dmesg's ratelimit (10 lines in
	# 5 s): wait for a new interval.
	sleep 6
	mark_dmesg
	"$BIN/scullctl" /dev/scullp gfp=highmem > /dev/null 2>&1 && return 1
	"$BIN/scullctl" /dev/scullk gfp=dma32 > /dev/null 2>&1 && return 1
	"$BIN/scullctl" /dev/scullv gfp=atomic > /dev/null 2>&1 && return 1
	"$BIN/scullctl" /dev/scullv gfp=movable > /dev/null 2>&1 && return 1
	"$BIN/scullctl" /dev/scullc gfp=dma > /dev/null 2>&1 && return 1
	"$BIN/scullctl" /dev/scullh gfp=movable > /dev/null 2>&1 && return 1
	out=$(new_dmesg)
	if ! grep -q "scullp: gfp=highmem,kernel refused: __get_free_pages returns a logical address, which high memory does not have; only alloc_pages can return it" <<< "$out" ||
		! grep -q "scullk: gfp=dma32,kernel refused: kmalloc has no DMA32 caches" <<< "$out" ||
		! grep -q "scullv: gfp=normal,atomic refused: vmalloc sleeps" <<< "$out" ||
		! grep -q "scullv: gfp=movable,kernel refused: quanta are never migrated" <<< "$out" ||
		! grep -q "scullc: gfp=dma,kernel refused: a kmem_cache serves __GFP_DMA only if it was created with SLAB_CACHE_DMA" <<< "$out" ||
		! grep -q "scullh: gfp=movable,kernel refused: quanta are never migrated" <<< "$out" ||
		[ "$(grep -c 'refused:' <<< "$out")" -ne 6 ]; then
		note "dmesg: $out"
		return 1
	fi
	# normal,atomic: a choice that scullp takes on every kernel (the debug
	# kernel has no ZONE_DMA), so that EBUSY and EPERM are what stop it.
	echo x > /dev/scullp
	out=$("$BIN/scullctl" /dev/scullp gfp=atomic 2>&1) && return 1
	grep -q "Device or resource busy" <<< "$out" || { note "$out"; return 1; }
	[ "$(cut -d' ' -f1 /sys/class/scullmem/scullp/gfp)" = normal,kernel ] || return 1
	: > /dev/scullp
	chmod 0666 /dev/scullp
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN/scullctl" /dev/scullp gfp=atomic 2>&1)
	local rc=$?
	chmod 0600 /dev/scullp
	if [ "$rc" -eq 0 ] || ! grep -q "Operation not permitted" <<< "$out"; then
		note "unprivileged: $out"
		return 1
	fi
	for out in bogus dma,dma32 kernel,atomic "dma,kernel,x" ""; do
		err=$(bash -c "echo '$out' > /sys/class/scullmem/scullp/gfp" 2>&1) &&
			{ note "gfp '$out' taken"; return 1; }
		grep -q "Invalid argument" <<< "$err" || { note "gfp '$out': $err"; return 1; }
	done
	[ "$(cut -d' ' -f1 /sys/class/scullmem/scullp/gfp)" = normal,kernel ]
}

# ---- permissions -------------------------------------------------------------

unprivileged_open() {
	local d
	for d in $ALLDEVS; do
		[ "$(stat -c %a "/dev/$d")" = 600 ] || return 1
		setpriv --reuid=65534 --regid=65534 --clear-groups cat "/dev/$d" 2>/dev/null && return 1
	done
	return 0
}

# ---- lifetime ------------------------------------------------------------

rmmod_busy() {
	local pid rc=0 dev
	for dev in $DEVS; do
		rm -f /tmp/held
		bash -c 'exec 3< "$1"; : > /tmp/held; sleep 600' _ "/dev/$dev" &
		pid=$!
		while [ ! -e /tmp/held ] && kill -0 $pid 2>/dev/null; do sleep 0.1; done
		[ -e /tmp/held ] || { note "could not open /dev/$dev"; rc=1; }
		if rmmod scull 2>/dev/null; then
			note "rmmod succeeded with /dev/$dev open"
			rc=1
			load
		fi
		if ! loaded || [ ! -c "/dev/$dev" ]; then
			note "scull gone with /dev/$dev open"
			rc=1
		fi
		kill $pid
		wait $pid 2>/dev/null
	done
	loaded && rmmod scull || rc=1
	loaded && rc=1
	load || rc=1
	return $rc
}

# ---- memory is given back --------------------------------------------------

# Writes, a sparse write far out, a truncating open and an ioctl reset.
workload() {
	fill_devices || return 1
	dd if=/dev/urandom of=/dev/scullp bs=1M count=8 seek=20 conv=notrunc 2>/dev/null || return 1
	dd if=/dev/urandom of=/dev/scullv bs=64k count=100 seek=7 2>/dev/null || return 1
	"$BIN/scullctl" /dev/scullk reset > /dev/null || return 1
	cp /tmp/data /dev/scullk || return 1
	# The devices of issue 26: a little data, for allocs == frees.
	head -c 300000 /tmp/data > /dev/scullx || return 1
	head -c 300000 /tmp/data > /dev/scullkv
}

# Exact, then coarse.  The workload and a truncation of each device: every
# quantum allocated was freed, by the stats and by the tracepoints
# (quanta_balanced).  Then, on a new load, the workload and rmmod with the
# data in place: no scull vmalloc area is left and the free pages are back
# within 1 MiB.  Apart, because reading the trace and the stats leaves some
# 100 to 150 pages the kernel frees only later.
memory_back() {
	local before after areas dev
	unload
	# 4 MiB per CPU holds about 70,000 events (68 bytes an alloc, 52 a
	# free on 6.1), five times what the workload makes.
	trace_setup 4096 || { note "cannot set up the trace buffer"; return 1; }
	load || return 1
	trace_start || { note "cannot enable the scull events"; return 1; }
	workload || return 1
	for dev in $ALLDEVS; do
		: > "/dev/$dev" || return 1
	done
	# shellcheck disable=SC2086 # a list of names
	quanta_balanced $ALLDEVS || return 1
	rmmod scull || return 1
	trace_teardown

	settle
	before=$(free_pages)
	cp /proc/meminfo /tmp/meminfo.before
	load || return 1
	workload || return 1
	echo 1 > /proc/sys/kernel/kptr_restrict
	quanta_of scullv > /tmp/vq
	grep -c '\[scull\]' /proc/vmallocinfo > /tmp/nvm
	# "start-end size" of every area holding a scullv quantum.
	awk '{ print "0x" $2 "-" }' /tmp/vq > /tmp/vq.starts
	grep -F -f /tmp/vq.starts /proc/vmallocinfo | awk '{ print $1, $2 }' > /tmp/vq.areas
	[ "$(wc -l < /tmp/vq.areas)" -eq "$(wc -l < /tmp/vq)" ] ||
		{ note "$(wc -l < /tmp/vq) scullv quanta but $(wc -l < /tmp/vq.areas) areas"; return 1; }
	rmmod scull || return 1
	settle
	after=$(( $(free_pages) + $(anon_grown /tmp/meminfo.before) ))
	note "free pages before load $before, after workload and rmmod $after"
	# The kernel gives some memory back late (RCU-deferred frees, lazily
	# purged vmap areas, per-CPU slab sheaves): rarely (once, 568 pages,
	# on 7.2 arm64 in CI) the first count is short.  A leak stays short;
	# count again after a longer wait, and say what moved.  Memory that
	# user space took meanwhile is not the driver's: its anonymous pages
	# count as given back (on 7.2 arm64 this shell's heap once grew by a
	# transparent huge page, and AnonPages by 2.2 MiB, in this check).
	local try
	for try in 1 2 3; do
		[ $((before - after)) -gt 256 ] || break
		meminfo_moved /tmp/meminfo.before
		settle
		sleep $((5 * try))
		after=$(( $(free_pages) + $(anon_grown /tmp/meminfo.before) ))
		note "free pages after $try more wait(s), with user space's new anonymous ones: $after"
	done
	if grep -q '\[scull\]' /proc/vmallocinfo; then
		note "a vmalloc area still names scull"
		return 1
	fi
	# A leaked area would keep its address and size, with its caller now
	# unknown; freed ones may linger a while as "unpurged vm_area".
	areas=$(grep -v unpurged /proc/vmallocinfo | awk '{ print $1, $2 }' |
		grep -c -x -F -f /tmp/vq.areas)
	[ "$areas" -eq 0 ] || { note "$areas scullv areas are left"; return 1; }
	[ "$(cat /tmp/nvm)" -gt 0 ] || { note "no scull area before rmmod"; return 1; }
	# scullc's cache went with the module, its objects freed first (a
	# cache destroyed with objects left says so in dmesg: vm.sh fails it).
	if grep -q '^scullc-' /proc/slabinfo || [ -n "$(find /sys/kernel/slab -maxdepth 1 -name 'scullc-*')" ]; then
		note "a scullc cache is left after rmmod"
		return 1
	fi
	[ $((before - after)) -le 256 ] ||
		{ note "$(( (before - after) * 4 )) KiB were not given back"; return 1; }
}

# anon_grown FILE: by how many pages AnonPages (user space's anonymous
# memory, transparent huge pages included) grew since FILE, a copy of
# /proc/meminfo; 0 if it did not.
anon_grown() {
	awk -v page="$(getconf PAGESIZE)" '$1 == "AnonPages:" { kb[NR == FNR] = $2 }
		END { d = kb[0] - kb[1]; print (d > 0 ? int(d * 1024 / page) : 0) }' "$1" /proc/meminfo
}

# An outside witness of the backends' pages (issue 25), apart from the
# driver's own stats and tracepoints, which sit beside the free they count:
# the zones' free pages (free_pages: nr_free_pages and the per-CPU lists).
# At orders 0, 2 and 4, 8 MiB into every device must take at least the
# data's pages from them (the witness sees the allocations: slub_debug's
# red zones make slab quanta take more), and once the devices are
# truncated and the kernel's deferred frees have drained (the module
# reloaded, below; settle: caches dropped, every slab cache shrunk, which
# also empties KASAN's quarantine), they must be back within 256 pages,
# 2.5% of the 10240 pages written.  Measured on 6.1 with slub_debug: 17 to
# 119 pages short (5.10, 7.2 arm64 and the KASAN kernel: up to 184).  Up
# to two more counts when short, as in memory_back.
leak_witness() {
	local o dev before mid after data try
	data=$(( (8 << 20) * $(wc -w <<< "$DEVS") / $(getconf PAGESIZE) ))
	head -c 8M /dev/urandom > /tmp/witness.bin || return 1
	for o in 0 2 4; do
		load order=$o || return 1
		settle
		before=$(free_pages)
		for dev in $DEVS; do
			cp /tmp/witness.bin "/dev/$dev" || return 1
		done
		mid=$(free_pages)
		for dev in $DEVS; do
			: > "/dev/$dev" || return 1
		done
		# Reloaded, empty as it was at the first count: loading a module
		# purges the lazily freed vmalloc areas (set_memory's
		# vm_unmap_aliases()), and with them KASAN's shadow of scullv's
		# quanta (488 pages short without it under KASAN, 1 MiB of
		# shadow for 8 MiB).  A quantum truncation did not free is out
		# of the store's reach: rmmod cannot free it either.
		load order=$o || return 1
		settle
		after=$(free_pages)
		# A leak stays short; late frees come back: up to two more
		# counts, after longer waits.
		for try in 1 2; do
			[ $((before - after)) -gt 256 ] || break
			note "order $o: $((before - after)) short; counting again"
			sleep $((5 * try))
			load order=$o || return 1
			settle
			after=$(free_pages)
		done
		note "order $o: $data pages written took $((before - mid)) free pages; truncated, $((before - after)) short"
		[ $((before - mid)) -ge "$data" ] ||
			{ note "order $o: the free pages did not see the data"; return 1; }
		[ $((before - after)) -le 256 ] ||
			{ note "order $o: $((before - after)) pages not given back"; return 1; }
	done
	rm -f /tmp/witness.bin
	unload
}

# ---- load.sh and unload.sh -------------------------------------------------

# shellcheck disable=SC2086 # $sh is a command with its arguments
load_scripts() {
	local sh=$1 out g
	unload
	cd "$TOP" || return 1
	out=$(SCULL_KO=$KO $sh ./load.sh order=1 qset=10 2>&1) || { note "$out"; return 1; }
	[ "$(cat /sys/module/scull/parameters/order)" = 1 ] || return 1
	[ "$(cat /sys/module/scull/parameters/qset)" = 10 ] || return 1
	g=staff
	grep -q '^staff:' /etc/group || g=wheel
	for d in $ALLDEVS; do
		[ "$(stat -c '%a %G' "/dev/$d")" = "664 $g" ] ||
			{ note "/dev/$d is $(stat -c '%a %G' "/dev/$d")"; return 1; }
	done
	out=$(SCULL_KO=$KO $sh ./load.sh 2>&1) && return 1
	echo "$out" | grep -q "already loaded" || { note "$out"; return 1; }
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups $sh ./unload.sh 2>&1) && return 1
	echo "$out" | grep -q "must be run as root" || { note "$out"; return 1; }
	$sh ./unload.sh > /dev/null || return 1
	loaded && return 1
	out=$($sh ./unload.sh 2>&1) && return 1
	echo "$out" | grep -q "is not loaded" || { note "$out"; return 1; }
	out=$(SCULL_KO=/nonexistent/scull.ko $sh ./load.sh 2>&1) && return 1
	echo "$out" | grep -q "not found" || { note "$out"; return 1; }
	# -m and -g, and the nodes' default mode without load.sh.
	SCULL_KO=$KO $sh ./load.sh -m 600 -g root > /dev/null || return 1
	[ "$(stat -c '%a %G' /dev/scullk)" = "600 root" ] || return 1
	$sh ./unload.sh > /dev/null && insmod "$KO" || return 1
	[ "$(stat -c '%a %U %G' /dev/scullp)" = "600 root root" ] || return 1
	rmmod scull
}

# A node made by hand for minor 0 of the module's major (a reload gets the
# same dynamic major) is opened in a loop while the module loads: the
# first open that succeeds must find /proc/scullmem and every class device
# made already (tests/initorder.c).  Ten loads.
init_order() {
	local major i rc=0
	major=$(awk '$2 == "scullmem" { print $1 }' /proc/devices)
	[ -n "$major" ] || { note "no scullmem major in /proc/devices"; return 1; }
	rm -f /tmp/scull-node0
	mknod /tmp/scull-node0 c "$major" 0 || return 1
	for ((i = 0; i < 10 && rc == 0; i++)); do
		rmmod scull || { rc=1; break; }
		"$BIN/initorder" /tmp/scull-node0 "$KO" || rc=1
		[ "$(awk '$2 == "scullmem" { print $1 }' /proc/devices)" = "$major" ] ||
			{ note "the reload got another major"; rc=1; }
	done
	rm -f /tmp/scull-node0
	loaded || load
	return $rc
}

# ---- main ------------------------------------------------------------------

echo "KTAP version 1"
note "scullmem tests on $(uname -r), module $KO"
# What the kernel says it does with new pages (from 5.3 on: "mem auto-init:
# stack:..., heap alloc:off, heap free:off"), read now, while the boot's
# lines are still in the ring buffer (tests/debug-guest.sh, which runs
# this after other work, reads it at its start and passes it on).
auto_init=${SCULL_AUTO_INIT:-$(dmesg | grep -m 1 'mem auto-init: stack:')}

# The plan, from the lists above and the test sources, before any test.
MEMFILL_TESTS=,holes_read_as_zeros,round_trip_sizes,mmap_hole_and_sigbus,sparse_partial_quanta_zeroed,freed_quanta_reused_zeroed,proc_matches_pagemap,proc_matches_kpageflags,
ndevs=$(wc -w <<< "$DEVS")
plan $((1 + PLAN_BAD_PARAMS + 2 + $(plan_suite) + PLAN_FIO + PLAN_PROC + 9 + 2 + ndevs +
	1 + $(plan_suite) + PLAN_PROC + 1 +
	1 + 1 + 1 + $(SCULL_TESTS=$MEMFILL_TESTS plan_suite) +
	5 + $(bash "$TOP/tests/trinity.sh" "$kver" --plan)))

check "scull.ko exists" test -f "$KO"

test_bad_params

note "order 0, qset 500 (the defaults)"
check "insmod with the defaults" load
check "after a plain insmod the nodes are 0600: an unprivileged user cannot open them" unprivileged_open
run_suite "order 0 qset 500"
test_fio
test_proc
check "dd conv=sparse keeps holes; SEEK_DATA/SEEK_HOLE map matches; cp --sparse=always out" sparse_copy
check "scullctl prints and sets the geometry" scullctl_tool
check "scullc: SET_ORDER makes the new geometry's cache and destroys the old one" slab_cache_set_order
check "scullc and scullh: data round-trips at every order they take; the next is refused" every_order
check "gfp: every zone and every action on every device, taken or refused as the rules say; taken ones put the quanta in the zones they allow" gfp_choices
check "gfp: a refusal says why in dmesg; EBUSY with data, EPERM unprivileged, EINVAL for bad words" gfp_errors
check "node: refusals say which nodes are online in dmesg; scullctl sets and shows the node, with data held" node_errors
check "rmmod is refused while a node is open" rmmod_busy
check "module init: a node made before the load opens only once init cannot fail any more (10 loads)" init_order

# fuzz OPS [ARGS...]: OPS operations per device, ARGS for tests/fuzz.c.
fuzz() {
	timeout 600 "$BIN/fuzz" --ops "$1" "${@:2}" ${SCULL_SEED:+--seed "$SCULL_SEED"}
}
# The fuzzer's operations are shared among the devices: at orders 0 and 2,
# SCULL_FUZZ_TOTAL0 and SCULL_FUZZ_TOTAL in all (30000 and 102000, as
# 10000 and 34000 each when there were three devices).
fuzz_ops0=$((${SCULL_FUZZ_TOTAL0:-30000} / ndevs))
fuzz_ops=$((${SCULL_FUZZ_TOTAL:-102000} / ndevs))
check "differential fuzzer, order 0: $ndevs x $fuzz_ops0 operations" fuzz "$fuzz_ops0"
# Issue 26's quanta of any size in bytes, on all seven devices, each
# emptied and given each size in turn (the fuzzer gives them back their
# own quantum and qset at the end): 1, 100, LDD3's 4000, 5000, 4099 (a
# prime above a page), and 3 pages, whole pages but no power of two, which
# the page devices map (mmap must refuse the other sizes with ENODEV); qset
# 7, so that the 48 quanta the fuzzer writes in cross qsets.  Twice
# SCULL_FUZZ_TOTAL0 operations in all (60000: 2.5 to 4 s on 6.1 x86_64).
FUZZ_QUANTA=1,100,4000,5000,4099,12288
nalldevs=$(wc -w <<< "$ALLDEVS") nquanta=$(tr ',' ' ' <<< "$FUZZ_QUANTA" | wc -w)
fuzz_ops_odd=$((2 * ${SCULL_FUZZ_TOTAL0:-30000} / (nalldevs * nquanta)))
fuzz_odd() { fuzz "$fuzz_ops_odd" --quantum "$FUZZ_QUANTA" --qset 7; }
check "differential fuzzer at odd quanta ($FUZZ_QUANTA bytes), qset 7: $nalldevs x $nquanta x $fuzz_ops_odd operations" fuzz_odd

# tests/stress.c on one device: every result a documented one, the kernel
# silent, and a final single-threaded write read back.
# stress_stacks PID: where each thread of a stress run that overstays
# waits, for the log: its state, its user and system CPU time (clock
# ticks) twice, 2 s apart (a thread that spins in the kernel gains system
# time), its syscall (number and arguments, or "running"), its kernel
# stack, and for the CPUs' running threads, sysrq's backtraces (a thread
# on a CPU shows no stack in /proc: the livelock of commit "scull: end a
# copy that makes no progress after a fault-in" showed only "state R").
stress_stacks() {
	local t round
	for round in 1 2; do
		for t in /proc/"$1"/task/*; do
			note "stress thread ${t##*/}: $(awk '{ print "state", $3, "utime", $14, "stime", $15 }' \
				"$t/stat" 2> /dev/null), wchan $(cat "$t/wchan" 2> /dev/null), syscall $(cat "$t/syscall" 2> /dev/null)"
			[ "$round" = 2 ] || sed 's/^/#     /' "$t/stack" 2> /dev/null
		done
		[ "$round" = 2 ] || sleep 2
	done
	mark_dmesg
	echo 1 > /proc/sys/kernel/sysrq
	echo l > /proc/sysrq-trigger
	sleep 1
	new_dmesg | grep -v -E '^\[ *[0-9.]+\]  \? ' | head -n 80 | sed 's/^/#   /'
}

race_stress() {
	local bad='WARNING:|BUG|Oops|Call Trace|Call trace:|KASAN|KCSAN|KFENCE|locking|lock state|invalid context|blocked for more than|rcu: INFO|self-detected stall'
	local pid s
	mark_dmesg
	"$BIN/stress" --threads 4 --ops "$2" ${SCULL_SEED:+--seed "$SCULL_SEED"} "$1" &
	pid=$!
	for ((s = 0; s < ${SCULL_STRESS_WAIT:-300}; s++)); do
		kill -0 "$pid" 2> /dev/null || break
		sleep 1
	done
	if kill -0 "$pid" 2> /dev/null; then
		note "the stress still runs after ${SCULL_STRESS_WAIT:-300} s: its threads"
		stress_stacks "$pid"
		kill -9 "$pid"
		wait "$pid"
		return 1
	fi
	wait "$pid" || return 1
	# On the KCSAN kernel, only the reports that name scull count (the core
	# kernel's own races are listed by make check-debug at the end).
	! new_dmesg | awk -f "$TOP/scripts/dmesg-filter.awk" | grep -q -E "$bad" && return 0
	note "dmesg:"
	new_dmesg | awk -f "$TOP/scripts/dmesg-filter.awk" | grep -E -A12 "$bad" | sed 's/^/#   /'
	return 1
}
# A run that does not end prints where each thread waits (stress_stacks).
for d in $DEVS; do
	what="race stress: $d, 4 threads x ${SCULL_STRESS_OPS:-3000} operations at once, SET_ORDER/QSET/GFP, RESET, mmap, SEEK_DATA/HOLE, /proc and refused rmmod among them"
	check "$what" race_stress "$d" "${SCULL_STRESS_OPS:-3000}"
done

note "order 2, qset 16: data crosses many qsets"
check "insmod order=2 qset=16" load order=2 qset=16
run_suite "order 2 qset 16"
test_proc
# For scripts/scullmap on the host (make check draws it): the devices hold
# the 3 MiB of test_proc.
echo SCULL-SNAPSHOT-BEGIN
cat /proc/scullmem
echo SCULL-SNAPSHOT-END
check "differential fuzzer, order 2 qset 16: $ndevs x $fuzz_ops operations" fuzz "$fuzz_ops"

note "holes read as zeros after memory was dirtied with a pattern (init_on_alloc=0)"
note "the kernel says: ${auto_init:-nothing about mem auto-init}"
grep -q 'heap alloc:off' <<< "$auto_init"
ok $? "the kernel does not zero pages on allocation (mem auto-init: heap alloc:off)"
check "insmod order=1 qset=7" load order=1 qset=7
check "memfill dirtied most free memory with 0xA5" timeout 120 "$BIN/memfill" 70
SCULL_TESTS=$MEMFILL_TESTS run_suite "after memfill"

check "every quantum allocated is freed (stats, tracepoints); rmmod frees everything: vmallocinfo clean, no scullc cache left, free memory back within 1 MiB" memory_back
check_stock "an outside witness, the zones' free pages, at orders 0, 2 and 4: 8 MiB in each device takes them, truncation gives them back within 256 pages" \
	"kmemleak and the allocs == frees check watch for leaks here" leak_witness
check_stock "load.sh and unload.sh under busybox sh" "the shells do not depend on the kernel" load_scripts "busybox sh"
check_stock "load.sh and unload.sh under dash" "the shells do not depend on the kernel" load_scripts dash
check "reload after unload works" load
unload

# trinity, a third-party fuzzer, on the nodes (tests/trinity.sh: its own
# KTAP lines, indented; its totals count here).  SCULL_TRINITY_CALLS in
# all: 6000 here, 3000 in the debug kernels.
subrun tests/trinity.sh env SCULL_TRINITY_CALLS="${SCULL_TRINITY_CALLS:-6000}" \
	bash "$TOP/tests/trinity.sh" "$kver"

note "guest.sh took $SECONDS s"
totals
[ "$fail" -eq 0 ]
