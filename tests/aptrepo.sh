#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/mkroot.sh against a mirror mid-sync, on the host, without
# Debian's mirror (KTAP; a make check host step):
#
#   tests/aptrepo.sh
#
# A local repository of tiny packages (dpkg-deb --build, indexed with
# apt-ftparchive): on one "mirror" the suites bookworm and
# bookworm-updates, on the other bookworm-security, all for i386, holding
# every package of a foreign root (mkroot.sh's FOREIGN_PKGS, each an empty
# package but for the files mkroot.sh looks for) and a kernel's headers:
# linux-headers-686-pae names 6.1.0-1-686-pae in bookworm and
# 6.1.0-2-686-pae in bookworm-security.  A broken index is a Packages.xz
# longer than its Release file says, as on 2026-12-05.  With SCULL_CACHE
# in a temporary directory and SCULL_MIRROR(_SECURITY) on the repository,
# scripts/mkroot.sh bookworm-i386 must:
#   - make the root from every index, with the newest kernel (6.1.0-2);
#   - with bookworm-security's index broken, try apt-get update again after
#     a printed pause, then make the root from the others, with the
#     kernel they offer (6.1.0-1), and one line that names it and why,
#     kept in the root's .fallback;
#   - with that index broken at the first try only, make the root from
#     every index at the second (an APT::Update::Pre-Invoke hook mends it);
#   - with the root's own suite (bookworm) broken, fail, and give apt's
#     reason as its last error line, which lib.sh's scull_prepare_target
#     passes on (check.sh and demo.sh report a target's failure with it);
#   - once a root is made, make nothing again with apt pointed at an
#     unreachable proxy and the repository gone (offline once cached).
# KEEP=1 keeps the temporary directory (its path in the `# tmp:` line).
# Exits with the number of failed checks.
# The checks' conditions are strings that check() evals, with the helpers below.
# shellcheck disable=SC2016,SC2034,SC2317
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/scripts/lib.sh"
. "$TOP/tests/lib.sh"
tmp=$(mktemp -d)
# apt reads a file: mirror partly as its own user, _apt.
chmod 755 "$tmp"
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
repo=$tmp/repo
note() { sed 's/^/# /'; }

# pkg NAME VERSION [DEPENDS [FILE...]]: a tiny i386 package in the pool,
# with each FILE (a path in the package) an executable shell script.
pkg() {
	local name=$1 ver=$2 dep=${3:-} d f
	shift 3 2> /dev/null || shift $#
	d=$tmp/build/$name-$ver
	mkdir -p "$d/DEBIAN"
	{
		echo "Package: $name"
		echo "Version: $ver"
		echo "Architecture: i386"
		echo "Maintainer: scullmem tests <scullmem@localhost>"
		[ -z "$dep" ] || echo "Depends: $dep"
		echo "Description: $name, an empty package of tests/aptrepo.sh"
	} > "$d/DEBIAN/control"
	for f in "$@"; do
		mkdir -p "$d/$(dirname "$f")"
		printf '#!/bin/sh\n' > "$d/$f"
		chmod 755 "$d/$f"
	done
	dpkg-deb -Znone --root-owner-group --build "$d" "$pool/${name}_${ver}_i386.deb" > /dev/null
}

# headers ABI: a kernel's header packages and the flavour's meta-package.
headers() {
	pkg "linux-headers-6.1.0-$1-686-pae" "6.1.$1-1" '' "usr/src/linux-headers-6.1.0-$1-686-pae/Makefile"
	pkg "linux-headers-6.1.0-$1-common" "6.1.$1-1" '' "usr/src/linux-headers-6.1.0-$1-common/Makefile"
	pkg linux-headers-686-pae "6.1.$1-1" "linux-headers-6.1.0-$1-686-pae"
}

# suite MIRROR SUITE: index the pool of MIRROR/pool/SUITE as SUITE: a
# Packages file (apt reads a file: mirror's uncompressed index) and the
# Release file that gives its size and hashes.
suite() {
	local m=$repo/$1 s=$2 idx=dists/$2/main/binary-i386
	mkdir -p "$m/$idx"
	(cd "$m" && apt-ftparchive packages "pool/$s" > "$idx/Packages" &&
		apt-ftparchive -o "APT::FTPArchive::Release::Suite=$s" \
			-o "APT::FTPArchive::Release::Codename=$s" \
			-o APT::FTPArchive::Release::Architectures=i386 \
			-o APT::FTPArchive::Release::Components=main \
			release "dists/$s" > "$tmp/Release" && mv "$tmp/Release" "dists/$s/Release")
}

