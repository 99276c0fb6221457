#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Static checks, each reported as one KTAP line (`ok N name` / `not ok N name`):
#   - sparse and W=1 (make C=2 W=1) against each of make check's targets
#     (lib.sh's SCULL_TARGETS_TABLE), with the compiler, sparse and headers
#     of its own Debian root for those of another release or architecture
#     (arm64's and i386's: a cross build, against the headers its root
#     keeps): no
#     warning at all, from the compiler or from sparse;
#   - a kernel older than 5.10 gets one clear error, the README's;
#   - checkpatch --strict on the module's sources and scripts/*.c (exceptions:
#     the repo's .checkpatch.conf, which checkpatch reads from the cwd);
#   - load.sh and unload.sh parse under dash and busybox sh;
#   - shellcheck finds nothing in them, the bench scripts, scripts/holdsplot or the tests;
#   - coccicheck (the kernel's semantic patches, report mode) finds nothing;
#   - README.md and docs/*.md: every command block is labelled for CI
#     (readme-blocks.sh), .ci/run runs the `host ci` blocks, the other host
#     blocks run here (the guest blocks run in tests/readme.sh), and every
#     relative link and #anchor resolves (doc-links.py).
# Logs: build/static/.  Exit code: the number of failed checks (0: all ok).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

n=0 fail=0
result() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		fail=$((fail + 1))
	fi
}

# show LOG: print a failed check's output as KTAP diagnostics.
show() { sed 's/^/# /' "$1" | head -n 60; }

logs=$SCULL_BUILD/static
mkdir -p "$logs"
kvers=$(scull_targets) || exit 1
echo "KTAP version 1"
echo "1..$(( $(echo "$kvers" | wc -l) + 6 ))"

# sparse_w1 KVER: make C=2 W=1 against KVER's headers, where KVER builds
# (lib.sh's scull_make_for), with no finding.
sparse_w1() {
	local kver=$1 dir=$SCULL_BUILD/sparse-$1 log=$logs/sparse-$1.log rc
	# A fresh copy each time: the compiler warns only about what it compiles.
	rm -rf "$dir"
	scull_sync_sources "$dir"
	scull_make_for "$kver" -j"$(nproc)" M="$dir" C=2 W=1 modules > "$log" 2>&1
	rc=$?
	# Any line that is not make's own chatter is a finding.
	grep -v -E '^(make(\[[0-9]+\])?: (Entering|Leaving) directory|  [A-Z0-9_]+ +\S|Skipping BTF generation)' \
		"$log" > "$log.findings"
	if [ -s "$log.findings" ] || [ "$rc" -ne 0 ] || [ ! -f "$dir/scull.ko" ]; then
		rc=1
		show "$log.findings"
	fi
	return "$rc"
}

# where KVER: how a target builds, for its result line.
where() {
	local root cross gcc
	root=$(scull_root_of "$1")
	[ -n "$root" ] || return 0
	if ! scull_root_foreign "$root"; then
		echo " (in the $root root, $(scull_in_root "$root" gcc --version | sed -n '1s/ (.*) / /p'))"
		return
	fi
	gcc=$(scull_cross_prefix "$(scull_arch_of "$1")")gcc
	if cross=$(scull_cross_root "$root") && [ -n "$cross" ]; then
		echo " (in the $cross root, $(scull_in_root "$cross" "$gcc" --version |
			sed -n '1s/ (.*) / /p'), a cross build)"
	else
		echo " ($("$gcc" --version | sed -n '1s/ (.*) / /p'), a cross build here)"
	fi
}

for kver in $kvers; do
	sparse_w1 "$kver"
	result $? "sparse and W=1 (make C=2 W=1) on $kver$(where "$kver"), no warnings"
done

# too_old: against headers that say they are 5.4 (Debian 11's, linked
# file by file, with another version.h), the build fails and its first
# error is the README's one line.
too_old() {
	local kver dir=$SCULL_BUILD/too-old src tree=$SCULL_BUILD/too-old-headers log=$logs/too-old.log first shown
	kver=$(scull_kver_of 5.10) || return 1
	src=$SCULL_CACHE/roots/$(scull_root_of "$kver")/usr/src/linux-headers-$kver
	rm -rf "$dir" "$tree"
	cp -as "$src" "$tree" || return 1
	rm "$tree/include/generated/uapi/linux/version.h"
	sed 's/^#define LINUX_VERSION_CODE .*/#define LINUX_VERSION_CODE 328704/' \
		"$src/include/generated/uapi/linux/version.h" > "$tree/include/generated/uapi/linux/version.h"
	scull_sync_sources "$dir"
	if scull_in_root "$(scull_root_of "$kver")" make -C "$tree" M="$dir" modules > "$log" 2>&1; then
		echo "# the build against 5.4 headers succeeded"
		return 1
	fi
	first=$(grep -m 1 'error' "$log" | sed 's|^.*/||')
	shown=$("$SCULL_TOP/scripts/readme-blocks.sh" output output too-old)
	echo "# first error: $first"
	[ -n "$first" ] && [ "$first" = "$shown" ]
}
too_old > "$logs/too-old.out" 2>&1
rc=$?
[ "$rc" -eq 0 ] || show "$logs/too-old.out"
result $rc "a kernel older than 5.10: the build's first error is the README's line"

