#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Fill the cache the make targets share, before they start: the Debian
# roots of the chosen targets (scripts/mkroot.sh, side by side), the KASAN
# kernel (scripts/debug-kernel.sh kasan, meanwhile), then every target's
# kernel image and initramfs (scripts/fetch-kernels.sh, once the roots
# are there).  Run after scripts/setup.sh, which it needs.
#
#   scripts/prepare.sh        the targets of $SCULL_KVERS (default: all)
#
# .ci/run runs it first.  On a warm cache each step finds its work done
# within seconds.  On an empty one, alone on a new 2-CPU machine, the same
# steps took 16 minutes (2026-12-06: roots by 6 min, the KASAN kernel by
# 15, the kernels by 16); left to the targets, which made them while
# their guests ran, they took .ci/run from 60-70 minutes to 118.
#
# Nothing that fails here is fatal: the targets try again, and each
# reports its own failure (`not ok - TARGET: REASON`).  The exit code is
# the number of steps that failed; logs: build/prepare/.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

logs=$SCULL_BUILD/prepare
mkdir -p "$logs"
start=$SECONDS
failed=0

# step NAME CMD...: run CMD, its output in NAME.log; say how it ended.
step() {
	local name=$1 rc
	shift
	"$@" > "$logs/$name.log" 2>&1
	rc=$?
	log "prepare: $name: exit $rc at $((SECONDS - start)) s (log: $logs/$name.log)"
	return $rc
}

# shellcheck disable=SC2207 # target and root names have no spaces
targets=($(scull_target_names)) || exit 1
# shellcheck disable=SC2207
roots=($(scull_roots_of "${targets[@]}"))

declare -A pid_of
for root in "${roots[@]}"; do
	step "root-$root" "$SCULL_TOP/scripts/mkroot.sh" "$root" &
	pid_of[root-$root]=$!
done
step kasan "$SCULL_TOP/scripts/debug-kernel.sh" kasan &
pid_of[kasan]=$!
for root in "${roots[@]}"; do
	wait "${pid_of[root-$root]}" || failed=$((failed + 1))
done
for t in "${targets[@]}"; do
	step "kernel-$t" "$SCULL_TOP/scripts/fetch-kernels.sh" "$t" || failed=$((failed + 1))
done
wait "${pid_of[kasan]}" || failed=$((failed + 1))
step debug-initramfs "$SCULL_TOP/scripts/fetch-kernels.sh" debug || failed=$((failed + 1))
log "prepare: done in $((SECONDS - start)) s, $failed steps failed"
exit "$failed"