# break_index MIRROR SUITE: its Packages no longer matches the Release
# file's size, as when a mirror is mid-sync (a copy of the good one is
# kept beside, for mend_index).
break_index() {
	local f=$repo/$1/dists/$2/main/binary-i386/Packages
	cp "$f" "$f.good"
	printf '\n' >> "$f"
}
mend_index() {
	local f=$repo/$1/dists/$2/main/binary-i386/Packages
	mv "$f.good" "$f"
}

# The repository.
foreign=$(sed -n '/^FOREIGN_PKGS="/,/"$/p' "$TOP/scripts/mkroot.sh" | tr -d '"' | sed 's/^FOREIGN_PKGS=//')
[ -n "$foreign" ] || { echo "1..1"; echo "not ok 1 FOREIGN_PKGS found in scripts/mkroot.sh"; exit 1; }
pool=$repo/main/pool/bookworm
mkdir -p "$pool"
for p in $foreign; do
	case $p in
	bash) pkg bash 1.0 '' bin/bash ;;
	busybox-static) pkg busybox-static 1.0 '' bin/busybox ;;
	base-passwd) pkg base-passwd 1.0 '' usr/share/base-passwd/passwd.master \
		usr/share/base-passwd/group.master ;;
	gawk | gcc) pkg "$p" 1.0 '' "usr/bin/$p" ;;
	*) pkg "$p" 1.0 ;;
	esac
done
pkg linux-kbuild-6.1 6.1.1-1 '' usr/lib/linux-kbuild-6.1/scripts/basic/fixdep
headers 1
suite main bookworm
pool=$repo/main/pool/bookworm-updates
mkdir -p "$pool"
pkg netbase 2.0
suite main bookworm-updates
pool=$repo/security/pool/bookworm-security
mkdir -p "$pool"
headers 2
suite security bookworm-security

export SCULL_MIRROR="[trusted=yes] copy:$repo/main" SCULL_MIRROR_SECURITY="[trusted=yes] copy:$repo/security"
export SCULL_APT_TRIES=2 SCULL_APT_PAUSE=1

# mkroot CASE: scripts/mkroot.sh bookworm-i386 in a cache of CASE's own;
# its output in $tmp/CASE.out, its exit status in rc.
mkroot() {
	SCULL_CACHE=$tmp/cache-$1 "$TOP/scripts/mkroot.sh" bookworm-i386 > "$tmp/$1.out" 2>&1
	rc=$?
}

# kernel_of CASE: the kernel the root's header meta-package names.
kernel_of() {
	dpkg-query --admindir="$tmp/cache-$1/roots/bookworm-i386/var/lib/dpkg" -W -f='${Depends}' \
		linux-headers-686-pae 2> /dev/null | sed 's/^linux-headers-//'
}

# check CASE DESCRIPTION CONDITION: one KTAP test, passed when the shell
# CONDITION is true; on failure, CASE's output as notes.
check() {
	local c=$1 d=$2
	if eval "$3"; then
		ok 0 "$d"
	else
		ok 1 "$d"
		tail -n 15 "$tmp/$c.out" 2> /dev/null | note
	fi
}
has() { grep -q -E -e "$2" "$tmp/$1.out"; }
hasf() { grep -q -F -e "$2" "$tmp/$1.out"; }
count() { grep -c -E -e "$2" "$tmp/$1.out"; }

echo "KTAP version 1"
[ -z "${KEEP:-}" ] || echo "# tmp: $tmp"

# 1. Every index good.
root=roots/bookworm-i386
mkroot good
check good "every index: the root is made" '[ "$rc" -eq 0 ]'
check good "every index: the newest kernel, 6.1.0-2-686-pae" '[ "$(kernel_of good)" = 6.1.0-2-686-pae ]'
check good "every index: no fallback" '[ ! -e "$tmp/cache-good/$root/.fallback" ]'
check good "every index: the headers are unpacked" \
	'[ -f "$tmp/cache-good/$root/usr/src/linux-headers-6.1.0-2-686-pae/Makefile.cross" ]'

