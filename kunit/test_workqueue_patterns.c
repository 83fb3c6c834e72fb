// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the workqueue guarantees drivers rely on.
 *
 * Each case proves one documented promise of the workqueue API (see
 * Documentation/core-api/workqueue.rst and the kernel-doc in
 * kernel/workqueue.c): what queueing returns, where and in which context
 * an item runs; what flush, drain, cancel and disable guarantee on
 * return, also for items that queue themselves again; that delayed work
 * never runs early; non-reentrancy, ordered queues and max_active; CPU
 * placement and CPU hotplug; BH workqueues; and queueing from a hard
 * interrupt.  Most cases run on per-CPU, unbound, ordered, high priority
 * and BH queues.
 *
 * The fixture, and the rules for asynchronous code every case follows,
 * are in test_workqueue_patterns.h.
 */

#include <kunit/device.h>
#include <kunit/resource.h>
#include <kunit/run-in-irq-context.h>
#include <kunit/test.h>

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irq_sim.h>
#include <linux/irqdomain.h>
#include <linux/jiffies.h>
#include <linux/kfifo.h>
#include <linux/llist.h>
#include <linux/nodemask.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/timer.h>
#include <linux/topology.h>
#include <linux/workqueue.h>

#include "test_workqueue_patterns.h"

/* Every kind of queue. */
static const void *wqp_kinds_gen_params(struct kunit *test, const void *prev,
					char *desc)
{
	return wqp_kind_next(prev, desc, NULL);
}

static bool wqp_kind_may_sleep(const struct wqp_kind *kind)
{
	return !kind->bh;
}

/* Every kind whose handlers may sleep (all but BH). */
static const void *wqp_task_kinds_gen_params(struct kunit *test,
					     const void *prev, char *desc)
{
	return wqp_kind_next(prev, desc, wqp_kind_may_sleep);
}

static bool wqp_kind_is_percpu(const struct wqp_kind *kind)
{
	return kind->flags & WQ_PERCPU;
}

/* Every kind that promises to run an item on the CPU it was queued on. */
static const void *wqp_cpu_kinds_gen_params(struct kunit *test,
					    const void *prev, char *desc)
{
	return wqp_kind_next(prev, desc, wqp_kind_is_percpu);
}

/* Attributes of the cases that take more than about a second. */
#define WQP_SLOW	{ .speed = KUNIT_SPEED_SLOW }

static void wqp_skip_below_two_cpus(struct kunit *test)
{
	if (num_online_cpus() < 2)
		kunit_skip(test, "needs at least 2 online CPUs, %u online",
			   num_online_cpus());
}

/*
 * Queue ctx->work, whose handler waits on a gate.  A BH handler spins:
 * it is queued on another CPU than the test thread's (see wqp_pin()),
 * and the case must call wqp_unpin() before its next assertion.
 * Returns false, after reporting, when the handler did not start.
 */
static bool wqp_queue_gated(struct kunit *test, struct wqp_ctx *ctx)
{
	if (ctx->kind->bh) {
		wqp_pin(test, ctx);
		queue_work_on(ctx->other_cpu, ctx->wq, &ctx->work);
	} else {
		queue_work(ctx->wq, &ctx->work);
	}
	if (wqp_wait(&ctx->started))
		return true;
	KUNIT_FAIL(test, "handler did not start within %d s", WQP_TIMEOUT_S);
	return false;
}

/* ---------------------------------------------------------------------
 * workqueue_queue: what queueing returns and where items run.
 */

/* queue_work() returns true, then false while the item is still pending. */
static void queue_work_false_while_pending(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx(test, test->param_value);
	bool first, second, pending;

	wqp_alloc(test, ctx, 1);
	wqp_init_work(ctx, &ctx->work, wqp_record_fn);

	KUNIT_ASSERT_TRUE(test, wqp_hold(test, ctx));
	first = queue_work_on(ctx->cpu, ctx->wq, &ctx->work);
	second = queue_work_on(ctx->cpu, ctx->wq, &ctx->work);
	pending = work_pending(&ctx->work);
	wqp_unhold(ctx);

	flush_work(&ctx->work);
	KUNIT_EXPECT_TRUE(test, first);
	KUNIT_EXPECT_FALSE_MSG(test, second, "queued twice while pending");
	KUNIT_EXPECT_TRUE(test, pending);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), 1);
}

#define WQP_RUNS	50

/*
 * Every true return is exactly one execution, every false return none:
 * queue the item again and again while it runs, until it has run
 * WQP_RUNS times.
 */
static void queue_work_runs_once_per_true_return(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx(test, test->param_value);
	unsigned long deadline = jiffies + WQP_TIMEOUT;
	unsigned int attempts = 0, accepted = 0;

	wqp_alloc(test, ctx, 0);
	wqp_init_work(ctx, &ctx->work, wqp_record_fn);

	while (atomic_read(&ctx->runs) < WQP_RUNS &&
	       time_before(jiffies, deadline)) {
		/* Twice in a row: the second call mostly finds it pending. */
		attempts += 2;
		accepted += queue_work(ctx->wq, &ctx->work);
		accepted += queue_work(ctx->wq, &ctx->work);
		cond_resched();
	}
	flush_work(&ctx->work);

	kunit_info(test, "%u attempts, %u accepted, %d executions\n",
		   attempts, accepted, atomic_read(&ctx->runs));
	KUNIT_EXPECT_GE_MSG(test, atomic_read(&ctx->runs), WQP_RUNS,
			    "too few executions within %d s", WQP_TIMEOUT_S);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), accepted);
}

/*
 * Task handlers run in process context, in a workqueue worker, and
 * current_work() is the item; BH handlers run in softirq context.
 */
static void queue_handler_context(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx(test, test->param_value);

	wqp_alloc(test, ctx, 0);
	wqp_init_work(ctx, &ctx->work, wqp_record_fn);
	KUNIT_EXPECT_TRUE(test, queue_work(ctx->wq, &ctx->work));
	KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&ctx->done),
			      "handler did not run within %d s", WQP_TIMEOUT_S);
	flush_work(&ctx->work);

	if (ctx->kind->bh) {
		KUNIT_EXPECT_FALSE(test, ctx->seen_in_task);
		KUNIT_EXPECT_TRUE(test, ctx->seen_softirq);
	} else {
		KUNIT_EXPECT_TRUE(test, ctx->seen_in_task);
		KUNIT_EXPECT_TRUE(test, ctx->seen_wq_worker);
		KUNIT_EXPECT_TRUE(test, ctx->seen_current_work);
		KUNIT_EXPECT_FALSE(test, ctx->seen_softirq);
	}
}

struct wqp_nice_case {
	const char *desc;
	unsigned int flags;
	int nice;
};

static const struct wqp_nice_case wqp_nice_cases[] = {
	{ "per-CPU", WQ_PERCPU, 0 },
	{ "per-CPU WQ_HIGHPRI", WQ_PERCPU | WQ_HIGHPRI, MIN_NICE },
	{ "unbound", WQ_UNBOUND, 0 },
	{ "unbound WQ_HIGHPRI", WQ_UNBOUND | WQ_HIGHPRI, MIN_NICE },
};

KUNIT_ARRAY_PARAM_DESC(wqp_nice, wqp_nice_cases, desc);

/* WQ_HIGHPRI items run in workers of nice -20, other items at nice 0. */
static void queue_worker_nice(struct kunit *test)
{
	const struct wqp_nice_case *param = test->param_value;
	struct wqp_ctx *ctx = wqp_ctx(test, NULL);

	ctx->wq = wqp_alloc_flags(test, ctx, "nice", param->flags, 0);
	wqp_init_work(ctx, &ctx->work, wqp_record_fn);
	queue_work(ctx->wq, &ctx->work);
	KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&ctx->done),
			      "handler did not run within %d s", WQP_TIMEOUT_S);
	flush_work(&ctx->work);
	KUNIT_EXPECT_EQ(test, ctx->seen_nice, param->nice);
}

/* Rescuer threads are called "kworker/R-" + the queue name, truncated. */
static struct task_struct *wqp_find_rescuer(const char *wq_name)
{
	static const char prefix[] = "kworker/R-";
	const size_t len = sizeof(prefix) - 1;
	struct task_struct *p, *found = NULL;
	char comm[TASK_COMM_LEN];

	rcu_read_lock();
	for_each_process(p) {
		if (READ_ONCE(p->flags) & PF_EXITING)
			continue;
		get_task_comm(comm, p);
		if (!strncmp(comm, prefix, len) &&
		    !strncmp(comm + len, wq_name, sizeof(comm) - 1 - len)) {
			found = get_task_struct(p);
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

static void wqp_put_task_action(void *task)
{
	put_task_struct(task);
}

struct wqp_reclaim_case {
	const char *desc;
	const char *name;
	unsigned int flags;
	bool reclaim;
};

static const struct wqp_reclaim_case wqp_reclaim_cases[] = {
	{ "WQ_MEM_RECLAIM", "reclaim", WQ_UNBOUND | WQ_MEM_RECLAIM, true },
	{ "no WQ_MEM_RECLAIM", "plain", WQ_UNBOUND, false },
};

KUNIT_ARRAY_PARAM_DESC(wqp_reclaim, wqp_reclaim_cases, desc);

/*
 * A WQ_MEM_RECLAIM queue gets its rescuer thread, kworker/R-<name>, when
 * it is allocated, and its handlers see current_is_workqueue_mem_reclaim();
 * handlers of a plain queue do not.  This checks the set-up only: that
 * the rescuer does run items when the pool cannot create a worker under
 * memory pressure needs fault injection, and is not tested here.
 */
static void queue_mem_reclaim(struct kunit *test)
{
	const struct wqp_reclaim_case *param = test->param_value;
	struct wqp_ctx *ctx = wqp_ctx(test, &wqp_kinds[WQP_UNBOUND]);
	struct task_struct *rescuer;
	char name[32];

	ctx->wq = wqp_alloc_flags(test, ctx, param->name, param->flags, 0);
	if (param->reclaim) {
		snprintf(name, sizeof(name), "wqp_%s", param->name);
		rescuer = wqp_find_rescuer(name);
		KUNIT_ASSERT_NOT_NULL_MSG(test, rescuer, "no rescuer for %s",
					  name);
		wqp_add_action(test, wqp_put_task_action, rescuer);
	}

	wqp_init_work(ctx, &ctx->work, wqp_record_fn);
	queue_work(ctx->wq, &ctx->work);
	KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&ctx->done),
			      "handler did not run within %d s", WQP_TIMEOUT_S);
	flush_work(&ctx->work);
	KUNIT_EXPECT_EQ(test, ctx->seen_mem_reclaim, param->reclaim);
}

static void wqp_devm_released(void *data)
{
	struct wqp_ctx *ctx = data;

	/* Registered before the queue, so it runs after its release. */
	ctx->counted = atomic_read(&ctx->runs);
	WRITE_ONCE(ctx->finished, true);
}

/*
 * devm_alloc_workqueue(): when the device goes, the queue is drained and
 * destroyed, every queued item has run, before the devres actions
 * registered earlier run.
 */
static void queue_devm_released_with_device(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx(test, &wqp_kinds[WQP_UNBOUND]);
	const unsigned int nr = 8;
	struct workqueue_struct *wq;
	struct wqp_item *items;
	struct device *dev;
	unsigned int i;

	items = wqp_items_new(test, ctx, nr);
	dev = kunit_device_register(test, "wqp_devm");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	KUNIT_ASSERT_EQ(test, devm_add_action_or_reset(dev, wqp_devm_released,
						       ctx), 0);
	wq = devm_alloc_workqueue(dev, "wqp_devm", WQ_UNBOUND | WQ_MEM_RECLAIM,
				  0);
	KUNIT_ASSERT_NOT_NULL(test, wq);

	for (i = 0; i < nr; i++)
		queue_work(wq, &items[i].work);
	kunit_device_unregister(test, dev);

	KUNIT_EXPECT_TRUE(test, READ_ONCE(ctx->finished));
	KUNIT_EXPECT_EQ_MSG(test, ctx->counted, nr,
			    "items run when the device was released");
}

struct wqp_node_case {
	const char *desc;
	bool local;
};

static const struct wqp_node_case wqp_node_cases[] = {
	{ "this CPU's node", true },
	{ "NUMA_NO_NODE", false },
};

KUNIT_ARRAY_PARAM_DESC(wqp_node, wqp_node_cases, desc);

/*
 * queue_work_node() on an unbound queue returns like queue_work(): true,
 * then false while the item is pending, and one execution.  Which CPU
 * runs it is a best effort, not a promise, so it is not checked.
 */
static void queue_work_node_returns(struct kunit *test)
{
	const struct wqp_node_case *param = test->param_value;
	struct wqp_ctx *ctx = wqp_ctx(test, &wqp_kinds[WQP_UNBOUND]);
	bool first = false, second = true, pending = false, held;
	int node;

	wqp_alloc(test, ctx, 1);
	wqp_init_work(ctx, &ctx->work, wqp_record_fn);

	/* Stay on the blocker's node: the limit of 1 is per node. */
	migrate_disable();
	ctx->cpu = smp_processor_id();
	held = wqp_hold(test, ctx);
	if (held) {
		node = param->local ? cpu_to_node(ctx->cpu) : NUMA_NO_NODE;
		first = queue_work_node(node, ctx->wq, &ctx->work);
		second = queue_work_node(node, ctx->wq, &ctx->work);
		pending = work_pending(&ctx->work);
		wqp_unhold(ctx);
	}
	migrate_enable();
	KUNIT_ASSERT_TRUE(test, held);

	KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&ctx->done),
			      "handler did not run within %d s", WQP_TIMEOUT_S);
	flush_workqueue(ctx->wq);
	KUNIT_EXPECT_TRUE(test, first);
	KUNIT_EXPECT_FALSE_MSG(test, second, "queued twice while pending");
	KUNIT_EXPECT_TRUE(test, pending);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), 1);
}

