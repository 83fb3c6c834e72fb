// SPDX-License-Identifier: GPL-2.0
/*
 * Exercise 5: a work item on a chosen CPU, checked first.
 *
 * queue_work_on() trusts its caller with the CPU number: one at or above
 * nr_cpu_ids indexes past the per-CPU data, and on an offline CPU the
 * item silently runs elsewhere.  Make the module refuse a CPU that is
 * not online (TODO 1) and run the item on the CPU asked for (TODO 2).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/module.h>
#include <linux/smp.h>
#include <linux/workqueue.h>

static int cpu = 1;
module_param(cpu, int, 0444);
MODULE_PARM_DESC(cpu, "CPU to run the work on (online CPU, default 1)");

static struct workqueue_struct *ex05_wq;
static int ex05_ran_on = -1;

static void ex05_work_fn(struct work_struct *work)
{
	/* A per-CPU worker is bound to its CPU: the number stays true. */
	ex05_ran_on = raw_smp_processor_id();
}

static DECLARE_WORK(ex05_work, ex05_work_fn);

/* Called with cpus_read_lock() held, so the answer stays true. */
static bool ex05_cpu_ok(int c)
{
	lockdep_assert_cpus_held();
	/*
	 * TODO(1): true only for an online CPU; otherwise say why with
	 * pr_err(), naming the parameter ("cpu=%d: ..."), and return false.
	 */
	return true;
}

static int __init ex05_init(void)
{
	ex05_wq = alloc_workqueue("ex05_percpu", WQ_PERCPU, 0);
	if (!ex05_wq)
		return -ENOMEM;

	cpus_read_lock();
	if (!ex05_cpu_ok(cpu)) {
		cpus_read_unlock();
		destroy_workqueue(ex05_wq);
		return -EINVAL;
	}
	/* TODO(2): queue it on CPU "cpu" instead. */
	queue_work(ex05_wq, &ex05_work);
	flush_work(&ex05_work);
	cpus_read_unlock();

	pr_info("asked for CPU %d, ran on CPU %d\n", cpu, ex05_ran_on);
	return 0;
}

static void __exit ex05_exit(void)
{
	destroy_workqueue(ex05_wq);
}

module_init(ex05_init);
module_exit(ex05_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exercise 5: a work item on a checked, online CPU");
