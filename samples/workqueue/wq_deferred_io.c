// SPDX-License-Identifier: GPL-2.0
/*
 * wq_deferred_io - asynchronous I/O requests on a WQ_MEM_RECLAIM queue
 *
 * wqdio_submit() queues a request with a completion callback, or returns
 * -ENOMEM and queues nothing.  The handler does the "I/O" (sleeps, fills
 * the buffer from a simulated 1 MiB device; a read beyond its end fails
 * with -EINVAL), passes the result to the callback and frees the request:
 * each submitted request completes exactly once, errors included.
 *
 * The queue: alloc_workqueue("wq_deferred_io", WQ_MEM_RECLAIM | WQ_UNBOUND, 4)
 *  - WQ_MEM_RECLAIM: a rescuer thread, kworker/R-wq_deferred_io, runs the
 *    work when no kworker can be forked for lack of memory.  A queue that
 *    memory reclaim may wait for (writeback, swap, block I/O) needs one.
 *  - WQ_UNBOUND: the handler sleeps and shares no data with the CPU that
 *    submitted the request.
 *  - max_active 4 caps the handlers running per NUMA node (every node
 *    admits at least min(max_active, 8)), so it is not a device's queue
 *    depth: that is the pool of WQDIO_POOL_SIZE requests here, which a
 *    submitter waits for as a driver waits for a free request.
 *
 * Module exit must not return while a handler or callback, module code,
 * can still run: destroy_workqueue() drains the queue first.
 *
 * Expected output (with the default parameters):
 *
 *	wq_deferred_io: queue: WQ_MEM_RECLAIM | WQ_UNBOUND, max_active 4
 *	wq_deferred_io: submitted 16 requests
 *	wq_deferred_io: completed 16 of 16: 13 ok (6656 bytes), 3 failed
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#define WQDIO_DEV_SIZE		SZ_1M	/* the simulated device */
#define WQDIO_IO_SIZE		512	/* one sector per request */
#define WQDIO_MAX_ACTIVE	4
#define WQDIO_SUBMIT_MAX	1000
#define WQDIO_POOL_SIZE		256	/* submitted, not yet completed */

struct wqdio_req {
	struct work_struct work;
	loff_t offset;
	size_t size;
	void (*done)(struct wqdio_req *req, int result);
	u8 data[];
};

static struct workqueue_struct *wqdio_wq;
static unsigned int submit = 16, fail_every = 5;
module_param(submit, uint, 0444);
MODULE_PARM_DESC(submit, "requests submitted at load (1-1000, default 16)");
module_param(fail_every, uint, 0444);
MODULE_PARM_DESC(fail_every, "every Nth request fails, 0: none (0-1000, default 5)");

static atomic_t wqdio_submitted, wqdio_ok, wqdio_failed, wqdio_pending;
static atomic64_t wqdio_bytes;
static DECLARE_WAIT_QUEUE_HEAD(wqdio_waitq);	/* a request completed */

static void wqdio_work_fn(struct work_struct *work)
{
	struct wqdio_req *req = container_of(work, struct wqdio_req, work);
	int result = 0;

	usleep_range(2000, 4000);	/* the device is busy: we may sleep */
	if (req->offset < 0 || req->offset + req->size > WQDIO_DEV_SIZE)
		result = -EINVAL;
	else
		memset(req->data, (u8)(req->offset >> 9), req->size);
	req->done(req, result);		/* the submitter's callback, then */
	kfree(req);			/* the request is gone */
	atomic_dec(&wqdio_pending);
	wake_up(&wqdio_waitq);
}

/* Read @size bytes at @offset; on 0, @done runs once, in process context */
static int wqdio_submit(loff_t offset, size_t size,
			void (*done)(struct wqdio_req *req, int result))
{
	struct wqdio_req *req;

	/* Back-pressure, like a driver's pool of requests: wait for a slot. */
	wait_event(wqdio_waitq, atomic_read(&wqdio_pending) < WQDIO_POOL_SIZE);
	req = kmalloc(struct_size(req, data, size), GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	req->offset = offset;
	req->size = size;
	req->done = done;
	INIT_WORK(&req->work, wqdio_work_fn);
	atomic_inc(&wqdio_pending);
	atomic_inc(&wqdio_submitted);
	queue_work(wqdio_wq, &req->work);
	return 0;
}

/* This module's completion callback: it runs in the worker. */
static void wqdio_done(struct wqdio_req *req, int result)
{
	if (result) {
		atomic_inc(&wqdio_failed);
		pr_info_ratelimited("read at %lld failed: %d\n", req->offset, result);
		return;
	}
	atomic64_add(req->size, &wqdio_bytes);
	atomic_inc(&wqdio_ok);
}

static int __init wqdio_init(void)
{
	unsigned int id;
	int ret = 0;

	if (submit < 1 || submit > WQDIO_SUBMIT_MAX) {
		pr_err("submit: %u is out of range (1-%d)\n", submit, WQDIO_SUBMIT_MAX);
		return -EINVAL;
	}
	if (fail_every > WQDIO_SUBMIT_MAX) {
		pr_err("fail_every: %u is out of range (0-%d)\n", fail_every, WQDIO_SUBMIT_MAX);
		return -EINVAL;
	}
	wqdio_wq = alloc_workqueue(KBUILD_MODNAME, WQ_MEM_RECLAIM | WQ_UNBOUND,
				   WQDIO_MAX_ACTIVE);
	if (!wqdio_wq)
		return -ENOMEM;
	pr_info("queue: WQ_MEM_RECLAIM | WQ_UNBOUND, max_active %d\n", WQDIO_MAX_ACTIVE);

	for (id = 1; id <= submit && !ret; id++) {
		loff_t off = (id - 1) % (WQDIO_DEV_SIZE / WQDIO_IO_SIZE) * WQDIO_IO_SIZE;

		if (fail_every && id % fail_every == 0)
			off = WQDIO_DEV_SIZE;	/* beyond the end: -EINVAL */
		ret = wqdio_submit(off, WQDIO_IO_SIZE, wqdio_done);
	}
	pr_info("submitted %d requests\n", atomic_read(&wqdio_submitted));
	flush_workqueue(wqdio_wq);	/* our own queue: wait for them all */
	pr_info("completed %d of %d: %d ok (%lld bytes), %d failed\n",
		atomic_read(&wqdio_ok) + atomic_read(&wqdio_failed),
		atomic_read(&wqdio_submitted), atomic_read(&wqdio_ok),
		atomic64_read(&wqdio_bytes), atomic_read(&wqdio_failed));
	if (ret)
		destroy_workqueue(wqdio_wq);	/* empty after the flush */
	return ret;
}

static void __exit wqdio_exit(void)
{
	/* Drains: every request runs its callback first; stops the rescuer. */
	destroy_workqueue(wqdio_wq);
}

module_init(wqdio_init);
module_exit(wqdio_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("@SUBMITTER@");
MODULE_DESCRIPTION("Deferred I/O requests with callbacks on a WQ_MEM_RECLAIM queue");
