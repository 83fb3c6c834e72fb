// SPDX-License-Identifier: GPL-2.0
/*
 * wq_teardown - stop work that re-arms itself or that a timer queues
 *
 * A timer_list ticks every 100 ms and queues a report with
 * queue_delayed_work(), a no-op while the report is pending, so ticks are
 * batched into one report per 500 ms; a periodic work item re-queues
 * itself.  Module exit must stop them in the right order before it frees
 * their memory:
 *
 *	timer_shutdown_sync(&tick);		the producer first, for good
 *	disable_delayed_work_sync(&report);	waits, and refuses re-queueing
 *	disable_delayed_work_sync(&periodic);
 *	kfree(st);
 *
 * cancel_delayed_work() would not wait for a running periodic instance,
 * which then re-arms itself.  wrong_teardown=1 first cancels the report
 * before stopping the timer that queues it, and shows the next tick
 * queueing it again: a kfree() then would free an armed timer (reported
 * as "ODEBUG: free active ... timer_list" with CONFIG_DEBUG_OBJECTS_TIMERS
 * and _FREE, a use-after-free without them).  The sample never does that
 * free: it then stops everything in the right order.
 *
 * Expected output (numbers vary; the periodic lines come after 1 and 2 s):
 *
 *	wq_teardown: tick every 100 ms, one report per 500 ms, periodic work every 1000 ms
 *	wq_teardown: periodic: run 1, chain: <n> ticks, <n> reports
 *	wq_teardown: periodic: run 2, chain: <n> ticks, <n> reports
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/timer.h>
#include <linux/workqueue.h>

#define TICK_MS		100
#define REPORT_MS	500
#define PERIOD_MS	1000

struct wqt {
	struct timer_list tick;
	struct delayed_work report, periodic;
	struct completion requeued;	/* wrong teardown: the race is lost */
	unsigned int runs, ticks, reports;
	bool ticking, cancelled;
};

static struct wqt *wqt;
static bool wrong_teardown;

static void wqt_report_fn(struct work_struct *work)
{
	struct wqt *st = from_work(st, work, report.work);

	WRITE_ONCE(st->reports, st->reports + 1);
}

static void wqt_periodic_fn(struct work_struct *work)
{
	struct wqt *st = from_work(st, work, periodic.work);

	pr_info_ratelimited("periodic: run %u, chain: %u ticks, %u reports\n",
			    ++st->runs, READ_ONCE(st->ticks), READ_ONCE(st->reports));
	/* Refused once disable_delayed_work_sync() has started. */
	schedule_delayed_work(&st->periodic, msecs_to_jiffies(PERIOD_MS));
}

static void wqt_tick_fn(struct timer_list *t)
{
	struct wqt *st = timer_container_of(st, t, tick);

	WRITE_ONCE(st->ticks, st->ticks + 1);
	/* Throttle: while the report is pending, this tick joins it. */
	if (queue_delayed_work(system_percpu_wq, &st->report, msecs_to_jiffies(REPORT_MS)) &&
	    READ_ONCE(st->cancelled)) {
		pr_warn("chain: timer re-armed the report work after it was cancelled\n");
		complete(&st->requeued);
	}
	if (READ_ONCE(st->ticking))
		mod_timer(&st->tick, jiffies + msecs_to_jiffies(TICK_MS));
}

module_param(wrong_teardown, bool, 0444);
MODULE_PARM_DESC(wrong_teardown, "On rmmod, first show the WRONG order, then stop in the right one (bool, default N)");

static int __init wqt_init(void)
{
	struct wqt *st = kzalloc_obj(*st);

	if (!st)
		return -ENOMEM;
	timer_setup(&st->tick, wqt_tick_fn, 0);
	INIT_DELAYED_WORK(&st->report, wqt_report_fn);
	INIT_DELAYED_WORK(&st->periodic, wqt_periodic_fn);
	init_completion(&st->requeued);
	if (wrong_teardown)
		pr_warn("wrong_teardown=Y: rmmod will cancel the report before stopping its timer\n");

	pr_info("tick every %d ms, one report per %d ms, periodic work every %d ms\n",
		TICK_MS, REPORT_MS, PERIOD_MS);
	wqt = st;
	schedule_delayed_work(&st->periodic, msecs_to_jiffies(PERIOD_MS));
	WRITE_ONCE(st->ticking, true);
	mod_timer(&st->tick, jiffies + msecs_to_jiffies(TICK_MS));
	return 0;
}

static void wqt_teardown_wrong(struct wqt *st)
{
	/* WRONG: the work before the timer that queues it. */
	cancel_delayed_work_sync(&st->report);
	WRITE_ONCE(st->cancelled, true);
	pr_warn("wrong teardown: report work cancelled, timer still running\n");
	/* The race is lost at the next tick, which queues the report again. */
	if (wait_for_completion_timeout(&st->requeued, 10 * HZ))
		pr_warn("wrong teardown: kfree() now would free an armed timer; stopping in the right order instead\n");
}

static void __exit wqt_exit(void)
{
	struct wqt *st = wqt;

	if (wrong_teardown)
		wqt_teardown_wrong(st);
	/* 1. The producer, for good: a shut down timer stays off. */
	timer_shutdown_sync(&st->tick);
	/* 2. Cancel, wait for a running instance, refuse re-queueing. */
	disable_delayed_work_sync(&st->report);
	disable_delayed_work_sync(&st->periodic);
	pr_info("stopped after %u ticks, %u reports, %u periodic runs\n",
		st->ticks, st->reports, st->runs);
	kfree(st);
}

module_init(wqt_init);
module_exit(wqt_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("@SUBMITTER@");
MODULE_DESCRIPTION("Stop work that re-arms itself or that a timer queues, in the right order");
