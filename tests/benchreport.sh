#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench's verdict (bench/report.awk, bench/report.sh) on a recorded
# quick run and on crafted variants of it, on the host (KTAP; a make check
# host step):
#
#   tests/benchreport.sh
#
# tests/data/bench/6.1-quick/ is the raw output of CI's quick bench on
# 6.1 (results.txt and the small traces).  As recorded, with
# BENCH_GOALS=report, it passes; without, its missed goals fail it.  One
# errored fio run, a run with no layout data or no page-table entry
# counts, a measurement the guest
# could not make ("missing"), and a failed readers run must each fail it
# with the figure or claim named NO DATA.  Exits with the number of failed
# checks.
# shellcheck disable=SC2016 # the variants are AWK programs, in single quotes
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
rec=$TOP/tests/data/bench/6.1-quick
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# variant NAME AWK: a copy of the recording whose results.txt went through AWK.
variant() {
	rm -rf "${tmp:?}/$1"
	cp -r "$rec" "$tmp/$1"
	awk "$2" "$rec/results.txt" > "$tmp/$1/results.txt"
}

# expect NAME RC PATTERN [GOALS]: report.sh on variant NAME exits RC and
# prints a line matching PATTERN.
expect() {
	local out rc
	out=$(BENCH_GOALS=${4:-report} bash "$TOP/bench/report.sh" "$tmp/$1" "$tmp/results-$1" 2>&1)
	rc=$?
	if [ "$rc" -ne "$2" ] || ! grep -q -E -- "$3" <<< "$out"; then
		echo "# $1: exit $rc (want $2); its verdict lines:"
		grep 'verdict' <<< "$out" | sed 's/^/#   /'
		return 1
	fi
}

echo "KTAP version 1"
plan 7
variant recorded '{ print }'
expect recorded 0 'verdict: no figure missing'
ok $? "as recorded, with BENCH_GOALS=report: no figure missing, exit 0"
expect recorded 1 'goal\(s\) MISSED$' fail
ok $? "as recorded, goals judged: the missed ones fail make bench"
variant fioerr '$1 == "fio" && $2 == "scullp" && $3 == 0 && $5 == "seqread" { $8 = 5 } { print }'
expect fioerr 1 'scullp order 0 vs tmpfs +-x .*NO DATA'
ok $? "one errored fio run: its goals read NO DATA, not the median of the rest, and fail"
variant nolayout '$1 != "layout" { print }'
expect nolayout 1 'contiguous, vmalloc quanta are not: NO DATA'
ok $? "no layout data: the contiguity claim reads NO DATA and fails"
variant noptes '$1 != "ptes" { print }'
expect noptes 1 'one TLB entry per page; the direct map covers 2 MiB or 1 GiB per entry: NO DATA'
ok $? "no page-table entry counts: the TLB entries claim reads NO DATA and fails"
variant missing '{ print } END { print "missing alloc frag: latbench failed" }'
expect missing 1 'verdict: no data: alloc frag: latbench failed'
ok $? "a measurement the guest could not make (latbench's fragmenter never ready) fails"
variant readers '$1 == "readers" && $2 == "scullv" { $7 = 5 } { print }'
expect readers 1 'readers, 1 MiB seq read, scullv +-x .*NO DATA|2 readers vs 1 \(aggregate\), 1 MiB seq read, scullv +-x .*NO DATA'
ok $? "an errored readers run: its goal reads NO DATA and fails"
totals
[ "$fail" -eq 0 ]
