// SPDX-License-Identifier: GPL-2.0
/*
 * Exercise 8 (solution): an interrupt hands its events to a work item.
 *
 * A hard-IRQ hrtimer (HRTIMER_MODE_REL_HARD: hard IRQ even on
 * PREEMPT_RT) stands for a device's interrupt: it fires EX08_EVENTS
 * times, 10 ms apart.  An interrupt handler must be quick and must not
 * sleep, while processing an event sleeps (a mutex and a slow device).
 * So the handler only counts the event and queues a work item.  While
 * the item is still pending, queue_work() returns false and does
 * nothing: several events then share one run, so the handler takes all
 * of them at once (atomic_xchg()), and no event is lost.
 *
 * Module exit stops the interrupt first, then the work it queues.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#define EX08_EVENTS	50
#define EX08_PERIOD_MS	10

struct ex08 {
	struct hrtimer irq;		/* the "interrupt" */
	struct work_struct work;	/* processes its events */
	struct mutex dev_lock;		/* the device: it sleeps */
	atomic_t pending;		/* events raised, not processed yet */
	unsigned int raised, coalesced;	/* written by the interrupt only */
	unsigned int processed, runs;	/* written by the work only */
};

static struct ex08 *ex08;

/* Process @n events on the slow device: it sleeps.  Do not change it. */
static void ex08_process(struct ex08 *st, unsigned int n)
{
	mutex_lock(&st->dev_lock);
	usleep_range(1000, 2000);
	st->processed += n;
	st->runs++;
	mutex_unlock(&st->dev_lock);
	if (st->processed == EX08_EVENTS)
		pr_info("processed %u of %u events in process context, in %u runs\n",
			st->processed, EX08_EVENTS, st->runs);
}

static void ex08_work_fn(struct work_struct *work)
{
	struct ex08 *st = from_work(st, work, work);
	unsigned int n = atomic_xchg(&st->pending, 0);

	if (n)
		ex08_process(st, n);
}

static enum hrtimer_restart ex08_irq(struct hrtimer *t)
{
	struct ex08 *st = container_of(t, struct ex08, irq);

	atomic_inc(&st->pending);
	if (!queue_work(system_percpu_wq, &st->work))
		st->coalesced++;	/* pending already: its run takes this one too */
	if (++st->raised == EX08_EVENTS)
		return HRTIMER_NORESTART;
	hrtimer_forward_now(t, ms_to_ktime(EX08_PERIOD_MS));
	return HRTIMER_RESTART;
}

static int __init ex08_init(void)
{
	struct ex08 *st = kzalloc_obj(*st);

	if (!st)
		return -ENOMEM;
	hrtimer_setup(&st->irq, ex08_irq, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	INIT_WORK(&st->work, ex08_work_fn);
	mutex_init(&st->dev_lock);
	ex08 = st;
	pr_info("raising %d interrupts, %d ms apart\n", EX08_EVENTS, EX08_PERIOD_MS);
	hrtimer_start(&st->irq, ms_to_ktime(EX08_PERIOD_MS), HRTIMER_MODE_REL_HARD);
	return 0;
}

static void __exit ex08_exit(void)
{
	hrtimer_cancel(&ex08->irq);	/* the producer first */
	disable_work_sync(&ex08->work);	/* then what it queues */
	mutex_destroy(&ex08->dev_lock);
	kfree(ex08);
}

module_init(ex08_init);
module_exit(ex08_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exercise 8: an interrupt handed to a work item");
