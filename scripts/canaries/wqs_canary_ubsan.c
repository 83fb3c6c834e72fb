// SPDX-License-Identifier: GPL-2.0
/* Canary for UBSAN: shift a 32-bit int by more than its width. */
#include <linux/module.h>

static unsigned int shift = 40;
module_param(shift, uint, 0444);
MODULE_PARM_DESC(shift, "Bits to shift 1 by (0-63, default 40)");

static int __init canary_init(void)
{
	volatile int one = 1;
	int v;

	if (shift > 63)
		return -EINVAL;
	v = one << shift;
	pr_info("wqs_canary_ubsan: 1 << %u = %d\n", shift, v);
	return 0;
}

static void __exit canary_exit(void)
{
}

module_init(canary_init);
module_exit(canary_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Test canary: an out-of-range shift that UBSAN must report");
