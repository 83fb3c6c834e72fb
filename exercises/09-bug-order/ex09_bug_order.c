// SPDX-License-Identifier: GPL-2.0
/*
 * Exercise 9, spot the bug: a teardown in the wrong order.
 *
 * A timer ticks every 10 ms and counts events; at most every 100 ms it
 * queues a report, a delayed work item (queue_delayed_work() does
 * nothing while the report is pending).  This module loads, runs and
 * reports fine, but rmmod makes the kernel complain.  Find out why from
 * what the grader prints, and fix the teardown.  Keep what it does:
 * the statistics are still saved on rmmod.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/timer.h>
#include <linux/workqueue.h>

#define EX09_TICK_MS	10
#define EX09_REPORT_MS	100

struct ex09 {
	struct timer_list tick;
	struct delayed_work report;
	unsigned int ticks, reports;
};

static struct ex09 *ex09;

static void ex09_report_fn(struct work_struct *work)
{
	struct ex09 *st = from_work(st, work, report.work);

	if (++st->reports <= 2)
		pr_info("report %u: %u ticks so far\n", st->reports, READ_ONCE(st->ticks));
}

static void ex09_tick(struct timer_list *t)
{
	struct ex09 *st = timer_container_of(st, t, tick);

	WRITE_ONCE(st->ticks, st->ticks + 1);
	queue_delayed_work(system_percpu_wq, &st->report,
			   msecs_to_jiffies(EX09_REPORT_MS));
	mod_timer(&st->tick, jiffies + msecs_to_jiffies(EX09_TICK_MS));
}

/* Write the counters out to the slow device: takes about 50 ms. */
static void ex09_save_stats(struct ex09 *st)
{
	msleep(50);
	pr_info("saved: %u ticks, %u reports\n", READ_ONCE(st->ticks), st->reports);
}

static int __init ex09_init(void)
{
	struct ex09 *st = kzalloc_obj(*st);

	if (!st)
		return -ENOMEM;
	timer_setup(&st->tick, ex09_tick, 0);
	INIT_DELAYED_WORK(&st->report, ex09_report_fn);
	ex09 = st;
	mod_timer(&st->tick, jiffies + msecs_to_jiffies(EX09_TICK_MS));
	return 0;
}

static void __exit ex09_exit(void)
{
	struct ex09 *st = ex09;

	cancel_delayed_work_sync(&st->report);
	ex09_save_stats(st);
	timer_delete_sync(&st->tick);
	kfree(st);
}

module_init(ex09_init);
module_exit(ex09_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exercise 9: spot the bug in a timer and delayed work teardown");