#define WQP_BATCH_ITEMS		2048

struct wqp_batch_item {
	struct llist_node node;
	atomic_t seen;
};

struct wqp_batch {
	struct workqueue_struct *wq;
	struct work_struct work;
	struct llist_head list;
	struct wqp_batch_item *items;
	atomic_t accepted;
	atomic_t delivered;
	atomic_t runs;
	atomic_t max_batch;
};

static void wqp_batch_consume(struct work_struct *work)
{
	struct wqp_batch *b = container_of(work, struct wqp_batch, work);
	struct llist_node *batch = llist_del_all(&b->list);
	struct wqp_batch_item *item;
	int n = 0;

	llist_for_each_entry(item, llist_reverse_order(batch), node) {
		atomic_inc(&item->seen);
		n++;
	}
	atomic_add(n, &b->delivered);
	wqp_atomic_max(&b->max_batch, n);
	atomic_inc(&b->runs);
}

static void wqp_batch_produce(void *data, unsigned int index,
			      unsigned int nr)
{
	struct wqp_batch *b = data;
	unsigned int i;

	for (i = index; i < WQP_BATCH_ITEMS; i += nr) {
		llist_add(&b->items[i].node, &b->list);
		if (queue_work(b->wq, &b->work))
			atomic_inc(&b->accepted);
	}
}

/*
 * A queue_work() that returns false, because the item is pending, is
 * still followed by a run that sees what the caller stored before the
 * call: producers on every CPU add entries to a lock-free list and queue
 * one item that takes the whole list, and every entry is delivered
 * exactly once.
 */
static void queue_work_false_still_delivers(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx(test, NULL);
	unsigned int i, wrong = 0, drivers;
	struct wqp_batch *b;

	wqp_skip_below_two_cpus(test);
	b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	b->items = kunit_kcalloc(test, WQP_BATCH_ITEMS, sizeof(*b->items),
				 GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b->items);
	init_llist_head(&b->list);
	INIT_WORK(&b->work, wqp_batch_consume);
	b->wq = wqp_alloc_flags(test, ctx, "batch", WQ_UNBOUND, 0);

	drivers = wqp_spray(test, ctx, wqp_batch_produce, b);
	flush_work(&b->work);

	for (i = 0; i < WQP_BATCH_ITEMS; i++) {
		if (atomic_read(&b->items[i].seen) != 1 && !wrong++)
			KUNIT_FAIL(test, "entry %u delivered %d times", i,
				   atomic_read(&b->items[i].seen));
	}
	kunit_info(test, "%u producers, %d batches, largest %d\n", drivers,
		   atomic_read(&b->runs), atomic_read(&b->max_batch));
	KUNIT_EXPECT_EQ(test, wrong, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&b->delivered), WQP_BATCH_ITEMS);
	KUNIT_EXPECT_EQ(test, atomic_read(&b->runs),
			atomic_read(&b->accepted));
	KUNIT_EXPECT_TRUE(test, llist_empty(&b->list));
}

static struct kunit_case wqp_queue_cases[] = {
	KUNIT_CASE_PARAM(queue_work_false_while_pending, wqp_kinds_gen_params),
	KUNIT_CASE_PARAM(queue_work_runs_once_per_true_return,
			 wqp_kinds_gen_params),
	KUNIT_CASE_PARAM(queue_handler_context, wqp_kinds_gen_params),
	KUNIT_CASE_PARAM(queue_worker_nice, wqp_nice_gen_params),
	KUNIT_CASE_PARAM(queue_mem_reclaim, wqp_reclaim_gen_params),
	KUNIT_CASE(queue_devm_released_with_device),
	KUNIT_CASE_PARAM(queue_work_node_returns, wqp_node_gen_params),
	KUNIT_CASE(queue_work_false_still_delivers),
	{}
};

static struct kunit_suite wqp_queue_suite = {
	.name = "workqueue_queue",
	.init = wqp_suite_init,
	.exit = wqp_suite_exit,
	.test_cases = wqp_queue_cases,
};

/* ---------------------------------------------------------------------
 * workqueue_flush: what flushing and draining wait for.
 */

/* flush_work() returns only after the running handler has finished. */
static void flush_work_waits_for_handler(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx(test, test->param_value);
	bool waited = false;

	wqp_alloc(test, ctx, 0);
	wqp_init_work(ctx, &ctx->work, wqp_gated_fn);
	if (wqp_queue_gated(test, ctx)) {
		wqp_open_when_blocked(ctx, &ctx->gate);
		waited = flush_work(&ctx->work);
		KUNIT_EXPECT_TRUE_MSG(test, wqp_gate_is_open(&ctx->gate),
				      "flush_work() returned before the handler was released");
		KUNIT_EXPECT_TRUE(test, READ_ONCE(ctx->finished));
	}
	wqp_unpin(ctx);
	KUNIT_EXPECT_TRUE(test, waited);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), 1);
}

/* flush_delayed_work() runs a pending delayed item now and waits for it. */
static void flush_delayed_work_runs_now(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx(test, test->param_value);

	wqp_alloc(test, ctx, 0);
	wqp_init_delayed_work(ctx, &ctx->dwork, wqp_dwork_fn);
	wqp_add_action(test, wqp_disable_delayed_work_action, &ctx->dwork);

	KUNIT_EXPECT_TRUE(test, queue_delayed_work(ctx->wq, &ctx->dwork,
						   WQP_NEVER));
	/*
	 * The return value only says whether the item was still running
	 * when flush_work() looked: not a guarantee, not checked.
	 */
	flush_delayed_work(&ctx->dwork);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), 1);
	KUNIT_EXPECT_FALSE(test, delayed_work_pending(&ctx->dwork));
	/* Nothing left to flush. */
	KUNIT_EXPECT_FALSE(test, flush_delayed_work(&ctx->dwork));
}

/* flush_workqueue() returns after every item queued before it has run. */
static void flush_workqueue_waits_for_all(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx(test, test->param_value);
	const unsigned int nr = 32;
	struct wqp_item *items;
	unsigned int i;

	items = wqp_items_new(test, ctx, nr);
	wqp_alloc(test, ctx, 0);
	/* A task queue gets one item that runs until a timer releases it. */
	items[0].gated = !ctx->kind->bh;
	for (i = 0; i < nr; i++)
		queue_work(ctx->wq, &items[i].work);
	if (items[0].gated)
		wqp_open_when_blocked(ctx, &ctx->gate);
	flush_workqueue(ctx->wq);

	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), nr);
	for (i = 0; i < nr; i++)
		KUNIT_EXPECT_TRUE_MSG(test, items[i].ran, "item %u", i);
	if (items[0].gated)
		KUNIT_EXPECT_TRUE(test, wqp_gate_is_open(&ctx->gate));
}

#define WQP_CHAIN	50

/*
 * A chain: the item queues itself again until it has run WQP_CHAIN
 * times.  The first run waits on the gate, which opens once the test
 * thread sleeps in drain_workqueue(): every later run is queued while
 * the queue drains.
 */
static void wqp_chain_fn(struct work_struct *work)
{
	struct wqp_ctx *ctx = container_of(work, struct wqp_ctx, work);
	int runs = atomic_inc_return(&ctx->runs);

	if (runs == 1) {
		complete(&ctx->started);
		wqp_gate_wait(ctx, &ctx->gate);
	}
	if (runs >= WQP_CHAIN)
		return;
	if (queue_work(ctx->wq, work))
		atomic_inc(&ctx->requeued);
	else
		atomic_inc(&ctx->refused);
}

/*
 * drain_workqueue() waits for items that queue themselves again while it
 * drains, on every kind of queue, BH included, and the queue accepts
 * work again afterwards.
 */
static void drain_workqueue_waits_for_chain(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx(test, test->param_value);

	wqp_alloc(test, ctx, 0);
	wqp_init_work(ctx, &ctx->work, wqp_chain_fn);
	if (wqp_queue_gated(test, ctx)) {
		wqp_open_when_blocked(ctx, &ctx->gate);
		drain_workqueue(ctx->wq);
		KUNIT_EXPECT_TRUE_MSG(test, wqp_gate_is_open(&ctx->gate),
				      "drain_workqueue() returned before the chain was released");
	}
	wqp_unpin(ctx);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), WQP_CHAIN);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&ctx->refused), 0,
			    "the chain was refused while draining");
	KUNIT_EXPECT_FALSE(test, work_pending(&ctx->work));
	KUNIT_EXPECT_TRUE(test, queue_work(ctx->wq, &ctx->work));
	flush_workqueue(ctx->wq);
}

/*
 * Run 1 waits on the gate, which opens once the test thread sleeps in
 * flush_workqueue(), then queues the item again; run 2 waits on gate2.
 */
static void wqp_twice_fn(struct work_struct *work)
{
	struct wqp_ctx *ctx = container_of(work, struct wqp_ctx, work);

	if (atomic_inc_return(&ctx->phase) == 1) {
		complete(&ctx->started);
		wqp_gate_wait(ctx, &ctx->gate);
		if (queue_work(ctx->wq, work))
			atomic_inc(&ctx->requeued);
	} else {
		wqp_gate_wait(ctx, &ctx->gate2);
	}
	atomic_inc(&ctx->runs);
}

/*
 * flush_workqueue() waits only for what was queued before it started:
 * it returns while a run queued during the flush is still pending or
 * running.  drain_workqueue() waits for that run too.
 */
static void flush_workqueue_ignores_later_work(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx(test, test->param_value);
	int runs_after_flush = -1;
	bool busy_after_flush = false;

	wqp_alloc(test, ctx, 0);
	wqp_init_work(ctx, &ctx->work, wqp_twice_fn);
	if (wqp_queue_gated(test, ctx)) {
		wqp_open_when_blocked(ctx, &ctx->gate);
		flush_workqueue(ctx->wq);
		runs_after_flush = atomic_read(&ctx->runs);
		/* Run 2 cannot finish before gate2 opens. */
		busy_after_flush = work_busy(&ctx->work);
		wqp_open_when_blocked(ctx, &ctx->gate2);
		drain_workqueue(ctx->wq);
		KUNIT_EXPECT_TRUE_MSG(test, wqp_gate_is_open(&ctx->gate2),
				      "drain_workqueue() returned before the second run was released");
	}
	wqp_unpin(ctx);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->requeued), 1);
	KUNIT_EXPECT_EQ_MSG(test, runs_after_flush, 1,
			    "flush_workqueue() waited for a run queued after it started");
	KUNIT_EXPECT_TRUE(test, busy_after_flush);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), 2);
}

static struct kunit_case wqp_flush_cases[] = {
	KUNIT_CASE_PARAM(flush_work_waits_for_handler, wqp_kinds_gen_params),
	KUNIT_CASE_PARAM(flush_delayed_work_runs_now, wqp_kinds_gen_params),
	KUNIT_CASE_PARAM(flush_workqueue_waits_for_all, wqp_kinds_gen_params),
	KUNIT_CASE_PARAM(drain_workqueue_waits_for_chain,
			 wqp_kinds_gen_params),
	KUNIT_CASE_PARAM(flush_workqueue_ignores_later_work,
			 wqp_kinds_gen_params),
	{}
};

static struct kunit_suite wqp_flush_suite = {
	.name = "workqueue_flush",
	.init = wqp_suite_init,
	.exit = wqp_suite_exit,
	.test_cases = wqp_flush_cases,
};

/* ---------------------------------------------------------------------
 * workqueue_cancel: cancel, disable and enable.
 */

