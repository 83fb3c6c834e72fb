// SPDX-License-Identifier: GPL-2.0
/*
 * wq_patterns - batching, waiting for a result, stopping and deferred cleanup
 *
 * 1. Batching: producers in process or softirq context add items to a
 *    list (a fixed array overflows when producers outrun the consumer)
 *    under a BH-safe lock; one delayed work delivers them as soon as
 *    BATCH_SIZE are waiting, or BATCH_TIMEOUT_MS after a batch began.  A
 *    hard-IRQ producer would need preallocated items and a raw spinlock:
 *    on PREEMPT_RT neither kmalloc() nor a spinlock_t is allowed there.
 * 2. Waiting for a result: a work_struct on the stack needs
 *    INIT_WORK_ONSTACK(), then flush_work() before the frame goes away and
 *    destroy_work_on_stack(), or DEBUG_OBJECTS_WORK complains.
 * 3. Stopping: a flag in the object does not stop other code from queueing
 *    its work again; disable_delayed_work_sync() does.
 * 4. Deferred cleanup: remove() queues cleanup work embedded in the device
 *    and returns; the work frees the device, and module exit waits for it
 *    with destroy_workqueue().  Work on remove()'s stack would outlive it.
 *
 * Expected output (batch counts depend on timing):
 *
 *	wq_patterns: batch: produced 100 == delivered 100, in order, <n> batches
 *	wq_patterns: completion: on-stack work returned 5050
 *	wq_patterns: stop: <n> polls; after disable: requeue refused, 0 polls
 *	wq_patterns: teardown: remove() queued the cleanup work and returned
 *	wq_patterns: teardown: cleanup work freed the device
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#define BATCH_SIZE		32
#define BATCH_TIMEOUT_MS	100
#define PRODUCE_MAX		10000

struct wqp_item {
	struct list_head node;
	unsigned int seq;
};

static struct workqueue_struct *wqp_wq;
static unsigned int wqp_produce = 100;
module_param_named(produce, wqp_produce, uint, 0444);
MODULE_PARM_DESC(produce, "items to batch at load (1-10000, default 100)");

static DEFINE_SPINLOCK(wqp_lock);	/* the batch and the counters */
static LIST_HEAD(wqp_batch);
static unsigned int wqp_batched, wqp_produced, wqp_delivered;
static unsigned int wqp_batches, wqp_bad, wqp_next = 1;
static DECLARE_WAIT_QUEUE_HEAD(wqp_waitq);

/* Runs from wqp_flush (never twice at once), or once that is disabled. */
static void wqp_deliver(struct work_struct *unused)
{
	struct wqp_item *item, *tmp;
	unsigned int n = 0;
	LIST_HEAD(batch);

	spin_lock_bh(&wqp_lock);
	list_splice_init(&wqp_batch, &batch);	/* O(1) under the lock */
	wqp_batched = 0;
	spin_unlock_bh(&wqp_lock);
	list_for_each_entry_safe(item, tmp, &batch, node) {
		wqp_bad += item->seq != wqp_next;	/* lost or repeated */
		wqp_next = item->seq + 1;
		kfree(item);
		n++;
	}
	spin_lock_bh(&wqp_lock);
	wqp_delivered += n;
	wqp_batches += n > 0;
	spin_unlock_bh(&wqp_lock);
	wake_up(&wqp_waitq);
}

static DECLARE_DELAYED_WORK(wqp_flush, wqp_deliver);

/* Process or softirq context, with a gfp that fits it (GFP_ATOMIC in BH). */
static int wqp_add(unsigned int n, gfp_t gfp)
{
	while (n--) {
		struct wqp_item *item = kmalloc(sizeof(*item), gfp);

		if (!item)
			return -ENOMEM;
		spin_lock_bh(&wqp_lock);
		item->seq = ++wqp_produced;
		list_add_tail(&item->node, &wqp_batch);
		if (++wqp_batched == BATCH_SIZE)	/* full: flush now */
			mod_delayed_work(wqp_wq, &wqp_flush, 0);
		else if (wqp_batched == 1)		/* no-op if pending */
			queue_delayed_work(wqp_wq, &wqp_flush,
					   msecs_to_jiffies(BATCH_TIMEOUT_MS));
		spin_unlock_bh(&wqp_lock);
		if (gfpflags_allow_blocking(gfp))
			cond_resched();
	}
	return 0;
}

struct wqp_call {
	struct work_struct work;
	struct completion done;
	unsigned long n, result;
};

