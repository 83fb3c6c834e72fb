// SPDX-License-Identifier: GPL-2.0
/* Canary for KASAN: read one byte past a 16-byte allocation. */
#include <linux/module.h>
#include <linux/slab.h>

static unsigned int index = 16;
module_param(index, uint, 0444);
MODULE_PARM_DESC(index, "Byte to read from a 16-byte buffer (0-64, default 16)");

static int __init canary_init(void)
{
	char *p;
	char c;

	if (index > 64)
		return -EINVAL;
	p = kmalloc(16, GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	OPTIMIZER_HIDE_VAR(p);
	c = READ_ONCE(p[index]);
	pr_info("wqs_canary_kasan: read byte %u of 16: %d\n", index, c);
	kfree(p);
	return 0;
}

static void __exit canary_exit(void)
{
}

module_init(canary_init);
module_exit(canary_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Test canary: an out-of-bounds read that KASAN must report");
