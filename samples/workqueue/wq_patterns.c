// SPDX-License-Identifier: GPL-2.0
/*
 * wq_patterns - batching, waiting for a result, cancelling and teardown
 *
 * 1. Batching: producers (any context, hard IRQ too) add items to a list
 *    under an IRQ-safe spinlock; a delayed work delivers them as soon as
 *    BATCH_SIZE are waiting, or BATCH_TIMEOUT_MS after a batch began.  The
 *    seed's array overflows (or drops items) when producers outrun its
 *    work, its spin_lock() deadlocks against an IRQ producer, a partial
 *    batch waits forever, and its system-queue work is never cancelled.
 * 2. Waiting for a result: INIT_WORK_ONSTACK(), wait, flush_work() (the
 *    completion says the result is ready, not that the worker has left
 *    the frame), destroy_work_on_stack().  DEBUG_OBJECTS_WORK tracks work
 *    by address until it is freed, and nobody kfree()s a stack frame: the
 *    seed's INIT_WORK() there warns "is on stack ..., but NOT annotated".
 * 3. Cancelling: the seed's "canceled" flag lives in the object it frees
 *    and stops nobody from queueing again after cancel_delayed_work_sync();
 *    disable_delayed_work_sync() does.
 * 4. Teardown: seed 000's driver_remove() queues work on its own stack,
 *    safe only while it waits; deferring cleanup so that remove() can
 *    return runs it on a dead frame.  Embed it in the device, wait, free.
 *
 * "echo N > /sys/module/wq_patterns/parameters/produce" adds N items.
 *
 * Expected output (batch counts depend on timing):
 *
 *	wq_patterns: batch: produced 100 == delivered 100, in order, <n> batches
 *	wq_patterns: completion: on-stack work returned 5050
 *	wq_patterns: cancel: <n> polls; after disable: requeue refused, 0 polls
 *	wq_patterns: teardown: cleanup work done, device freed
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
static DEFINE_MUTEX(wqp_mutex);	/* param writes (producers) vs. exit */
static bool wqp_ready;	/* set under wqp_mutex, cleared at exit */
static unsigned int wqp_produce = 100;
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

	spin_lock_irq(&wqp_lock);
	list_splice_init(&wqp_batch, &batch);	/* O(1) under the lock */
	wqp_batched = 0;
	spin_unlock_irq(&wqp_lock);
	list_for_each_entry_safe(item, tmp, &batch, node) {
		wqp_bad += item->seq != wqp_next;	/* lost or repeated */
		wqp_next = item->seq + 1;
		kfree(item);
		n++;
	}
	spin_lock_irq(&wqp_lock);
	wqp_delivered += n;
	wqp_batches += n > 0;
	spin_unlock_irq(&wqp_lock);
	wake_up(&wqp_waitq);
}

static DECLARE_DELAYED_WORK(wqp_flush, wqp_deliver);

