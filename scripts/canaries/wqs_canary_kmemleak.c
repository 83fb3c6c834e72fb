// SPDX-License-Identifier: GPL-2.0
/*
 * Canary for kmemleak: allocate, keep no pointer, return.  Many times: a
 * stale copy of the last pointer may survive in a stack that kmemleak
 * scans (a cached kernel stack), which hides that one object.
 */
#include <linux/module.h>
#include <linux/slab.h>

#define CANARY_OBJECTS 32

static int __init canary_init(void)
{
	int i;

	for (i = 0; i < CANARY_OBJECTS; i++) {
		char *p = kmalloc(200, GFP_KERNEL);

		if (!p)
			return -ENOMEM;
		/* Filled, so that nothing inside looks like a pointer. */
		memset(p, 0x5a, 200);
	}
	pr_info("wqs_canary_kmemleak: %d objects of 200 bytes, now unreferenced\n",
		CANARY_OBJECTS);
	return 0;
}

static void __exit canary_exit(void)
{
}

module_init(canary_init);
module_exit(canary_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Test canary: an allocation that kmemleak must report");