/* cancel_work_sync() on a pending item returns true; it never runs. */
static void cancel_pending_returns_true(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx(test, test->param_value);
	bool queued, cancelled, pending;

	wqp_alloc(test, ctx, 1);
	wqp_init_work(ctx, &ctx->work, wqp_record_fn);

	KUNIT_ASSERT_TRUE(test, wqp_hold(test, ctx));
	queued = queue_work_on(ctx->cpu, ctx->wq, &ctx->work);
	/* Valid with BH disabled: the item was queued on a BH queue. */
	cancelled = cancel_work_sync(&ctx->work);
	pending = work_pending(&ctx->work);
	wqp_unhold(ctx);

	flush_workqueue(ctx->wq);
	KUNIT_EXPECT_TRUE(test, queued);
	KUNIT_EXPECT_TRUE(test, cancelled);
	KUNIT_EXPECT_FALSE(test, pending);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&ctx->runs), 0,
			    "a cancelled item ran");
}

/*
 * cancel_work_sync() and cancel_work() on an idle item return false,
 * and cancelling does not disable: the item can be queued again.
 */
static void cancel_idle_returns_false(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx(test, test->param_value);

	wqp_alloc(test, ctx, 0);
	wqp_init_work(ctx, &ctx->work, wqp_record_fn);
	KUNIT_EXPECT_FALSE(test, cancel_work_sync(&ctx->work));

	queue_work(ctx->wq, &ctx->work);
	flush_work(&ctx->work);
	KUNIT_EXPECT_FALSE(test, cancel_work_sync(&ctx->work));
	KUNIT_EXPECT_FALSE(test, cancel_work(&ctx->work));
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), 1);
	KUNIT_EXPECT_TRUE(test, queue_work(ctx->wq, &ctx->work));
	flush_work(&ctx->work);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), 2);
}

/* cancel_work_sync() on a running item waits until the handler returns. */
static void cancel_sync_waits_for_running(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx(test, test->param_value);
	bool cancelled;

	wqp_alloc(test, ctx, 0);
	wqp_init_work(ctx, &ctx->work, wqp_gated_fn);
	KUNIT_ASSERT_TRUE(test, wqp_queue_gated(test, ctx));
	wqp_open_when_blocked(ctx, &ctx->gate);
	cancelled = cancel_work_sync(&ctx->work);

	KUNIT_EXPECT_FALSE_MSG(test, cancelled, "running, not pending");
	KUNIT_EXPECT_TRUE_MSG(test, wqp_gate_is_open(&ctx->gate),
			      "returned before the handler was released");
	KUNIT_EXPECT_FALSE(test, READ_ONCE(ctx->running));
	KUNIT_EXPECT_TRUE(test, READ_ONCE(ctx->finished));
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), 1);
}

/*
 * Run 1 queues the item again, then waits until the test thread sleeps
 * in cancel_work_sync(), then tries to queue it once more.
 */
static void wqp_requeue_fn(struct work_struct *work)
{
	struct wqp_ctx *ctx = container_of(work, struct wqp_ctx, work);

	if (atomic_inc_return(&ctx->phase) == 1) {
		if (queue_work(ctx->wq, work))
			atomic_inc(&ctx->requeued);
		complete(&ctx->started);
		wqp_gate_wait(ctx, &ctx->gate);
		if (queue_work(ctx->wq, work))
			atomic_inc(&ctx->requeued);
		else
			atomic_inc(&ctx->refused);
	}
	atomic_inc(&ctx->runs);
}

/*
 * cancel_work_sync() stops an item that queues itself again: it takes
 * the pending instance off the queue (returns true), refuses the
 * handler's own queueing while it waits (since v6.10), and on return
 * nothing is pending or running.  The item is usable again afterwards.
 */
static void cancel_sync_stops_self_requeueing(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx(test, test->param_value);
	bool cancelled;

	wqp_alloc(test, ctx, 0);
	wqp_init_work(ctx, &ctx->work, wqp_requeue_fn);
	KUNIT_ASSERT_TRUE(test, wqp_queue_gated(test, ctx));
	wqp_open_when_blocked(ctx, &ctx->gate);
	cancelled = cancel_work_sync(&ctx->work);

	KUNIT_EXPECT_TRUE_MSG(test, cancelled, "the queued instance was pending");
	KUNIT_EXPECT_FALSE(test, work_busy(&ctx->work));
	KUNIT_EXPECT_TRUE(test, wqp_gate_is_open(&ctx->gate));
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->requeued), 1);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&ctx->refused), 1,
			    "the handler queued itself during cancel_work_sync()");
	flush_workqueue(ctx->wq);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), 1);

	KUNIT_EXPECT_TRUE(test, queue_work(ctx->wq, &ctx->work));
	flush_work(&ctx->work);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), 2);
}

#define WQP_REARM_RUNS	3

/*
 * A self-re-arming delayed item.  On task queues its WQP_REARM_RUNS-th
 * run waits until the test thread sleeps in the cancel or disable call,
 * so that the re-arm below happens while that call runs.
 */
static void wqp_rearm_fn(struct work_struct *work)
{
	struct wqp_ctx *ctx = container_of(to_delayed_work(work),
					   struct wqp_ctx, dwork);
	int runs = atomic_inc_return(&ctx->runs);

	complete(&ctx->done);
	if (runs == WQP_REARM_RUNS) {
		complete(&ctx->started);
		if (!ctx->kind->bh)
			wqp_gate_wait(ctx, &ctx->gate);
	}
	if (queue_delayed_work(ctx->wq, &ctx->dwork, 1))
		atomic_inc(&ctx->requeued);
	else
		atomic_inc(&ctx->refused);
}

/*
 * cancel_delayed_work_sync() stops a delayed item that re-arms itself:
 * on return neither the item nor its timer is pending, so it can never
 * run again unless queued again, which cancelling still allows.
 */
static void cancel_delayed_sync_stops_rearming(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx(test, test->param_value);
	int runs;

	wqp_alloc(test, ctx, 0);
	wqp_init_delayed_work(ctx, &ctx->dwork, wqp_rearm_fn);
	wqp_add_action(test, wqp_disable_delayed_work_action, &ctx->dwork);

	queue_delayed_work(ctx->wq, &ctx->dwork, 1);
	KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&ctx->started),
			      "%d runs did not happen within %d s",
			      WQP_REARM_RUNS, WQP_TIMEOUT_S);
	if (!ctx->kind->bh)
		wqp_open_when_blocked(ctx, &ctx->gate);
	cancel_delayed_work_sync(&ctx->dwork);
	runs = atomic_read(&ctx->runs);

	KUNIT_EXPECT_FALSE(test, delayed_work_pending(&ctx->dwork));
	KUNIT_EXPECT_FALSE(test, timer_pending(&ctx->dwork.timer));
	KUNIT_EXPECT_FALSE(test, work_busy(&ctx->dwork.work));
	KUNIT_EXPECT_GE(test, runs, WQP_REARM_RUNS);
	/* A task handler re-armed while cancel_delayed_work_sync() waited. */
	if (!ctx->kind->bh)
		KUNIT_EXPECT_EQ(test, atomic_read(&ctx->refused), 1);
	flush_workqueue(ctx->wq);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), runs);

	KUNIT_EXPECT_TRUE(test, queue_delayed_work(ctx->wq, &ctx->dwork,
						   WQP_NEVER));
	KUNIT_EXPECT_TRUE(test, cancel_delayed_work_sync(&ctx->dwork));
}

/*
 * disable_delayed_work_sync() stops self-re-arming periodic work for
 * good: nothing pending, and every later attempt to queue it, its own
 * or anyone's, is refused.  enable_delayed_work() undoes it without
 * queueing anything, and the item can then be queued again.
 */
static void disable_delayed_sync_stops_periodic(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx(test, test->param_value);
	int runs;

	wqp_alloc(test, ctx, 0);
	wqp_init_delayed_work(ctx, &ctx->dwork, wqp_rearm_fn);
	wqp_add_action(test, wqp_disable_delayed_work_action, &ctx->dwork);

	queue_delayed_work(ctx->wq, &ctx->dwork, 1);
	KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&ctx->started),
			      "%d periods did not pass within %d s",
			      WQP_REARM_RUNS, WQP_TIMEOUT_S);
	if (!ctx->kind->bh)
		wqp_open_when_blocked(ctx, &ctx->gate);
	disable_delayed_work_sync(&ctx->dwork);
	runs = atomic_read(&ctx->runs);

	KUNIT_EXPECT_FALSE(test, delayed_work_pending(&ctx->dwork));
	KUNIT_EXPECT_FALSE(test, timer_pending(&ctx->dwork.timer));
	KUNIT_EXPECT_FALSE(test, queue_delayed_work(ctx->wq, &ctx->dwork, 0));
	KUNIT_EXPECT_FALSE(test, mod_delayed_work(ctx->wq, &ctx->dwork, 0));
	flush_workqueue(ctx->wq);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), runs);
	if (!ctx->kind->bh)
		KUNIT_EXPECT_EQ(test, atomic_read(&ctx->refused), 1);

	KUNIT_EXPECT_TRUE(test, enable_delayed_work(&ctx->dwork));
	KUNIT_EXPECT_FALSE(test, delayed_work_pending(&ctx->dwork));
	reinit_completion(&ctx->done);
	KUNIT_EXPECT_TRUE(test, queue_delayed_work(ctx->wq, &ctx->dwork, 0));
	KUNIT_EXPECT_TRUE_MSG(test, wqp_wait(&ctx->done),
			      "no run after enable within %d s", WQP_TIMEOUT_S);
}

struct wqp_producer {
	struct wqp_ctx *ctx;
	struct timer_list timer;
	struct completion progress;
	struct completion refusals;
	bool disabled;
	atomic_t accepted;
	atomic_t accepted_after;
	atomic_t refused_after;
};

#define WQP_PRODUCER_RUNS	8
#define WQP_PRODUCER_REFUSALS	3

/* The producer: a timer that queues the item every tick. */
static void wqp_producer_timer_fn(struct timer_list *timer)
{
	struct wqp_producer *p = timer_container_of(p, timer, timer);
	bool disabled = READ_ONCE(p->disabled);

	if (queue_work(p->ctx->wq, &p->ctx->work)) {
		atomic_inc(&p->accepted);
		if (disabled)
			atomic_inc(&p->accepted_after);
	} else if (disabled &&
		   atomic_inc_return(&p->refused_after) ==
		   WQP_PRODUCER_REFUSALS) {
		complete(&p->refusals);
	}
	mod_timer(&p->timer, jiffies + 1);
}

static void wqp_producer_work_fn(struct work_struct *work)
{
	struct wqp_ctx *ctx = container_of(work, struct wqp_ctx, work);

	if (atomic_inc_return(&ctx->runs) == WQP_PRODUCER_RUNS)
		complete(&ctx->done);
}

static void wqp_producer_stop(void *data)
{
	struct wqp_producer *p = data;

	timer_shutdown_sync(&p->timer);
}

/*
 * disable_work_sync() while a timer keeps queueing the item: every
 * queueing accepted before it either ran or was cancelled (the return
 * value), nothing runs after it returns, and the producer's attempts
 * are refused from then on.
 */
static void disable_sync_stops_producer(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx(test, test->param_value);
	struct wqp_producer *p;
	bool cancelled;
	int runs;

	p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	p->ctx = ctx;
	init_completion(&p->refusals);
	wqp_alloc(test, ctx, 0);
	wqp_init_work(ctx, &ctx->work, wqp_producer_work_fn);
	timer_setup(&p->timer, wqp_producer_timer_fn, 0);
	wqp_add_action(test, wqp_producer_stop, p);

	mod_timer(&p->timer, jiffies + 1);
	KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&ctx->done),
			      "%d runs did not happen within %d s",
			      WQP_PRODUCER_RUNS, WQP_TIMEOUT_S);
	cancelled = disable_work_sync(&ctx->work);
	runs = atomic_read(&ctx->runs);
	WRITE_ONCE(p->disabled, true);
	KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&p->refusals),
			      "the producer did not run %d times within %d s",
			      WQP_PRODUCER_REFUSALS, WQP_TIMEOUT_S);
	kunit_release_action(test, wqp_producer_stop, p);

	kunit_info(test, "%d accepted, %d runs, %s\n",
		   atomic_read(&p->accepted), runs,
		   cancelled ? "one cancelled" : "none cancelled");
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&p->accepted), runs + cancelled,
			    "an accepted queueing neither ran nor was cancelled");
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), runs);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->accepted_after), 0);
	KUNIT_EXPECT_FALSE(test, work_busy(&ctx->work));
}