/* Callable from any context, with a gfp that fits it (GFP_ATOMIC in IRQ). */
static int wqp_add(unsigned int n, gfp_t gfp)
{
	unsigned long flags;

	while (n-- && READ_ONCE(wqp_ready)) {	/* stop early on exit */
		struct wqp_item *item = kmalloc(sizeof(*item), gfp);

		if (!item)
			return -ENOMEM;
		spin_lock_irqsave(&wqp_lock, flags);
		item->seq = ++wqp_produced;
		list_add_tail(&item->node, &wqp_batch);
		if (++wqp_batched == BATCH_SIZE)	/* full: flush now */
			mod_delayed_work(wqp_wq, &wqp_flush, 0);
		else if (wqp_batched == 1)		/* no-op if pending */
			queue_delayed_work(wqp_wq, &wqp_flush,
					   msecs_to_jiffies(BATCH_TIMEOUT_MS));
		spin_unlock_irqrestore(&wqp_lock, flags);
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
	struct work_struct cleanup; /* embedded: lives as long as dev */
	unsigned long *regs;		/* what the poller uses; [0]: polls */
};

static void wqp_poll_fn(struct work_struct *work)
{
	struct wqp_dev *dev = container_of(work, struct wqp_dev, poll.work);

	WRITE_ONCE(dev->regs[0], dev->regs[0] + 1);
	queue_delayed_work(wqp_wq, &dev->poll, 1);
}

static void wqp_cleanup_fn(struct work_struct *work)
{
	struct wqp_dev *dev = container_of(work, struct wqp_dev, cleanup);

	kfree(dev->regs);
}

static int wqp_demos(void)
{
	struct wqp_dev *dev = kzalloc(sizeof(*dev), GFP_KERNEL); /* probe */
	struct wqp_call call = { .n = 100 };
	int polls, requeued;

	if (dev)
		dev->regs = kzalloc(sizeof(*dev->regs), GFP_KERNEL);
	if (!dev || !dev->regs) {
		kfree(dev);
		return -ENOMEM;		/* nothing queued yet */
	}
	wqp_add(wqp_produce, GFP_KERNEL);	/* -ENOMEM: fewer items */
	/* Producers are stopped (we hold wqp_mutex): wait for the summary. */
	wait_event(wqp_waitq, READ_ONCE(wqp_delivered) == wqp_produced);
	spin_lock_irq(&wqp_lock);
	pr_info("batch: produced %u == delivered %u, %s, %u batches\n",
		wqp_produced, wqp_delivered,
		wqp_bad ? "OUT OF ORDER" : "in order", wqp_batches);
	spin_unlock_irq(&wqp_lock);

	INIT_WORK_ONSTACK(&call.work, wqp_call_fn);
	init_completion(&call.done);
	queue_work(wqp_wq, &call.work);
	wait_for_completion(&call.done);	/* the result is ready ... */
	flush_work(&call.work);		/* ... and the worker is done with it */
	destroy_work_on_stack(&call.work);
	pr_info("completion: on-stack work returned %lu\n", call.result);

	INIT_DELAYED_WORK(&dev->poll, wqp_poll_fn);
	INIT_WORK(&dev->cleanup, wqp_cleanup_fn);
	queue_delayed_work(wqp_wq, &dev->poll, 0);
	flush_delayed_work(&dev->poll);	/* it has polled once or more */

	disable_delayed_work_sync(&dev->poll);		/* remove() */
	polls = dev->regs[0];		/* then an IRQ, say, queues it again: */
	requeued = queue_delayed_work(wqp_wq, &dev->poll, 0);
	msleep(50);	/* not a synchronisation: time a poll would need */
	pr_info("cancel: %d polls; after disable: requeue %s, %d polls\n",
		polls, requeued ? "ACCEPTED" : "refused",
		(int)READ_ONCE(dev->regs[0]) - polls);
	queue_work(wqp_wq, &dev->cleanup);
	flush_work(&dev->cleanup);		/* it freed dev->regs */
	kfree(dev);
	pr_info("teardown: cleanup work done, device freed\n");
	return 0;
}

static int wqp_produce_set(const char *val, const struct kernel_param *kp)
{
	unsigned int n;
	int ret = 0;

	if (kstrtouint(val, 0, &n) || n < 1 || n > PRODUCE_MAX) {
		pr_err("produce: invalid value, valid range is 1-%u\n", PRODUCE_MAX);
		return -EINVAL;
	}
	mutex_lock(&wqp_mutex);
	*(unsigned int *)kp->arg = n;
	if (wqp_ready)		/* at load time, init produces them */
		ret = wqp_add(n, GFP_KERNEL);
	mutex_unlock(&wqp_mutex);
	return ret;
}

static const struct kernel_param_ops wqp_produce_ops = {
	.set = wqp_produce_set,
	.get = param_get_uint,
};
module_param_cb(produce, &wqp_produce_ops, &wqp_produce, 0644);
MODULE_PARM_DESC(produce, "items to batch, at load and per write (1-10000, default 100)");

static int __init wqp_init(void)
{
	int ret;

	mutex_lock(&wqp_mutex);		/* runtime writes wait for init */
	wqp_wq = alloc_workqueue("wq_patterns", WQ_UNBOUND, 0);
	wqp_ready = wqp_wq;
	ret = wqp_wq ? wqp_demos() : -ENOMEM;
	if (ret && wqp_wq)
		destroy_workqueue(wqp_wq);	/* wqp_demos() queued nothing */
	wqp_ready = !ret;
	mutex_unlock(&wqp_mutex);
	return ret;
}

static void __exit wqp_exit(void)
{
	WRITE_ONCE(wqp_ready, false);	/* stop producers first, */
	mutex_lock(&wqp_mutex);		/* wait for a write to end, */
	mutex_unlock(&wqp_mutex);
	disable_delayed_work_sync(&wqp_flush);	/* then the flush work, */
	wqp_deliver(NULL);			/* deliver what is left */
	destroy_workqueue(wqp_wq);
	pr_info("unload: produced %u == delivered %u\n",
		wqp_produced, wqp_delivered);
}

module_init(wqp_init);
module_exit(wqp_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("@SUBMITTER@");
MODULE_DESCRIPTION("Workqueue patterns: batching, on-stack work, disable, teardown");
