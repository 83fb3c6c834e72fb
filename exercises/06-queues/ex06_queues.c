// SPDX-License-Identifier: GPL-2.0
/*
 * Exercise 6: dedicated workqueues and their flags.
 *
 * Three jobs, three queues, which you allocate (TODO 1-3): for now the
 * module uses the system queues as stand-ins.  The queues live until
 * rmmod, which must destroy every one of them (TODO 4).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/workqueue.h>

#define EX06_RECORDS	8

static struct workqueue_struct *ex06_ordered, *ex06_io, *ex06_hipri;
static struct work_struct ex06_records[EX06_RECORDS], ex06_io_work, ex06_hipri_work;
static int ex06_order[EX06_RECORDS];
static atomic_t ex06_written = ATOMIC_INIT(0);
static int ex06_nice = 99;
static char ex06_io_comm[TASK_COMM_LEN];

static void ex06_record_fn(struct work_struct *work)
{
	int id = work - ex06_records;

	msleep((EX06_RECORDS - id) * 3);	/* later records are quicker */
	ex06_order[atomic_inc_return(&ex06_written) - 1] = id;
}

static void ex06_io_fn(struct work_struct *work)
{
	get_task_comm(ex06_io_comm, current);
}

static void ex06_hipri_fn(struct work_struct *work)
{
	ex06_nice = task_nice(current);
}

static void ex06_destroy(void)
{
	/* TODO(4): destroy the queues you allocated (never a system queue). */
}

static int __init ex06_init(void)
{
	int i;

	/* TODO(1): "ex06_ordered": log records, written in queueing order. */
	ex06_ordered = system_dfl_wq;
	/*
	 * TODO(2): "ex06_io": I/O completions that memory reclaim may wait
	 * for, sharing nothing with the queueing CPU, visible in sysfs.
	 */
	ex06_io = system_dfl_wq;
	/* TODO(3): "ex06_hipri": a latency-sensitive item, on this CPU. */
	ex06_hipri = system_percpu_wq;
	if (!ex06_ordered || !ex06_io || !ex06_hipri) {
		ex06_destroy();
		return -ENOMEM;
	}

	INIT_WORK(&ex06_hipri_work, ex06_hipri_fn);
	queue_work(ex06_hipri, &ex06_hipri_work);
	flush_work(&ex06_hipri_work);
	pr_info("hipri: ran at nice %d\n", ex06_nice);

	INIT_WORK(&ex06_io_work, ex06_io_fn);
	queue_work(ex06_io, &ex06_io_work);
	flush_work(&ex06_io_work);
	pr_info("io: completed in %s\n", ex06_io_comm);

	for (i = 0; i < EX06_RECORDS; i++) {
		INIT_WORK(&ex06_records[i], ex06_record_fn);
		queue_work(ex06_ordered, &ex06_records[i]);
	}
	for (i = 0; i < EX06_RECORDS; i++)
		flush_work(&ex06_records[i]);
	pr_info("ordered: %d %d %d %d %d %d %d %d\n", ex06_order[0], ex06_order[1],
		ex06_order[2], ex06_order[3], ex06_order[4], ex06_order[5],
		ex06_order[6], ex06_order[7]);
	return 0;
}

static void __exit ex06_exit(void)
{
	ex06_destroy();		/* every item has run: nothing to cancel */
}

module_init(ex06_init);
module_exit(ex06_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exercise 6: dedicated workqueues and their flags");
