#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a kernel in QEMU (software emulation) and run a command in it.
#
#   vm.sh --kver 6.12 [--mem 1G] [--append ARGS] [--timeout S] [--out DIR]
#         [--kernel BZIMAGE] [--env NAME=VALUE]... -- COMMAND...
#
# COMMAND runs as root, chrooted in the host's root (read-only over 9p),
# in the current directory, with a private /tmp.  --out DIR makes DIR
# writable in the guest, at the same path.  The guest's console is
# printed; its dmesg is checked for kernel errors.  Exit code: COMMAND's,
# or 1 if it did not finish or the dmesg is dirty.  The last line is
# `SCULL-DMESG clean` or `SCULL-DMESG dirty N`.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kver='' mem=1G append='' timeout=1200 out='' kernel='' envs=()
while [ $# -gt 0 ]; do
	case $1 in
	--kver)
		if [ "$2" = debug ]; then kver=debug; else kver=$(scull_kver_of "$2"); fi
		shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--out) out=$(mkdir -p "$2" && cd "$2" && pwd); shift 2 ;;
	--kernel) kernel=$2; shift 2 ;;
	--env) envs+=("$2"); shift 2 ;;
	--) shift; break ;;
	*) die "vm.sh: unknown option $1" ;;
	esac
done
[ $# -gt 0 ] || die "vm.sh: no command"
[ -n "$kver" ] || die "vm.sh: --kver is required"

kdir=$SCULL_CACHE/kernels/$kver
[ -f "$kdir/initramfs.cpio" ] || "$SCULL_TOP/scripts/fetch-kernels.sh" "$kver"
if [ -z "$kernel" ] && [ "$kver" = debug ]; then
	kernel=$("$SCULL_TOP/scripts/debug-kernel.sh" --print-path)/arch/x86/boot/bzImage
fi
[ -n "$kernel" ] || kernel=$kdir/root/boot/vmlinuz-$kver

# The base initramfs plus a second archive with the payload.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/p"
{
	echo 'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
	echo "export HOME=/root LANG=C.UTF-8 SCULL_KVER=$(printf %q "$kver")"
	echo "export SCULL_CACHE=$(printf %q "$SCULL_CACHE") SCULL_BUILD=$(printf %q "$SCULL_BUILD")"
	for e in "${envs[@]}"; do
		echo "export ${e%%=*}=$(printf %q "${e#*=}")"
	done
	echo "cd $(printf %q "$PWD") || exit 125"
	printf '%q ' "$@"
	echo
} > "$work/p/payload.sh"
printf '%s' "$out" > "$work/p/outdir"
printf '%s\n' "$PWD" "$SCULL_TOP" "$SCULL_BUILD" > "$work/p/keep"
(cd "$work/p" && printf '%s\n' payload.sh outdir keep | cpio -o -H newc --quiet) > "$work/payload.cpio"
cat "$kdir/initramfs.cpio" "$work/payload.cpio" > "$work/initrd"

cmdline="console=ttyS0 loglevel=3 panic=-1 slub_debug=FZPU init_on_alloc=0 page_poison=1"
case $kver in
6.1.* | debug) ;;
*) cmdline="$cmdline kfence.sample_interval=100" ;;
esac

virtfs=(-virtfs 'local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap')
[ -z "$out" ] || virtfs+=(-virtfs "local,path=$out,mount_tag=out,security_model=none,multidevs=remap")

# thread=single: multi-threaded TCG races with 6.12's boot-time code patching.
timeout --foreground -k 10 "$timeout" \
	qemu-system-x86_64 -accel tcg,thread=single -smp 2 -m "$mem" \
	-nographic -no-reboot -serial mon:stdio -display none \
	-kernel "$kernel" -initrd "$work/initrd" -append "$cmdline $append" \
	"${virtfs[@]}" < /dev/null 2>&1 | tr -d '\r' | tee "$work/console" |
	awk '/SCULL-DMESG-BEGIN/ { p = 0 } p { print; fflush() } /SCULL-VM-START/ { p = 1 }' || true

# The verdicts.
sed -n '/SCULL-DMESG-BEGIN/,/SCULL-DMESG-END/p' "$work/console" > "$work/dmesg"
[ -z "${SCULL_DMESG_SAVE:-}" ] || cp "$work/dmesg" "$SCULL_DMESG_SAVE"
[ -z "${SCULL_CONSOLE_SAVE:-}" ] || cp "$work/console" "$SCULL_CONSOLE_SAVE"

rc=$(sed -n 's/.*SCULL-VM-EXIT \([0-9]*\)$/\1/p' "$work/console" | tail -n 1)
if [ -z "$rc" ]; then
	log "the guest did not finish (crash or timeout); its console ends with:"
	tail -n 40 "$work/console" >&2
	rc=1
fi

# Kernel reports that fail a run.
bad='WARNING:|BUG:|BUG |Oops|Call Trace|kernel BUG|Poison overwritten|Redzone|redzone|KFENCE:|KASAN:|kmemleak:.*(new suspected|unreferenced)|possible recursive locking|possible circular locking|inconsistent lock state|sleeping function called from invalid context|invoked oom-killer|Out of memory|page allocation failure|general protection fault|Object padding overwritten'
dirty=$(grep -E -c "$bad" "$work/dmesg" || true)
if [ "$dirty" -gt 0 ] || [ ! -s "$work/dmesg" ]; then
	log "the guest's dmesg is dirty:"
	grep -E -B2 -A20 "$bad" "$work/dmesg" | head -n 80 >&2 || true
	[ -s "$work/dmesg" ] || dirty=1
	echo "SCULL-DMESG dirty $dirty"
	[ "$rc" -ne 0 ] || rc=1
else
	echo "SCULL-DMESG clean"
fi
exit "$rc"
