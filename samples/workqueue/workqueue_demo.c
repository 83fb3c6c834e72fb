// SPDX-License-Identifier: GPL-2.0
/*
 * workqueue_demo - a first look at immediate, delayed and dedicated-queue work
 *
 * Module init queues one item on the per-CPU system workqueue
 * (schedule_work()), arms one delayed item that re-arms itself once
 * (schedule_delayed_work()), and queues three items on its own ordered
 * queue (alloc_ordered_workqueue()), which runs them one at a time in
 * queueing order.  Every handler runs in a kworker, in process context,
 * and may sleep.  wq_basics, wq_delayed and wq_flags show each of these
 * in depth; this module only shows them together.
 *
 * The output below has a fixed order only because the handlers wait for
 * each other (a completion, flush_work(), flush_workqueue()); without
 * those waits the three kinds of work run concurrently.
 *
 * Expected output (PIDs differ; the delayed lines come after 2 and 4 s):
 *
 *	workqueue_demo: === Work Queue Demo ===
 *	workqueue_demo: 1. Scheduling immediate work...
 *	workqueue_demo: Immediate work scheduled
 *	workqueue_demo: 2. Scheduling delayed work (2 seconds)...
 *	workqueue_demo: Delayed work scheduled
 *	workqueue_demo: 3. Creating dedicated workqueue...
 *	workqueue_demo: Dedicated workqueue created
 *	workqueue_demo: Queued work item 0
 *	workqueue_demo: Queued work item 1
 *	workqueue_demo: Queued work item 2
 *	workqueue_demo: === Work items scheduled ===
 *	workqueue_demo: Immediate work executed! Count: 1, PID: <pid>
 *	workqueue_demo: Immediate work done
 *	workqueue_demo: Dedicated work [0]: Processing task_0, PID: <pid>
 *	workqueue_demo: Dedicated work [0]: Done
 *	workqueue_demo: Dedicated work [1]: Processing task_1, PID: <pid>
 *	workqueue_demo: Dedicated work [1]: Done
 *	workqueue_demo: Dedicated work [2]: Processing task_2, PID: <pid>
 *	workqueue_demo: Dedicated work [2]: Done
 *	workqueue_demo: Delayed work executed! Count: 4, PID: <pid>
 *	workqueue_demo: Rescheduling delayed work (count: 4)
 *	workqueue_demo: Delayed work executed! Count: 5, PID: <pid>
 *	workqueue_demo: Delayed work finished
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/workqueue.h>

#define DEMO_ITEMS	3
#define DEMO_LAST_COUNT	5

struct demo_item {
	struct work_struct work;
	int id;
	char task[16];
};

static struct workqueue_struct *demo_wq;
static struct demo_item demo_items[DEMO_ITEMS];
static atomic_t demo_count = ATOMIC_INIT(0);

/*
 * Completed when module init has printed its lines.  Only this demo's
 * output order needs it: a real handler does not wait for its producer.
 */
static DECLARE_COMPLETION(demo_init_done);

static void demo_immediate_fn(struct work_struct *work)
{
	int count;

	wait_for_completion(&demo_init_done);
	count = atomic_inc_return(&demo_count);
	pr_info("Immediate work executed! Count: %d, PID: %d\n",
		count, task_pid_nr(current));
	msleep(100);		/* process context: sleeping is allowed */
	pr_info("Immediate work done\n");
}

static DECLARE_WORK(demo_immediate, demo_immediate_fn);

static void demo_dedicated_fn(struct work_struct *work)
{
	struct demo_item *item = container_of(work, struct demo_item, work);

	flush_work(&demo_immediate);	/* print after the immediate item */
	pr_info("Dedicated work [%d]: Processing %s, PID: %d\n",
		item->id, item->task, task_pid_nr(current));
	msleep(50);
	atomic_inc(&demo_count);
	pr_info("Dedicated work [%d]: Done\n", item->id);
}

static void demo_delayed_fn(struct work_struct *work)
{
	struct delayed_work *dwork = to_delayed_work(work);
	int count;

	wait_for_completion(&demo_init_done);
	if (demo_wq)		/* NULL if init failed */
		flush_workqueue(demo_wq);	/* print after the dedicated items */
	count = atomic_read(&demo_count);
	pr_info("Delayed work executed! Count: %d, PID: %d\n",
		count, task_pid_nr(current));
	if (count < DEMO_LAST_COUNT) {
		atomic_inc(&demo_count);
		pr_info("Rescheduling delayed work (count: %d)\n", count);
		/* Refused once module exit has disabled the item. */
		schedule_delayed_work(dwork, 2 * HZ);
	} else {
		pr_info("Delayed work finished\n");
	}
}

static DECLARE_DELAYED_WORK(demo_delayed, demo_delayed_fn);

static int __init workqueue_demo_init(void)
{
	int i;

	pr_info("=== Work Queue Demo ===\n");
	pr_info("1. Scheduling immediate work...\n");
	schedule_work(&demo_immediate);
	pr_info("Immediate work scheduled\n");

	pr_info("2. Scheduling delayed work (2 seconds)...\n");
	schedule_delayed_work(&demo_delayed, 2 * HZ);
	pr_info("Delayed work scheduled\n");

	pr_info("3. Creating dedicated workqueue...\n");
	demo_wq = alloc_ordered_workqueue("workqueue_demo", 0);
	if (!demo_wq) {
		complete_all(&demo_init_done);	/* let the handlers return */
		disable_delayed_work_sync(&demo_delayed);
		cancel_work_sync(&demo_immediate);
		return -ENOMEM;
	}
	pr_info("Dedicated workqueue created\n");

	for (i = 0; i < DEMO_ITEMS; i++) {
		struct demo_item *item = &demo_items[i];

		item->id = i;
		snprintf(item->task, sizeof(item->task), "task_%d", i);
		INIT_WORK(&item->work, demo_dedicated_fn);
		queue_work(demo_wq, &item->work);
		pr_info("Queued work item %d\n", i);
	}
	pr_info("=== Work items scheduled ===\n");
	complete_all(&demo_init_done);
	return 0;
}

static void __exit workqueue_demo_exit(void)
{
	/*
	 * The self-re-arming item first: disable_delayed_work_sync() cancels
	 * its timer, waits for a running instance and refuses re-arming.
	 * Then drain and free the queue, and last the item its items wait for.
	 */
	disable_delayed_work_sync(&demo_delayed);
	destroy_workqueue(demo_wq);
	cancel_work_sync(&demo_immediate);
	pr_info("Unloaded: no work left pending or running\n");
}

module_init(workqueue_demo_init);
module_exit(workqueue_demo_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("@SUBMITTER@");
MODULE_DESCRIPTION("Immediate, delayed and dedicated-queue work, in process context");
