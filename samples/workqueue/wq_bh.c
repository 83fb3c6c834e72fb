// SPDX-License-Identifier: GPL-2.0
/*
 * wq_bh - one bottom half as a tasklet and as BH work, and RCU work
 *
 * Tasklets are deprecated; BH workqueues replace them.  Work queued on
 * system_bh_wq (or on alloc_workqueue(name, WQ_BH | WQ_PERCPU, 0)) runs in
 * softirq context on the CPU that queued it, like a tasklet.  This module
 * raises the same bottom half both ways from an hrtimer in
 * HRTIMER_MODE_REL_HARD, which expires in hard IRQ context even on
 * PREEMPT_RT.  Migration, what maps to what:
 *
 *	tasklet_setup(t, fn)		INIT_WORK(w, fn)
 *	from_tasklet(st, t, field)	from_work(st, w, field)
 *	tasklet_schedule(t)		queue_work(system_bh_wq, w)
 *	tasklet_hi_schedule(t)		queue_work(system_bh_highpri_wq, w)
 *	tasklet_disable(t)		disable_work_sync(w)
 *	tasklet_disable_nosync(t)	disable_work(w)
 *	tasklet_enable(t)		enable_work(w), enable_and_queue_work()
 *	tasklet_kill(t)			cancel_work_sync(w), disable_work_sync(w)
 *
 * A tasklet scheduled while disabled stays scheduled (and keeps its CPU's
 * softirq busy) until enabled; queue_work() on a disabled work item fails.
 * enable_and_queue_work() always queues: the handler counts pending events.
 *
 * The hrtimer reads its period from a config published with RCU.  A new
 * period replaces it, and work queued with queue_rcu_work() frees the old
 * one after a grace period, in process context; flush_rcu_work() waits
 * for both.  At run time, in /sys/module/wq_bh/parameters/:
 *
 *	echo 0 > enable; echo 20 > period_ms; echo 1 > enable
 *
 * rmmod is safe at any moment: the hrtimer is cancelled first, then the
 * tasklet killed and the work disabled, then pending RCU work flushed.
 *
 * Expected output (CPU numbers vary):
 *
 *	wq_bh: raise: in_hardirq=1 on cpu <cpu>
 *	wq_bh: tasklet: in_serving_softirq=1 in_task=0 on cpu <cpu>, same CPU: yes
 *	wq_bh: BH work: in_serving_softirq=1 in_task=0 on cpu <cpu>, same CPU: yes
 *	wq_bh: both disabled, 3 events in one hard IRQ: queue_work() failed 3 times
 *	wq_bh: tasklet_enable(): the tasklet ran once for 3 events
 *	wq_bh: enable_and_queue_work(): the BH work ran once for 3 events
 *	wq_bh: rcu: published config 2, config 1 queued with queue_rcu_work()
 *	wq_bh: rcu: freeing config 1 after a grace period, in_task=1
 *	wq_bh: rcu: flush_rcu_work() returned, nothing left to free
 *	wq_bh: periodic: started, period 1000 ms
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/hrtimer.h>
#include <linux/interrupt.h>
#include <linux/kstrtox.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string_choices.h>
#include <linux/workqueue.h>

struct wqb_cfg { unsigned int seq, period_ms; };

struct wqb_rec {			/* what a handler saw */
	int cpu;
	bool hardirq, softirq, task;
	unsigned int events;
};

struct wqb {
	struct hrtimer timer;
	struct tasklet_struct tasklet;	/* the deprecated way */
	struct work_struct work;	/* the BH workqueue way */
	struct rcu_work free_rwork;	/* frees ->old */
	struct wqb_cfg __rcu *cfg;
	struct wqb_cfg *old;
	struct completion done;		/* raise, tasklet and work each */
	atomic_t tl_events, bh_events;
	struct wqb_rec raise, tl, bh;
	unsigned int burst, failed;
	bool periodic;
};

static DEFINE_MUTEX(wqb_lock);	/* parameter writes, init, exit */
static struct wqb *wqb;		/* NULL until init is done and from exit on */
static unsigned int period_ms = 1000;
static bool enable = true;

