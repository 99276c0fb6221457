#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Turn the raw results of one kernel into bench/results/<kver>.md and its
# plots, and print a summary (goals and claims) on stdout.
#
#   bench/report.sh RAWDIR [RESULTSDIR]
#
# RAWDIR is what bench/guest.sh wrote (build/bench/<kver>/).
set -euo pipefail

raw=$(cd "${1:?usage: report.sh RAWDIR [RESULTSDIR]}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
results=${2:-$here/results}
mkdir -p "$results"
kver=$(sed -n 's/^info kver //p' "$raw/results.txt")
[ -n "$kver" ] || { echo "report.sh: no kernel version in $raw/results.txt" >&2; exit 1; }
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
touch "$raw/trace-plain.txt" "$raw/trace-frag.txt"

gawk -v dir="$raw" -v md="$results/$kver.md" -v data="$data" -v png="$kver" \
	-f "$here/report.awk" "$raw/results.txt"
echo "  report: bench/results/$kver.md, plots bench/results/$kver-*.png"

# report.awk's verdict: "ok", or what fails make bench (figures without
# data, goals missed).  The plots are drawn either way.
verdict() {
	sed '$d; s/^/  verdict: /' "$data/verdict.txt"
	if [ "$(tail -n 1 "$data/verdict.txt")" = PASS ]; then
		echo "  verdict: no figure missing"
		return 0
	fi
	echo "  verdict: make bench fails"
	return 1
}

command -v gnuplot > /dev/null || { echo "report.sh: gnuplot is missing, no plots" >&2; verdict; exit; }

# The devices measured (report.awk), their backends and colours.
mapfile -t devs < <(awk '{ print $1 }' "$data/devs.txt")
mapfile -t backends < <(awk '{ print $2 }' "$data/devs.txt")
ndev=${#devs[@]}
colours=("#4477aa" "#228833" "#ee6677" "#ccbb44" "#aa3377" "#66ccee" "#bbbbbb" "#000000")

# Throughput: one panel per workload, bars per device and order: the ratio
# to tmpfs (1 = tmpfs); the seq panels also show the 1.5x goal.
tp() {	# job title goal
	local t g=''
	t=$(cat "$data/tmpfs-$1.txt")
	[ -z "${3:-}" ] || g=", $3 with lines lw 1 dt 3 lc rgb \"#000000\" title \"goal ${3}x\""
	cat <<-EOF
	set title "$2"
	set ylabel "throughput / tmpfs (median of per-run ratios)"
	set yrange [0:*]
	set offsets 0, 0, graph 0.2, 0
	set xrange [-0.6:$((ndev - 1)).6]
	plot "$data/thr-$1.dat" using 2:xtic(1) title "order 0" lc rgb "#4477aa", \\
	     "" using 3 title "order 2" lc rgb "#66ccee", \\
	     "" using 4 title "order 4" lc rgb "#228833", \\
	     "" using (\$0 - 0.25):(\$2):(sprintf("%.2f", \$2)) with labels offset 0,0.6 font ",8" notitle, \\
	     "" using (\$0):(\$3):(sprintf("%.2f", \$3)) with labels offset 0,0.6 font ",8" notitle, \\
	     "" using (\$0 + 0.25):(\$4):(sprintf("%.2f", \$4)) with labels offset 0,0.6 font ",8" notitle, \\
	     1 with lines lw 2 dt 2 lc rgb "#ee6677" title sprintf("tmpfs (%.0f MB/s)", $t)$g
	EOF
}
{
	cat <<-EOF
	set terminal pngcairo size 1400,1000 font "DejaVu Sans,11"
	set output "$results/$kver-throughput.png"
	set style data histogram
	set style histogram clustered gap 1
	set style fill solid 0.9 border -1
	set boxwidth 0.9
	set key top center horizontal font ",9"
	set grid ytics
	set multiplot layout 2,2 title "scullmem throughput against tmpfs on $kver (fio psync, QEMU TCG)"
	EOF
	tp seqwrite "sequential write, 1 MiB blocks (allocating)" 1.5
	tp seqread "sequential read, 1 MiB blocks" 1.5
	tp randwrite "random write, 4 KiB blocks (allocating)"
	tp randread "random read, 4 KiB blocks"
	echo "unset multiplot"

	# Allocation latency against order: median solid, p99 dashed.
	cat <<-EOF
	set terminal pngcairo size 1400,600 font "DejaVu Sans,11"
	set output "$results/$kver-latency.png"
	set style data linespoints
	set logscale y
	set format y "10^{%T}"
	set xrange [-0.2:6.2]
	set yrange [100:*]
	set xtics 1
	set xlabel "quantum order (quantum = 4 KiB << order)"
	set ylabel "ns per allocation (successful)"
	set key top left font ",9"
	set grid
	set multiplot layout 1,2 title "scull quantum allocation latency on $kver (tracepoint ns; solid median, dashed p99)"
	set title "unfragmented memory"
	array colour[$ndev]
	$(for i in "${!colours[@]}"; do [ "$i" -lt "$ndev" ] && echo "colour[$((i + 1))] = \"${colours[i]}\""; done)
	names = "${backends[*]}"
	devs = "${devs[*]}"
	plot for [i=0:$((ndev - 1))] "$data/lat.dat" index i using 1:2 lw 2 pt 7 lc rgb colour[i+1] \
		title word(names, i+1) . " median" noenhanced, \
	     for [i=0:$((ndev - 1))] "" index i using 1:3 lw 1 dt 2 pt 6 lc rgb colour[i+1] \
		title word(names, i+1) . " p99" noenhanced
	set title "fragmented memory (fragmenter holding every other page)"
	plot for [i=0:$((ndev - 1))] "$data/lat.dat" index i using 1:4 lw 2 pt 7 lc rgb colour[i+1] \
		title word(names, i+1) . " median" noenhanced, \
	     for [i=0:$((ndev - 1))] "" index i using 1:5 lw 1 dt 2 pt 6 lc rgb colour[i+1] \
		title word(names, i+1) . " p99" noenhanced
	unset multiplot

	# Failure rate after fragmentation.
	set terminal pngcairo size 900,550 font "DejaVu Sans,11"
	set output "$results/$kver-failures.png"
	unset logscale y
	set format y "%g"
	set style data histogram
	set style histogram clustered gap 1
	set style fill solid 0.9 border -1
	set xrange [-0.6:6.6]
	set yrange [0:105]
	set ylabel "allocation attempts that failed (%)"
	set xlabel "quantum order"
	set key top left
	set title "Failures on fragmented memory, $kver"
	n = $ndev
	plot for [j=1:n] "$data/fail.dat" using j+1:xtic(1) title word(names, j) . " (" . word(devs, j) . ")" \
		noenhanced lc rgb colour[j], \
	     for [j=1:n] "" using (\$0 + (j - 1 - (n - 1) / 2.0) / (n + 1)):(column(j+1) + 2):(sprintf("%.0f", column(j+1))) \
		with labels font ",7" notitle
	EOF
} > "$data/plots.gp"
gnuplot "$data/plots.gp"
verdict