/* disable_work() nests: the item can be queued only at depth 0 again. */
static void disable_work_counts_depth(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx(test, NULL);
	bool queued, disabled;

	wqp_alloc(test, ctx, 1);
	wqp_init_work(ctx, &ctx->work, wqp_record_fn);

	KUNIT_EXPECT_FALSE(test, disable_work(&ctx->work));
	KUNIT_EXPECT_FALSE(test, disable_work(&ctx->work));
	KUNIT_EXPECT_FALSE(test, queue_work(ctx->wq, &ctx->work));
	KUNIT_EXPECT_FALSE(test, enable_work(&ctx->work));
	KUNIT_EXPECT_FALSE(test, queue_work(ctx->wq, &ctx->work));
	KUNIT_EXPECT_TRUE(test, enable_work(&ctx->work));
	KUNIT_EXPECT_TRUE(test, queue_work(ctx->wq, &ctx->work));
	flush_work(&ctx->work);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), 1);

	/* Disabling a pending item cancels it and reports it was pending. */
	KUNIT_ASSERT_TRUE(test, wqp_hold(test, ctx));
	queued = queue_work_on(ctx->cpu, ctx->wq, &ctx->work);
	disabled = disable_work(&ctx->work);
	wqp_unhold(ctx);
	flush_workqueue(ctx->wq);
	KUNIT_EXPECT_TRUE(test, queued);
	KUNIT_EXPECT_TRUE(test, disabled);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), 1);
	KUNIT_EXPECT_TRUE(test, enable_work(&ctx->work));
}

/* enable_and_queue_work() queues only when the depth reaches 0. */
static void enable_and_queue_work_at_depth_zero(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx(test, NULL);

	wqp_alloc(test, ctx, 0);
	wqp_init_work(ctx, &ctx->work, wqp_record_fn);
	disable_work(&ctx->work);
	disable_work(&ctx->work);

	KUNIT_EXPECT_FALSE(test, enable_and_queue_work(ctx->wq, &ctx->work));
	KUNIT_EXPECT_FALSE(test, work_pending(&ctx->work));
	flush_workqueue(ctx->wq);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), 0);

	KUNIT_EXPECT_TRUE(test, enable_and_queue_work(ctx->wq, &ctx->work));
	flush_work(&ctx->work);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), 1);
}

static struct kunit_case wqp_cancel_cases[] = {
	KUNIT_CASE_PARAM(cancel_pending_returns_true, wqp_kinds_gen_params),
	KUNIT_CASE_PARAM(cancel_idle_returns_false, wqp_kinds_gen_params),
	KUNIT_CASE_PARAM(cancel_sync_waits_for_running,
			 wqp_task_kinds_gen_params),
	KUNIT_CASE_PARAM(cancel_sync_stops_self_requeueing,
			 wqp_task_kinds_gen_params),
	KUNIT_CASE_PARAM(cancel_delayed_sync_stops_rearming,
			 wqp_kinds_gen_params),
	KUNIT_CASE_PARAM(disable_delayed_sync_stops_periodic,
			 wqp_kinds_gen_params),
	KUNIT_CASE_PARAM(disable_sync_stops_producer, wqp_kinds_gen_params),
	KUNIT_CASE(disable_work_counts_depth),
	KUNIT_CASE(enable_and_queue_work_at_depth_zero),
	{}
};

static struct kunit_suite wqp_cancel_suite = {
	.name = "workqueue_cancel",
	.init = wqp_suite_init,
	.exit = wqp_suite_exit,
	.test_cases = wqp_cancel_cases,
};

/* ---------------------------------------------------------------------
 * workqueue_delayed: delayed and RCU work.
 */

/* Delayed work never runs before its delay has passed. */
static void delayed_work_never_early(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx(test, test->param_value);
	unsigned long delay = msecs_to_jiffies(50) + 1;
	unsigned long queued_at;

	wqp_alloc(test, ctx, 0);
	wqp_init_delayed_work(ctx, &ctx->dwork, wqp_dwork_fn);
	wqp_add_action(test, wqp_disable_delayed_work_action, &ctx->dwork);

	queued_at = jiffies;
	queue_delayed_work(ctx->wq, &ctx->dwork, delay);
	KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&ctx->done),
			      "delayed item did not run within %d s",
			      WQP_TIMEOUT_S);
	kunit_info(test, "delay %lu jiffies, ran after %lu\n", delay,
		   ctx->ran_at - queued_at);
	KUNIT_EXPECT_TRUE_MSG(test, time_after_eq(ctx->ran_at,
						  queued_at + delay),
			      "ran %ld jiffies early",
			      (long)(queued_at + delay - ctx->ran_at));
}

/*
 * queue_delayed_work() with no delay queues the item at once, without a
 * timer: it is pending with no timer armed, like queue_work().
 */
static void delayed_work_zero_delay_queues_now(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx(test, test->param_value);
	bool queued, pending, timer;

	wqp_alloc(test, ctx, 1);
	wqp_init_delayed_work(ctx, &ctx->dwork, wqp_dwork_fn);
	wqp_add_action(test, wqp_disable_delayed_work_action, &ctx->dwork);

	KUNIT_ASSERT_TRUE(test, wqp_hold(test, ctx));
	queued = queue_delayed_work_on(ctx->cpu, ctx->wq, &ctx->dwork, 0);
	pending = delayed_work_pending(&ctx->dwork);
	timer = timer_pending(&ctx->dwork.timer);
	wqp_unhold(ctx);

	KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&ctx->done),
			      "item did not run within %d s", WQP_TIMEOUT_S);
	flush_workqueue(ctx->wq);
	KUNIT_EXPECT_TRUE(test, queued);
	KUNIT_EXPECT_TRUE(test, pending);
	KUNIT_EXPECT_FALSE_MSG(test, timer, "a timer was armed for delay 0");
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), 1);
}

/* cancel_delayed_work() before expiry: true, and the item never runs. */
static void cancel_delayed_work_before_expiry(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx(test, test->param_value);

	wqp_alloc(test, ctx, 0);
	wqp_init_delayed_work(ctx, &ctx->dwork, wqp_dwork_fn);
	wqp_add_action(test, wqp_disable_delayed_work_action, &ctx->dwork);

	KUNIT_EXPECT_TRUE(test, queue_delayed_work(ctx->wq, &ctx->dwork,
						   WQP_NEVER));
	KUNIT_EXPECT_TRUE(test, delayed_work_pending(&ctx->dwork));
	KUNIT_EXPECT_TRUE(test, cancel_delayed_work(&ctx->dwork));
	KUNIT_EXPECT_FALSE(test, delayed_work_pending(&ctx->dwork));
	KUNIT_EXPECT_FALSE(test, timer_pending(&ctx->dwork.timer));
	KUNIT_EXPECT_FALSE(test, cancel_delayed_work(&ctx->dwork));
	KUNIT_EXPECT_FALSE(test, cancel_delayed_work_sync(&ctx->dwork));
	flush_workqueue(ctx->wq);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), 0);
}

/* Many mod_delayed_work() calls on one item collapse to one execution. */
static void mod_delayed_work_collapses(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx(test, test->param_value);
	unsigned int i, modified = 0;

	wqp_alloc(test, ctx, 0);
	wqp_init_delayed_work(ctx, &ctx->dwork, wqp_dwork_fn);
	wqp_add_action(test, wqp_disable_delayed_work_action, &ctx->dwork);

	/* false: the item was idle and is now queued. */
	KUNIT_EXPECT_FALSE(test, mod_delayed_work(ctx->wq, &ctx->dwork,
						  WQP_NEVER));
	for (i = 0; i < 20; i++)
		modified += mod_delayed_work(ctx->wq, &ctx->dwork, WQP_NEVER);
	KUNIT_EXPECT_EQ(test, modified, 20);
	/* Move the expiry to now: still the same, single, pending item. */
	KUNIT_EXPECT_TRUE(test, mod_delayed_work(ctx->wq, &ctx->dwork, 0));
	KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&ctx->done),
			      "item did not run within %d s", WQP_TIMEOUT_S);
	flush_workqueue(ctx->wq);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), 1);
	KUNIT_EXPECT_FALSE(test, delayed_work_pending(&ctx->dwork));
}

/* Run 1 waits on the gate; later runs only count. */
static void wqp_gated_dwork_fn(struct work_struct *work)
{
	struct wqp_ctx *ctx = container_of(to_delayed_work(work),
					   struct wqp_ctx, dwork);

	if (atomic_inc_return(&ctx->phase) == 1) {
		complete(&ctx->started);
		wqp_gate_wait(ctx, &ctx->gate);
	}
	atomic_inc(&ctx->runs);
}

/*
 * mod_delayed_work() on an item that is running, not pending, returns
 * false and queues a new instance, which runs after the current one.
 */
static void mod_delayed_work_on_running_item(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx(test, test->param_value);
	bool modified, pending;

	wqp_alloc(test, ctx, 0);
	wqp_init_delayed_work(ctx, &ctx->dwork, wqp_gated_dwork_fn);
	wqp_add_action(test, wqp_disable_delayed_work_action, &ctx->dwork);

	queue_delayed_work(ctx->wq, &ctx->dwork, 0);
	KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&ctx->started),
			      "handler did not start within %d s",
			      WQP_TIMEOUT_S);
	modified = mod_delayed_work(ctx->wq, &ctx->dwork, 0);
	pending = delayed_work_pending(&ctx->dwork);
	wqp_gate_open(&ctx->gate);
	flush_delayed_work(&ctx->dwork);
	flush_workqueue(ctx->wq);

	KUNIT_EXPECT_FALSE_MSG(test, modified, "running, not pending");
	KUNIT_EXPECT_TRUE_MSG(test, pending, "no new instance was queued");
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), 2);
}

struct wqp_rcu {
	struct rcu_work rwork;
	struct completion done;
	unsigned long cookie;
	bool reader_done;
	bool saw_reader_done;
	bool saw_grace_period;
	atomic_t runs;
};

static void wqp_rcu_fn(struct work_struct *work)
{
	struct wqp_rcu *r = container_of(to_rcu_work(work), struct wqp_rcu,
					 rwork);

	r->saw_grace_period = poll_state_synchronize_rcu(r->cookie);
	r->saw_reader_done = READ_ONCE(r->reader_done);
	atomic_inc(&r->runs);
	complete(&r->done);
}

static void wqp_init_bh_rcu_work(struct rcu_work *rwork)
{
	INIT_RCU_WORK(rwork, wqp_rcu_fn);
}

static void wqp_init_task_rcu_work(struct rcu_work *rwork)
{
	INIT_RCU_WORK(rwork, wqp_rcu_fn);
}

static void wqp_flush_rcu_work_action(void *rwork)
{
	flush_rcu_work(rwork);
}

/*
 * queue_rcu_work() runs the item after a full grace period: after every
 * reader that was inside rcu_read_lock() when it was queued has left,
 * and the handler sees that reader's stores.
 */
static void queue_rcu_work_after_grace_period(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx(test, test->param_value);
	bool first, second;
	struct wqp_rcu *r;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	init_completion(&r->done);
	if (ctx->kind->bh)
		wqp_init_bh_rcu_work(&r->rwork);
	else
		wqp_init_task_rcu_work(&r->rwork);
	wqp_alloc(test, ctx, 0);
	wqp_add_action(test, wqp_flush_rcu_work_action, &r->rwork);

	rcu_read_lock();
	r->cookie = get_state_synchronize_rcu();
	first = queue_rcu_work(ctx->wq, &r->rwork);
	second = queue_rcu_work(ctx->wq, &r->rwork);
	WRITE_ONCE(r->reader_done, true);
	rcu_read_unlock();

	KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&r->done),
			      "RCU work did not run within %d s",
			      WQP_TIMEOUT_S);
	flush_rcu_work(&r->rwork);
	KUNIT_EXPECT_TRUE(test, first);
	KUNIT_EXPECT_FALSE_MSG(test, second, "queued twice while pending");
	KUNIT_EXPECT_TRUE(test, r->saw_grace_period);
	KUNIT_EXPECT_TRUE(test, r->saw_reader_done);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->runs), 1);
}

static struct kunit_case wqp_delayed_cases[] = {
	KUNIT_CASE_PARAM(delayed_work_never_early, wqp_kinds_gen_params),
	KUNIT_CASE_PARAM(delayed_work_zero_delay_queues_now,
			 wqp_kinds_gen_params),
	KUNIT_CASE_PARAM(cancel_delayed_work_before_expiry,
			 wqp_kinds_gen_params),
	KUNIT_CASE_PARAM(mod_delayed_work_collapses, wqp_kinds_gen_params),
	KUNIT_CASE_PARAM(mod_delayed_work_on_running_item,
			 wqp_task_kinds_gen_params),
	KUNIT_CASE_PARAM(queue_rcu_work_after_grace_period,
			 wqp_kinds_gen_params),
	{}
};

static struct kunit_suite wqp_delayed_suite = {
	.name = "workqueue_delayed",
	.init = wqp_suite_init,
	.exit = wqp_suite_exit,
	.test_cases = wqp_delayed_cases,
};

