// SPDX-License-Identifier: GPL-2.0
/*
 * Exercise 10, spot the bug: stopping work that re-queues itself.
 *
 * A poll work item reads a slow sensor (about a second), then queues
 * itself again 100 ms later, on the module's own queue.  This module
 * loads and polls fine, but an rmmod that comes while a read is going
 * on makes the kernel complain.  Find out why from what the grader
 * prints, and fix it.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#define EX10_READ_MS	1000
#define EX10_PERIOD_MS	100

struct ex10 {
	struct workqueue_struct *wq;
	struct delayed_work poll;
	unsigned int runs;
	int value;
};

static struct ex10 *ex10;

static void ex10_poll_fn(struct work_struct *work)
{
	struct ex10 *st = from_work(st, work, poll.work);

	pr_info("poll %u: reading the sensor\n", ++st->runs);
	msleep(EX10_READ_MS);		/* the sensor is slow */
	st->value = st->runs * 10;
	queue_delayed_work(st->wq, &st->poll, msecs_to_jiffies(EX10_PERIOD_MS));
}

static int __init ex10_init(void)
{
	struct ex10 *st = kzalloc_obj(*st);

	if (!st)
		return -ENOMEM;
	st->wq = alloc_workqueue("ex10_poll", WQ_UNBOUND, 0);
	if (!st->wq) {
		kfree(st);
		return -ENOMEM;
	}
	INIT_DELAYED_WORK(&st->poll, ex10_poll_fn);
	ex10 = st;
	queue_delayed_work(st->wq, &st->poll, 0);
	return 0;
}

static void __exit ex10_exit(void)
{
	struct ex10 *st = ex10;

	cancel_delayed_work(&st->poll);
	destroy_workqueue(st->wq);
	pr_info("stopped after %u polls, last value %d\n", st->runs, st->value);
	kfree(st);
}

module_init(ex10_init);
module_exit(ex10_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exercise 10: spot the bug in stopping self-requeueing work");