# 2. bookworm-security's index broken for good.
break_index security bookworm-security
mkroot fallback
fb=$tmp/cache-fallback/$root/.fallback
check fallback "security broken: the root is made all the same" '[ "$rc" -eq 0 ]'
check fallback "security broken: apt-get update tried again after a printed pause" \
	'[ "$(count fallback "apt-get update, try 1 of 2: bookworm-security.s index: .*trying again in 1 s")" -eq 1 ]'
check fallback "security broken: the kernel of the other indexes, 6.1.0-1-686-pae" \
	'[ "$(kernel_of fallback)" = 6.1.0-1-686-pae ]'
check fallback "security broken: one line names the kernel and why, kept in .fallback" \
	'grep -q -E "^bookworm-i386: fell back to kernel 6\.1\.0-1-686-pae, the newest in bookworm, bookworm-updates; left out: bookworm-security.s index: .*(size|Hash Sum)" "$fb"'
check fallback "security broken: that line is printed" '[ -s "$fb" ] && hasf fallback "$(cat "$fb")"'
mend_index security bookworm-security

# 3. Broken at the first try only: apt's hook mends it before the second.
break_index security bookworm-security
good=$repo/security/dists/bookworm-security/main/binary-i386/Packages
cat > "$tmp/mend.sh" <<- EOF
	#!/bin/sh
	n=\$(cat "$tmp/tries" 2> /dev/null || echo 0)
	echo \$((n + 1)) > "$tmp/tries"
	[ "\$n" -eq 0 ] || [ ! -f "$good.good" ] || mv "$good.good" "$good"
EOF
echo "APT::Update::Pre-Invoke { \"sh $tmp/mend.sh\"; };" > "$tmp/mend.conf"
APT_CONFIG=$tmp/mend.conf mkroot retry
check retry "security mended at the second try: the root is made" '[ "$rc" -eq 0 ]'
check retry "security mended at the second try: said so" 'has retry "every index came at try 2"'
check retry "security mended at the second try: the newest kernel, no fallback" \
	'[ "$(kernel_of retry)" = 6.1.0-2-686-pae ] && [ ! -e "$tmp/cache-retry/$root/.fallback" ]'

# 4. The root's own suite broken: a failure, with apt's reason last.
break_index main bookworm
mkroot own
why=$(scull_root_error "$tmp/own.out")
check own "bookworm broken: the root fails" '[ "$rc" -ne 0 ]'
check own "bookworm broken: its last error is apt's reason ($why)" \
	'grep -q -E "^bookworm-i386: bookworm.s index: .*(size|Hash Sum)" <<< "$why"'
check own "bookworm broken: no root is left" '[ ! -e "$tmp/cache-own/$root/.done" ]'
SCULL_CACHE=$tmp/cache-own scull_prepare_target i386 "$tmp" > "$tmp/own-target.out" 2> "$tmp/own-target.err"
rc=$?
check own-target "bookworm broken: the i386 target is not prepared, and says why" \
	'[ "$rc" -ne 0 ] && [ "$(cat "$tmp/own-target.out")" = "$why" ]'
mend_index main bookworm

# 5. Offline once cached: the repository gone, apt's proxy unreachable.
mv "$repo" "$repo.gone"
echo 'Acquire::http::Proxy "http://127.0.0.1:9";' > "$tmp/offline.conf"
export APT_CONFIG=$tmp/offline.conf http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9
mkroot good
check good "offline: a made root is there at once" \
	'[ "$rc" -eq 0 ] && [ "$(tail -n 1 "$tmp/good.out")" = "$tmp/cache-good/$root" ]'
mkroot fallback
check fallback "offline: a fallen-back root says so again" \
	'[ "$rc" -eq 0 ] && has fallback "fell back to kernel 6\.1\.0-1"'
# The control: with nothing cached, the same fails.
mkroot fresh
check fresh "offline: with nothing cached, making a root fails" '[ "$rc" -ne 0 ]'
mv "$repo.gone" "$repo"

totals
exit "$fail"