/* ---------------------------------------------------------------------
 * workqueue_order: non-reentrancy, ordered queues and max_active.
 */

#define WQP_BUSY_US	20

static void wqp_reentrant_fn(struct work_struct *work)
{
	struct wqp_ctx *ctx = container_of(work, struct wqp_ctx, work);

	wqp_atomic_max(&ctx->max_in_flight, atomic_inc_return(&ctx->in_flight));
	set_bit(raw_smp_processor_id(), ctx->cpus_seen);
	/* Stay busy without sleeping: this also runs in BH context. */
	udelay(WQP_BUSY_US);
	atomic_dec(&ctx->in_flight);
	atomic_inc(&ctx->runs);
}

/* Queue the item again and again until it has run WQP_RUNS times. */
static void wqp_requeue_driver(void *data, unsigned int index,
			       unsigned int nr)
{
	struct wqp_ctx *ctx = data;
	unsigned long deadline = jiffies + WQP_TIMEOUT;

	while (atomic_read(&ctx->runs) < WQP_RUNS &&
	       time_before(jiffies, deadline)) {
		if (queue_work(ctx->wq, &ctx->work))
			atomic_inc(&ctx->accepted);
		cond_resched();
	}
}

/*
 * A work item never runs concurrently with itself, even when it is
 * queued again from other CPUs while it runs.
 */
static void non_reentrant_across_cpus(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx(test, test->param_value);
	unsigned int drivers;

	wqp_skip_below_two_cpus(test);
	ctx->cpus_seen = kunit_kcalloc(test, BITS_TO_LONGS(nr_cpu_ids),
				       sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->cpus_seen);
	wqp_alloc(test, ctx, 0);
	wqp_init_work(ctx, &ctx->work, wqp_reentrant_fn);

	drivers = wqp_spray(test, ctx, wqp_requeue_driver, ctx);
	flush_work(&ctx->work);

	kunit_info(test, "%u CPUs queued, %d accepted, ran on %u CPUs\n",
		   drivers, atomic_read(&ctx->accepted),
		   bitmap_weight(ctx->cpus_seen, nr_cpu_ids));
	KUNIT_EXPECT_GE_MSG(test, atomic_read(&ctx->runs), WQP_RUNS,
			    "too few executions within %d s", WQP_TIMEOUT_S);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&ctx->max_in_flight), 1,
			    "the item ran concurrently with itself");
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs),
			atomic_read(&ctx->accepted));
}

/* An ordered queue runs items one at a time, in queueing order. */
static void ordered_strict_fifo(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx(test, &wqp_kinds[WQP_ORDERED]);
	const unsigned int nr = 64;
	struct wqp_item *items;
	unsigned int i, misplaced = 0;

	items = wqp_items_new(test, ctx, nr);
	ctx->order = kunit_kcalloc(test, nr, sizeof(*ctx->order), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->order);
	ctx->hold_us = 10;
	wqp_alloc(test, ctx, 0);

	for (i = 0; i < nr; i++)
		queue_work(ctx->wq, &items[i].work);
	KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&ctx->done),
			      "items did not finish within %d s",
			      WQP_TIMEOUT_S);
	flush_workqueue(ctx->wq);

	for (i = 0; i < nr; i++) {
		if (ctx->order[i] != i && !misplaced++)
			KUNIT_FAIL(test, "position %u ran item %u", i,
				   ctx->order[i]);
	}
	KUNIT_EXPECT_EQ(test, misplaced, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->max_in_flight), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), nr);
}

#define WQP_PER_PRODUCER	32

struct wqp_producers {
	struct wqp_ctx *ctx;
	struct wqp_item *items;
};

static void wqp_ordered_produce(void *data, unsigned int index,
				unsigned int nr)
{
	struct wqp_producers *p = data;
	unsigned int k;

	for (k = 0; k < WQP_PER_PRODUCER; k++)
		queue_work(p->ctx->wq,
			   &p->items[index * WQP_PER_PRODUCER + k].work);
}

/*
 * Producers on every CPU queue on one ordered queue: the items still run
 * one at a time, and each producer's items in the order it queued them.
 */
static void ordered_fifo_per_producer(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx(test, &wqp_kinds[WQP_ORDERED]);
	unsigned int i, nr, producers, misplaced = 0;
	struct wqp_producers p = { .ctx = ctx };
	unsigned int *next;

	wqp_skip_below_two_cpus(test);
	nr = nr_cpu_ids * WQP_PER_PRODUCER;
	p.items = wqp_items_new(test, ctx, nr);
	ctx->order = kunit_kcalloc(test, nr, sizeof(*ctx->order), GFP_KERNEL);
	next = kunit_kcalloc(test, nr_cpu_ids, sizeof(*next), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->order);
	KUNIT_ASSERT_NOT_NULL(test, next);
	wqp_alloc(test, ctx, 0);

	producers = wqp_spray(test, ctx, wqp_ordered_produce, &p);
	ctx->nr_items = producers * WQP_PER_PRODUCER;
	flush_workqueue(ctx->wq);

	for (i = 0; i < ctx->nr_items; i++) {
		unsigned int id = ctx->order[i];
		unsigned int producer = id / WQP_PER_PRODUCER;

		if (id % WQP_PER_PRODUCER != next[producer]++ && !misplaced++)
			KUNIT_FAIL(test, "position %u: producer %u's item %u ran as its #%u",
				   i, producer, id % WQP_PER_PRODUCER,
				   next[producer] - 1);
	}
	KUNIT_EXPECT_EQ(test, misplaced, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->max_in_flight), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), ctx->nr_items);
}

struct wqp_ditem {
	struct delayed_work dwork;
	struct wqp_ctx *ctx;
	unsigned int id;
};

static void wqp_ditem_fn(struct work_struct *work)
{
	struct wqp_ditem *d = container_of(to_delayed_work(work),
					   struct wqp_ditem, dwork);
	struct wqp_ctx *ctx = d->ctx;
	unsigned int pos;

	wqp_atomic_max(&ctx->max_in_flight, atomic_inc_return(&ctx->in_flight));
	pos = atomic_inc_return(&ctx->items_started);
	if (pos <= ctx->nr_items)
		ctx->order[pos - 1] = d->id;
	atomic_dec(&ctx->in_flight);
	atomic_inc(&ctx->runs);
}

/*
 * Delayed items join an ordered queue when their timer expires (or is
 * flushed), not when they are queued: an item whose timer is still
 * pending does not hold up the items queued after it, and
 * flush_workqueue() does not wait for it.
 */
static void ordered_delayed_by_expiry(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx(test, &wqp_kinds[WQP_ORDERED]);
	const unsigned int nr = 3;
	struct wqp_ditem *d;
	bool late_pending;
	unsigned int i;

	/* d[0] is queued first, with a delay that never expires. */
	d = kunit_kcalloc(test, nr, sizeof(*d), GFP_KERNEL);
	ctx->order = kunit_kcalloc(test, nr, sizeof(*ctx->order), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_ASSERT_NOT_NULL(test, ctx->order);
	ctx->nr_items = nr;
	wqp_alloc(test, ctx, 0);
	for (i = 0; i < nr; i++) {
		INIT_DELAYED_WORK(&d[i].dwork, wqp_ditem_fn);
		d[i].ctx = ctx;
		d[i].id = i;
		wqp_add_action(test, wqp_disable_delayed_work_action,
			       &d[i].dwork);
	}

	queue_delayed_work(ctx->wq, &d[0].dwork, WQP_NEVER);
	queue_delayed_work(ctx->wq, &d[1].dwork, 0);
	queue_delayed_work(ctx->wq, &d[2].dwork, WQP_NEVER);
	/* Expire d[2] now: it joins the queue behind d[1]. */
	flush_delayed_work(&d[2].dwork);
	flush_workqueue(ctx->wq);
	late_pending = delayed_work_pending(&d[0].dwork);
	flush_delayed_work(&d[0].dwork);

	KUNIT_EXPECT_TRUE_MSG(test, late_pending,
			      "flush_workqueue() ran an item whose timer was pending");
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), nr);
	KUNIT_EXPECT_EQ(test, ctx->order[0], 1);
	KUNIT_EXPECT_EQ(test, ctx->order[1], 2);
	KUNIT_EXPECT_EQ(test, ctx->order[2], 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->max_in_flight), 1);
}

struct wqp_active_case {
	const char *desc;
	int max_active;
};

static const struct wqp_active_case wqp_active_cases[] = {
	{ "max_active 1", 1 },
	{ "max_active 3", 3 },
	{ "max_active 8", 8 },
};

KUNIT_ARRAY_PARAM_DESC(wqp_active, wqp_active_cases, desc);

/*
 * Queue @nr gated items on ctx->cpu; wait until @limit have started,
 * then let them through one at a time: each time exactly one more may
 * start.  max_in_flight, kept by the handlers, counts any item that
 * starts while @limit others run.  An item that would start only after
 * the last release goes unnoticed: this proves the limit holds while it
 * is watched, and that @limit items do run at once.
 */
static void wqp_check_limit(struct kunit *test, struct wqp_ctx *ctx,
			    struct wqp_item *items, unsigned int nr,
			    unsigned int limit)
{
	unsigned int i, started;

	ctx->started_goal = limit;
	for (i = 0; i < nr; i++) {
		items[i].gated = true;
		queue_work_on(ctx->cpu, ctx->wq, &items[i].work);
	}
	KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&ctx->started),
			      "%u items did not start within %d s", limit,
			      WQP_TIMEOUT_S);
	for (i = limit + 1; i <= nr; i++) {
		reinit_completion(&ctx->started);
		WRITE_ONCE(ctx->started_goal, i);
		wqp_gate_pass_one(&ctx->gate);
		KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&ctx->started),
				      "item %u did not start within %d s", i,
				      WQP_TIMEOUT_S);
		started = atomic_read(&ctx->items_started);
		KUNIT_EXPECT_EQ_MSG(test, started, i,
				    "%u items started, %u expected", started, i);
	}
	wqp_gate_open(&ctx->gate);
	KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&ctx->done),
			      "items did not finish within %d s",
			      WQP_TIMEOUT_S);
	flush_workqueue(ctx->wq);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->max_in_flight), limit);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), nr);
}

/* A per-CPU queue runs at most max_active of its items at once on a CPU. */
static void percpu_max_active_limit(struct kunit *test)
{
	const struct wqp_active_case *param = test->param_value;
	struct wqp_ctx *ctx = wqp_ctx(test, &wqp_kinds[WQP_PCPU]);
	unsigned int nr = param->max_active + 4;
	struct wqp_item *items;

	items = wqp_items_new(test, ctx, nr);
	wqp_alloc(test, ctx, param->max_active);
	ctx->cpu = raw_smp_processor_id();
	wqp_check_limit(test, ctx, items, nr, param->max_active);
}

/*
 * The limit an unbound queue applies on @cpu's node: max_active is
 * shared out among the nodes in proportion to their CPUs, but never
 * below min(max_active, WQ_DFL_MIN_ACTIVE) (wq_update_node_max_active()).
 * With one node that is max_active itself.
 */
static void wqp_node_limit(struct kunit *test, int max_active, int *lo,
			   int *hi)
{
	*hi = max_active;
	*lo = num_online_nodes() > 1 ? min(max_active, WQ_DFL_MIN_ACTIVE) :
				       max_active;
	kunit_info(test, "%u online nodes: expect %d to %d items at once\n",
		   num_online_nodes(), *lo, *hi);
}

/*
 * An unbound queue's max_active is a limit per NUMA node, not for the
 * whole system: items queued from one CPU run at most the node's share
 * at once, and at least min(max_active, 8).  With several nodes the
 * sum of the nodes' limits can exceed max_active.
 */
static void unbound_max_active_per_node(struct kunit *test)
{
	const struct wqp_active_case *param = test->param_value;
	struct wqp_ctx *ctx = wqp_ctx(test, &wqp_kinds[WQP_UNBOUND]);
	unsigned int i, nr = param->max_active + 4;
	struct wqp_item *items;
	int lo, hi;

	items = wqp_items_new(test, ctx, nr);
	wqp_alloc(test, ctx, param->max_active);
	ctx->cpu = raw_smp_processor_id();
	wqp_node_limit(test, param->max_active, &lo, &hi);
	if (lo == hi) {
		wqp_check_limit(test, ctx, items, nr, hi);
		return;
	}
	/* Several nodes: the exact share depends on the topology. */
	ctx->started_goal = lo;
	for (i = 0; i < nr; i++) {
		items[i].gated = true;
		queue_work_on(ctx->cpu, ctx->wq, &items[i].work);
	}
	KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&ctx->started),
			      "%d items did not start within %d s", lo,
			      WQP_TIMEOUT_S);
	wqp_gate_open(&ctx->gate);
	KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&ctx->done),
			      "items did not finish within %d s",
			      WQP_TIMEOUT_S);
	flush_workqueue(ctx->wq);
	KUNIT_EXPECT_LE(test, atomic_read(&ctx->max_in_flight), hi);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), nr);
}

