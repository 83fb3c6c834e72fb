// SPDX-License-Identifier: GPL-2.0
/*
 * Exercise 6 (solution): dedicated workqueues and their flags.
 *
 * Three jobs, three queues:
 *  - log records must be written in the order they were queued:
 *    alloc_ordered_workqueue() runs one item at a time, in order (an
 *    unbound queue with max_active 1 is no longer ordered);
 *  - "I/O completions" that memory reclaim may wait for need a rescuer
 *    thread (WQ_MEM_RECLAIM); they share nothing with the queueing CPU
 *    (WQ_UNBOUND), and WQ_SYSFS shows the queue under
 *    /sys/bus/workqueue/devices/;
 *  - a latency-sensitive item gets a nice -20 worker (WQ_HIGHPRI), on
 *    the queueing CPU (WQ_PERCPU).
 * alloc_workqueue() must name exactly one of WQ_PERCPU and WQ_UNBOUND.
 * The queues live until rmmod, which destroys every one of them.
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
	if (ex06_hipri)
		destroy_workqueue(ex06_hipri);
	if (ex06_io)
		destroy_workqueue(ex06_io);
	if (ex06_ordered)
		destroy_workqueue(ex06_ordered);
}

static int __init ex06_init(void)
{
	int i;

	ex06_ordered = alloc_ordered_workqueue("ex06_ordered", 0);
	ex06_io = alloc_workqueue("ex06_io", WQ_UNBOUND | WQ_MEM_RECLAIM | WQ_SYSFS, 0);
	ex06_hipri = alloc_workqueue("ex06_hipri", WQ_PERCPU | WQ_HIGHPRI, 0);
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
