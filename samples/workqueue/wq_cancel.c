// SPDX-License-Identifier: GPL-2.0
/*
 * wq_cancel - what cancel, flush, disable and enable return, and wait for
 *
 * Module init runs each call once on an item in a known state and prints
 * the result; then it returns, so all lines below come in a fixed order.
 * Items are made "pending" on purpose: an ordered queue runs one item at a
 * time, so an item queued behind a blocker that waits on a completion
 * stays pending until the completion is completed.
 *
 *  - cancel_work_sync(): true on a pending item, which then never runs;
 *    false on an idle one.
 *  - cancel_delayed_work(): true while the timer is armed; false once the
 *    handler runs, and it does not wait for it.  cancel_delayed_work_sync()
 *    returns only after the handler has finished.
 *  - flush_work(): true when it had to wait, false on an idle item.
 *  - flush_delayed_work(): runs an item whose timer is armed right away.
 *  - disable_work{,_sync}() (since v6.10) stop an item from being queued:
 *    queue_work() returns false.  Disabling nests; enable_work() returns
 *    true when it undoes the last disable, and the item can be queued
 *    again.  disable_work_sync() is the way to stop an item that other
 *    code keeps queueing.
 *
 * Expected output (insmod takes about 0.2 s):
 *
 *	wq_cancel: cancel_work_sync() on a pending item: true
 *	wq_cancel: the cancelled item's handler ran 0 times
 *	wq_cancel: cancel_work_sync() on an idle item: false
 *	wq_cancel: cancel_delayed_work() on an armed timer: true, handler ran 0 times
 *	wq_cancel: cancel_delayed_work() on a running handler: false, still running (done 0)
 *	wq_cancel: cancel_delayed_work_sync() on it: false, returned when it was done (done 1)
 *	wq_cancel: flush_work() on a queued item: true, handler ran: yes
 *	wq_cancel: flush_work() on an idle item: false
 *	wq_cancel: flush_delayed_work() on a 60 s timer: handler ran after <ms> ms
 *	wq_cancel: disabled twice: disable_work_sync(), then disable_work()
 *	wq_cancel: queue_work() on the disabled item: false
 *	wq_cancel: first enable_work(): false, queue_work(): false
 *	wq_cancel: second enable_work(): true, queue_work(): true, handler ran 1 times
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/string_choices.h>
#include <linux/workqueue.h>

static struct workqueue_struct *cancel_wq;	/* ordered */
static DECLARE_COMPLETION(cancel_gate);
static DECLARE_COMPLETION(cancel_slow_started);
static atomic_t cancel_victim_runs = ATOMIC_INIT(0);
static atomic_t cancel_flushee_runs = ATOMIC_INIT(0);
static atomic_t cancel_late_runs = ATOMIC_INIT(0);
static atomic_t cancel_slow_done = ATOMIC_INIT(0);
static atomic_t cancel_toggle_runs = ATOMIC_INIT(0);
static unsigned long cancel_late_queued;

/* Holds the ordered queue until cancel_gate is completed. */
static void cancel_blocker_fn(struct work_struct *work)
{
	wait_for_completion(&cancel_gate);
}

static void cancel_victim_fn(struct work_struct *work)
{
	atomic_inc(&cancel_victim_runs);
}

static void cancel_flushee_fn(struct work_struct *work)
{
	atomic_inc(&cancel_flushee_runs);
}

static void cancel_late_fn(struct work_struct *work)
{
	atomic_inc(&cancel_late_runs);
}

static void cancel_slow_fn(struct work_struct *work)
{
	complete(&cancel_slow_started);
	wait_for_completion(&cancel_gate);
	atomic_inc(&cancel_slow_done);
}

static void cancel_opener_fn(struct work_struct *work)
{
	complete(&cancel_gate);
}

static void cancel_toggle_fn(struct work_struct *work)
{
	atomic_inc(&cancel_toggle_runs);
}

static DECLARE_WORK(cancel_blocker, cancel_blocker_fn);
static DECLARE_WORK(cancel_victim, cancel_victim_fn);
static DECLARE_WORK(cancel_flushee, cancel_flushee_fn);
static DECLARE_WORK(cancel_toggle, cancel_toggle_fn);
static DECLARE_DELAYED_WORK(cancel_late, cancel_late_fn);
static DECLARE_DELAYED_WORK(cancel_slow, cancel_slow_fn);
/* Completes cancel_gate from another thread while module init waits. */
static DECLARE_DELAYED_WORK(cancel_opener, cancel_opener_fn);

/*
 * flush_work() only tells whether *it* had to wait.  The item stays
 * queued behind the blocker until the opener fires; should this thread be
 * stalled for longer than that, the item is done before the flush starts,
 * so try again with a longer delay: timing must not change the result.
 */