struct wqp_raise_case {
	const char *desc;
	unsigned int flags;
};

static const struct wqp_raise_case wqp_raise_cases[] = {
	{ "per-CPU", WQ_PERCPU },
	{ "unbound", WQ_UNBOUND },
};

KUNIT_ARRAY_PARAM_DESC(wqp_raise, wqp_raise_cases, desc);

/*
 * workqueue_set_max_active() takes effect at once: raising it from 1 to
 * 3 while items wait starts the two oldest waiting items, and the queue
 * then never runs more than 3 at once.
 */
static void set_max_active_at_run_time(struct kunit *test)
{
	const struct wqp_raise_case *param = test->param_value;
	struct wqp_ctx *ctx = wqp_ctx(test, NULL);
	const unsigned int nr = 6;
	struct wqp_item *items;
	unsigned int i;
	int lo, hi;

	items = wqp_items_new(test, ctx, nr);
	ctx->order = kunit_kcalloc(test, nr, sizeof(*ctx->order), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->order);
	ctx->wq = wqp_alloc_flags(test, ctx, "raise", param->flags, 1);
	ctx->cpu = raw_smp_processor_id();
	ctx->started_goal = 1;
	for (i = 0; i < nr; i++) {
		items[i].gated = true;
		queue_work_on(ctx->cpu, ctx->wq, &items[i].work);
	}
	KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&ctx->started),
			      "first item did not start within %d s",
			      WQP_TIMEOUT_S);
	KUNIT_EXPECT_EQ(test, ctx->order[0], 0);

	lo = 3;
	hi = 3;
	if (param->flags & WQ_UNBOUND)
		wqp_node_limit(test, 3, &lo, &hi);
	reinit_completion(&ctx->started);
	WRITE_ONCE(ctx->started_goal, lo);
	workqueue_set_max_active(ctx->wq, 3);
	KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&ctx->started),
			      "raising max_active started nothing within %d s",
			      WQP_TIMEOUT_S);
	/* The oldest waiting items start, in either order. */
	for (i = 1; i < lo; i++)
		KUNIT_EXPECT_LT_MSG(test, ctx->order[i], lo,
				    "item %u started before older ones",
				    ctx->order[i]);

	wqp_gate_open(&ctx->gate);
	KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&ctx->done),
			      "items did not finish within %d s",
			      WQP_TIMEOUT_S);
	flush_workqueue(ctx->wq);
	KUNIT_EXPECT_GE(test, atomic_read(&ctx->max_in_flight), lo);
	KUNIT_EXPECT_LE(test, atomic_read(&ctx->max_in_flight), hi);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), nr);
}

struct wqp_hog {
	struct wqp_ctx *ctx;
	struct work_struct hog;
	struct work_struct other;
	int hog_cpu;
	int other_cpu;
	bool other_ran;
	bool hog_saw_other;
};

/* Keeps its CPU busy, without sleeping, until the other item ran. */
static void wqp_hog_fn(struct work_struct *work)
{
	struct wqp_hog *h = container_of(work, struct wqp_hog, hog);
	ktime_t end = wqp_spin_end();

	h->hog_cpu = raw_smp_processor_id();
	complete(&h->ctx->started);
	/* cond_resched() lets others run but is not sleeping: still busy. */
	while (!READ_ONCE(h->other_ran) && wqp_spin_left(end))
		cond_resched();
	h->hog_saw_other = READ_ONCE(h->other_ran);
}

static void wqp_other_fn(struct work_struct *work)
{
	struct wqp_hog *h = container_of(work, struct wqp_hog, other);

	h->other_cpu = raw_smp_processor_id();
	WRITE_ONCE(h->other_ran, true);
	complete(&h->ctx->done);
}

/*
 * Concurrency management starts a per-CPU item only when no other item
 * of the CPU's pool is running.  An item of a WQ_CPU_INTENSIVE queue does
 * not count: while it keeps the CPU busy, another item queued on the
 * same CPU still starts.  (The opposite, that a busy item of a plain
 * queue holds the next one back, lasts only until the workqueue notices
 * the hog, after workqueue.cpu_intensive_thresh_us: not a guarantee.)
 */
static void cpu_intensive_lets_others_start(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx(test, NULL);
	struct workqueue_struct *hog_wq, *wq;
	struct wqp_hog *h;
	bool started, other_ran;

	h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	h->ctx = ctx;
	INIT_WORK(&h->hog, wqp_hog_fn);
	INIT_WORK(&h->other, wqp_other_fn);
	hog_wq = wqp_alloc_flags(test, ctx, "hog",
				 WQ_PERCPU | WQ_CPU_INTENSIVE, 0);
	wq = wqp_alloc_flags(test, ctx, "other", WQ_PERCPU, 0);

	cpus_read_lock();
	ctx->cpu = raw_smp_processor_id();
	queue_work_on(ctx->cpu, hog_wq, &h->hog);
	started = wqp_wait(&ctx->started);
	if (started)
		queue_work_on(ctx->cpu, wq, &h->other);
	other_ran = started && wqp_wait(&ctx->done);
	flush_work(&h->hog);
	flush_work(&h->other);
	cpus_read_unlock();

	KUNIT_EXPECT_TRUE_MSG(test, started, "the hog did not start");
	KUNIT_EXPECT_TRUE_MSG(test, other_ran,
			      "the other item did not run within %d s",
			      WQP_TIMEOUT_S);
	KUNIT_EXPECT_TRUE_MSG(test, h->hog_saw_other,
			      "the other item ran only after the hog gave up");
	KUNIT_EXPECT_EQ(test, h->hog_cpu, ctx->cpu);
	KUNIT_EXPECT_EQ(test, h->other_cpu, ctx->cpu);
}

static struct kunit_case wqp_order_cases[] = {
	KUNIT_CASE_PARAM(non_reentrant_across_cpus, wqp_kinds_gen_params),
	KUNIT_CASE(ordered_strict_fifo),
	KUNIT_CASE(ordered_fifo_per_producer),
	KUNIT_CASE(ordered_delayed_by_expiry),
	KUNIT_CASE_PARAM(percpu_max_active_limit, wqp_active_gen_params),
	KUNIT_CASE_PARAM(unbound_max_active_per_node, wqp_active_gen_params),
	KUNIT_CASE_PARAM(set_max_active_at_run_time, wqp_raise_gen_params),
	KUNIT_CASE(cpu_intensive_lets_others_start),
	{}
};

static struct kunit_suite wqp_order_suite = {
	.name = "workqueue_order",
	.init = wqp_suite_init,
	.exit = wqp_suite_exit,
	.test_cases = wqp_order_cases,
};

/* ---------------------------------------------------------------------
 * workqueue_cpu: CPU placement, work_on_cpu() and CPU hotplug.
 */

/*
 * queue_work_on() runs the item on the requested CPU.  CPU hotplug is
 * held off until the items have run, so the CPUs stay online.
 */
static void queue_work_on_runs_on_cpu(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx(test, test->param_value);
	struct wqp_item *items;
	unsigned int checked = 0;
	int cpu;

	wqp_skip_below_two_cpus(test);
	items = wqp_items_new(test, ctx, nr_cpu_ids);
	wqp_alloc(test, ctx, 0);

	cpus_read_lock();
	for_each_online_cpu(cpu)
		items[cpu].queued = queue_work_on(cpu, ctx->wq,
						  &items[cpu].work);
	flush_workqueue(ctx->wq);
	cpus_read_unlock();

	for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
		if (!items[cpu].queued)
			continue;
		KUNIT_EXPECT_TRUE(test, items[cpu].ran);
		KUNIT_EXPECT_EQ_MSG(test, items[cpu].ran_on, cpu,
				    "item for CPU %d ran on CPU %d", cpu,
				    items[cpu].ran_on);
		checked++;
	}
	kunit_info(test, "checked %u CPUs\n", checked);
	KUNIT_EXPECT_GE(test, checked, 2);
}

struct wqp_on_cpu {
	int cpu;
	bool in_task;
	bool in_worker;
};

static long wqp_on_cpu_fn(void *arg)
{
	struct wqp_on_cpu *rec = arg;

	rec->cpu = raw_smp_processor_id();
	rec->in_task = in_task();
	rec->in_worker = current_work();
	return 1000 + rec->cpu;
}

/*
 * work_on_cpu() runs the function on that CPU, in a workqueue worker,
 * waits for it and returns its value.  The caller keeps the CPU online.
 */
static void work_on_cpu_runs_there(struct kunit *test)
{
	struct wqp_on_cpu rec;
	unsigned int checked = 0;
	long ret;
	int cpu;

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		memset(&rec, 0, sizeof(rec));
		rec.cpu = -1;
		ret = work_on_cpu(cpu, wqp_on_cpu_fn, &rec);
		KUNIT_EXPECT_EQ(test, ret, 1000 + cpu);
		KUNIT_EXPECT_EQ(test, rec.cpu, cpu);
		KUNIT_EXPECT_TRUE(test, rec.in_task);
		KUNIT_EXPECT_TRUE(test, rec.in_worker);
		checked++;
	}
	cpus_read_unlock();
	KUNIT_EXPECT_EQ(test, checked, num_online_cpus());
}

static long wqp_on_cpu_outer_fn(void *arg)
{
	struct wqp_on_cpu *rec = arg;
	int cpu = cpumask_last(cpu_online_mask);

	/* Another call site: its work item has its own lockdep class. */
	return work_on_cpu(cpu, wqp_on_cpu_fn, rec);
}

/*
 * work_on_cpu() nests: a function run by it may call it again (each
 * call site gets its own lockdep class, so lockdep sees no recursion).
 */
static void work_on_cpu_nests(struct kunit *test)
{
	struct wqp_on_cpu rec = { .cpu = -1 };
	long ret;
	int last;

	cpus_read_lock();
	last = cpumask_last(cpu_online_mask);
	ret = work_on_cpu(cpumask_first(cpu_online_mask), wqp_on_cpu_outer_fn,
			  &rec);
	cpus_read_unlock();
	KUNIT_EXPECT_EQ(test, ret, 1000 + last);
	KUNIT_EXPECT_EQ(test, rec.cpu, last);
}

#ifdef CONFIG_HOTPLUG_CPU
struct wqp_offline {
	int cpu;
	bool offline;
};

static void wqp_online_again(void *data)
{
	struct wqp_offline *off = data;

	if (off->offline && !add_cpu(off->cpu))
		off->offline = false;
}

/*
 * The last online CPU that is not the boot CPU; taken offline by
 * wqp_offline_cpu() and brought back when the case ends.
 */
static struct wqp_offline *wqp_offline_pick(struct kunit *test)
{
	struct wqp_offline *off;

	wqp_skip_below_two_cpus(test);
	off = kunit_kzalloc(test, sizeof(*off), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, off);
	off->cpu = cpumask_last(cpu_online_mask);
	if (!off->cpu)
		kunit_skip(test, "no online CPU but the boot CPU");
	wqp_add_action(test, wqp_online_again, off);
	return off;
}

static int wqp_offline_cpu(struct wqp_offline *off)
{
	int ret = remove_cpu(off->cpu);

	off->offline = !ret;
	return ret;
}

/*
 * Per-CPU work is not lost when its CPU goes offline: an item running
 * there and one waiting behind it both run to completion, the waiting one
 * on an online CPU.  Once the CPU is back, items queued on it run there
 * again.
 */
static void hotplug_percpu_work_survives_offline(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx(test, &wqp_kinds[WQP_PCPU]);
	struct wqp_offline *off = wqp_offline_pick(test);
	struct wqp_item *items;
	int ret;

	items = wqp_items_new(test, ctx, 1);
	wqp_alloc(test, ctx, 1);
	wqp_init_work(ctx, &ctx->work, wqp_gated_fn);

	cpus_read_lock();
	KUNIT_EXPECT_TRUE(test, queue_work_on(off->cpu, ctx->wq, &ctx->work));
	KUNIT_EXPECT_TRUE(test, queue_work_on(off->cpu, ctx->wq,
					      &items[0].work));
	cpus_read_unlock();
	KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&ctx->started),
			      "handler did not start within %d s",
			      WQP_TIMEOUT_S);
	ret = wqp_offline_cpu(off);
	if (ret)
		kunit_skip(test, "CPU %d cannot go offline: %d", off->cpu, ret);

	wqp_gate_open(&ctx->gate);
	KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&ctx->done),
			      "the waiting item did not run within %d s",
			      WQP_TIMEOUT_S);
	flush_workqueue(ctx->wq);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(ctx->finished));
	KUNIT_EXPECT_NE_MSG(test, items[0].ran_on, off->cpu,
			    "ran on CPU %d while it was offline", off->cpu);

	kunit_release_action(test, wqp_online_again, off);
	KUNIT_ASSERT_FALSE_MSG(test, off->offline, "CPU %d did not come back",
			       off->cpu);
	cpus_read_lock();
	queue_work_on(off->cpu, ctx->wq, &items[0].work);
	flush_work(&items[0].work);
	cpus_read_unlock();
	KUNIT_EXPECT_EQ(test, items[0].ran_on, off->cpu);
}