static void wqp_call_fn(struct work_struct *work)
{
	struct wqp_call *call = container_of(work, struct wqp_call, work);

	call->result = call->n * (call->n + 1) / 2;
	complete(&call->done);
}

struct wqp_dev {
	struct delayed_work poll;	/* re-arms itself, as an IRQ would */
	struct work_struct cleanup;	/* embedded: lives as long as dev */
	unsigned long polls;
};

static void wqp_poll_fn(struct work_struct *work)
{
	struct wqp_dev *dev = container_of(work, struct wqp_dev, poll.work);

	WRITE_ONCE(dev->polls, dev->polls + 1);
	queue_delayed_work(wqp_wq, &dev->poll, 1);
}

static void wqp_cleanup_fn(struct work_struct *work)
{
	struct wqp_dev *dev = container_of(work, struct wqp_dev, cleanup);

	msleep(20);		/* slow cleanup, e.g. waiting for hardware */
	kfree(dev);		/* the workqueue code no longer touches it */
	pr_info("teardown: cleanup work freed the device\n");
}

static int wqp_demos(void)
{
	struct wqp_dev *dev = kzalloc_obj(*dev);	/* probe() */
	struct wqp_call call = { .n = 100 };
	unsigned long polls;
	bool requeued;

	if (!dev)
		return -ENOMEM;		/* nothing queued yet */
	wqp_add(wqp_produce, GFP_KERNEL);	/* -ENOMEM: fewer items */
	wait_event(wqp_waitq, READ_ONCE(wqp_delivered) == wqp_produced);
	spin_lock_bh(&wqp_lock);
	pr_info("batch: produced %u == delivered %u, %s, %u batches\n",
		wqp_produced, wqp_delivered,
		wqp_bad ? "OUT OF ORDER" : "in order", wqp_batches);
	spin_unlock_bh(&wqp_lock);

	INIT_WORK_ONSTACK(&call.work, wqp_call_fn);
	init_completion(&call.done);
	queue_work(wqp_wq, &call.work);
	wait_for_completion(&call.done);	/* the result is ready */
	/* The handler may still run after complete(): wait for it to return. */
	flush_work(&call.work);
	destroy_work_on_stack(&call.work);
	pr_info("completion: on-stack work returned %lu\n", call.result);

	INIT_DELAYED_WORK(&dev->poll, wqp_poll_fn);
	INIT_WORK(&dev->cleanup, wqp_cleanup_fn);
	queue_delayed_work(wqp_wq, &dev->poll, 0);
	flush_delayed_work(&dev->poll);	/* it has polled once or more */

	disable_delayed_work_sync(&dev->poll);		/* remove() */
	polls = dev->polls;		/* then an IRQ, say, queues it again: */
	requeued = queue_delayed_work(wqp_wq, &dev->poll, 0);
	msleep(50);	/* not a synchronisation: time a poll would need */
	pr_info("stop: %lu polls; after disable: requeue %s, %lu polls\n",
		polls, requeued ? "ACCEPTED" : "refused", READ_ONCE(dev->polls) - polls);
	/* Print first: once queued, dev belongs to the cleanup work. */
	pr_info("teardown: remove() queued the cleanup work and returned\n");
	queue_work(wqp_wq, &dev->cleanup);
	return 0;
}

static int __init wqp_init(void)
{
	int ret;

	if (wqp_produce < 1 || wqp_produce > PRODUCE_MAX) {
		pr_err("produce: %u is out of range (1-%u)\n", wqp_produce, PRODUCE_MAX);
		return -EINVAL;
	}
	wqp_wq = alloc_workqueue("wq_patterns", WQ_UNBOUND, 0);
	if (!wqp_wq)
		return -ENOMEM;
	ret = wqp_demos();
	if (ret)
		destroy_workqueue(wqp_wq);	/* wqp_demos() queued nothing */
	return ret;
}

static void __exit wqp_exit(void)
{
	disable_delayed_work_sync(&wqp_flush);	/* the flush work, then */
	wqp_deliver(NULL);			/* deliver what is left */
	destroy_workqueue(wqp_wq);		/* waits for the cleanup work */
	pr_info("unload: produced %u == delivered %u\n", wqp_produced, wqp_delivered);
}

module_init(wqp_init);
module_exit(wqp_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("@SUBMITTER@");
MODULE_DESCRIPTION("Workqueue patterns: batching, on-stack work, disable, deferred cleanup");
