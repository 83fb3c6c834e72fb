// SPDX-License-Identifier: GPL-2.0
/*
 * wq_percpu - queue work on a chosen CPU, and check the CPU first
 *
 * queue_work_on(), schedule_work_on() and schedule_delayed_work_on() put
 * an item on one CPU's worker pool.  The kworkers of a per-CPU pool are
 * bound to that CPU, so each handler here prints the CPU it ran on.
 *
 * These calls trust their caller with the CPU number: one at or above
 * nr_cpu_ids indexes past the per-CPU data, a possible but never onlined
 * CPU gives a splat, and on a CPU that goes offline the item silently
 * runs somewhere else.  So the CPU must be online, and cpus_read_lock()
 * is held from that check until the items have run, so that it cannot go
 * away in between; this delays CPU hotplug for about 100 ms.
 *
 *	insmod wq_percpu.ko [cpu=N]	# -EINVAL and the online CPUs if bad
 *	rmmod wq_percpu
 *
 * Expected output (with cpu=0; the kworker names differ):
 *
 *	wq_percpu: CPU 0: queueing three items (online CPUs: <cpus>)
 *	wq_percpu: queue_work_on() item ran on CPU 0 in <comm>
 *	wq_percpu: queue_work_on(0, wq_percpu) returned true
 *	wq_percpu: schedule_work_on() item ran on CPU 0 in <comm>
 *	wq_percpu: schedule_work_on(0) returned true
 *	wq_percpu: schedule_delayed_work_on() item ran on CPU 0 in <comm>, <ms> ms after queueing
 *	wq_percpu: schedule_delayed_work_on(0, 100 ms) returned true
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/string_choices.h>
#include <linux/workqueue.h>

#define PERCPU_DELAY_MS	100

static struct workqueue_struct *percpu_wq;
static int percpu_cpu;
module_param_named(cpu, percpu_cpu, int, 0444);
MODULE_PARM_DESC(cpu, "CPU to queue on (online CPU, default 0)");
static unsigned long percpu_queued_at;
static DECLARE_COMPLETION(percpu_delayed_done);

/*
 * A per-CPU kworker is bound to its CPU and the caller holds
 * cpus_read_lock() until this has run, so the CPU number cannot change
 * under us.  smp_processor_id() would say the same, but it exists to
 * catch preemptible callers under CONFIG_DEBUG_PREEMPT and would warn if
 * the worker were ever unbound; raw_smp_processor_id() states that the
 * binding is what makes the value stable.
 */
static void percpu_report(const char *what)
{
	pr_info("%s item ran on CPU %d in %s\n",
		what, raw_smp_processor_id(), current->comm);
}

static void percpu_work_fn(struct work_struct *work)
{
	percpu_report("queue_work_on()");
}

static void percpu_sched_fn(struct work_struct *work)
{
	percpu_report("schedule_work_on()");
}

static void percpu_delayed_fn(struct work_struct *work)
{
	pr_info("schedule_delayed_work_on() item ran on CPU %d in %s, %u ms after queueing\n",
		raw_smp_processor_id(), current->comm,
		jiffies_to_msecs(jiffies - READ_ONCE(percpu_queued_at)));
	complete(&percpu_delayed_done);
}

static DECLARE_WORK(percpu_work, percpu_work_fn);
static DECLARE_WORK(percpu_sched, percpu_sched_fn);
static DECLARE_DELAYED_WORK(percpu_delayed, percpu_delayed_fn);

/* Called with cpus_read_lock() held, so the answer stays true. */
static bool percpu_cpu_ok(int cpu)
{
	lockdep_assert_cpus_held();
	if (cpu >= 0 && cpu < nr_cpu_ids && cpu_online(cpu))
		return true;
	pr_err("cpu=%d: must be an online CPU (%*pbl)\n",
	       cpu, cpumask_pr_args(cpu_online_mask));
	return false;
}

/* Queue one item with each call and wait for it: the lines come in order. */
static void percpu_run(int cpu)
{
	bool ret;

	lockdep_assert_cpus_held();
	pr_info("CPU %d: queueing three items (online CPUs: %*pbl)\n",
		cpu, cpumask_pr_args(cpu_online_mask));

	ret = queue_work_on(cpu, percpu_wq, &percpu_work);
	flush_work(&percpu_work);
	pr_info("queue_work_on(%d, wq_percpu) returned %s\n", cpu, str_true_false(ret));

	ret = schedule_work_on(cpu, &percpu_sched);
	flush_work(&percpu_sched);
	pr_info("schedule_work_on(%d) returned %s\n", cpu, str_true_false(ret));

	reinit_completion(&percpu_delayed_done);
	WRITE_ONCE(percpu_queued_at, jiffies);
	ret = schedule_delayed_work_on(cpu, &percpu_delayed,
				       msecs_to_jiffies(PERCPU_DELAY_MS));
	wait_for_completion(&percpu_delayed_done);
	flush_delayed_work(&percpu_delayed);	/* its handler has returned */
	pr_info("schedule_delayed_work_on(%d, %d ms) returned %s\n",
		cpu, PERCPU_DELAY_MS, str_true_false(ret));
}

static int __init wq_percpu_init(void)
{
	int ret = 0;

	percpu_wq = alloc_workqueue("wq_percpu", WQ_PERCPU, 0);
	if (!percpu_wq)
		return -ENOMEM;

	cpus_read_lock();
	if (percpu_cpu_ok(percpu_cpu))
		percpu_run(percpu_cpu);
	else
		ret = -EINVAL;
	cpus_read_unlock();

	if (ret)
		destroy_workqueue(percpu_wq);
	return ret;
}

static void __exit wq_percpu_exit(void)
{
	/* Init waited for its items; a driver with live items would do this. */
	cancel_delayed_work_sync(&percpu_delayed);
	cancel_work_sync(&percpu_sched);
	destroy_workqueue(percpu_wq);
}

module_init(wq_percpu_init);
module_exit(wq_percpu_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("@SUBMITTER@");
MODULE_DESCRIPTION("Queue work on a chosen, checked, online CPU");