cp=$SCULL_CACHE/linux-source-6.1/scripts/checkpatch.pl
if [ -f "$cp" ]; then
	# HOME=/nonexistent: only the repo's .checkpatch.conf counts, not the user's.
	(cd "$SCULL_TOP" && HOME=/nonexistent perl "$cp" --no-tree --strict --quiet \
		--no-summary --show-types -f ./*.c ./*.h scripts/*.c) > "$logs/checkpatch.log" 2>&1
	rc=$?
	[ "$rc" -eq 0 ] || show "$logs/checkpatch.log"
else
	echo "# $cp is missing: run scripts/setup.sh"
	rc=1
fi
conf=; [ ! -f "$SCULL_TOP/.checkpatch.conf" ] || conf=", with .checkpatch.conf"
result "$rc" "checkpatch --strict on the module's sources$conf"

rc=0
: > "$logs/sh-n.log"
for f in "$SCULL_TOP/load.sh" "$SCULL_TOP/unload.sh"; do
	if [ ! -f "$f" ]; then
		echo "${f##*/} is missing" >> "$logs/sh-n.log"
		rc=1
		continue
	fi
	dash -n "$f" >> "$logs/sh-n.log" 2>&1 || rc=1
	busybox sh -n "$f" >> "$logs/sh-n.log" 2>&1 || rc=1
done
[ "$rc" -eq 0 ] || show "$logs/sh-n.log"
result $rc "load.sh and unload.sh parse under dash and busybox sh"

(cd "$SCULL_TOP" && shellcheck -s sh load.sh unload.sh &&
	shellcheck -x -P SCRIPTDIR -s bash scripts/*.sh scripts/holdsplot tests/*.sh bench/*.sh .ci/run) > "$logs/shellcheck.log" 2>&1
rc=$?
[ "$rc" -eq 0 ] || show "$logs/shellcheck.log"
result $rc "shellcheck"

"$SCULL_TOP/scripts/coccicheck.sh" > "$logs/coccicheck.log" 2>&1
rc=$?
[ "$rc" -eq 0 ] || show "$logs/coccicheck.log"
result $rc "$(tail -n 1 "$logs/coccicheck.log")"

# The host blocks of README.md and docs/*.md.  A `sudo` that just runs its
# arguments when there is none (CI runs as root).
readme_host() {
	local b name line
	"$SCULL_TOP/scripts/readme-blocks.sh" lint || return 1
	python3 "$SCULL_TOP/scripts/doc-links.py" || return 1
	# The commands of the `host ci` block start lines of .ci/run (after
	# its `timed NAME`, which logs and times them).
	while read -r line; do
		line=${line%%#*}
		line=${line%"${line##*[! ]}"}
		awk -v c="$line" '{ l = $0; sub(/^timed [^ ]+ /, "", l) }
			index(l, c " ") == 1 || l == c { f = 1 } END { exit !f }' \
			"$SCULL_TOP/.ci/run" ||
			{ echo "the documents' '$line' is not run by .ci/run"; return 1; }
	done < <("$SCULL_TOP/scripts/readme-blocks.sh" show host ci)
	if ! command -v sudo > /dev/null; then
		mkdir -p "$logs/bin"
		printf '#!/bin/sh\nexec "$@"\n' > "$logs/bin/sudo"
		chmod +x "$logs/bin/sudo"
		PATH=$logs/bin:$PATH
	fi
	for b in $("$SCULL_TOP/scripts/readme-blocks.sh" list | awk '$1 == "host" && $2 != "ci" { print $2 }'); do
		name=$b
		echo "host block $name:"
		(cd "$SCULL_TOP" && bash -e -c "$("$SCULL_TOP/scripts/readme-blocks.sh" show host "$name")") ||
			return 1
	done
}
readme_host > "$logs/readme.log" 2>&1
rc=$?
[ "$rc" -eq 0 ] || show "$logs/readme.log"
result $rc "README.md and docs/*.md: every command block labelled; .ci/run runs the host ci blocks; the other host blocks run; every relative link resolves"

echo "# static: $((n - fail)) passed, $fail failed"
exit "$fail"
