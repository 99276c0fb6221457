#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# coccicheck on the module: the kernel's own scripts/coccicheck (from
# linux-source-6.1, extracted by scripts/setup.sh) in report mode, one
# semantic patch at a time, over a copy of the module's sources (M=).  The
# headers packages do not ship scripts/coccinelle, so `make coccicheck`
# cannot run against them.  Semantic patches with OCaml scripts are
# skipped: they need an OCaml compiler, which Debian's coccinelle does not
# pull in.
#
# Prints one summary line per finding and, last, `coccicheck: N semantic
# patches, F findings, S skipped`.  Exit code 0 iff no finding and no
# spatch failure.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

src=$SCULL_CACHE/linux-source-6.1
[ -x "$(command -v spatch)" ] || die "spatch is missing: run scripts/setup.sh"
[ -f "$src/scripts/coccicheck" ] || die "$src/scripts/coccicheck is missing: run scripts/setup.sh"

dir=$SCULL_BUILD/coccicheck
rm -rf "$dir"
scull_sync_sources "$dir"

ran=0 skipped=0 findings=0 failed=0
while read -r cocci; do
	if grep -q -E 'script *: *ocaml' "$cocci"; then
		echo "# skipped ${cocci#"$src"/}: OCaml script"
		skipped=$((skipped + 1))
		continue
	fi
	ran=$((ran + 1))
	if ! out=$(cd "$src" && srctree=$src KBUILD_EXTMOD=$dir MODE=report \
			J="$(nproc)" V="" COCCI=$cocci bash scripts/coccicheck 2>&1); then
		failed=$((failed + 1))
		echo "# spatch failed on ${cocci#"$src"/}:"
		echo "$out" | tail -n 5 | sed 's/^/#   /'
		continue
	fi
	# A finding names a source file and line; the rest is spatch's chatter
	# (and its warnings about the semantic patch itself).
	hits=$(echo "$out" | grep -E '\.[ch]:[0-9]+' | grep -v -E '^warning: line [0-9]+:')
	if [ -n "$hits" ]; then
		findings=$((findings + $(echo "$hits" | wc -l)))
		echo "$hits" | sed "s|$dir/||; s|^|# ${cocci#"$src"/scripts/coccinelle/}: |"
	fi
done < <(find "$src/scripts/coccinelle" -name '*.cocci' | sort)

echo "coccicheck: $ran semantic patches, $findings findings, $failed failed, $skipped skipped"
[ "$findings" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$ran" -gt 0 ]
