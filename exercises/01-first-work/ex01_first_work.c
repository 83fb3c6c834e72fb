// SPDX-License-Identifier: GPL-2.0
/*
 * Exercise 1: a first work item, and the context it runs in.
 *
 * Module init fills in a message and should hand it to a work item, so
 * that a kworker prints it later, in process context.  Fill in the three
 * TODOs; README.md says what the grader checks.
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
	/* TODO(2): the message this work item belongs to, with from_work(). */
	struct ex01_msg *msg = NULL;

	if (!msg) {
		pr_err("work: no message yet (TODO 2)\n");
		return;
	}
	msleep(200);		/* allowed: a work handler may sleep */
	pr_info("work: \"%s\", in_task() %d, in %s\n",
		msg->text, in_task(), current->comm);
}

static int __init ex01_init(void)
{
	bool queued = false;

	ex01_msg = kzalloc_obj(*ex01_msg);
	if (!ex01_msg)
		return -ENOMEM;
	strscpy(ex01_msg->text, "hello from init");

	INIT_WORK(&ex01_msg->work, ex01_work_fn);	/* names its handler */
	/* TODO(1): queue it on system_percpu_wq; "queued" is what that returns. */
	pr_info("queued: %s\n", str_true_false(queued));
	return 0;
}

static void __exit ex01_exit(void)
{
	/* TODO(3): make sure the handler is not queued or running any more. */
	kfree(ex01_msg);
}

module_init(ex01_init);
module_exit(ex01_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Exercise 1: a first work item and process context");
