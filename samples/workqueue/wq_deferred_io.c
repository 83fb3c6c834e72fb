// SPDX-License-Identifier: GPL-2.0
/*
 * wq_deferred_io - asynchronous I/O requests on a WQ_MEM_RECLAIM queue
 *
 * wqdio_submit() queues a request with a completion callback on a dedicated
 * workqueue, or returns -ENOMEM and queues nothing.  The handler does the
 * "I/O" (sleeps, fills the buffer from a simulated 1 MiB device; a read
 * beyond its end fails with -EINVAL), calls the callback with the result and
 * frees the request: each submitted request completes exactly once.
 *
 * The queue: alloc_workqueue("wq_deferred_io", WQ_MEM_RECLAIM | WQ_UNBOUND, 4)
 *  - WQ_MEM_RECLAIM gives it a rescuer thread (kworker/R-wq_deferred_io)
 *    that runs its work when no kworker can be forked for lack of memory.
 *    A queue that memory reclaim may wait for (writeback, swap, block I/O)
 *    needs one, or reclaim waits for I/O that waits for a worker that waits
 *    for memory.  Allocations can still fail: such drivers use mempools.
 *  - WQ_UNBOUND: the handler sleeps and shares no data with the submitting
 *    CPU, so the scheduler may run it anywhere; WQ_PERCPU would pile a
 *    burst submitted on one CPU onto that CPU.  7.3 wants one of the two.
 *  - max_active 4 plays the device's queue depth: at most 4 requests are in
 *    the handler at once (for an unbound queue, in the whole system).
 *
 * Seed 002 names neither WQ_PERCPU nor WQ_UNBOUND (a warning on 7.3), never
 * hands an error to the callback, and lets submit_io_request() queue while
 * io_exit() destroys the queue (a warning) or after (a use-after-free).
 * Nor does it say what makes io_exit() safe: destroy_workqueue() drains, as
 * it must, since the handler and callbacks are this module's code.  Here
 * exit stops the submitters, then destroy_workqueue() waits for them all.
 *
 * A write to "submit" returns once its requests are queued, not done.  At
 * most WQDIO_POOL_SIZE (256) requests are pending: beyond that a write
 * waits for completions, as a driver waits for a free request.  rmmod cuts
 * a write short, then drains what is queued: submitted == completed.
 *
 *	insmod wq_deferred_io.ko [submit=N] [fail_every=M]
 *	echo 200 > /sys/module/wq_deferred_io/parameters/submit
 *	echo 0 > /sys/module/wq_deferred_io/parameters/fail_every
 *	rmmod wq_deferred_io	# waits for the requests in flight
 *
 * Expected output (with the default parameters):
 *
 *	wq_deferred_io: queue: WQ_MEM_RECLAIM | WQ_UNBOUND, max_active 4
 *	wq_deferred_io: submitted 16 requests
 *	wq_deferred_io: completed 16 of 16: 13 ok (6656 bytes), 3 failed
 *	wq_deferred_io: at most <n> requests were in flight (max_active 4)
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/sizes.h>
#include <linux/slab.h>
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
static DEFINE_MUTEX(wqdio_mutex);	/* submitters vs. each other and exit */
static bool wqdio_ready;	/* set under wqdio_mutex, cleared at exit */
static unsigned int wqdio_submit_n = 16, wqdio_fail_every = 5, wqdio_next_id;
static atomic_t wqdio_submitted, wqdio_ok, wqdio_failed, wqdio_bytes;
static atomic_t wqdio_pending, wqdio_in_flight, wqdio_max_in_flight;
static DECLARE_WAIT_QUEUE_HEAD(wqdio_waitq);	/* a request completed */

static void wqdio_work_fn(struct work_struct *work)
{
	struct wqdio_req *req = container_of(work, struct wqdio_req, work);
	int n = atomic_inc_return(&wqdio_in_flight);
	int max = atomic_read(&wqdio_max_in_flight);
	int result = 0;

	while (n > max && !atomic_try_cmpxchg(&wqdio_max_in_flight, &max, n))
		;
	usleep_range(2000, 4000);	/* the device is busy: we may sleep */
	if (req->offset < 0 || req->offset + req->size > WQDIO_DEV_SIZE)
		result = -EINVAL;
	else
		memset(req->data, (u8)(req->offset >> 9), req->size);
	atomic_dec(&wqdio_in_flight);
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

	lockdep_assert_held(&wqdio_mutex);	/* no exit under our feet */
	/* Back-pressure, like a driver's pool of requests: wait for a slot. */
	wait_event(wqdio_waitq, atomic_read(&wqdio_pending) < WQDIO_POOL_SIZE ||
		   !READ_ONCE(wqdio_ready));
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
		pr_info_ratelimited("read at %lld failed: %d\n", req->offset,
				    result);
		return;
	}
	atomic_add(req->size, &wqdio_bytes);
	atomic_inc(&wqdio_ok);
}

