// SPDX-License-Identifier: GPL-2.0
/*
 * wq_bh - one bottom half as a tasklet and as BH work
 *
 * Tasklets are deprecated; BH workqueues replace them.  Work queued on
 * system_bh_wq (or alloc_workqueue(name, WQ_BH | WQ_PERCPU, 0)) runs in
 * softirq context on the CPU that queued it, like a tasklet.  A hard-IRQ
 * hrtimer (HRTIMER_MODE_REL_HARD, hard IRQ even on PREEMPT_RT) raises the
 * same bottom half both ways.  What maps to what:
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
 * A tasklet scheduled while disabled stays scheduled until enabled;
 * queue_work() on a disabled item fails.  enable_and_queue_work() queues
 * whenever the disable count drops to 0, events or not, so the handler
 * must tolerate a spurious run: here it counts pending events.  Module
 * exit stops the producer first, then kills the tasklet and disables the
 * work, which waits for a running instance.
 *
 * Expected output (CPU numbers vary):
 *
 *	wq_bh: raise: in_hardirq=1 on cpu <cpu>
 *	wq_bh: tasklet: in_serving_softirq=1 in_task=0 on cpu <cpu>, same CPU: yes
 *	wq_bh: BH work: in_serving_softirq=1 in_task=0 on cpu <cpu>, same CPU: yes
 *	wq_bh: both disabled, 3 events in one hard IRQ: queue_work() failed 3 times
 *	wq_bh: tasklet_enable(): the tasklet ran once for 3 events
 *	wq_bh: enable_and_queue_work(): the BH work ran once for 3 events
 *	wq_bh: periodic: started, period 1000 ms
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/hrtimer.h>
#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string_choices.h>
#include <linux/workqueue.h>

#define PERIOD_MS	1000	/* of the periodic raise after the demo */

struct wqbh_rec {			/* what a handler saw */
	int cpu;
	bool hardirq, softirq, task;
	unsigned int events;
};

struct wqbh {
	struct hrtimer timer;
	struct tasklet_struct tasklet;	/* the deprecated way */
	struct work_struct work;	/* the BH workqueue way */
	struct completion done;		/* raise, tasklet and work each */
	atomic_t tl_events, bh_events;
	struct wqbh_rec raise, tl, bh;
	unsigned int burst, failed;
	bool periodic;
};

static struct wqbh *wqbh;

static void wqbh_record(struct wqbh *st, struct wqbh_rec *r, unsigned int events)
{
	r->cpu = smp_processor_id();
	r->hardirq = in_hardirq();
	r->softirq = in_serving_softirq();
	r->task = in_task();
	r->events = events;
	complete(&st->done);
}

static enum hrtimer_restart wqbh_timer_fn(struct hrtimer *t)
{
	struct wqbh *st = container_of(t, struct wqbh, timer);
	unsigned int i;

	for (i = 0; i < st->burst; i++) {
		atomic_inc(&st->tl_events);
		tasklet_schedule(&st->tasklet);
		atomic_inc(&st->bh_events);
		if (!queue_work(system_bh_wq, &st->work))
			st->failed++;	/* pending already, or disabled */
	}
	wqbh_record(st, &st->raise, st->burst);
	if (!READ_ONCE(st->periodic))
		return HRTIMER_NORESTART;
	hrtimer_forward_now(t, ms_to_ktime(PERIOD_MS));
	return HRTIMER_RESTART;
}

static void wqbh_tasklet_fn(struct tasklet_struct *t)
{
	struct wqbh *st = from_tasklet(st, t, tasklet);

	wqbh_record(st, &st->tl, atomic_xchg(&st->tl_events, 0));
}

static void wqbh_work_fn(struct work_struct *work)
{
	struct wqbh *st = from_work(st, work, work);

	if (READ_ONCE(st->periodic))
		pr_info_ratelimited("periodic: raised on cpu %d, BH work on cpu %d\n",
				    st->raise.cpu, smp_processor_id());
	wqbh_record(st, &st->bh, atomic_xchg(&st->bh_events, 0));
}

static void wqbh_raise(struct wqbh *st, unsigned int burst, unsigned int ms)
{
	st->burst = burst;
	hrtimer_start(&st->timer, ms_to_ktime(ms), HRTIMER_MODE_REL_HARD);
}

static void wqbh_wait(struct wqbh *st, int n)
{
	while (n--)
		wait_for_completion(&st->done);
}

static void wqbh_show(const char *what, struct wqbh_rec *r, struct wqbh_rec *raise)
{
	pr_info("%s: in_serving_softirq=%d in_task=%d on cpu %d, same CPU: %s\n",
		what, r->softirq, r->task, r->cpu, str_yes_no(r->cpu == raise->cpu));
}

static int __init wqbh_init(void)
{
	struct wqbh *st = kzalloc_obj(*st);

	if (!st)
		return -ENOMEM;
	hrtimer_setup(&st->timer, wqbh_timer_fn, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	tasklet_setup(&st->tasklet, wqbh_tasklet_fn);
	INIT_WORK(&st->work, wqbh_work_fn);
	init_completion(&st->done);

	wqbh_raise(st, 1, 1);
	wqbh_wait(st, 3);
	pr_info("raise: in_hardirq=%d on cpu %d\n", st->raise.hardirq, st->raise.cpu);
	wqbh_show("tasklet", &st->tl, &st->raise);
	wqbh_show("BH work", &st->bh, &st->raise);

	tasklet_disable(&st->tasklet);
	disable_work_sync(&st->work);
	wqbh_raise(st, 3, 1);
	wqbh_wait(st, 1);
	pr_info("both disabled, 3 events in one hard IRQ: queue_work() failed %u times\n",
		st->failed);
	tasklet_enable(&st->tasklet);
	enable_and_queue_work(system_bh_wq, &st->work);
	wqbh_wait(st, 2);
	pr_info("tasklet_enable(): the tasklet ran once for %u events\n", st->tl.events);
	pr_info("enable_and_queue_work(): the BH work ran once for %u events\n",
		st->bh.events);

	wqbh = st;
	WRITE_ONCE(st->periodic, true);
	wqbh_raise(st, 1, PERIOD_MS);
	pr_info("periodic: started, period %d ms\n", PERIOD_MS);
	return 0;
}

static void __exit wqbh_exit(void)
{
	struct wqbh *st = wqbh;

	/* 1. The producer: no hard IRQ raises anything after this. */
	WRITE_ONCE(st->periodic, false);
	hrtimer_cancel(&st->timer);
	/* 2. Both bottom halves: wait for scheduled and running ones. */
	tasklet_kill(&st->tasklet);
	disable_work_sync(&st->work);
	kfree(st);
}

module_init(wqbh_init);
module_exit(wqbh_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("@SUBMITTER@");
MODULE_DESCRIPTION("A bottom half as a tasklet and as BH work");