static bool cancel_flush_queued(void)
{
	unsigned long delay;
	bool waited = false;

	for (delay = HZ / 10; !waited && delay <= 100 * HZ; delay *= 10) {
		reinit_completion(&cancel_gate);
		queue_work(cancel_wq, &cancel_blocker);
		queue_work(cancel_wq, &cancel_flushee);
		schedule_delayed_work(&cancel_opener, delay);
		waited = flush_work(&cancel_flushee);
		flush_delayed_work(&cancel_opener);
	}
	return waited;
}

static int __init wq_cancel_init(void)
{
	bool ret, ret2;

	cancel_wq = alloc_ordered_workqueue("wq_cancel", 0);
	if (!cancel_wq)
		return -ENOMEM;

	/* cancel_work_sync(): the victim waits behind the blocker. */
	queue_work(cancel_wq, &cancel_blocker);
	queue_work(cancel_wq, &cancel_victim);
	ret = cancel_work_sync(&cancel_victim);
	pr_info("cancel_work_sync() on a pending item: %s\n", str_true_false(ret));
	complete(&cancel_gate);
	flush_workqueue(cancel_wq);	/* our own queue: fine to flush */
	pr_info("the cancelled item's handler ran %d times\n",
		atomic_read(&cancel_victim_runs));
	ret = cancel_work_sync(&cancel_victim);
	pr_info("cancel_work_sync() on an idle item: %s\n", str_true_false(ret));

	/* cancel_delayed_work(): first on an armed timer... */
	queue_delayed_work(cancel_wq, &cancel_late, 60 * HZ);
	ret = cancel_delayed_work(&cancel_late);
	pr_info("cancel_delayed_work() on an armed timer: %s, handler ran %d times\n",
		str_true_false(ret), atomic_read(&cancel_late_runs));

	/* ...then on a handler that runs and waits for cancel_gate. */
	reinit_completion(&cancel_gate);
	queue_delayed_work(cancel_wq, &cancel_slow, 0);
	wait_for_completion(&cancel_slow_started);
	ret = cancel_delayed_work(&cancel_slow);
	pr_info("cancel_delayed_work() on a running handler: %s, still running (done %d)\n",
		str_true_false(ret), atomic_read(&cancel_slow_done));
	schedule_delayed_work(&cancel_opener, HZ / 10);
	ret = cancel_delayed_work_sync(&cancel_slow);
	pr_info("cancel_delayed_work_sync() on it: %s, returned when it was done (done %d)\n",
		str_true_false(ret), atomic_read(&cancel_slow_done));
	flush_delayed_work(&cancel_opener);

	/* flush_work() */
	ret = cancel_flush_queued();
	pr_info("flush_work() on a queued item: %s, handler ran: %s\n",
		str_true_false(ret),
		str_yes_no(atomic_read(&cancel_flushee_runs) > 0));
	ret = flush_work(&cancel_flushee);
	pr_info("flush_work() on an idle item: %s\n", str_true_false(ret));

	/* flush_delayed_work(): the timer is cancelled, the item runs now. */
	cancel_late_queued = jiffies;
	queue_delayed_work(cancel_wq, &cancel_late, 60 * HZ);
	flush_delayed_work(&cancel_late);
	pr_info("flush_delayed_work() on a %d s timer: handler ran after %u ms\n",
		60, jiffies_to_msecs(jiffies - cancel_late_queued));

	/* disable_work{,_sync}() and enable_work() */
	disable_work_sync(&cancel_toggle);
	disable_work(&cancel_toggle);
	pr_info("disabled twice: disable_work_sync(), then disable_work()\n");
	ret = queue_work(cancel_wq, &cancel_toggle);
	pr_info("queue_work() on the disabled item: %s\n", str_true_false(ret));
	ret = enable_work(&cancel_toggle);
	ret2 = queue_work(cancel_wq, &cancel_toggle);
	pr_info("first enable_work(): %s, queue_work(): %s\n",
		str_true_false(ret), str_true_false(ret2));
	ret = enable_work(&cancel_toggle);
	ret2 = queue_work(cancel_wq, &cancel_toggle);
	flush_work(&cancel_toggle);
	pr_info("second enable_work(): %s, queue_work(): %s, handler ran %d times\n",
		str_true_false(ret), str_true_false(ret2),
		atomic_read(&cancel_toggle_runs));
	return 0;
}

static void __exit wq_cancel_exit(void)
{
	/*
	 * Init waited for everything it queued, and rmmod cannot run before
	 * init has returned; this is what a driver with live items would do.
	 */
	disable_delayed_work_sync(&cancel_opener);	/* system_percpu_wq */
	destroy_workqueue(cancel_wq);		/* drains the rest */
}

module_init(wq_cancel_init);
module_exit(wq_cancel_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("@SUBMITTER@");
MODULE_DESCRIPTION("Return values of cancel, flush, disable and enable for work items");
