// SPDX-License-Identifier: GPL-2.0
/*
 * Exercise 2 (solution): a timer callback must not sleep; a work item may.
 *
 * A timer ticks every 50 ms and takes a sample; storing a sample sleeps
 * (it stands for a write to a slow device).  A timer_list callback runs
 * in softirq context, where sleeping is a bug: the kernel says "BUG:
 * sleeping function called from invalid context".  So the callback only
 * counts the sample and queues a work item; its handler, in process
 * context, stores every sample counted so far.  queue_work() on an item
 * that is still pending does nothing, so the handler must drain the
 * count, not store one sample per run.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/timer.h>
#include <linux/workqueue.h>

#define EX02_TICK_MS	50
#define EX02_SAMPLES	5

struct ex02 {
	struct timer_list tick;
	struct work_struct store;
	atomic_t pending;		/* samples taken, not stored yet */
	unsigned int taken;		/* only the timer callback writes it */
	unsigned int stored, atomic_stores;	/* only stores write them */
};

static struct ex02 *ex02;

/* Store one sample on the slow device: it sleeps.  Do not change it. */
static void ex02_store_sample(struct ex02 *st)
{
	might_sleep();		/* says so, like every function that may sleep */
	usleep_range(2000, 4000);	/* the device is slow */
	if (!in_task())
		st->atomic_stores++;
	if (++st->stored == EX02_SAMPLES)
		pr_info("stored %u samples, %u of them in atomic context\n",
			st->stored, st->atomic_stores);
}

static void ex02_store_fn(struct work_struct *work)
{
	struct ex02 *st = from_work(st, work, store);

	while (atomic_add_unless(&st->pending, -1, 0))
		ex02_store_sample(st);
}

static void ex02_tick(struct timer_list *t)
{
	struct ex02 *st = timer_container_of(st, t, tick);

	atomic_inc(&st->pending);
	queue_work(system_percpu_wq, &st->store);
	if (++st->taken < EX02_SAMPLES)
		mod_timer(&st->tick, jiffies + msecs_to_jiffies(EX02_TICK_MS));
}

static int __init ex02_init(void)
{
	struct ex02 *st = kzalloc_obj(*st);

	if (!st)
		return -ENOMEM;
	timer_setup(&st->tick, ex02_tick, 0);
	INIT_WORK(&st->store, ex02_store_fn);
	ex02 = st;
	pr_info("taking %d samples, one every %d ms\n", EX02_SAMPLES, EX02_TICK_MS);
	mod_timer(&st->tick, jiffies + msecs_to_jiffies(EX02_TICK_MS));
	return 0;
}

static void __exit ex02_exit(void)
{
	/* The producer first, for good; then the work it queues. */
	timer_shutdown_sync(&ex02->tick);
	cancel_work_sync(&ex02->store);
	kfree(ex02);
}

module_init(ex02_init);
module_exit(ex02_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exercise 2: sleep in a work item, not in a timer callback");
