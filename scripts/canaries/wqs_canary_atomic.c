// SPDX-License-Identifier: GPL-2.0
/*
 * Canary for DEBUG_ATOMIC_SLEEP: ask "may I sleep here?" with preemption
 * disabled, on every preemption model (a spinlock would sleep on
 * PREEMPT_RT).  might_sleep() reports without sleeping.
 */
#include <linux/module.h>
#include <linux/preempt.h>
#include <linux/kernel.h>

static int __init canary_init(void)
{
	preempt_disable();
	might_sleep();
	preempt_enable();
	pr_info("wqs_canary_atomic: might_sleep() with preemption disabled\n");
	return 0;
}

static void __exit canary_exit(void)
{
}

module_init(canary_init);
module_exit(canary_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Test canary: a sleep check in atomic context");