/*
 * A delayed item queued on a CPU that goes offline before its timer
 * expires still runs, once, on an online CPU.  queue_delayed_work_on()
 * itself requires an online CPU (it WARNs otherwise), so the item is
 * queued with CPU hotplug held off and the CPU checked: the warning is
 * the kernel's only reaction to the misuse, and is not triggered here.
 */
static void hotplug_delayed_work_survives_offline(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx(test, &wqp_kinds[WQP_PCPU]);
	struct wqp_offline *off = wqp_offline_pick(test);
	bool queued = false, pending;
	int ret;

	wqp_alloc(test, ctx, 0);
	wqp_init_delayed_work(ctx, &ctx->dwork, wqp_dwork_fn);
	wqp_add_action(test, wqp_disable_delayed_work_action, &ctx->dwork);

	cpus_read_lock();
	if (cpu_online(off->cpu))
		queued = queue_delayed_work_on(off->cpu, ctx->wq, &ctx->dwork,
					       WQP_NEVER);
	cpus_read_unlock();
	KUNIT_ASSERT_TRUE(test, queued);
	ret = wqp_offline_cpu(off);
	if (ret)
		kunit_skip(test, "CPU %d cannot go offline: %d", off->cpu, ret);

	pending = delayed_work_pending(&ctx->dwork);
	flush_delayed_work(&ctx->dwork);
	KUNIT_EXPECT_TRUE(test, pending);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), 1);
	KUNIT_EXPECT_NE_MSG(test, ctx->ran_on, off->cpu,
			    "ran on CPU %d while it was offline", off->cpu);
}
#endif /* CONFIG_HOTPLUG_CPU */

static struct kunit_case wqp_cpu_cases[] = {
	KUNIT_CASE_PARAM(queue_work_on_runs_on_cpu, wqp_cpu_kinds_gen_params),
	KUNIT_CASE(work_on_cpu_runs_there),
	KUNIT_CASE(work_on_cpu_nests),
#ifdef CONFIG_HOTPLUG_CPU
	KUNIT_CASE_SLOW(hotplug_percpu_work_survives_offline),
	KUNIT_CASE_SLOW(hotplug_delayed_work_survives_offline),
#endif
	{}
};

static struct kunit_suite wqp_cpu_suite = {
	.name = "workqueue_cpu",
	.init = wqp_suite_init,
	.exit = wqp_suite_exit,
	.test_cases = wqp_cpu_cases,
};

/* ---------------------------------------------------------------------
 * workqueue_bh: BH workqueues, the replacement of tasklets.
 */

/*
 * Run 1, on another CPU than the test thread, queues the item again and
 * spins until the test thread's cancel_work_sync() takes that instance
 * off the queue, then tries to queue the item once more.
 */
static void wqp_bh_requeue_fn(struct work_struct *work)
{
	struct wqp_ctx *ctx = container_of(work, struct wqp_ctx, work);
	ktime_t end = wqp_spin_end();

	if (atomic_inc_return(&ctx->phase) == 1) {
		WRITE_ONCE(ctx->running, true);
		if (queue_work(ctx->wq, work))
			atomic_inc(&ctx->requeued);
		complete(&ctx->started);
		/* Only this BH worker could run the instance: it waits. */
		while (work_pending(work) && wqp_spin_left(end))
			cpu_relax();
		if (work_pending(work))
			atomic_inc(&ctx->gate_timeouts);
		if (queue_work(ctx->wq, work))
			atomic_inc(&ctx->requeued);
		else
			atomic_inc(&ctx->refused);
		WRITE_ONCE(ctx->finished, true);
		WRITE_ONCE(ctx->running, false);
	}
	atomic_inc(&ctx->runs);
}

struct wqp_bh_cancel_case {
	const char *desc;
	bool bh_disabled;
};

static const struct wqp_bh_cancel_case wqp_bh_cancel_cases[] = {
	{ "from task context", false },
	{ "with BH disabled", true },
};

KUNIT_ARRAY_PARAM_DESC(wqp_bh_cancel, wqp_bh_cancel_cases, desc);

/*
 * cancel_work_sync() of a BH item running on another CPU, from task
 * context or from atomic context (here with BH disabled), which BH items
 * allow: it takes the pending instance off the queue, busy-waits for the
 * running one, and refuses the handler's own queueing meanwhile.
 */
static void bh_cancel_sync_running_elsewhere(struct kunit *test)
{
	const struct wqp_bh_cancel_case *param = test->param_value;
	struct wqp_ctx *ctx = wqp_ctx(test, &wqp_kinds[WQP_BH]);
	bool cancelled = false, finished = false, busy = true;

	wqp_alloc(test, ctx, 0);
	wqp_init_work(ctx, &ctx->work, wqp_bh_requeue_fn);
	if (wqp_queue_gated(test, ctx)) {
		if (param->bh_disabled)
			local_bh_disable();
		cancelled = cancel_work_sync(&ctx->work);
		finished = READ_ONCE(ctx->finished);
		busy = work_busy(&ctx->work);
		if (param->bh_disabled)
			local_bh_enable();
	}
	wqp_unpin(ctx);

	KUNIT_EXPECT_TRUE_MSG(test, finished,
			      "cancel_work_sync() returned while the handler ran");
	KUNIT_EXPECT_TRUE(test, cancelled);
	KUNIT_EXPECT_FALSE(test, busy);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->requeued), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->refused), 1);
	flush_workqueue(ctx->wq);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), 1);
}

struct wqp_bh_prio {
	struct work_struct lo;
	struct work_struct hi;
	atomic_t seq;
	int lo_pos;
	int hi_pos;
	int lo_cpu;
	int hi_cpu;
	bool lo_softirq;
	bool hi_softirq;
};

static void wqp_bh_lo_fn(struct work_struct *work)
{
	struct wqp_bh_prio *p = container_of(work, struct wqp_bh_prio, lo);

	p->lo_pos = atomic_inc_return(&p->seq);
	p->lo_cpu = raw_smp_processor_id();
	p->lo_softirq = in_serving_softirq();
}

static void wqp_bh_hi_fn(struct work_struct *work)
{
	struct wqp_bh_prio *p = container_of(work, struct wqp_bh_prio, hi);

	p->hi_pos = atomic_inc_return(&p->seq);
	p->hi_cpu = raw_smp_processor_id();
	p->hi_softirq = in_serving_softirq();
}

/*
 * system_bh_highpri_wq runs its items from the high priority softirq:
 * queued on the same CPU while bottom halves are disabled, its item runs
 * before the one of system_bh_wq, both in softirq on that CPU.  (On
 * PREEMPT_RT without PREEMPT_RT_NEEDS_BH_LOCK, local_bh_disable() does
 * not keep ksoftirqd from running the first item before the second is
 * queued; disabling preemption does.)
 */
static void bh_highpri_runs_first(struct kunit *test)
{
	struct wqp_bh_prio *p;
	int cpu;

	p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	INIT_WORK(&p->lo, wqp_bh_lo_fn);
	INIT_WORK(&p->hi, wqp_bh_hi_fn);
	wqp_add_action(test, wqp_disable_work_action, &p->lo);
	wqp_add_action(test, wqp_disable_work_action, &p->hi);

	local_bh_disable();
	preempt_disable();
	cpu = smp_processor_id();
	queue_work_on(cpu, system_bh_wq, &p->lo);
	queue_work_on(cpu, system_bh_highpri_wq, &p->hi);
	preempt_enable();
	local_bh_enable();
	flush_work(&p->lo);
	flush_work(&p->hi);

	KUNIT_EXPECT_EQ(test, p->hi_pos, 1);
	KUNIT_EXPECT_EQ(test, p->lo_pos, 2);
	KUNIT_EXPECT_EQ(test, p->hi_cpu, cpu);
	KUNIT_EXPECT_EQ(test, p->lo_cpu, cpu);
	KUNIT_EXPECT_TRUE(test, p->hi_softirq);
	KUNIT_EXPECT_TRUE(test, p->lo_softirq);
}

struct wqp_bh_ctl {
	struct wqp_ctx *ctx;
	struct work_struct ctl;
	bool in_bh;
	bool queued;
	bool disabled;
	bool requeued;
	bool enabled;
	bool queued_again;
};

/*
 * From BH context: queue the target on this CPU's BH pool, where it
 * cannot start before this handler returns, then disable it.
 */
static void wqp_bh_ctl_fn(struct work_struct *work)
{
	struct wqp_bh_ctl *c = container_of(work, struct wqp_bh_ctl, ctl);
	struct wqp_ctx *ctx = c->ctx;

	c->in_bh = in_serving_softirq();
	c->queued = queue_work(ctx->wq, &ctx->work);
	c->disabled = disable_work_sync(&ctx->work);
	c->requeued = queue_work(ctx->wq, &ctx->work);
	c->enabled = enable_work(&ctx->work);
	c->queued_again = queue_work(ctx->wq, &ctx->work);
	complete(&ctx->started);
}

/*
 * disable_work_sync() and enable_work() of a BH item may be called from
 * BH context: a pending item is cancelled (true) and stays off the queue
 * until enabled; once enabled it can be queued and runs.
 */
static void bh_disable_work_from_bh(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx(test, &wqp_kinds[WQP_BH]);
	struct wqp_bh_ctl *c;

	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	c->ctx = ctx;
	wqp_alloc(test, ctx, 0);
	wqp_init_work(ctx, &ctx->work, wqp_record_fn);
	/* Its own INIT_WORK() site: another lockdep class than the target. */
	INIT_WORK(&c->ctl, wqp_bh_ctl_fn);
	wqp_add_action(test, wqp_disable_work_action, &c->ctl);

	queue_work(ctx->wq, &c->ctl);
	KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&ctx->started),
			      "BH item did not run within %d s", WQP_TIMEOUT_S);
	flush_work(&c->ctl);
	KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&ctx->done),
			      "target did not run within %d s", WQP_TIMEOUT_S);
	flush_work(&ctx->work);

	KUNIT_EXPECT_TRUE(test, c->in_bh);
	KUNIT_EXPECT_TRUE(test, c->queued);
	KUNIT_EXPECT_TRUE_MSG(test, c->disabled, "the pending item was not cancelled");
	KUNIT_EXPECT_FALSE_MSG(test, c->requeued, "queued while disabled");
	KUNIT_EXPECT_TRUE(test, c->enabled);
	KUNIT_EXPECT_TRUE(test, c->queued_again);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), 1);
	KUNIT_EXPECT_TRUE(test, ctx->seen_softirq);
}

static struct kunit_case wqp_bh_cases[] = {
	KUNIT_CASE_PARAM(bh_cancel_sync_running_elsewhere,
			 wqp_bh_cancel_gen_params),
	KUNIT_CASE(bh_highpri_runs_first),
	KUNIT_CASE(bh_disable_work_from_bh),
	{}
};

static struct kunit_suite wqp_bh_suite = {
	.name = "workqueue_bh",
	.init = wqp_suite_init,
	.exit = wqp_suite_exit,
	.test_cases = wqp_bh_cases,
};

/* ---------------------------------------------------------------------
 * workqueue_irq: queueing from a hard interrupt and from every context.
 *
 * An irq_sim interrupt stands in for a device: setting its pending
 * state queues irq_sim's irq_work, which is a hard one
 * (IRQ_WORK_INIT_HARD in kernel/irq/irq_sim.c) and so runs in hard-IRQ
 * context on the CPU that fired it, PREEMPT_RT included.  The handler is
 * requested with IRQF_NO_THREAD, so that neither the threadirqs boot
 * option nor PREEMPT_RT moves it into a thread: it runs in hard-IRQ
 * context, where queue_work() and mod_delayed_work() are allowed on every
 * kernel.  It records each edge in a FIFO and queues a consumer.
 */

#define WQP_FIFO_SIZE	32

