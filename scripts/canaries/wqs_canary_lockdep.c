// SPDX-License-Identifier: GPL-2.0
/*
 * Canary for lockdep: take A then B, later B then A, in one thread.
 * Nothing deadlocks, but lockdep must report the inversion (and then
 * turns itself off, so this canary has a boot of its own).
 */
#include <linux/module.h>
#include <linux/mutex.h>

static DEFINE_MUTEX(canary_a);
static DEFINE_MUTEX(canary_b);

static int __init canary_init(void)
{
	mutex_lock(&canary_a);
	mutex_lock(&canary_b);
	mutex_unlock(&canary_b);
	mutex_unlock(&canary_a);

	mutex_lock(&canary_b);
	mutex_lock(&canary_a);
	mutex_unlock(&canary_a);
	mutex_unlock(&canary_b);
	pr_info("wqs_canary_lockdep: took A->B, then B->A\n");
	return 0;
}

static void __exit canary_exit(void)
{
}

module_init(canary_init);
module_exit(canary_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Test canary: a lock inversion that lockdep must report");