static void wqb_record(struct wqb *st, struct wqb_rec *r, unsigned int events)
{
	r->cpu = smp_processor_id();
	r->hardirq = in_hardirq();
	r->softirq = in_serving_softirq();
	r->task = in_task();
	r->events = events;
	complete(&st->done);
}

static enum hrtimer_restart wqb_timer_fn(struct hrtimer *t)
{
	struct wqb *st = container_of(t, struct wqb, timer);
	unsigned int i;

	for (i = 0; i < st->burst; i++) {
		atomic_inc(&st->tl_events);
		tasklet_schedule(&st->tasklet);
		atomic_inc(&st->bh_events);
		if (!queue_work(system_bh_wq, &st->work))
			st->failed++;	/* pending already, or disabled */
	}
	wqb_record(st, &st->raise, st->burst);
	if (!READ_ONCE(st->periodic))
		return HRTIMER_NORESTART;
	rcu_read_lock();	/* the config is freed after a grace period */
	hrtimer_forward_now(t, ms_to_ktime(rcu_dereference(st->cfg)->period_ms));
	rcu_read_unlock();
	return HRTIMER_RESTART;
}

static void wqb_tasklet_fn(struct tasklet_struct *t)
{
	struct wqb *st = from_tasklet(st, t, tasklet);

	wqb_record(st, &st->tl, atomic_xchg(&st->tl_events, 0));
}

static void wqb_work_fn(struct work_struct *work)
{
	struct wqb *st = from_work(st, work, work);

	if (READ_ONCE(st->periodic))
		pr_info_ratelimited("periodic: raised on cpu %d, BH work on cpu %d\n",
				    st->raise.cpu, smp_processor_id());
	wqb_record(st, &st->bh, atomic_xchg(&st->bh_events, 0));
}

static void wqb_free_fn(struct work_struct *work)
{
	struct wqb *st = container_of(to_rcu_work(work), struct wqb, free_rwork);

	/* Process context: it may sleep, unlike a call_rcu() callback. */
	pr_info("rcu: freeing config %u after a grace period, in_task=%d\n",
		st->old->seq, in_task());
	kfree(st->old);
}

/* Replace the config read by the hrtimer; free the old one later. */
static int wqb_publish(struct wqb *st, unsigned int period)
{
	struct wqb_cfg *new, *old;

	lockdep_assert_held(&wqb_lock);
	new = kzalloc_obj(*new);
	if (!new)
		return -ENOMEM;
	flush_rcu_work(&st->free_rwork);	/* one free at a time */
	old = rcu_dereference_protected(st->cfg, lockdep_is_held(&wqb_lock));
	new->seq = old->seq + 1;
	new->period_ms = period;
	rcu_assign_pointer(st->cfg, new);
	st->old = old;
	queue_rcu_work(system_dfl_wq, &st->free_rwork);
	return 0;
}

static void wqb_raise(struct wqb *st, unsigned int burst, unsigned int ms)
{
	st->burst = burst;
	hrtimer_start(&st->timer, ms_to_ktime(ms), HRTIMER_MODE_REL_HARD);
}

static void wqb_wait(struct wqb *st, int n)
{
	while (n--)
		wait_for_completion(&st->done);
}

static void wqb_periodic(struct wqb *st, bool on)
{
	lockdep_assert_held(&wqb_lock);
	WRITE_ONCE(st->periodic, on);
	if (on)
		wqb_raise(st, 1, period_ms);
	else
		hrtimer_cancel(&st->timer);	/* waits for the callback */
	pr_info("periodic: %s, period %u ms\n", on ? "started" : "stopped", period_ms);
}

static int period_ms_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int ret = 0;

	if (kstrtouint(val, 0, &v) || v < 10 || v > 10000) {
		pr_err("period_ms: invalid value, valid range is 10-10000\n");
		return -EINVAL;
	}
	mutex_lock(&wqb_lock);
	if (wqb)
		ret = wqb_publish(wqb, v);
	if (!ret)
		period_ms = v;
	mutex_unlock(&wqb_lock);
	return ret;
}

static int enable_set(const char *val, const struct kernel_param *kp)
{
	bool on;

	if (kstrtobool(val, &on)) {
		pr_err("enable: invalid value, expected a bool (Y/N, 1/0)\n");
		return -EINVAL;
	}
	mutex_lock(&wqb_lock);
	if (wqb && on != enable)
		wqb_periodic(wqb, on);
	enable = on;
	mutex_unlock(&wqb_lock);
	return 0;
}