struct wqp_irq {
	struct wqp_ctx *ctx;
	struct irq_domain *domain;
	unsigned int virq;
	bool requested;
	bool burst;
	DECLARE_KFIFO(fifo, unsigned int, WQP_FIFO_SIZE);
	struct work_struct consumer;
	struct delayed_work collector;
	struct completion fired;
	unsigned int next_seq;
	unsigned int last_seq;
	int irq_cpu;
	atomic_t edges;
	atomic_t not_hardirq;
	atomic_t queued;
	atomic_t coalesced;
	atomic_t handled;
	atomic_t dropped;
	atomic_t out_of_order;
	atomic_t consumer_runs;
	atomic_t wrong_cpu;
};

static irqreturn_t wqp_irq_handler(int irq, void *data)
{
	struct wqp_irq *wi = data;
	unsigned int seq = ++wi->next_seq;

	wi->irq_cpu = smp_processor_id();
	atomic_inc(&wi->edges);
	if (!in_hardirq())
		atomic_inc(&wi->not_hardirq);
	if (!kfifo_put(&wi->fifo, seq))
		atomic_inc(&wi->dropped);

	if (wi->burst)
		mod_delayed_work(wi->ctx->wq, &wi->collector, WQP_NEVER);
	else if (queue_work(wi->ctx->wq, &wi->consumer))
		atomic_inc(&wi->queued);
	else
		atomic_inc(&wi->coalesced);

	complete(&wi->fired);
	return IRQ_HANDLED;
}

/* Take every edge from the FIFO; the consumer is its only reader. */
static unsigned int wqp_irq_take_all(struct wqp_irq *wi)
{
	unsigned int seq, n = 0;

	while (kfifo_get(&wi->fifo, &seq)) {
		if (seq <= wi->last_seq)
			atomic_inc(&wi->out_of_order);
		wi->last_seq = seq;
		n++;
	}
	return n;
}

static void wqp_irq_consume(struct wqp_irq *wi)
{
	unsigned int n = wqp_irq_take_all(wi);

	/* Per-CPU and BH queues run the item on the CPU that queued it. */
	if (!wi->ctx->kind->ordered && !(wi->ctx->kind->flags & WQ_UNBOUND) &&
	    raw_smp_processor_id() != READ_ONCE(wi->irq_cpu))
		atomic_inc(&wi->wrong_cpu);
	atomic_add(n, &wi->handled);
	atomic_inc(&wi->consumer_runs);
	while (n--)
		complete(&wi->ctx->done);
}

static void wqp_irq_consumer_fn(struct work_struct *work)
{
	wqp_irq_consume(container_of(work, struct wqp_irq, consumer));
}

static void wqp_irq_collector_fn(struct work_struct *work)
{
	wqp_irq_consume(container_of(to_delayed_work(work), struct wqp_irq,
				     collector));
}

static void wqp_irq_teardown(void *data)
{
	struct wqp_irq *wi = data;

	if (wi->requested)
		free_irq(wi->virq, wi);
	if (wi->virq)
		irq_dispose_mapping(wi->virq);
	irq_domain_remove_sim(wi->domain);
}

static struct wqp_irq *wqp_irq_new(struct kunit *test,
				   const struct wqp_kind *kind)
{
	struct wqp_irq *wi;
	int ret;

	wi = kunit_kzalloc(test, sizeof(*wi), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, wi);
	wi->ctx = wqp_ctx(test, kind);
	INIT_KFIFO(wi->fifo);
	wqp_init_work(wi->ctx, &wi->consumer, wqp_irq_consumer_fn);
	wqp_init_delayed_work(wi->ctx, &wi->collector, wqp_irq_collector_fn);
	init_completion(&wi->fired);
	wqp_alloc(test, wi->ctx, 1);
	wqp_add_action(test, wqp_disable_work_action, &wi->consumer);
	wqp_add_action(test, wqp_disable_delayed_work_action, &wi->collector);

	wi->domain = irq_domain_create_sim(NULL, 1);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, wi->domain);
	wqp_add_action(test, wqp_irq_teardown, wi);
	wi->virq = irq_create_mapping(wi->domain, 0);
	KUNIT_ASSERT_NE_MSG(test, wi->virq, 0, "cannot map the simulated IRQ");
	ret = request_irq(wi->virq, wqp_irq_handler, IRQF_NO_THREAD,
			  "wqp-edge", wi);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "request_irq: %d", ret);
	wi->requested = true;
	return wi;
}

/*
 * Fire @n edges, one at a time, and wait until each has reached the
 * handler (and, with @wait_handled, the consumer).  The test thread is
 * pinned by the caller: irq_sim raises the interrupt on the firing CPU,
 * so every edge arrives on one CPU.  With bottom halves disabled the
 * wait spins, bounded.  Reports and returns false on a timeout.
 */
static bool wqp_irq_fire(struct kunit *test, struct wqp_irq *wi,
			 unsigned int n, bool wait_handled)
{
	ktime_t end;
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = irq_set_irqchip_state(wi->virq, IRQCHIP_STATE_PENDING,
					    true);
		if (ret) {
			KUNIT_FAIL(test, "edge %u: cannot fire: %d", i, ret);
			return false;
		}
		if (in_softirq()) {
			end = wqp_spin_end();
			while (!try_wait_for_completion(&wi->fired) &&
			       wqp_spin_left(end))
				cpu_relax();
			if (!wqp_spin_left(end)) {
				KUNIT_FAIL(test, "edge %u: no interrupt within %d s",
					   i, WQP_SPIN_TIMEOUT_S);
				return false;
			}
			continue;
		}
		if (!wqp_wait(&wi->fired)) {
			KUNIT_FAIL(test, "edge %u: no interrupt within %d s", i,
				   WQP_TIMEOUT_S);
			return false;
		}
		if (wait_handled && !wqp_wait(&wi->ctx->done)) {
			KUNIT_FAIL(test, "edge %u: not handled within %d s", i,
				   WQP_TIMEOUT_S);
			return false;
		}
	}
	return true;
}

static void wqp_irq_expect_context(struct kunit *test, struct wqp_irq *wi,
				   unsigned int n)
{
	kunit_info(test, "%u edges: %d handled, %d queued, %d coalesced, %d consumer runs\n",
		   n, atomic_read(&wi->handled), atomic_read(&wi->queued),
		   atomic_read(&wi->coalesced),
		   atomic_read(&wi->consumer_runs));
	KUNIT_EXPECT_EQ(test, atomic_read(&wi->edges), n);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&wi->not_hardirq), 0,
			    "the handler ran outside hard-IRQ context");
	KUNIT_EXPECT_EQ(test, atomic_read(&wi->out_of_order), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&wi->dropped), 0);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&wi->wrong_cpu), 0,
			    "the consumer ran on another CPU than the interrupt");
}

/*
 * Queueing from a hard interrupt: every edge is seen by a consumer run
 * that starts after it (whether queue_work() returned true or found the
 * item pending), each true return is one run, and per-CPU and BH queues
 * run the consumer on the CPU that took the interrupt.
 */
static void irq_every_edge_seen(struct kunit *test)
{
	struct wqp_irq *wi = wqp_irq_new(test, test->param_value);
	const unsigned int n = 32;
	bool fired;

	migrate_disable();
	fired = wqp_irq_fire(test, wi, n, true);
	migrate_enable();
	KUNIT_ASSERT_TRUE(test, fired);
	flush_work(&wi->consumer);

	wqp_irq_expect_context(test, wi, n);
	KUNIT_EXPECT_EQ(test, atomic_read(&wi->handled), n);
	KUNIT_EXPECT_EQ(test, atomic_read(&wi->queued) +
			atomic_read(&wi->coalesced), n);
	KUNIT_EXPECT_EQ(test, atomic_read(&wi->consumer_runs),
			atomic_read(&wi->queued));
}

static bool wqp_kind_holdable(const struct wqp_kind *kind)
{
	return kind->bh || kind->ordered || kind->flags == WQ_PERCPU;
}

/* Kinds whose consumer wqp_hold() can keep pending on one CPU. */
static const void *wqp_hold_kinds_gen_params(struct kunit *test,
					     const void *prev, char *desc)
{
	return wqp_kind_next(prev, desc, wqp_kind_holdable);
}

/*
 * Edges that arrive while the consumer is pending coalesce into its one
 * run, and that run sees all of them.
 */
static void irq_edges_coalesce_while_pending(struct kunit *test)
{
	struct wqp_irq *wi = wqp_irq_new(test, test->param_value);
	struct wqp_ctx *ctx = wi->ctx;
	const unsigned int n = WQP_FIFO_SIZE / 2;
	int handled_early = -1;
	bool fired = false;

	migrate_disable();
	ctx->cpu = smp_processor_id();
	if (wqp_hold(test, ctx)) {
		fired = wqp_irq_fire(test, wi, n, false);
		handled_early = atomic_read(&wi->handled);
		wqp_unhold(ctx);
	}
	migrate_enable();
	KUNIT_ASSERT_TRUE(test, fired);
	flush_work(&wi->consumer);

	wqp_irq_expect_context(test, wi, n);
	KUNIT_EXPECT_EQ(test, handled_early, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&wi->queued), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&wi->coalesced), n - 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&wi->handled), n);
	KUNIT_EXPECT_EQ(test, atomic_read(&wi->consumer_runs), 1);
}

static bool wqp_kind_pcpu_or_bh(const struct wqp_kind *kind)
{
	return kind->bh || kind->flags == WQ_PERCPU;
}

static const void *wqp_pcpu_bh_gen_params(struct kunit *test,
					  const void *prev, char *desc)
{
	return wqp_kind_next(prev, desc, wqp_kind_pcpu_or_bh);
}

/*
 * mod_delayed_work() from a hard interrupt collapses a burst: each edge
 * pushes the expiry back, the item stays pending, and one run, when the
 * quiet period ends, sees every edge.  The quiet period is ended with
 * flush_delayed_work() rather than waited for, so that timing cannot
 * change the result (a debouncing driver uses a few milliseconds).
 */
static void irq_burst_collapses(struct kunit *test)
{
	struct wqp_irq *wi = wqp_irq_new(test, test->param_value);
	const unsigned int n = WQP_FIFO_SIZE;
	bool fired, pending;

	wi->burst = true;
	migrate_disable();
	fired = wqp_irq_fire(test, wi, n, false);
	migrate_enable();
	KUNIT_ASSERT_TRUE(test, fired);
	pending = delayed_work_pending(&wi->collector);
	/* Flushing queues the item on this CPU, not the interrupt's. */
	migrate_disable();
	WRITE_ONCE(wi->irq_cpu, smp_processor_id());
	flush_delayed_work(&wi->collector);
	migrate_enable();

	wqp_irq_expect_context(test, wi, n);
	KUNIT_EXPECT_TRUE(test, pending);
	KUNIT_EXPECT_EQ(test, atomic_read(&wi->handled), n);
	KUNIT_EXPECT_EQ(test, atomic_read(&wi->consumer_runs), 1);
}

static bool wqp_any_context_queue(void *data)
{
	struct wqp_ctx *ctx = data;

	if (queue_work(ctx->wq, &ctx->work))
		atomic_inc(&ctx->accepted);
	return true;
}

/*
 * queue_work() called at once from task, softirq and hard-IRQ context
 * (kunit_run_irq_test(): an hrtimer and a BH work item): every true
 * return is exactly one execution.
 */
static void queue_work_from_any_context(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx(test, test->param_value);

	wqp_alloc(test, ctx, 0);
	wqp_init_work(ctx, &ctx->work, wqp_record_fn);
	kunit_run_irq_test(test, wqp_any_context_queue, 20000, ctx);
	flush_work(&ctx->work);
	kunit_info(test, "%d accepted, %d runs\n", atomic_read(&ctx->accepted),
		   atomic_read(&ctx->runs));
	KUNIT_EXPECT_GT(test, atomic_read(&ctx->runs), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs),
			atomic_read(&ctx->accepted));
}

static struct kunit_case wqp_irq_cases[] = {
	KUNIT_CASE_PARAM(irq_every_edge_seen, wqp_kinds_gen_params),
	KUNIT_CASE_PARAM(irq_edges_coalesce_while_pending,
			 wqp_hold_kinds_gen_params),
	KUNIT_CASE_PARAM(irq_burst_collapses, wqp_pcpu_bh_gen_params),
	KUNIT_CASE_PARAM_ATTR(queue_work_from_any_context,
			      wqp_kinds_gen_params, WQP_SLOW),
	{}
};

static struct kunit_suite wqp_irq_suite = {
	.name = "workqueue_irq",
	.init = wqp_suite_init,
	.exit = wqp_suite_exit,
	.test_cases = wqp_irq_cases,
};

kunit_test_suites(&wqp_queue_suite, &wqp_flush_suite, &wqp_cancel_suite,
		  &wqp_delayed_suite, &wqp_order_suite, &wqp_cpu_suite,
		  &wqp_bh_suite, &wqp_irq_suite);

MODULE_DESCRIPTION("KUnit tests for workqueue guarantees");
MODULE_LICENSE("GPL");
