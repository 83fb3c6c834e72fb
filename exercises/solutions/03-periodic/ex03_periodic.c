// SPDX-License-Identifier: GPL-2.0
/*
 * Exercise 3 (solution): delayed and periodic work, and a teardown that
 * survives rmmod at any moment.
 *
 * A one-shot delayed work item runs once, 100 ms after load; a periodic
 * one re-queues itself every 100 ms.  rmmod may come at any moment: while
 * a timer is armed, while a handler runs, or while a handler is about to
 * re-queue itself.  disable_delayed_work_sync() covers all three: it
 * cancels the timer, waits for a running handler, and makes the
 * handler's own re-queueing fail from then on.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#define EX03_ONESHOT_MS	100
#define EX03_PERIOD_MS	100

struct ex03 {
	struct delayed_work oneshot, periodic;
	unsigned long loaded;		/* jiffies */
	unsigned int runs;
};

static struct ex03 *ex03;

static void ex03_oneshot_fn(struct work_struct *work)
{
	struct ex03 *st = from_work(st, work, oneshot.work);

	pr_info("one-shot: ran after %u ms\n", jiffies_to_msecs(jiffies - st->loaded));
}

static void ex03_periodic_fn(struct work_struct *work)
{
	struct ex03 *st = from_work(st, work, periodic.work);

	if (++st->runs <= 3)
		pr_info("periodic: run %u\n", st->runs);
	queue_delayed_work(system_percpu_wq, &st->periodic,
			   msecs_to_jiffies(EX03_PERIOD_MS));
}

static int __init ex03_init(void)
{
	struct ex03 *st = kzalloc_obj(*st);

	if (!st)
		return -ENOMEM;
	INIT_DELAYED_WORK(&st->oneshot, ex03_oneshot_fn);
	INIT_DELAYED_WORK(&st->periodic, ex03_periodic_fn);
	st->loaded = jiffies;
	ex03 = st;
	queue_delayed_work(system_percpu_wq, &st->oneshot,
			   msecs_to_jiffies(EX03_ONESHOT_MS));
	queue_delayed_work(system_percpu_wq, &st->periodic,
			   msecs_to_jiffies(EX03_PERIOD_MS));
	return 0;
}

static void __exit ex03_exit(void)
{
	disable_delayed_work_sync(&ex03->periodic);
	disable_delayed_work_sync(&ex03->oneshot);
	kfree(ex03);
}

module_init(ex03_init);
module_exit(ex03_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exercise 3: delayed and periodic work, stopped at any moment");
