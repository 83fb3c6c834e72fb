// SPDX-License-Identifier: GPL-2.0
/*
 * wq_rcu_work - free RCU-published data in process context, queue_rcu_work()
 *
 * A periodic hrtimer (HRTIMER_MODE_REL_HARD: hard IRQ even on PREEMPT_RT)
 * reads its period from a config published with RCU.  Writing period_ms
 * publishes a new config with rcu_assign_pointer(); a reader may hold the
 * old one until a grace period has passed.  queue_rcu_work() queues work
 * after that grace period, so its handler may free the old config and
 * sleep while doing so, which a call_rcu() callback (softirq context) may
 * not; kfree_rcu() does when a kfree() is all there is to do.  One
 * rcu_work carries one free at a time: flush_rcu_work() waits for the
 * previous one before the next is queued, and for the last one on rmmod.
 *
 *	echo 20 >/sys/module/wq_rcu_work/parameters/period_ms
 *
 * Expected output (at load):
 *
 *	wq_rcu_work: published config 2, config 1 queued with queue_rcu_work()
 *	wq_rcu_work: freeing config 1 after a grace period, in_task=1, read by 0 ticks
 *	wq_rcu_work: flush_rcu_work() returned, nothing left to free
 *	wq_rcu_work: periodic: started, period 1000 ms
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/hrtimer.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

struct wqr_cfg {
	unsigned int seq, period_ms;
	atomic_t reads;			/* ticks that used this config */
};

struct wqr {
	struct hrtimer timer;
	struct wqr_cfg __rcu *cfg;
	struct wqr_cfg *old;		/* freed by free_rwork */
	struct rcu_work free_rwork;
};

static DEFINE_MUTEX(wqr_lock);	/* period_ms writes, init, exit */
static struct wqr *wqr;		/* NULL until init is done and from exit on */
static unsigned int period_ms = 1000;

static enum hrtimer_restart wqr_timer_fn(struct hrtimer *t)
{
	struct wqr *st = container_of(t, struct wqr, timer);
	struct wqr_cfg *cfg;

	rcu_read_lock();	/* the config is freed after a grace period */
	cfg = rcu_dereference(st->cfg);
	atomic_inc(&cfg->reads);
	hrtimer_forward_now(t, ms_to_ktime(cfg->period_ms));
	rcu_read_unlock();
	return HRTIMER_RESTART;
}

static void wqr_free_fn(struct work_struct *work)
{
	struct wqr *st = container_of(to_rcu_work(work), struct wqr, free_rwork);

	/* Process context: this may sleep, unlike a call_rcu() callback. */
	pr_info("freeing config %u after a grace period, in_task=%d, read by %d ticks\n",
		st->old->seq, in_task(), atomic_read(&st->old->reads));
	kfree(st->old);
}

/* Replace the config read by the hrtimer; free the old one later. */
static int wqr_publish(struct wqr *st, unsigned int period)
{
	struct wqr_cfg *new, *old;

	lockdep_assert_held(&wqr_lock);
	new = kzalloc_obj(*new);
	if (!new)
		return -ENOMEM;
	flush_rcu_work(&st->free_rwork);	/* one free at a time */
	old = rcu_dereference_protected(st->cfg, lockdep_is_held(&wqr_lock));
	new->seq = old->seq + 1;
	new->period_ms = period;
	rcu_assign_pointer(st->cfg, new);
	st->old = old;
	queue_rcu_work(system_dfl_wq, &st->free_rwork);
	return 0;
}

static int period_ms_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int ret = 0;

	if (kstrtouint(val, 10, &v) || v < 10 || v > 10000) {
		pr_err("period_ms: invalid value, valid range is 10-10000\n");
		return -EINVAL;
	}
	mutex_lock(&wqr_lock);
	if (wqr)		/* at load time, init publishes it */
		ret = wqr_publish(wqr, v);
	if (!ret)
		period_ms = v;
	mutex_unlock(&wqr_lock);
	return ret;
}

static const struct kernel_param_ops period_ms_ops = {
	.set = period_ms_set, .get = param_get_uint,
};
module_param_cb(period_ms, &period_ms_ops, &period_ms, 0644);
MODULE_PARM_DESC(period_ms, "Period of the hrtimer in ms (10-10000, default 1000)");

static int __init wqr_init(void)
{
	struct wqr_cfg *cfg = kzalloc_obj(*cfg);
	struct wqr *st = kzalloc_obj(*st);
	int ret;

	if (!st || !cfg) {
		kfree(cfg);
		kfree(st);
		return -ENOMEM;
	}
	cfg->seq = 1;
	cfg->period_ms = period_ms;
	RCU_INIT_POINTER(st->cfg, cfg);
	INIT_RCU_WORK(&st->free_rwork, wqr_free_fn);
	hrtimer_setup(&st->timer, wqr_timer_fn, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);

	mutex_lock(&wqr_lock);
	ret = wqr_publish(st, period_ms);
	if (!ret)
		pr_info("published config 2, config 1 queued with queue_rcu_work()\n");
	flush_rcu_work(&st->free_rwork);
	pr_info("flush_rcu_work() returned, nothing left to free\n");
	wqr = st;
	hrtimer_start(&st->timer, ms_to_ktime(period_ms), HRTIMER_MODE_REL_HARD);
	pr_info("periodic: started, period %u ms\n", period_ms);
	mutex_unlock(&wqr_lock);
	return 0;
}

static void __exit wqr_exit(void)
{
	struct wqr *st;

	mutex_lock(&wqr_lock);
	st = wqr;
	wqr = NULL;		/* period_ms writes from now on only store */
	mutex_unlock(&wqr_lock);

	hrtimer_cancel(&st->timer);		/* 1. no reader after this */
	flush_rcu_work(&st->free_rwork);	/* 2. a free still in flight */
	kfree(rcu_dereference_protected(st->cfg, true));
	kfree(st);
}

module_init(wqr_init);
module_exit(wqr_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("@SUBMITTER@");
MODULE_DESCRIPTION("Free RCU-published data in process context with queue_rcu_work()");
