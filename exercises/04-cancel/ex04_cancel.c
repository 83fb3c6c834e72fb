// SPDX-License-Identifier: GPL-2.0
/*
 * Exercise 4: what cancel, flush, disable and enable return, used to
 * complete every request exactly once.
 *
 * A request is a work item; it completes exactly once: by its handler
 * (status 0), by whoever cancelled it before it ran (-ECANCELED), or by
 * the submitter when it could not be queued (-ESHUTDOWN).  The requests
 * are queued on an ordered queue behind a "busy" item that holds the
 * queue until it is released, so they are certainly still pending when
 * the first cancels come.  Fill in the five TODOs; module init and the
 * rest are done.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/errno.h>
#include <linux/module.h>
#include <linux/string_choices.h>
#include <linux/workqueue.h>

#define EX04_REQS	8

struct ex04_req {
	struct work_struct work;
	int status;
	unsigned int submitted;
	atomic_t completions;
};

static struct workqueue_struct *ex04_wq;	/* ordered */
static struct ex04_req ex04_reqs[EX04_REQS];
static DECLARE_COMPLETION(ex04_gate);
static atomic_t ex04_ran, ex04_cancelled, ex04_refused;

static void ex04_complete(struct ex04_req *req, int status)
{
	req->status = status;
	atomic_inc(&req->completions);
	atomic_inc(status == -ECANCELED ? &ex04_cancelled :
		   status == -ESHUTDOWN ? &ex04_refused : &ex04_ran);
}

static void ex04_req_fn(struct work_struct *work)
{
	struct ex04_req *req = from_work(req, work, work);

	ex04_complete(req, 0);
}

/* Holds the ordered queue until ex04_gate is completed. */
static void ex04_busy_fn(struct work_struct *work)
{
	wait_for_completion(&ex04_gate);
}

static DECLARE_WORK(ex04_busy, ex04_busy_fn);

/* Queue @req; a request that cannot be queued completes at once. */
static void ex04_submit(struct ex04_req *req)
{
	req->submitted++;
	/* TODO(1): queue it; if queue_work() refuses, complete it with -ESHUTDOWN. */
}

/*
 * Cancel @req.  If it had not started, it never will: complete it here
 * with -ECANCELED.  If it is running, wait for it: it completes itself.
 * Returns true if this call completed it.
 */
static bool ex04_cancel(struct ex04_req *req)
{
	/* TODO(2) */
	return false;
}

/* Wait until @req has run; true if it had to wait. */
static bool ex04_wait(struct ex04_req *req)
{
	/* TODO(3) */
	return false;
}

/* No request may be queued from now on; wait for a running one. */
static void ex04_shutdown(void)
{
	/* TODO(4) */
}

/* Allow @req to be queued again; true if it now can be. */
static bool ex04_allow(struct ex04_req *req)
{
	/* TODO(5) */
	return false;
}

static int __init ex04_init(void)
{
	int i, n, submitted = 0, once = 0;

	ex04_wq = alloc_ordered_workqueue("ex04_cancel", 0);
	if (!ex04_wq)
		return -ENOMEM;
	for (i = 0; i < EX04_REQS; i++)
		INIT_WORK(&ex04_reqs[i].work, ex04_req_fn);

	/* All requests pending behind the busy item. */
	queue_work(ex04_wq, &ex04_busy);
	for (i = 0; i < EX04_REQS; i++)
		ex04_submit(&ex04_reqs[i]);
	for (i = 0, n = 0; i < EX04_REQS / 2; i++)
		n += ex04_cancel(&ex04_reqs[i]);
	pr_info("cancel while queued: %d of %d cancelled\n", n, EX04_REQS / 2);

	/* Release the queue; on an ordered queue the last runs last. */
	complete(&ex04_gate);
	ex04_wait(&ex04_reqs[EX04_REQS - 1]);
	for (i = EX04_REQS / 2, n = 0; i < EX04_REQS; i++)
		n += ex04_cancel(&ex04_reqs[i]);
	pr_info("cancel after they ran: %d of %d cancelled\n", n, EX04_REQS / 2);
	pr_info("wait for a finished request: %s\n",
		str_true_false(ex04_wait(&ex04_reqs[EX04_REQS - 1])));

	ex04_shutdown();
	ex04_submit(&ex04_reqs[0]);
	pr_info("after shutdown: request %s\n",
		ex04_reqs[0].status == -ESHUTDOWN ? "refused" : "queued");
	pr_info("allow it again: %s\n", str_true_false(ex04_allow(&ex04_reqs[1])));
	ex04_submit(&ex04_reqs[1]);
	ex04_wait(&ex04_reqs[1]);
	pr_info("after allowing: request %s\n", ex04_reqs[1].status ? "not run" : "ran");

	for (i = 0; i < EX04_REQS; i++) {
		submitted += ex04_reqs[i].submitted;
		once += atomic_read(&ex04_reqs[i].completions) == ex04_reqs[i].submitted;
	}
	pr_info("%d submitted, %d of %d requests completed exactly once: %d ran, %d cancelled, %d refused\n",
		submitted, once, EX04_REQS, atomic_read(&ex04_ran),
		atomic_read(&ex04_cancelled), atomic_read(&ex04_refused));
	return 0;
}

static void __exit ex04_exit(void)
{
	destroy_workqueue(ex04_wq);	/* every request has run or was cancelled */
}

module_init(ex04_init);
module_exit(ex04_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exercise 4: return values of cancel, flush, disable and enable");
