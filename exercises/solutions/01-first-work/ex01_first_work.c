// SPDX-License-Identifier: GPL-2.0
/*
 * Exercise 1 (solution): a first work item, and the context it runs in.
 *
 * Module init fills in a message and hands it to a work item; a kworker
 * calls the handler later, in process context, where it may sleep.  The
 * handler finds its message with from_work(), container_of() for work
 * items.  Module exit must not free the message, or let the module's
 * code go away, while the handler can still run.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/string_choices.h>
#include <linux/workqueue.h>

struct ex01_msg {
	struct work_struct work;
	char text[32];
};

static struct ex01_msg *ex01_msg;

static void ex01_work_fn(struct work_struct *work)
{
	struct ex01_msg *msg = from_work(msg, work, work);

	msleep(200);		/* allowed: a work handler may sleep */
	pr_info("work: \"%s\", in_task() %d, in %s\n",
		msg->text, in_task(), current->comm);
}

static int __init ex01_init(void)
{
	bool queued;

	ex01_msg = kzalloc_obj(*ex01_msg);
	if (!ex01_msg)
		return -ENOMEM;
	strscpy(ex01_msg->text, "hello from init");

	INIT_WORK(&ex01_msg->work, ex01_work_fn);
	queued = queue_work(system_percpu_wq, &ex01_msg->work);
	pr_info("queued: %s\n", str_true_false(queued));
	return 0;
}

static void __exit ex01_exit(void)
{
	/* Waits for a running handler; a pending one never runs. */
	cancel_work_sync(&ex01_msg->work);
	kfree(ex01_msg);
}

module_init(ex01_init);
module_exit(ex01_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exercise 1: a first work item and process context");
