// SPDX-License-Identifier: GPL-2.0
/*
 * wq_delayed - delayed, periodic and debounced work, and how to tear it down
 *
 * On load this module shows four uses of struct delayed_work:
 *
 *  1. one-shot: asks for 100 ms and prints the delay it got.  The delay is
 *     rounded up to jiffies, the timer wheel rounds long timeouts up by
 *     up to 1/8 and a worker must wake up: never early, always a bit late.
 *  2. debounce: each poke re-arms the work with mod_delayed_work(), so a
 *     burst of pokes less than 300 ms apart runs it once.
 *  3. periodic: work that re-queues itself every period_ms.
 *  4. timer -> work chain: a timer_list re-arms itself every 100 ms and
 *     queues a report with queue_delayed_work(), a no-op while the report
 *     is pending, so ticks are batched into one report per 500 ms.
 *
 * At run time, in /sys/module/wq_delayed/parameters/:
 *
 *	echo 0 > enable; echo 250 > period_ms; echo 1 > enable
 *	for i in 1 2 3; do echo 1 > poke; done	# one debounced run
 *
 * Teardown is the lesson: self-re-arming work and a timer that feeds work
 * must be stopped in the right order, and waited for:
 *
 *	RIGHT (default)				WRONG (wrong_teardown=1)
 *	timer_shutdown_sync(&tick);		cancel_delayed_work(&periodic);
 *	disable_delayed_work_sync(&report);	cancel_delayed_work_sync(&report);
 *	disable_delayed_work_sync(&periodic);	timer_delete_sync(&tick);
 *	kfree(st);				kfree(st);
 *
 * cancel_delayed_work() does not wait: a running instance re-arms itself
 * after it returns.  Cancelling the report before stopping its producer
 * lets the next tick queue it again.  Either way memory is freed under an
 * armed timer, which calls freed code once the module is gone.  The right
 * way shuts the producer down for good first (it cannot be re-armed), and
 * disable_*_sync() waits for a running instance and refuses re-queueing.
 *
 * WARNING: wrong_teardown=1 makes rmmod free an armed timer.  It sleeps
 * 250 ms between the cancel and the timer stop so the race is always lost.
 * CONFIG_DEBUG_OBJECTS_TIMERS catches the free and stops the timer, so
 * the kernel survives with a warning (the ODEBUG line is one line):
 *
 *	wq_delayed: wrong teardown: cancel_delayed_work(periodic) returned 1
 *	wq_delayed: wrong teardown: report work cancelled, timer still running
 *	wq_delayed: chain: timer re-armed the report work after it was cancelled
 *	wq_delayed: wrong teardown: freeing the state
 *	ODEBUG: free active (active state 0) object: 00000000a2d58c23
 *	  object type: timer_list hint: wqd_report_fn+0x0/0x24 [wq_delayed]
 *	WARNING: lib/debugobjects.c:629 at debug_print_object+0xc6/0x102, ...
 *	Call Trace:
 *	 debug_check_no_obj_freed+0x1c6/0x2b5
 *	 kfree+0x140/0x332
 *	 __x64_sys_delete_module+0x1cf/0x2cb
 *
 * Without debug objects the same rmmod may crash later, in a timer.
 *
 * Expected output (numbers vary; the periodic lines come after 1 and 2 s):
 *
 *	wq_delayed: one-shot: asked for 100 ms = <n> jiffies at HZ=<hz>
 *	wq_delayed: one-shot: ran after <n> jiffies = <ms> ms
 *	wq_delayed: debounce: 5 pokes, each one re-arms the work
 *	wq_delayed: debounce: ran once for 5 pokes (4 collapsed)
 *	wq_delayed: periodic: started, period 1000 ms
 *	wq_delayed: periodic: run 1 after <ms> ms, chain: <n> ticks, <n> reports
 *	wq_delayed: periodic: run 2 after <ms> ms, chain: <n> ticks, <n> reports
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kstrtox.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/timer.h>
#include <linux/workqueue.h>

#define ONESHOT_MS	100
#define BURST		5
#define DEBOUNCE_MS	300
#define TICK_MS		100
#define REPORT_MS	500
#define WINDOW_MS	250	/* wrong teardown: > 2 ticks, < REPORT_MS */

struct wqd {
	struct delayed_work oneshot, debounce, periodic, report;
	struct timer_list tick;
	struct completion done;
	unsigned long queued, last;	/* jiffies */
	unsigned int runs, pokes, ticks, reports;
	bool ticking, cancelled;
};

/* Serialises parameter writes, init and exit; protects wqd and ->pokes. */
static DEFINE_MUTEX(wqd_lock);
static struct wqd *wqd;		/* NULL until init is done and from exit on */

static unsigned int period_ms = 1000;
static unsigned int poke = 1;
static bool enable = true;
static bool wrong_teardown;

