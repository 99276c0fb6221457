#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The command blocks of README.md and of the guides in docs/, for the
# checks that run them as written.  Every indented (4-space) block in those
# files sits right under a label:
#
#   <!-- ci: host NAME -->    run on the CI machine (NAME "ci", which may be
#                             used more than once: .ci/run runs it)
#   <!-- ci: guest NAME -->   run in a QEMU guest by tests/readme.sh
#   <!-- ci: output -->       shows output, runs nothing
#   <!-- ci: output NAME -->  the same, named, for a check that compares it
#                             with a real run (tests/readme.sh)
#
#   readme-blocks.sh list              "WHERE NAME FILE" of every labelled block
#   readme-blocks.sh show WHERE NAME   the commands of that block, unindented
#   readme-blocks.sh output WHERE NAME the output that block shows, unindented
#   readme-blocks.sh files             the files read, one a line
#   readme-blocks.sh lint              fails, naming them, if blocks lack a label
#                                      or a name (but output and ci) is used twice
#
# In a block, lines starting with "$ " are commands (the rest is their
# output); in a block without such lines, every line except those starting
# with "..." (elided output) is a command, except in an output block, where
# every such line is output.  A name is unique across the files.  The
# files: $SCULL_README (one path or several, space-separated), by default
# README.md and docs/*.md of this repository.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${SCULL_README:-}" ]; then
	# shellcheck disable=SC2206 # paths without spaces
	docs=($SCULL_README)
else
	docs=("$top/README.md" "$top"/docs/*.md)
fi
for f in "${docs[@]}"; do
	[ -f "$f" ] || { echo "readme-blocks.sh: $f: no such file" >&2; exit 2; }
done

# blocks: print each indented block as "@@ WHERE NAME FILE:LINE" then its
# lines, WHERE being "none" for a block without a label.
blocks() {
	awk '
	FNR == 1 { fence = 0; inblock = 0; label = ""; prev = "blank"; file = FILENAME; sub(/^.*\//, "", file)
		if (FILENAME ~ /\/docs\/[^\/]*$/) file = "docs/" file }
	/^```/ { fence = !fence; next }
	fence { next }
	/^<!-- ci: [a-z]+( [a-z0-9-]+)? -->$/ {
		label = $3 " " ($4 == "-->" ? "-" : $4); prev = "label"; next
	}
	# A code block starts after a blank line; an indented line right
	# under text continues a list item.
	/^    / && (inblock || prev == "blank" || prev == "label") {
		if (!inblock)
			print "@@ " (label == "" ? "none -" : label) " " file ":" FNR
		inblock = 1
		print substr($0, 5)
		next
	}
	/^$/ { prev = (prev == "label" ? "label" : "blank"); inblock = 0; next }
	{ prev = "text"; inblock = 0; label = "" }
	' "${docs[@]}"
}

case ${1:-} in
list)
	blocks | awk '/^@@ / { f = $4; sub(/:[0-9]+$/, "", f); print $2, $3, f }' ;;
files)
	printf '%s\n' "${docs[@]}" ;;
show|output)
	[ $# -eq 3 ] || { echo "usage: $0 $1 WHERE NAME" >&2; exit 2; }
	blocks | awk -v what="$1" -v w="$2" -v n="$3" '
		/^@@ / { on = ($2 == w && $3 == n); if (on) found = 1; next }
		on { lines[++k] = $0; if ($0 ~ /^\$ /) prompt = 1 }
		END {
			if (!found)
				exit 1
			for (i = 1; i <= k; i++) {
				if (lines[i] ~ /^\.\.\./)
					continue
				cmd = prompt ? lines[i] ~ /^\$ / : w != "output"
				if (cmd && what == "show")
					print prompt ? substr(lines[i], 3) : lines[i]
				else if (!cmd && what == "output")
					print lines[i]
			}
		}' ;;
lint)
	bad=$(blocks | awk '/^@@ none / { print $4 }')
	[ -z "$bad" ] || { echo "unlabelled command blocks: $bad" >&2; exit 1; }
	dups=$(blocks | awk '/^@@ / && $3 != "-" && $3 != "ci" { print $2, $3 }' | sort | uniq -d)
	[ -z "$dups" ] || { echo "labels used twice: $dups" >&2; exit 1; } ;;
*)
	echo "usage: $0 list | show WHERE NAME | output WHERE NAME | files | lint" >&2
	exit 2 ;;
esac
