#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The verdict on a guest's dmesg (lib.sh's scull_dmesg_verdict, through
# scripts/dmesg-filter.awk and $SCULL_DMESG_BAD), on crafted dumps, on the
# host (KTAP; a make check host step):
#
#   tests/dmesg.sh
#
# Each report a guest can print, one crafted line in an otherwise clean
# dump, x86's and arm64's forms alike, must make it dirty; so must a dump
# cut short (no SCULL-DMESG-END), an empty one, a KCSAN report naming
# scull, and another report printed in the middle of a KCSAN report that
# does not.  A clean boot, a KCSAN report of the core kernel and the
# kernel's "GUP no longer grows the stack" notice with its arm64 stack
# dump must stay clean.  Exits with the number of failed checks.
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/scripts/lib.sh"
. "$TOP/tests/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# dump [LINE...]: a dmesg dump as vm.sh cuts it from the console, with
# each LINE (printf escapes allowed) in the middle of a clean boot.
dump() {
	local l t=12
	echo "SCULL-DMESG-BEGIN"
	echo "[    0.000000] Linux version 6.1.0-57-amd64 (debian-kernel@lists.debian.org)"
	echo "[    1.204000] scull: scullp scullv scullk scullc scullh: order 0, qset 1000"
	for l in "$@"; do
		printf "[   %d.000000] $l\n" "$t"
		t=$((t + 1))
	done
	echo "[   40.100000] scull: unloaded"
	echo "SCULL-DMESG-END"
}

# expect VERDICT NAME [LINE...]: a dump with these lines gets VERDICT
# ("clean", or "dirty": any count).
expect() {
	local want=$1 name=$2 got
	shift 2
	dump "$@" > "$tmp/dmesg"
	got=$(scull_dmesg_verdict "$tmp/dmesg" 2> /dev/null)
	case $want:$got in
	clean:clean | dirty:dirty\ [1-9]*) ok 0 "$name: $got" ;;
	*) ok 1 "$name: $got, want $want" ;;
	esac
}

kcsan_other=('==================================================================='
	'BUG: KCSAN: data-race in hrtimer_active / __hrtimer_run_queues'
	'write to 0xffff88803ec1e3d8 of 8 bytes by interrupt on cpu 1:'
	' __hrtimer_run_queues+0x1d4/0x3c0'
	'read to 0xffff88803ec1e3d8 of 8 bytes by task 231 on cpu 0:'
	' hrtimer_active+0x2f/0x80'
	'Reported by Kernel Concurrency Sanitizer on:'
	'===================================================================')

echo "KTAP version 1"
expect clean "a clean boot"
# One report of each kind, as the kernel prints it.
expect dirty "WARNING" 'WARNING: CPU: 0 PID: 312 at mm/slub.c:4470 kfree+0x1c3/0x1d0'
expect dirty "cut here" '------------[ cut here ]------------' 'WARNING: CPU: 1 PID: 9 at lib/refcount.c:28'
expect dirty "BUG: page fault" 'BUG: unable to handle page fault for address: ffffc90000a00000'
expect dirty "slab poison" 'BUG kmalloc-64 (Tainted: G           OE     ): Poison overwritten'
expect dirty "Oops" 'Oops: 0002 [#1] PREEMPT SMP NOPTI'
expect dirty "x86 stack dump" 'Call Trace:' ' <TASK>' ' scull_write_iter+0x4a/0x120 [scull]'
expect dirty "arm64 stack dump" 'Call trace:' ' scull_write_iter+0x4a/0x120 [scull]'
expect dirty "arm64 hung task" \
	'INFO: task cat:412 blocked for more than 120 seconds.' 'Call trace:' ' __switch_to+0xf0/0x170'
expect dirty "hung task, message alone" 'INFO: task dd:733 blocked for more than 241 seconds.'
expect dirty "RCU stall" 'rcu: INFO: rcu_sched detected stalls on CPUs/tasks:'
expect dirty "RCU self-detected stall" 'rcu: INFO: rcu_preempt self-detected stall on CPU'
expect dirty "soft lockup" 'watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [stress:512]'
expect dirty "hard lockup" 'Watchdog detected hard LOCKUP on cpu 1'
expect dirty "kmemleak turned off" 'kmemleak: Kernel memory leak detector disabled'
expect dirty "kmemleak out of objects" 'kmemleak: Cannot allocate a kmemleak_object structure'
expect dirty "kmemleak leaks" 'kmemleak: 2 new suspected memory leaks (see /sys/kernel/debug/kmemleak)'
expect dirty "refcount" 'refcount_t: underflow; use-after-free.'
expect dirty "duplicate sysfs name" "sysfs: cannot create duplicate filename '/class/scull/scullp'" \
	'Call trace:' ' sysfs_warn_dup+0x64/0x80'
expect dirty "vmalloc error" 'vmalloc error: size 16384, page order 0, failed to allocate pages, mode:0xcc0(GFP_KERNEL)'
expect dirty "page allocation failure" 'dd: page allocation failure: order:10, mode:0x40cc0(GFP_KERNEL|__GFP_COMP)'
expect dirty "OOM killer" 'dd invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0'
expect dirty "KASAN" 'BUG: KASAN: slab-out-of-bounds in scull_copy_in+0x52/0x90 [scull]'
expect dirty "KFENCE" 'BUG: KFENCE: out-of-bounds read in scull_read_iter+0x10/0x90 [scull]'
expect dirty "UBSAN" 'UBSAN: shift-out-of-bounds in scull_store.c:120:20'
expect dirty "lockdep" 'WARNING: possible circular locking dependency detected'
expect dirty "might_sleep" 'BUG: sleeping function called from invalid context at mm/slab.h:710'
expect dirty "general protection fault" 'general protection fault, probably for non-canonical address 0xdead000000000100'
expect dirty "list corruption" 'list_add corruption. prev->next should be next (ffff888004a5c0e8)'
# What the filter takes out, and what it must not.
expect clean "KCSAN, the core kernel's race" "${kcsan_other[@]}"
expect dirty "KCSAN naming scull" '==================================================================' \
	'BUG: KCSAN: data-race in scull_llseek / scull_ioctl' \
	'==================================================================='
expect dirty "a WARNING printed inside a KCSAN report of the core kernel" \
	"${kcsan_other[@]:0:4}" 'WARNING: CPU: 0 PID: 512 at scull_store.c:88 scull_free_quantum+0x3c/0x60 [scull]' \
	"${kcsan_other[@]:4}"
expect clean "GUP notice with its arm64 stack dump" \
	'trinity-c1[1201]: GUP no longer grows the stack in trinity-c1 (1201): ffffd000-ffffe000 (ffffc000)' \
	'CPU: 1 PID: 1201 Comm: trinity-c1 Tainted: G           OE      6.12.57+deb13-arm64 #1' \
	'Hardware name: linux,dummy-virt (DT)' 'Call trace:' ' dump_backtrace+0x9c/0x100' ' show_stack+0x20/0x38'
# Dumps that did not come back whole.
dump 'scull: write at 4096' | sed '/SCULL-DMESG-END/d' > "$tmp/dmesg"
got=$(scull_dmesg_verdict "$tmp/dmesg" 2> /dev/null)
[ "${got%% *}" = dirty ]
ok $? "a dump cut short (no SCULL-DMESG-END): $got"
: > "$tmp/dmesg"
got=$(scull_dmesg_verdict "$tmp/dmesg" 2> /dev/null)
[ "${got%% *}" = dirty ]
ok $? "an empty dump: $got"

totals
exit "$fail"