static void wqd_oneshot_fn(struct work_struct *work)
{
	struct wqd *st = from_work(st, work, oneshot.work);
	unsigned long took = jiffies - st->queued;

	pr_info("one-shot: ran after %lu jiffies = %u ms\n",
		took, jiffies_to_msecs(took));
	complete(&st->done);
}

static void wqd_debounce_fn(struct work_struct *work)
{
	struct wqd *st = from_work(st, work, debounce.work);
	unsigned int n;

	mutex_lock(&wqd_lock);		/* process context: may sleep */
	n = st->pokes;
	st->pokes = 0;
	mutex_unlock(&wqd_lock);
	if (!n)
		return;
	pr_info("debounce: ran once for %u pokes (%u collapsed)\n", n, n - 1);
	complete(&st->done);
}

static void wqd_poke(struct wqd *st, unsigned int n)
{
	lockdep_assert_held(&wqd_lock);
	st->pokes += n;
	/* Push the deadline back: only the last poke of a burst counts. */
	mod_delayed_work(system_percpu_wq, &st->debounce,
			 msecs_to_jiffies(DEBOUNCE_MS));
}

static void wqd_periodic_fn(struct work_struct *work)
{
	struct wqd *st = from_work(st, work, periodic.work);
	unsigned long now = jiffies;

	pr_info_ratelimited("periodic: run %u after %u ms, chain: %u ticks, %u reports\n",
			    ++st->runs, jiffies_to_msecs(now - st->last),
			    READ_ONCE(st->ticks), READ_ONCE(st->reports));
	st->last = now;
	/* Fails while cancel_delayed_work_sync() or disable_*() runs. */
	schedule_delayed_work(&st->periodic,
			      msecs_to_jiffies(READ_ONCE(period_ms)));
}

static void wqd_report_fn(struct work_struct *work)
{
	struct wqd *st = from_work(st, work, report.work);

	WRITE_ONCE(st->reports, st->reports + 1);
}

static void wqd_tick_fn(struct timer_list *t)
{
	struct wqd *st = timer_container_of(st, t, tick);

	WRITE_ONCE(st->ticks, st->ticks + 1);
	/* Throttle: while the report is pending, this tick joins it. */
	if (queue_delayed_work(system_percpu_wq, &st->report,
			       msecs_to_jiffies(REPORT_MS)) &&
	    READ_ONCE(st->cancelled))
		pr_warn("chain: timer re-armed the report work after it was cancelled\n");
	if (READ_ONCE(st->ticking))
		mod_timer(&st->tick, jiffies + msecs_to_jiffies(TICK_MS));
}

static void wqd_start(struct wqd *st)
{
	lockdep_assert_held(&wqd_lock);
	pr_info("periodic: started, period %u ms\n", period_ms);
	st->runs = 0;
	st->last = jiffies;
	schedule_delayed_work(&st->periodic, msecs_to_jiffies(period_ms));
	WRITE_ONCE(st->ticking, true);
	mod_timer(&st->tick, jiffies + msecs_to_jiffies(TICK_MS));
}

static int wqd_uint(const char *val, const struct kernel_param *kp,
		    unsigned int min, unsigned int max, unsigned int *res)
{
	if (!kstrtouint(val, 0, res) && *res >= min && *res <= max)
		return 0;
	pr_err("%s: invalid value, valid range is %u-%u\n", kp->name, min, max);
	return -EINVAL;
}

static int wqd_bool(const char *val, const struct kernel_param *kp, bool *res)
{
	if (!kstrtobool(val, res))
		return 0;
	pr_err("%s: invalid value, expected a bool (Y/N, 1/0)\n", kp->name);
	return -EINVAL;
}

static int period_ms_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;

	if (wqd_uint(val, kp, 10, 60000, &v))
		return -EINVAL;
	mutex_lock(&wqd_lock);
	WRITE_ONCE(period_ms, v);
	/* mod_delayed_work() re-arms a pending item: the new period counts now. */
	if (wqd && enable)
		mod_delayed_work(system_percpu_wq, &wqd->periodic,
				 msecs_to_jiffies(v));
	mutex_unlock(&wqd_lock);
	return 0;
}

static int enable_set(const char *val, const struct kernel_param *kp)
{
	bool on;

	if (wqd_bool(val, kp, &on))
		return -EINVAL;
	mutex_lock(&wqd_lock);
	if (wqd && on && !enable) {
		wqd_start(wqd);
	} else if (wqd && !on && enable) {
		/* The producer first: it stops re-arming, then wait for it. */
		WRITE_ONCE(wqd->ticking, false);
		timer_delete_sync(&wqd->tick);
		cancel_delayed_work_sync(&wqd->report);
		/* _sync also stops an instance that re-queues itself meanwhile. */
		cancel_delayed_work_sync(&wqd->periodic);
		pr_info("periodic: stopped after %u runs\n", wqd->runs);
	}
	enable = on;
	mutex_unlock(&wqd_lock);
	return 0;
}

