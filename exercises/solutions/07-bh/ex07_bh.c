// SPDX-License-Identifier: GPL-2.0
/*
 * Exercise 7 (solution): a tasklet converted to BH work.
 *
 * Tasklets are deprecated; work queued on system_bh_wq runs in softirq
 * context on the CPU that queued it, like a tasklet.  A hard-IRQ hrtimer
 * (HRTIMER_MODE_REL_HARD: hard IRQ even on PREEMPT_RT) stands for the
 * device's interrupt: it fires EX07_EVENTS times and raises the bottom
 * half each time.  What maps to what:
 *
 *	struct tasklet_struct t		struct work_struct w
 *	tasklet_setup(t, fn)		INIT_WORK(w, fn)
 *	from_tasklet(st, t, field)	from_work(st, w, field)
 *	tasklet_schedule(t)		queue_work(system_bh_wq, w)
 *	tasklet_kill(t)			disable_work_sync(w)
 *
 * Module exit stops the interrupt first, then the bottom half.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/hrtimer.h>
#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string_choices.h>
#include <linux/workqueue.h>

#define EX07_EVENTS	10
#define EX07_PERIOD_MS	20

struct ex07 {
	struct hrtimer irq;		/* the "interrupt" */
	struct work_struct bh;		/* its bottom half */
	atomic_t pending;		/* events raised, not handled yet */
	unsigned int raised, handled;
	int irq_cpu;
	bool softirq, task, same_cpu;
};

static struct ex07 *ex07;

static void ex07_bh_fn(struct work_struct *work)
{
	struct ex07 *st = from_work(st, work, bh);

	st->softirq = in_serving_softirq();
	st->task = in_task();
	st->same_cpu = smp_processor_id() == READ_ONCE(st->irq_cpu);
	st->handled += atomic_xchg(&st->pending, 0);
	if (st->handled == EX07_EVENTS)
		pr_info("bottom half: %u events, in_serving_softirq=%d in_task=%d, on the raising CPU: %s\n",
			st->handled, st->softirq, st->task, str_yes_no(st->same_cpu));
}

static enum hrtimer_restart ex07_irq(struct hrtimer *t)
{
	struct ex07 *st = container_of(t, struct ex07, irq);

	WRITE_ONCE(st->irq_cpu, smp_processor_id());
	atomic_inc(&st->pending);
	queue_work(system_bh_wq, &st->bh);
	if (++st->raised == EX07_EVENTS)
		return HRTIMER_NORESTART;
	hrtimer_forward_now(t, ms_to_ktime(EX07_PERIOD_MS));
	return HRTIMER_RESTART;
}

static int __init ex07_init(void)
{
	struct ex07 *st = kzalloc_obj(*st);

	if (!st)
		return -ENOMEM;
	hrtimer_setup(&st->irq, ex07_irq, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	INIT_WORK(&st->bh, ex07_bh_fn);
	ex07 = st;
	hrtimer_start(&st->irq, ms_to_ktime(EX07_PERIOD_MS), HRTIMER_MODE_REL_HARD);
	return 0;
}

static void __exit ex07_exit(void)
{
	hrtimer_cancel(&ex07->irq);	/* no interrupt raises it any more */
	disable_work_sync(&ex07->bh);	/* waits for a queued or running one */
	kfree(ex07);
}

module_init(ex07_init);
module_exit(ex07_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exercise 7: a tasklet converted to BH work");
