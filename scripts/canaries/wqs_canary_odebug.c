// SPDX-License-Identifier: GPL-2.0
/*
 * Canary for DEBUG_OBJECTS_TIMERS + DEBUG_OBJECTS_FREE: free a timer that
 * is still armed.  debugobjects reports it and deactivates the timer
 * before the memory is freed, so nothing runs in freed memory.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/timer.h>

struct canary {
	struct timer_list timer;
};

static void canary_timer_fn(struct timer_list *t)
{
	pr_info("wqs_canary_odebug: timer fired\n");
}

static int __init canary_init(void)
{
	struct canary *c;

	if (!IS_ENABLED(CONFIG_DEBUG_OBJECTS_FREE) ||
	    !IS_ENABLED(CONFIG_DEBUG_OBJECTS_TIMERS))
		return -EOPNOTSUPP;	/* would be a real use-after-free */
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	timer_setup(&c->timer, canary_timer_fn, 0);
	mod_timer(&c->timer, jiffies + 60 * HZ);
	kfree(c);
	pr_info("wqs_canary_odebug: freed an armed timer\n");
	return 0;
}

static void __exit canary_exit(void)
{
}

module_init(canary_init);
module_exit(canary_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Test canary: an armed timer freed, for debugobjects");
