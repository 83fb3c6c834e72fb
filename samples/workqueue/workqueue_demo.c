// SPDX-License-Identifier: GPL-2.0
/*
 * workqueue_demo - immediate, delayed and dedicated-queue work in one module
 *
 * On load this module defers work in the three ways most drivers need:
 *
 *  1. immediate work on the per-CPU system workqueue (schedule_work()),
 *  2. delayed work that runs after 2 seconds and re-arms itself until the
 *     shared execution count reaches 5 (schedule_delayed_work()),
 *  3. three items on a dedicated ordered workqueue, which runs them one
 *     at a time in the order they were queued (alloc_ordered_workqueue()).
 *
 * Every work function runs in process context: it may sleep (msleep()),
 * take a mutex and wait for other work (flush_work(), flush_workqueue()).
 * The waits are what give the output below its fixed order: the
 * handlers wait for module init to finish, the dedicated items wait for
 * the immediate item, and the delayed item waits for the dedicated queue
 * to drain.  Without them the three kinds of work
 * run concurrently and their lines interleave.
 *
 * Try it:
 *
 *	insmod workqueue_demo.ko
 *	dmesg -w		# everything has run after about 4 seconds
 *	rmmod workqueue_demo	# safe at any moment, also while work runs
 *
 * Expected output (PIDs differ):
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
 *
 * The delayed lines come 2 and 4 seconds after loading.  There is no
 * /proc/workqueues: a running work item shows up in "ps" as a kworker
 * thread, and the workqueue tracepoints (workqueue:workqueue_execute_start)
 * show every execution.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/mutex.h>
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
 * Held by module init while it sets up.  The immediate and the delayed
 * handler take it first, so that they print after init has finished.
 */
static DEFINE_MUTEX(demo_lock);

static void demo_immediate_fn(struct work_struct *work)
{
	int count;

	/* Sleeping on a mutex is fine here: wait until init has finished. */
	mutex_lock(&demo_lock);
	mutex_unlock(&demo_lock);

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

	/* Wait for the immediate item; a no-op once it has run. */
	flush_work(&demo_immediate);

	pr_info("Dedicated work [%d]: Processing %s, PID: %d\n",
		item->id, item->task, task_pid_nr(current));
	msleep(50);
	atomic_inc(&demo_count);
	pr_info("Dedicated work [%d]: Done\n", item->id);
}

static void demo_delayed_fn(struct work_struct *work)
{
	struct delayed_work *dwork = to_delayed_work(work);
	struct workqueue_struct *wq;
	int count;

	/* Sleeping on a mutex is fine here: wait until init has finished. */
	mutex_lock(&demo_lock);
	wq = demo_wq;
	mutex_unlock(&demo_lock);
	if (wq)
		flush_workqueue(wq);	/* a dedicated queue may be flushed */

	count = atomic_read(&demo_count);
	pr_info("Delayed work executed! Count: %d, PID: %d\n",
		count, task_pid_nr(current));
	if (count < DEMO_LAST_COUNT) {
		atomic_inc(&demo_count);
		pr_info("Rescheduling delayed work (count: %d)\n", count);
		/* Fails silently once module exit has disabled the item. */
		schedule_delayed_work(dwork, 2 * HZ);
	} else {
		pr_info("Delayed work finished\n");
	}
}

static DECLARE_DELAYED_WORK(demo_delayed, demo_delayed_fn);

static int __init workqueue_demo_init(void)
{
	struct workqueue_struct *wq;
	int i;

	mutex_lock(&demo_lock);
	pr_info("=== Work Queue Demo ===\n");

	pr_info("1. Scheduling immediate work...\n");
	schedule_work(&demo_immediate);
	pr_info("Immediate work scheduled\n");

	pr_info("2. Scheduling delayed work (2 seconds)...\n");
	schedule_delayed_work(&demo_delayed, 2 * HZ);
	pr_info("Delayed work scheduled\n");

	pr_info("3. Creating dedicated workqueue...\n");
	wq = alloc_ordered_workqueue("workqueue_demo", 0);
	if (!wq) {
		mutex_unlock(&demo_lock);
		disable_delayed_work_sync(&demo_delayed);
		cancel_work_sync(&demo_immediate);
		return -ENOMEM;
	}
	demo_wq = wq;
	pr_info("Dedicated workqueue created\n");

	for (i = 0; i < DEMO_ITEMS; i++) {
		struct demo_item *item = &demo_items[i];

		item->id = i;
		snprintf(item->task, sizeof(item->task), "task_%d", i);
		INIT_WORK(&item->work, demo_dedicated_fn);
		queue_work(wq, &item->work);
		pr_info("Queued work item %d\n", i);
	}

	pr_info("=== Work items scheduled ===\n");
	mutex_unlock(&demo_lock);
	return 0;
}

static void __exit workqueue_demo_exit(void)
{
	/*
	 * Stop the item that re-arms itself first: disable_delayed_work_sync()
	 * cancels the timer, waits for a running instance and makes every
	 * later schedule_delayed_work() on it fail.  Then drain and free the
	 * dedicated queue, and last the immediate item its items wait for.
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
