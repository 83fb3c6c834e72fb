// SPDX-License-Identifier: GPL-2.0
/*
 * wq_delayed - one-shot, debounced and periodic delayed work
 *
 * One-shot: delayed work is never early and always a little late: the
 * delay is rounded up to jiffies, the timer wheel rounds long timeouts up
 * by up to 1/8, and a worker must wake up.  Debounce: each poke pushes the
 * deadline back with mod_delayed_work(), so a burst runs the work once.
 * Periodic: work that re-queues itself, started, stopped and re-timed at
 * run time (wq_teardown shows how to stop such work for good):
 *
 *	cd /sys/module/wq_delayed/parameters
 *	echo 0 >enable; echo 250 >period_ms; echo 1 >enable; echo 3 >poke
 *
 * Expected output (numbers vary; the periodic lines come after 1 and 2 s):
 *
 *	wq_delayed: one-shot: asked for 100 ms = <n> jiffies at HZ=<hz>
 *	wq_delayed: one-shot: ran after <n> jiffies = <ms> ms
 *	wq_delayed: debounce: 5 pokes, each one re-arms the work
 *	wq_delayed: debounce: ran once for 5 pokes (4 collapsed)
 *	wq_delayed: periodic: started, period 1000 ms
 *	wq_delayed: periodic: run 1 after <ms> ms
 *	wq_delayed: periodic: run 2 after <ms> ms
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/jiffies.h>
#include <linux/kstrtox.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#define ONESHOT_MS	100
#define BURST		5
#define DEBOUNCE_MS	300

struct wqd {
	struct delayed_work oneshot, debounce, periodic;
	struct completion done;		/* one-shot and debounce ran */
	unsigned long queued, last;	/* jiffies */
	unsigned int runs, pokes;
};

/* Serialises parameter writes, init and exit; protects wqd and ->pokes. */
static DEFINE_MUTEX(wqd_lock);
static struct wqd *wqd;		/* NULL until init is done and from exit on */

static unsigned int period_ms = 1000;
static unsigned int poke = 1;
static bool enable = true;

static void wqd_oneshot_fn(struct work_struct *work)
{
	struct wqd *st = from_work(st, work, oneshot.work);
	unsigned long took = jiffies - st->queued;

	pr_info("one-shot: ran after %lu jiffies = %u ms\n", took, jiffies_to_msecs(took));
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
	mod_delayed_work(system_percpu_wq, &st->debounce, msecs_to_jiffies(DEBOUNCE_MS));
}

static void wqd_periodic_fn(struct work_struct *work)
{
	struct wqd *st = from_work(st, work, periodic.work);
	unsigned long now = jiffies;

	pr_info_ratelimited("periodic: run %u after %u ms\n",
			    ++st->runs, jiffies_to_msecs(now - st->last));
	st->last = now;
	/* Refused while cancel_delayed_work_sync() or disable_*() runs. */
	schedule_delayed_work(&st->periodic, msecs_to_jiffies(READ_ONCE(period_ms)));
}

static void wqd_periodic(struct wqd *st, bool on)
{
	lockdep_assert_held(&wqd_lock);
	if (on) {
		pr_info("periodic: started, period %u ms\n", period_ms);
		st->runs = 0;
		st->last = jiffies;
		schedule_delayed_work(&st->periodic, msecs_to_jiffies(period_ms));
	} else {
		/* _sync also stops an instance that re-queues itself meanwhile. */
		cancel_delayed_work_sync(&st->periodic);
		pr_info("periodic: stopped after %u runs\n", st->runs);
	}
}

/* One setter for the three parameters: validate, store, act once loaded. */
static int wqd_param_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v = 0, min = kp->arg == &poke ? 1 : 10;
	unsigned int max = kp->arg == &poke ? 1000 : 60000;
	bool on = false;

	if (kp->arg == &enable ? kstrtobool(val, &on) :
	    kstrtouint(val, 10, &v) || v < min || v > max) {
		if (kp->arg == &enable)
			pr_err("%s: invalid value, expected a bool (Y/N, 1/0)\n", kp->name);
		else
			pr_err("%s: invalid value, valid range is %u-%u\n", kp->name, min, max);
		return -EINVAL;
	}
	guard(mutex)(&wqd_lock);
	if (kp->arg == &period_ms) {
		WRITE_ONCE(period_ms, v);
		/* mod_delayed_work() re-arms a pending item: the new period counts now. */
		if (wqd && enable)
			mod_delayed_work(system_percpu_wq, &wqd->periodic, msecs_to_jiffies(v));
	} else if (kp->arg == &enable) {
		if (wqd && on != enable)
			wqd_periodic(wqd, on);
		enable = on;
	} else {
		poke = v;
		if (wqd)
			wqd_poke(wqd, v);
	}
	return 0;
}

static const struct kernel_param_ops wqd_uint_ops = {
	.set = wqd_param_set, .get = param_get_uint,
};

static const struct kernel_param_ops wqd_bool_ops = {
	.set = wqd_param_set, .get = param_get_bool,
};

module_param_cb(period_ms, &wqd_uint_ops, &period_ms, 0644);
MODULE_PARM_DESC(period_ms, "Period of the periodic work in ms (10-60000, default 1000)");
module_param_cb(enable, &wqd_bool_ops, &enable, 0644);
MODULE_PARM_DESC(enable, "Run the periodic work (bool, default Y)");
module_param_cb(poke, &wqd_uint_ops, &poke, 0644);
MODULE_PARM_DESC(poke, "Write N: N events for the debounced work (1-1000, default 1)");

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
	init_completion(&st->done);

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
		wqd_periodic(st, true);
	mutex_unlock(&wqd_lock);
	return 0;
}

static void __exit wqd_exit(void)
{
	struct wqd *st;

	mutex_lock(&wqd_lock);
	st = wqd;
	wqd = NULL;		/* parameter writes from now on only store */
	mutex_unlock(&wqd_lock);

	/* Cancel, wait for a running instance, refuse re-queueing. */
	disable_delayed_work_sync(&st->periodic);
	disable_delayed_work_sync(&st->debounce);
	disable_delayed_work_sync(&st->oneshot);
	kfree(st);
}

module_init(wqd_init);
module_exit(wqd_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("@SUBMITTER@");
MODULE_DESCRIPTION("One-shot, debounced and periodic delayed work");
