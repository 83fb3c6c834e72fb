// SPDX-License-Identifier: GPL-2.0
/*
 * Exercise 11 (solution), spot the bug: a command freed while it is
 * queued.
 *
 * Commands to a slow device are work items on the device's ordered
 * queue; ex11_send() queues one and waits for it, but not for ever: a
 * command that takes longer than 50 ms times out.  At load the device
 * calibrates (half a second), so the first read times out.  The bug:
 * on a timeout ex11_send() freed the command while it was still queued
 * behind the calibration ("ODEBUG: free active ... work_struct"); the
 * worker would have run it from freed memory later.  A timed out command
 * must be cancelled first: cancel_work_sync() removes a pending one, or
 * waits for one that has started, and only then is it safe to free.
 * Had it run meanwhile, its result is good and is used.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/errno.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#define EX11_TIMEOUT_MS		50
#define EX11_CALIBRATE_MS	500

struct ex11_cmd {
	struct work_struct work;
	struct completion done;
	int result;
};

static struct workqueue_struct *ex11_wq;	/* ordered: the device's queue */

static void ex11_calibrate_fn(struct work_struct *work)
{
	msleep(EX11_CALIBRATE_MS);
	pr_info("calibrated\n");
}

static DECLARE_WORK(ex11_calibrate, ex11_calibrate_fn);

static void ex11_read_fn(struct work_struct *work)
{
	struct ex11_cmd *cmd = from_work(cmd, work, work);

	cmd->result = 42;		/* what the device says */
	complete(&cmd->done);
}

/* Send a read command; its result, or -ETIMEDOUT. */
static int ex11_send(void)
{
	struct ex11_cmd *cmd = kzalloc_obj(*cmd);
	int ret;

	if (!cmd)
		return -ENOMEM;
	INIT_WORK(&cmd->work, ex11_read_fn);
	init_completion(&cmd->done);
	queue_work(ex11_wq, &cmd->work);
	if (!wait_for_completion_timeout(&cmd->done, msecs_to_jiffies(EX11_TIMEOUT_MS)) &&
	    cancel_work_sync(&cmd->work))
		ret = -ETIMEDOUT;	/* it never ran, and now it never will */
	else
		ret = cmd->result;	/* it ran: cancel_work_sync() waited for it */
	kfree(cmd);
	return ret;
}

static int __init ex11_init(void)
{
	int ret;

	ex11_wq = alloc_ordered_workqueue("ex11_dev", 0);
	if (!ex11_wq)
		return -ENOMEM;
	queue_work(ex11_wq, &ex11_calibrate);

	ret = ex11_send();
	pr_info("read during calibration: %s\n", ret == -ETIMEDOUT ? "timed out" : "done");
	flush_work(&ex11_calibrate);
	ret = ex11_send();
	pr_info("read after calibration: %d\n", ret);
	return 0;
}

static void __exit ex11_exit(void)
{
	destroy_workqueue(ex11_wq);
}

module_init(ex11_init);
module_exit(ex11_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exercise 11: spot the bug in a command that times out");