static const struct kernel_param_ops period_ms_ops = {
	.set = period_ms_set, .get = param_get_uint,
};

static const struct kernel_param_ops enable_ops = {
	.set = enable_set, .get = param_get_bool,
};

module_param_cb(period_ms, &period_ms_ops, &period_ms, 0644);
MODULE_PARM_DESC(period_ms, "Period of the raising hrtimer in ms (10-10000, default 1000)");
module_param_cb(enable, &enable_ops, &enable, 0644);
MODULE_PARM_DESC(enable, "Raise an event every period_ms (bool, default Y)");

static void wqb_show(const char *what, struct wqb_rec *r, struct wqb_rec *raise)
{
	pr_info("%s: in_serving_softirq=%d in_task=%d on cpu %d, same CPU: %s\n",
		what, r->softirq, r->task, r->cpu, str_yes_no(r->cpu == raise->cpu));
}

static int __init wqb_init(void)
{
	struct wqb_cfg *cfg;
	struct wqb *st;

	st = kzalloc_obj(*st);
	cfg = kzalloc_obj(*cfg);
	if (!st || !cfg) {
		kfree(cfg);
		kfree(st);
		return -ENOMEM;
	}
	cfg->seq = 1;
	RCU_INIT_POINTER(st->cfg, cfg);
	hrtimer_setup(&st->timer, wqb_timer_fn, CLOCK_MONOTONIC,
		      HRTIMER_MODE_REL_HARD);
	tasklet_setup(&st->tasklet, wqb_tasklet_fn);
	INIT_WORK(&st->work, wqb_work_fn);
	INIT_RCU_WORK(&st->free_rwork, wqb_free_fn);
	init_completion(&st->done);

	wqb_raise(st, 1, 1);
	wqb_wait(st, 3);
	pr_info("raise: in_hardirq=%d on cpu %d\n", st->raise.hardirq, st->raise.cpu);
	wqb_show("tasklet", &st->tl, &st->raise);
	wqb_show("BH work", &st->bh, &st->raise);

	tasklet_disable(&st->tasklet);
	disable_work_sync(&st->work);
	wqb_raise(st, 3, 1);
	wqb_wait(st, 1);
	pr_info("both disabled, 3 events in one hard IRQ: queue_work() failed %u times\n",
		st->failed);
	tasklet_enable(&st->tasklet);
	enable_and_queue_work(system_bh_wq, &st->work);
	wqb_wait(st, 2);
	pr_info("tasklet_enable(): the tasklet ran once for %u events\n", st->tl.events);
	pr_info("enable_and_queue_work(): the BH work ran once for %u events\n",
		st->bh.events);

	mutex_lock(&wqb_lock);
	if (!wqb_publish(st, period_ms))
		pr_info("rcu: published config 2, config 1 queued with queue_rcu_work()\n");
	flush_rcu_work(&st->free_rwork);
	pr_info("rcu: flush_rcu_work() returned, nothing left to free\n");
	wqb = st;
	if (enable)
		wqb_periodic(st, true);
	mutex_unlock(&wqb_lock);
	return 0;
}

static void __exit wqb_exit(void)
{
	struct wqb *st;

	mutex_lock(&wqb_lock);
	st = wqb;
	wqb = NULL;		/* parameter writes from now on only store */
	mutex_unlock(&wqb_lock);

	/* 1. The producer: no hard IRQ raises anything after this. */
	WRITE_ONCE(st->periodic, false);
	hrtimer_cancel(&st->timer);
	/* 2. Both bottom halves: wait for scheduled and running ones. */
	tasklet_kill(&st->tasklet);
	disable_work_sync(&st->work);
	/* 3. A free still waiting for its grace period (rcu_barrier inside). */
	flush_rcu_work(&st->free_rwork);
	kfree(rcu_dereference_protected(st->cfg, true));
	kfree(st);
}

module_init(wqb_init);
module_exit(wqb_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("@SUBMITTER@");
MODULE_DESCRIPTION("A bottom half as a tasklet and as BH work, and RCU work");
