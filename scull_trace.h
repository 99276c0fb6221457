/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of scullmem: one event per quantum allocated or freed.
 *
 *   echo 1 > /sys/kernel/tracing/events/scull/enable
 *   cat /sys/kernel/tracing/trace_pipe
 *
 * The address is the quantum's handle, raw (tracefs is for root only): its
 * kernel virtual address for scullp, scullv, scullk and scullc, the
 * address of its struct page for scullh, whose pages have none of their
 * own in high memory.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM scull

#if !defined(_SCULL_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _SCULL_TRACE_H

#include <linux/tracepoint.h>

#include "scull_compat.h"

TRACE_EVENT(scull_quantum_alloc,
	    TP_PROTO(const char *devname, unsigned long index, const void *addr,
		     unsigned int order, u64 ns, bool success),
	    TP_ARGS(devname, index, addr, order, ns, success),
	    TP_STRUCT__entry(__string(devname, devname)
			     __field(unsigned long, index)
			     __field(unsigned long, addr)
			     __field(unsigned int, order)
			     __field(u64, ns)
			     __field(bool, success)),
	    TP_fast_assign(scull_assign_str(devname, devname);
			   __entry->index = index;
			   __entry->addr = (unsigned long)addr;
			   __entry->order = order;
			   __entry->ns = ns;
			   __entry->success = success;),
	    TP_printk("dev=%s index=%lu addr=0x%lx order=%u ns=%llu success=%d",
		      __get_str(devname), __entry->index, __entry->addr,
		      __entry->order, __entry->ns, __entry->success)
);

TRACE_EVENT(scull_quantum_free,
	    TP_PROTO(const char *devname, unsigned long index, const void *addr,
		     unsigned int order),
	    TP_ARGS(devname, index, addr, order),
	    TP_STRUCT__entry(__string(devname, devname)
			     __field(unsigned long, index)
			     __field(unsigned long, addr)
			     __field(unsigned int, order)),
	    TP_fast_assign(scull_assign_str(devname, devname);
			   __entry->index = index;
			   __entry->addr = (unsigned long)addr;
			   __entry->order = order;),
	    TP_printk("dev=%s index=%lu addr=0x%lx order=%u",
		      __get_str(devname), __entry->index, __entry->addr,
		      __entry->order)
);

#endif /* _SCULL_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE scull_trace
#include <trace/define_trace.h>