static int wqdio_submit_many(unsigned int n)
{
	int ret = 0;

	while (n-- && !ret && READ_ONCE(wqdio_ready)) {	/* stop on exit */
		unsigned int id = ++wqdio_next_id;
		loff_t off = (id - 1) % (WQDIO_DEV_SIZE / WQDIO_IO_SIZE) *
			     WQDIO_IO_SIZE;

		if (wqdio_fail_every && id % wqdio_fail_every == 0)
			off = WQDIO_DEV_SIZE;	/* beyond the end: -EINVAL */
		ret = wqdio_submit(off, WQDIO_IO_SIZE, wqdio_done);
		cond_resched();
	}
	return ret;
}

/* Both parameters: submit (1-1000) submits now, fail_every (0-1000) is kept. */
static int wqdio_param_set(const char *val, const struct kernel_param *kp)
{
	bool submit = kp->arg == &wqdio_submit_n;
	unsigned int n, min = submit;
	int ret = 0;

	if (kstrtouint(val, 0, &n) || n < min || n > WQDIO_SUBMIT_MAX) {
		pr_err("%s: invalid value, valid range is %u-%u\n", kp->name,
		       min, WQDIO_SUBMIT_MAX);
		return -EINVAL;
	}
	mutex_lock(&wqdio_mutex);
	*(unsigned int *)kp->arg = n;
	if (submit && wqdio_ready) {	/* at load time, init submits them */
		ret = wqdio_submit_many(n);
		pr_info("submit: %u more requests, %d submitted so far\n", n,
			atomic_read(&wqdio_submitted));
	}
	mutex_unlock(&wqdio_mutex);
	return ret;
}

static const struct kernel_param_ops wqdio_param_ops = {
	.set = wqdio_param_set,
	.get = param_get_uint,
};
module_param_cb(submit, &wqdio_param_ops, &wqdio_submit_n, 0644);
MODULE_PARM_DESC(submit, "requests, at load and per write (1-1000, default 16)");
module_param_cb(fail_every, &wqdio_param_ops, &wqdio_fail_every, 0644);
MODULE_PARM_DESC(fail_every, "every Nth request fails, 0: none (0-1000, default 5)");

static int __init wqdio_init(void)
{
	int ret;

	mutex_lock(&wqdio_mutex);	/* runtime writes wait for init */
	wqdio_wq = alloc_workqueue(KBUILD_MODNAME, WQ_MEM_RECLAIM | WQ_UNBOUND,
				   WQDIO_MAX_ACTIVE);
	if (!wqdio_wq) {
		mutex_unlock(&wqdio_mutex);
		return -ENOMEM;
	}
	pr_info("queue: WQ_MEM_RECLAIM | WQ_UNBOUND, max_active %d\n",
		WQDIO_MAX_ACTIVE);
	wqdio_ready = true;
	ret = wqdio_submit_many(wqdio_submit_n);
	pr_info("submitted %d requests\n", atomic_read(&wqdio_submitted));
	flush_workqueue(wqdio_wq);	/* our own queue: wait for them all */
	pr_info("completed %d of %d: %d ok (%d bytes), %d failed\n",
		atomic_read(&wqdio_ok) + atomic_read(&wqdio_failed),
		atomic_read(&wqdio_submitted), atomic_read(&wqdio_ok),
		atomic_read(&wqdio_bytes), atomic_read(&wqdio_failed));
	pr_info("at most %d requests were in flight (max_active %d)\n",
		atomic_read(&wqdio_max_in_flight), WQDIO_MAX_ACTIVE);
	if (ret)
		destroy_workqueue(wqdio_wq);	/* empty after the flush */
	wqdio_ready = !ret;
	mutex_unlock(&wqdio_mutex);
	return ret;
}

static void __exit wqdio_exit(void)
{
	WRITE_ONCE(wqdio_ready, false);	/* cut a long write short, */
	mutex_lock(&wqdio_mutex);	/* and wait for it to end */
	mutex_unlock(&wqdio_mutex);
	/* Drains: every request runs its callback first; stops the rescuer. */
	destroy_workqueue(wqdio_wq);
	pr_info("unload: submitted %d, completed %d (%d ok, %d failed)\n",
		atomic_read(&wqdio_submitted),
		atomic_read(&wqdio_ok) + atomic_read(&wqdio_failed),
		atomic_read(&wqdio_ok), atomic_read(&wqdio_failed));
}

module_init(wqdio_init);
module_exit(wqdio_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("@SUBMITTER@");
MODULE_DESCRIPTION("Deferred I/O requests with callbacks on a WQ_MEM_RECLAIM queue");
