// SPDX-License-Identifier: GPL-2.0
/*
 * wq_basics - work items, queueing, carrying data and process context
 *
 * A work item is a struct work_struct naming a function; queueing it asks
 * a kworker thread to call that function later, in process context.
 *
 *  1. A static item (DECLARE_WORK()) is queued twice in a row:
 *     schedule_work() returns true, and queue_work(system_percpu_wq, ...)
 *     on the same item returns false because it is still pending.  An item
 *     is queued at most once until its handler starts; then it may be
 *     queued again.
 *  2. Data travels with the item: the work_struct is embedded in a
 *     kmalloc'd structure that the handler finds with container_of() and
 *     frees itself.  The handler shows that it runs in process context:
 *     in_task() is true, current is a kworker, current_work() is the item,
 *     and it sleeps, takes a mutex and allocates with GFP_KERNEL.
 *
 * Those items go to the module's own queue (alloc_workqueue() with
 * WQ_PERCPU), because module exit must not return while one is still
 * queued or running: destroy_workqueue() drains the queue first.
 *
 * Try it:
 *
 *	insmod wq_basics.ko [items=1-16]
 *	echo 3 > /sys/module/wq_basics/parameters/items	# queue 3 more
 *	rmmod wq_basics		# safe at any moment
 *
 * Expected output (with items=1; the kworker names differ):
 *
 *	wq_basics: schedule_work(): true
 *	wq_basics: queue_work(system_percpu_wq) on the same item: false (still pending)
 *	wq_basics: static item ran in <comm>
 *	wq_basics: queueing item 1
 *	wq_basics: item 1: "queued by module init", in_task() 1, in <comm>
 *	wq_basics: item 1: current_work() is this item: true
 *	wq_basics: item 1: slept, took a mutex, GFP_KERNEL allocation ok, freeing it
 *	wq_basics: all queued items ran and freed themselves (<n> so far)
 *
 * Written items run concurrently, so their lines may interleave.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string_choices.h>
#include <linux/workqueue.h>

#define BASICS_MAX_ITEMS	16

/*
 * Seed tutorials still show DECLARE_WORK(name, fn, data) with a
 * "void (*)(void *)" handler.  That form went away in 2.6.20: a handler
 * takes the struct work_struct * it was queued with, and any data lives
 * in a structure around the work_struct, found with container_of().
 */
struct basics_item {
	struct work_struct work;
	unsigned int seq;
	char note[32];
};

static struct workqueue_struct *basics_wq;	/* NULL unless running */
static DEFINE_MUTEX(basics_lock);		/* basics_wq, basics_seq */
static unsigned int basics_seq;
static DEFINE_MUTEX(basics_stats_lock);		/* taken by the handlers */
static unsigned int basics_done;

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

/* Queue @n self-freeing items; called with basics_lock held. */
static int basics_queue_items(unsigned int n, const char *note)
{
	struct basics_item *item;

	while (n--) {
		item = kmalloc_obj(*item, GFP_KERNEL);
		if (!item)
			return -ENOMEM;
		INIT_WORK(&item->work, basics_item_fn);
		item->seq = ++basics_seq;
		strscpy(item->note, note);
		/* Print first: once queued, the item belongs to its handler. */
		pr_info("queueing item %u\n", item->seq);
		queue_work(basics_wq, &item->work);
	}
	return 0;
}

static unsigned int basics_items = 1;

static int basics_items_set(const char *val, const struct kernel_param *kp)
{
	unsigned int n;
	int ret;

	if (kstrtouint(val, 0, &n) || n < 1 || n > BASICS_MAX_ITEMS) {
		pr_err("items: must be 1-%d\n", BASICS_MAX_ITEMS);
		return -EINVAL;
	}
	mutex_lock(&basics_lock);
	basics_items = n;
	/* Before init (insmod items=N) and after exit, only store it. */
	ret = basics_wq ? basics_queue_items(n, "queued by a write") : 0;
	mutex_unlock(&basics_lock);
	return ret;
}

static const struct kernel_param_ops basics_items_ops = {
	.set = basics_items_set,
	.get = param_get_uint,
};
module_param_cb(items, &basics_items_ops, &basics_items, 0644);
MODULE_PARM_DESC(items, "Self-freeing items queued at load and on each write (1-16, default 1)");

static int __init wq_basics_init(void)
{
	struct workqueue_struct *wq;
	bool first, second;
	unsigned int done;
	int ret;

	/*
	 * schedule_work() queues on the CPU it is called on, and only that
	 * CPU's bound kworkers run the item.  With preemption disabled that
	 * CPU cannot switch to the kworker (nor go offline), so the item is
	 * certainly still pending for the second call and the return values
	 * are printed before the handler can run.
	 */
	preempt_disable();
	first = schedule_work(&basics_static);
	second = queue_work(system_percpu_wq, &basics_static);
	pr_info("schedule_work(): %s\n", str_true_false(first));
	pr_info("queue_work(system_percpu_wq) on the same item: %s (still pending)\n",
		str_true_false(second));
	preempt_enable();
	flush_work(&basics_static);	/* flush one item, never a system queue */

	wq = alloc_workqueue("wq_basics", WQ_PERCPU, 0);
	if (!wq)
		return -ENOMEM;

	mutex_lock(&basics_lock);
	basics_wq = wq;
	ret = basics_queue_items(basics_items, "queued by module init");
	if (ret)
		basics_wq = NULL;
	mutex_unlock(&basics_lock);
	if (ret) {
		destroy_workqueue(wq);		/* drains what was queued */
		return ret;
	}

	flush_workqueue(wq);		/* our own queue: fine to flush */
	mutex_lock(&basics_stats_lock);
	done = basics_done;
	mutex_unlock(&basics_stats_lock);
	pr_info("all queued items ran and freed themselves (%u so far)\n", done);
	return 0;
}

static void __exit wq_basics_exit(void)
{
	struct workqueue_struct *wq;

	/* Writes to "items" may still come in: make them queue nothing. */
	mutex_lock(&basics_lock);
	wq = basics_wq;
	basics_wq = NULL;
	mutex_unlock(&basics_lock);

	destroy_workqueue(wq);		/* waits for every queued item */
	cancel_work_sync(&basics_static);
}

module_init(wq_basics_init);
module_exit(wq_basics_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("@SUBMITTER@");
MODULE_DESCRIPTION("Work items, queueing, carrying data and process context");