static int poke_set(const char *val, const struct kernel_param *kp)
{
	unsigned int n;

	if (wqd_uint(val, kp, 1, 1000, &n))
		return -EINVAL;
	mutex_lock(&wqd_lock);
	poke = n;
	if (wqd)
		wqd_poke(wqd, n);
	mutex_unlock(&wqd_lock);
	return 0;
}

static int wrong_teardown_set(const char *val, const struct kernel_param *kp)
{
	return wqd_bool(val, kp, &wrong_teardown);
}

static const struct kernel_param_ops period_ms_ops = {
	.set = period_ms_set, .get = param_get_uint,
};

static const struct kernel_param_ops enable_ops = {
	.set = enable_set, .get = param_get_bool,
};

static const struct kernel_param_ops poke_ops = {
	.set = poke_set, .get = param_get_uint,
};

static const struct kernel_param_ops wrong_teardown_ops = {
	.set = wrong_teardown_set, .get = param_get_bool,
};

module_param_cb(period_ms, &period_ms_ops, &period_ms, 0644);
MODULE_PARM_DESC(period_ms, "Period of the periodic work in ms (10-60000, default 1000)");
module_param_cb(enable, &enable_ops, &enable, 0644);
MODULE_PARM_DESC(enable, "Run the periodic work and timer chain (bool, default Y)");
module_param_cb(poke, &poke_ops, &poke, 0644);
MODULE_PARM_DESC(poke, "Write N: N events for the debounced work (1-1000, default 1)");
module_param_cb(wrong_teardown, &wrong_teardown_ops, &wrong_teardown, 0444);
MODULE_PARM_DESC(wrong_teardown, "Tear down the WRONG way on rmmod, splats (bool, default N)");

static int __init wqd_init(void)
{
	struct wqd *st;
	int i;

	st = kzalloc_obj(*st);
	if (!st)
		return -ENOMEM;
	INIT_DELAYED_WORK(&st->oneshot, wqd_oneshot_fn);
	INIT_DELAYED_WORK(&st->debounce, wqd_debounce_fn);
	INIT_DELAYED_WORK(&st->periodic, wqd_periodic_fn);
	INIT_DELAYED_WORK(&st->report, wqd_report_fn);
	timer_setup(&st->tick, wqd_tick_fn, 0);
	init_completion(&st->done);
	if (wrong_teardown)
		pr_warn("wrong_teardown=Y: rmmod will free an armed timer\n");

	/* Wait for it: flush_delayed_work() would fire the timer at once. */
	pr_info("one-shot: asked for %u ms = %lu jiffies at HZ=%d\n",
		ONESHOT_MS, msecs_to_jiffies(ONESHOT_MS), HZ);
	st->queued = jiffies;
	schedule_delayed_work(&st->oneshot, msecs_to_jiffies(ONESHOT_MS));
	wait_for_completion(&st->done);

	/* The work takes wqd_lock, so it sees the whole burst. */
	reinit_completion(&st->done);
	mutex_lock(&wqd_lock);
	pr_info("debounce: %d pokes, each one re-arms the work\n", BURST);
	for (i = 0; i < BURST; i++)
		wqd_poke(st, 1);
	mutex_unlock(&wqd_lock);
	wait_for_completion(&st->done);

	mutex_lock(&wqd_lock);
	wqd = st;
	if (enable)
		wqd_start(st);
	mutex_unlock(&wqd_lock);
	return 0;
}

static void wqd_teardown_wrong(struct wqd *st)
{
	/* WRONG: does not wait; a running instance re-arms itself. */
	pr_warn("wrong teardown: cancel_delayed_work(periodic) returned %d\n",
		cancel_delayed_work(&st->periodic));
	/* WRONG: the work before the timer that queues it. */
	cancel_delayed_work_sync(&st->report);
	WRITE_ONCE(st->cancelled, true);
	pr_warn("wrong teardown: report work cancelled, timer still running\n");
	msleep(WINDOW_MS);		/* the race window, widened on purpose */
	WRITE_ONCE(st->ticking, false);
	timer_delete_sync(&st->tick);	/* too late */
	cancel_delayed_work_sync(&st->debounce);
	pr_warn("wrong teardown: freeing the state\n");
}

static void __exit wqd_exit(void)
{
	struct wqd *st;

	mutex_lock(&wqd_lock);
	st = wqd;
	wqd = NULL;		/* parameter writes from now on only store */
	mutex_unlock(&wqd_lock);

	if (wrong_teardown) {
		wqd_teardown_wrong(st);
	} else {
		/* 1. The producer, for good: a shut down timer stays off. */
		timer_shutdown_sync(&st->tick);
		/* 2. Cancel, wait for a running instance, refuse re-queueing. */
		disable_delayed_work_sync(&st->report);
		disable_delayed_work_sync(&st->periodic);
		disable_delayed_work_sync(&st->debounce);
		disable_delayed_work_sync(&st->oneshot);
	}
	kfree(st);
}

module_init(wqd_init);
module_exit(wqd_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("@SUBMITTER@");
MODULE_DESCRIPTION("Delayed, periodic and debounced work, and their teardown");
