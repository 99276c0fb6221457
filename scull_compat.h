/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel-version difference scullmem cares about.
 *
 * The rest of the module is written against the newest API; this header
 * maps it onto older kernels.  Keep each shim small and say when the API
 * changed, so the shim can be deleted once the old kernel is dropped.
 */
#ifndef _SCULL_COMPAT_H
#define _SCULL_COMPAT_H

#include <linux/version.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/slab.h>
#include <linux/splice.h>

/*
 * Largest page order the buddy allocator hands out.  v6.4 made MAX_ORDER
 * inclusive, v6.8 renamed it MAX_PAGE_ORDER.
 */
#if defined(MAX_PAGE_ORDER)
#define SCULL_MAX_PAGE_ORDER	MAX_PAGE_ORDER
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define SCULL_MAX_PAGE_ORDER	MAX_ORDER
#else
#define SCULL_MAX_PAGE_ORDER	(MAX_ORDER - 1)
#endif

/* Largest order kmalloc() serves, from its size limit. */
#define SCULL_MAX_KMALLOC_ORDER	(KMALLOC_SHIFT_MAX - PAGE_SHIFT)

/* v6.4 dropped the owner argument of class_create(). */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define scull_class_create(name)	class_create(name)
#else
#define scull_class_create(name)	class_create(THIS_MODULE, name)
#endif

/* v6.5 replaced generic_file_splice_read() with copy_splice_read(). */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#define scull_splice_read	copy_splice_read
#else
#define scull_splice_read	generic_file_splice_read
#endif

/* v6.3 made vma->vm_flags read-only and added vm_flags_set(). */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define scull_vm_flags_set(vma, flags)	vm_flags_set(vma, flags)
#else
#define scull_vm_flags_set(vma, flags)	((vma)->vm_flags |= (flags))
#endif

/* v6.10 made __assign_str() in tracepoints take the field name only. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
#define scull_assign_str(field, src)	__assign_str(field)
#else
#define scull_assign_str(field, src)	__assign_str(field, src)
#endif

#endif /* _SCULL_COMPAT_H */
