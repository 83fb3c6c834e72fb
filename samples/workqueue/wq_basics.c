// SPDX-License-Identifier: GPL-2.0
/*
 * wq_basics - work items, queueing, carrying data and process context
 *
 * A work item is a struct work_struct naming a handler; queueing it asks a
 * kworker to call the handler later, in process context.  An item is
 * queued at most once until its handler starts: queue_work() returns false
 * while it is still pending.  Data travels in a structure around the
 * work_struct, found with container_of(); here the handler frees it.
 *
 * The system queues need no setup: system_percpu_wq (schedule_work()),
 * system_dfl_wq for work with no CPU locality, system_long_wq and, since
 * v7.1, system_dfl_long_wq for items that run long.  system_wq and
 * system_unbound_wq are deprecated and warn once.  Items whose handler
 * is module code go to the module's own queue instead, because module
 * exit must wait for them: destroy_workqueue() drains the queue first.
 *
 *	insmod wq_basics.ko [items=1-16]; rmmod wq_basics
 *
 * Expected output (with items=1; kworker names differ):
 *
 *	wq_basics: static item ran in <comm>
 *	wq_basics: schedule_work(): true
 *	wq_basics: queue_work() on the same item at once: <bool> (false while still pending)
 *	wq_basics: queueing item 1
 *	wq_basics: item 1: "queued by module init", in_task() 1, in <comm>
 *	wq_basics: item 1: current_work() is this item: true
 *	wq_basics: item 1: slept, took a mutex, GFP_KERNEL allocation ok, freeing it
 *	wq_basics: all 1 queued items ran and freed themselves
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string_choices.h>
#include <linux/workqueue.h>

#define BASICS_MAX_ITEMS	16

/* A handler takes the work_struct it was queued with: data goes around it. */
struct basics_item {
	struct work_struct work;
	unsigned int seq;
	char note[32];
};

static struct workqueue_struct *basics_wq;
static DEFINE_MUTEX(basics_stats_lock);		/* taken by the handlers */
static unsigned int basics_done;

static unsigned int items = 1;
module_param(items, uint, 0444);
MODULE_PARM_DESC(items, "Self-freeing items queued at load (1-16, default 1)");

static void basics_static_fn(struct work_struct *work)
{
	pr_info("static item ran in %s\n", current->comm);
}

static DECLARE_WORK(basics_static, basics_static_fn);

static void basics_item_fn(struct work_struct *work)
{
	struct basics_item *item = container_of(work, struct basics_item, work);
	void *buf;

	pr_info("item %u: \"%s\", in_task() %d, in %s\n",
		item->seq, item->note, in_task(), current->comm);
	pr_info("item %u: current_work() is this item: %s\n",
		item->seq, str_true_false(current_work() == work));

	msleep(20);				/* may sleep */
	mutex_lock(&basics_stats_lock);		/* may block on a mutex */
	basics_done++;
	mutex_unlock(&basics_stats_lock);
	buf = kmalloc(PAGE_SIZE, GFP_KERNEL);	/* may wait for memory */
	pr_info("item %u: slept, took a mutex, GFP_KERNEL allocation %s, freeing it\n",
		item->seq, buf ? "ok" : "failed");
	kfree(buf);
	kfree(item);	/* allowed: the workqueue code no longer touches it */
}

static int __init wq_basics_init(void)
{
	struct basics_item *item;
	bool first, second;
	unsigned int i;

	if (items < 1 || items > BASICS_MAX_ITEMS) {
		pr_err("items: %u is out of range (1-%d)\n", items, BASICS_MAX_ITEMS);
		return -EINVAL;
	}

	/*
	 * A kworker may start the item between the two calls, and then the
	 * second one queues it again (it runs twice): usually it has not,
	 * and it is refused.  The results are printed after the flush, so
	 * that the handler's line always comes first.
	 */
	first = schedule_work(&basics_static);
	second = queue_work(system_percpu_wq, &basics_static);
	flush_work(&basics_static);	/* flush one item, never a system queue */
	pr_info("schedule_work(): %s\n", str_true_false(first));
	pr_info("queue_work() on the same item at once: %s (false while still pending)\n",
		str_true_false(second));

	basics_wq = alloc_workqueue("wq_basics", WQ_PERCPU, 0);
	if (!basics_wq)
		return -ENOMEM;

	for (i = 1; i <= items; i++) {
		item = kmalloc_obj(*item, GFP_KERNEL);
		if (!item) {
			destroy_workqueue(basics_wq);	/* drains what was queued */
			return -ENOMEM;
		}
		INIT_WORK(&item->work, basics_item_fn);
		item->seq = i;
		strscpy(item->note, "queued by module init");
		/* Print first: once queued, the item belongs to its handler. */
		pr_info("queueing item %u\n", item->seq);
		queue_work(basics_wq, &item->work);
	}

	flush_workqueue(basics_wq);	/* our own queue: fine to flush */
	mutex_lock(&basics_stats_lock);
	pr_info("all %u queued items ran and freed themselves\n", basics_done);
	mutex_unlock(&basics_stats_lock);
	return 0;
}

static void __exit wq_basics_exit(void)
{
	destroy_workqueue(basics_wq);	/* waits for every queued item */
	cancel_work_sync(&basics_static);
}

module_init(wq_basics_init);
module_exit(wq_basics_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("@SUBMITTER@");
MODULE_DESCRIPTION("Work items, queueing, carrying data and process context");
