#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Offline once cached (KTAP; a make check host step, once the targets are
# prepared): with apt pointed at an unreachable proxy (APT_CONFIG, and
# http_proxy for debootstrap), the preparation steps of make check and
# make demo use the cache and pass: scripts/setup.sh, scripts/mkroot.sh
# for the roots of the chosen targets ($SCULL_KVERS, as check.sh exports
# it: the prepared ones), scripts/fetch-kernels.sh for their kernels.  The
# control: the same apt, asked for an index, fails.
#
#   tests/offline.sh
#
# Exits with the number of failed checks.
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/scripts/lib.sh"
. "$TOP/tests/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo 'Acquire::http::Proxy "http://127.0.0.1:9"; Acquire::https::Proxy "http://127.0.0.1:9";' \
	> "$tmp/apt.conf"
export APT_CONFIG=$tmp/apt.conf http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9

# step DESCRIPTION CMD...: one KTAP test, passed when CMD succeeds.
step() {
	local d=$1
	shift
	if "$@" > "$tmp/out" 2>&1; then
		ok 0 "$d"
	else
		ok 1 "$d"
		tail -n 10 "$tmp/out" | sed 's/^/# /'
	fi
}

echo "KTAP version 1"
# The control: this apt reaches no mirror.
mkdir -p "$tmp/root/etc/apt" "$tmp/root/var/lib/apt/lists/partial" "$tmp/root/var/lib/dpkg"
echo "deb http://deb.debian.org/debian bookworm main" > "$tmp/root/etc/apt/sources.list"
: > "$tmp/root/var/lib/dpkg/status"
scull_root_apt "$tmp/root" amd64 -q -o Acquire::Retries=0 update > "$tmp/control" 2>&1
if [ -n "$(scull_apt_failures "$tmp/control")" ]; then
	ok 0 "control: apt-get update through the proxy fails"
else
	ok 1 "control: apt-get update through the proxy fails"
	tail -n 5 "$tmp/control" | sed 's/^/# /'
fi

step "offline: scripts/setup.sh" "$TOP/scripts/setup.sh" -q
targets=$(scull_target_names)
# shellcheck disable=SC2086 # target names have no spaces
for root in $(scull_roots_of $targets); do
	step "offline: scripts/mkroot.sh $root" "$TOP/scripts/mkroot.sh" "$root"
done
for name in $targets; do
	kver=$(scull_kver_of "$name")
	step "offline: scripts/fetch-kernels.sh $name ($kver)" "$TOP/scripts/fetch-kernels.sh" "$kver"
done

totals
exit "$fail"
