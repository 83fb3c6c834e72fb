// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the workqueue semantics that drivers rely on.
 *
 * Each case proves one documented promise of the workqueue API, or one
 * pattern built on it (see Documentation/core-api/workqueue.rst and the
 * kernel-doc in kernel/workqueue.c): what queue_work() returns, in which
 * context a handler runs, what flush, cancel and disable guarantee on
 * return, that delayed work never runs early, non-reentrancy, ordering,
 * max_active, placement, priorities, rescuers, devm queues, RCU work,
 * and the hand-off from a hard interrupt to a work item.
 *
 * Rules for asynchronous code that every case follows:
 *
 * - Handlers never use KUNIT_ASSERT_*() or KUNIT_EXPECT_*(): they record
 *   what they saw in atomics or in a context structure and signal a
 *   completion; the test thread checks everything.
 * - Every wait is bounded: wqp_wait() gives up after WQP_TIMEOUT_S seconds
 *   and a timeout is a failure with a message; flush and cancel wait for
 *   handlers that never sleep, or sleep on a gate with a bounded wait.
 *   Nothing sleeps to synchronise.
 * - Handlers that must stay busy wait on a gate (a completion).  Gates are
 *   released by a timer or by the test, and always by a cleanup action
 *   that runs before the queue is destroyed, so a failed case cannot
 *   leave a worker blocked or deadlock the next case.
 * - Queues, timers, interrupts and work items are released by
 *   kunit_add_action_or_reset() cleanups in reverse order of creation.
 * - Time is never a pass criterion: delays are checked from below only
 *   (work never runs early), the actual lateness is logged.
 * - Placement cases are skipped, with the reason, below two online CPUs.
 */

#include <kunit/device.h>
#include <kunit/resource.h>
#include <kunit/test.h>

#include <linux/atomic.h>
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
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timer.h>
#include <linux/workqueue.h>

/* QEMU without KVM can be very slow: be generous, a timeout is a failure. */
#define WQP_TIMEOUT_S		30
#define WQP_TIMEOUT		(WQP_TIMEOUT_S * HZ)
/* A delay that no case waits for: the item must be cancelled or flushed. */
#define WQP_NEVER		(3600 * HZ)

static bool wqp_wait(struct completion *done)
{
	return wait_for_completion_timeout(done, WQP_TIMEOUT) != 0;
}

static void wqp_atomic_max(atomic_t *max, int val)
{
	int old = atomic_read(max);

	while (old < val && !atomic_try_cmpxchg(max, &old, val))
		;
}

/* Run @action(@data) when the case ends, in reverse order of adding. */
static void wqp_add_action(struct kunit *test, kunit_action_t *action,
			   void *data)
{
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, action, data), 0);
}

KUNIT_DEFINE_ACTION_WRAPPER(wqp_destroy_workqueue, destroy_workqueue,
			    struct workqueue_struct *);
KUNIT_DEFINE_ACTION_WRAPPER(wqp_release_gate, complete_all,
			    struct completion *);
KUNIT_DEFINE_ACTION_WRAPPER(wqp_disable_work_sync, disable_work_sync,
			    struct work_struct *);
KUNIT_DEFINE_ACTION_WRAPPER(wqp_disable_delayed_work_sync,
			    disable_delayed_work_sync, struct delayed_work *);
KUNIT_DEFINE_ACTION_WRAPPER(wqp_flush_rcu_work, flush_rcu_work,
			    struct rcu_work *);
KUNIT_DEFINE_ACTION_WRAPPER(wqp_put_task_struct, put_task_struct,
			    struct task_struct *);

/* Queue kinds the parameterised cases run on. */
struct wqp_kind {
	const char *desc;
	const char *name;
	unsigned int flags;
	bool ordered;
	bool bh;
};

static const struct wqp_kind wqp_kinds[] = {
	{ .desc = "per-CPU", .name = "pcpu", .flags = WQ_PERCPU },
	{ .desc = "unbound", .name = "unbound", .flags = WQ_UNBOUND },
	{ .desc = "ordered", .name = "ordered", .ordered = true },
	{ .desc = "high priority", .name = "highpri",
	  .flags = WQ_PERCPU | WQ_HIGHPRI },
	{ .desc = "BH", .name = "bh", .flags = WQ_BH | WQ_PERCPU, .bh = true },
};

KUNIT_ARRAY_PARAM_DESC(wqp_kinds, wqp_kinds, desc);

static const void *wqp_kind_next(const void *prev, char *desc,
				 bool (*want)(const struct wqp_kind *kind))
{
	const struct wqp_kind *kind = prev ? (const struct wqp_kind *)prev + 1 :
					     wqp_kinds;

	for (; kind < wqp_kinds + ARRAY_SIZE(wqp_kinds); kind++) {
		if (want(kind)) {
			strscpy(desc, kind->desc, KUNIT_PARAM_DESC_SIZE);
			return kind;
		}
	}
	return NULL;
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

/* The common context of the simpler cases. */
struct wqp_ctx {
	const struct wqp_kind *kind;
	struct workqueue_struct *wq;
	int cpu;

	struct work_struct work;
	struct delayed_work dwork;
	struct completion done;
	atomic_t runs;

	/* What the handler saw. */
	bool seen_in_task;
	bool seen_wq_worker;
	bool seen_current_work;
	bool seen_softirq;
	bool seen_mem_reclaim;
	int seen_nice;
	unsigned long ran_at;
	int runs_at_release;

	/* Holding a handler, or the whole queue, busy. */
	struct work_struct blocker;
	struct completion started;
	struct completion gate;
	struct timer_list gate_timer;
	struct task_struct *waiter;
	bool gate_released;
	atomic_t gate_timeouts;
	bool running;
	bool finished;

	/* Several items (struct wqp_item) on one queue. */
	unsigned int nr_items;
	unsigned int started_goal;
	unsigned int hold_us;
	unsigned int *order;
	unsigned long *cpus_seen;
	atomic_t items_started;
	atomic_t items_finished;
	atomic_t in_flight;
	atomic_t max_in_flight;
	atomic_t accepted;
	atomic_t refused;
};

/*
 * Lockdep gives all work items initialised at one INIT_WORK() site one
 * class.  Items of BH and of task queues must not share a site, or
 * lockdep sees the same "lock" taken in softirq and in process context:
 * hence one initialiser per context.
 */
static void wqp_init_bh_work(struct work_struct *work, work_func_t fn)
{
	INIT_WORK(work, fn);
}

static void wqp_init_task_work(struct work_struct *work, work_func_t fn)
{
	INIT_WORK(work, fn);
}

static void wqp_init_work(struct wqp_ctx *ctx, struct work_struct *work,
			  work_func_t fn)
{
	if (ctx->kind->bh)
		wqp_init_bh_work(work, fn);
	else
		wqp_init_task_work(work, fn);
}

static void wqp_init_bh_delayed_work(struct delayed_work *dwork, work_func_t fn)
{
	INIT_DELAYED_WORK(dwork, fn);
}

static void wqp_init_task_delayed_work(struct delayed_work *dwork,
				       work_func_t fn)
{
	INIT_DELAYED_WORK(dwork, fn);
}

static void wqp_init_delayed_work(struct wqp_ctx *ctx,
				  struct delayed_work *dwork, work_func_t fn)
{
	if (ctx->kind->bh)
		wqp_init_bh_delayed_work(dwork, fn);
	else
		wqp_init_task_delayed_work(dwork, fn);
}

struct wqp_item {
	struct work_struct work;
	struct wqp_ctx *ctx;
	unsigned int id;
	bool queued;
	bool gated;
	bool ran;
	int ran_on;
};

static void wqp_gate_timer_fn(struct timer_list *timer)
{
	struct wqp_ctx *ctx = timer_container_of(ctx, timer, gate_timer);

	/* Not before the test thread sleeps in the call under test. */
	if (task_is_running(ctx->waiter)) {
		mod_timer(&ctx->gate_timer, jiffies + 1);
		return;
	}
	WRITE_ONCE(ctx->gate_released, true);
	complete_all(&ctx->gate);
}

/*
 * Release the gate from a timer once the test thread has blocked, in
 * the flush or cancel it calls next: so that call has to wait for the
 * handler, whatever the timing.
 */
static void wqp_release_gate_when_blocked(struct wqp_ctx *ctx)
{
	ctx->waiter = get_task_struct(current);
	mod_timer(&ctx->gate_timer, jiffies + 1);
}

static void wqp_ctx_stop_timer(void *data)
{
	struct wqp_ctx *ctx = data;

	timer_shutdown_sync(&ctx->gate_timer);
	if (ctx->waiter)
		put_task_struct(ctx->waiter);
}

static void wqp_wait_gate(struct wqp_ctx *ctx)
{
	if (!wait_for_completion_timeout(&ctx->gate, WQP_TIMEOUT))
		atomic_inc(&ctx->gate_timeouts);
}

static struct wqp_ctx *wqp_ctx_new(struct kunit *test,
				   const struct wqp_kind *kind)
{
	struct wqp_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->kind = kind;
	init_completion(&ctx->done);
	init_completion(&ctx->started);
	init_completion(&ctx->gate);
	timer_setup(&ctx->gate_timer, wqp_gate_timer_fn, 0);
	wqp_add_action(test, wqp_ctx_stop_timer, ctx);
	return ctx;
}

/*
 * Destroy @wq when the case ends.  If @gate is given, it is released
 * first, so that no handler stays blocked on it.
 */
static struct workqueue_struct *wqp_own(struct kunit *test,
					struct workqueue_struct *wq,
					struct completion *gate)
{
	KUNIT_ASSERT_NOT_NULL_MSG(test, wq, "cannot allocate a queue");
	wqp_add_action(test, wqp_destroy_workqueue, wq);
	if (gate)
		wqp_add_action(test, wqp_release_gate, gate);
	return wq;
}

static struct workqueue_struct *
wqp_alloc_flags(struct kunit *test, const char *name, unsigned int flags,
		int max_active, struct completion *gate)
{
	return wqp_own(test, alloc_workqueue("wqp_%s", flags, max_active,
					     name), gate);
}

/* A queue of the case's kind; max_active is ignored where it is fixed. */
static struct workqueue_struct *wqp_alloc(struct kunit *test,
					  struct wqp_ctx *ctx, int max_active)
{
	const struct wqp_kind *kind = ctx->kind;

	if (kind->ordered)
		ctx->wq = wqp_own(test, alloc_ordered_workqueue("wqp_%s", 0,
								kind->name),
				  &ctx->gate);
	else
		ctx->wq = wqp_alloc_flags(test, kind->name, kind->flags,
					  kind->bh ? 0 : max_active,
					  &ctx->gate);
	return ctx->wq;
}

/* Record the execution context; never sleeps, so valid on BH queues. */
static void wqp_record(struct wqp_ctx *ctx, struct work_struct *work)
{
	ctx->ran_at = jiffies;
	ctx->seen_in_task = in_task();
	ctx->seen_wq_worker = current->flags & PF_WQ_WORKER;
	ctx->seen_current_work = current_work() == work;
	ctx->seen_softirq = in_serving_softirq();
	ctx->seen_mem_reclaim = current_is_workqueue_mem_reclaim();
	ctx->seen_nice = task_nice(current);
	atomic_inc(&ctx->runs);
	complete(&ctx->done);
}

static void wqp_record_fn(struct work_struct *work)
{
	wqp_record(container_of(work, struct wqp_ctx, work), work);
}

static void wqp_dwork_fn(struct work_struct *work)
{
	wqp_record(container_of(to_delayed_work(work), struct wqp_ctx, dwork),
		   work);
}

/* A handler that stays running until its gate opens (sleeps: not BH). */
static void wqp_gated_fn(struct work_struct *work)
{
	struct wqp_ctx *ctx = container_of(work, struct wqp_ctx, work);

	WRITE_ONCE(ctx->running, true);
	complete(&ctx->started);
	wqp_wait_gate(ctx);
	atomic_inc(&ctx->runs);
	WRITE_ONCE(ctx->finished, true);
	WRITE_ONCE(ctx->running, false);
}

static void wqp_blocker_fn(struct work_struct *work)
{
	struct wqp_ctx *ctx = container_of(work, struct wqp_ctx, blocker);

	complete(&ctx->started);
	wqp_wait_gate(ctx);
}

/*
 * Keep ctx->work pending (queued but not started) until wqp_unhold().
 * Task queues are allocated with max_active 1 and hold a blocker item
 * that sleeps on the gate; BH queues cannot run on this CPU while bottom
 * halves are disabled here, so nothing between wqp_hold() and
 * wqp_unhold() may sleep or assert.
 */
static void wqp_hold(struct kunit *test, struct wqp_ctx *ctx)
{
	if (ctx->kind->bh) {
		local_bh_disable();
		ctx->cpu = smp_processor_id();
		return;
	}
	ctx->cpu = raw_smp_processor_id();
	INIT_WORK(&ctx->blocker, wqp_blocker_fn);
	queue_work_on(ctx->cpu, ctx->wq, &ctx->blocker);
	KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&ctx->started),
			      "blocker did not start within %d s", WQP_TIMEOUT_S);
}

static void wqp_unhold(struct wqp_ctx *ctx)
{
	if (ctx->kind->bh)
		local_bh_enable();
	else
		complete_all(&ctx->gate);
}

/*
 * The handler of struct wqp_item: tracks how many items run at once and
 * in which order they start; a gated item sleeps (never on BH queues).
 */
static void wqp_item_fn(struct work_struct *work)
{
	struct wqp_item *item = container_of(work, struct wqp_item, work);
	struct wqp_ctx *ctx = item->ctx;
	unsigned int pos;

	wqp_atomic_max(&ctx->max_in_flight, atomic_inc_return(&ctx->in_flight));
	item->ran_on = raw_smp_processor_id();
	pos = atomic_inc_return(&ctx->items_started);
	if (ctx->order && pos <= ctx->nr_items)
		ctx->order[pos - 1] = item->id;
	if (pos == ctx->started_goal)
		complete(&ctx->started);
	if (item->gated)
		wqp_wait_gate(ctx);
	if (ctx->hold_us)
		udelay(ctx->hold_us);
	item->ran = true;
	atomic_dec(&ctx->in_flight);
	atomic_inc(&ctx->runs);
	if (atomic_inc_return(&ctx->items_finished) == ctx->nr_items)
		complete(&ctx->done);
}

static struct wqp_item *wqp_items_new(struct kunit *test, struct wqp_ctx *ctx,
				      unsigned int nr)
{
	struct wqp_item *items;
	unsigned int i;

	items = kunit_kcalloc(test, nr, sizeof(*items), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, items);
	for (i = 0; i < nr; i++) {
		wqp_init_work(ctx, &items[i].work, wqp_item_fn);
		items[i].ctx = ctx;
		items[i].id = i;
		items[i].ran_on = -1;
	}
	ctx->nr_items = nr;
	return items;
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

/*
 * Run @fn(@data, index, nr) once on each online CPU, concurrently, from
 * work items of a per-CPU queue, and wait (bounded) until all returned.
 */
struct wqp_spray;

struct wqp_driver {
	struct work_struct work;
	struct wqp_spray *spray;
	unsigned int index;
};

struct wqp_spray {
	void (*fn)(void *data, unsigned int index, unsigned int nr);
	void *data;
	unsigned int nr;
	atomic_t left;
	struct completion done;
	struct wqp_driver drivers[] __counted_by(nr);
};

static void wqp_driver_fn(struct work_struct *work)
{
	struct wqp_driver *drv = container_of(work, struct wqp_driver, work);
	struct wqp_spray *spray = drv->spray;

	spray->fn(spray->data, drv->index, spray->nr);
	if (atomic_dec_and_test(&spray->left))
		complete(&spray->done);
}

static unsigned int wqp_spray(struct kunit *test,
			      void (*fn)(void *data, unsigned int index,
					 unsigned int nr),
			      void *data)
{
	struct workqueue_struct *wq;
	struct wqp_spray *spray;
	unsigned int i = 0;
	int cpu;

	spray = kunit_kzalloc(test, struct_size(spray, drivers, nr_cpu_ids),
			      GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, spray);
	spray->nr = nr_cpu_ids;
	spray->fn = fn;
	spray->data = data;
	init_completion(&spray->done);
	/*
	 * Drivers may keep their CPU busy: keep them out of concurrency
	 * management, so that items they queue on the same CPU still run.
	 */
	wq = wqp_alloc_flags(test, "driver", WQ_PERCPU | WQ_CPU_INTENSIVE, 0,
			     NULL);

	cpus_read_lock();
	spray->nr = num_online_cpus();
	atomic_set(&spray->left, spray->nr);
	for_each_online_cpu(cpu) {
		struct wqp_driver *drv = &spray->drivers[i];

		INIT_WORK(&drv->work, wqp_driver_fn);
		drv->spray = spray;
		drv->index = i++;
		queue_work_on(cpu, wq, &drv->work);
	}
	cpus_read_unlock();

	KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&spray->done),
			      "drivers did not finish within %d s",
			      WQP_TIMEOUT_S);
	return spray->nr;
}

/* ---------------------------------------------------------------------
 * workqueue_patterns_queue: what queueing returns and where items run.
 */

/* queue_work() returns true, then false while the item is still pending. */
static void queue_work_false_while_pending(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx_new(test, test->param_value);
	bool first, second, pending;

	wqp_alloc(test, ctx, 1);
	wqp_init_work(ctx, &ctx->work, wqp_record_fn);

	wqp_hold(test, ctx);
	first = queue_work_on(ctx->cpu, ctx->wq, &ctx->work);
	second = queue_work_on(ctx->cpu, ctx->wq, &ctx->work);
	pending = work_pending(&ctx->work);
	wqp_unhold(ctx);

	flush_work(&ctx->work);
	KUNIT_EXPECT_TRUE(test, first);
	KUNIT_EXPECT_FALSE_MSG(test, second, "queued twice while pending");
	KUNIT_EXPECT_TRUE(test, pending);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->gate_timeouts), 0);
}

#define WQP_RUNS	50

/*
 * Every true return is exactly one execution, every false return none:
 * queue the item again and again while it runs, until it has run
 * WQP_RUNS times.
 */
static void queue_work_runs_once_per_true_return(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx_new(test, test->param_value);
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
 * current_work() is the item; BH handlers run in softirq context, where
 * current_work() is NULL.
 */
static void queue_handler_context(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx_new(test, test->param_value);

	wqp_alloc(test, ctx, 0);
	wqp_init_work(ctx, &ctx->work, wqp_record_fn);
	KUNIT_EXPECT_TRUE(test, queue_work(ctx->wq, &ctx->work));
	KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&ctx->done),
			      "handler did not run within %d s", WQP_TIMEOUT_S);
	flush_work(&ctx->work);

	if (ctx->kind->bh) {
		KUNIT_EXPECT_FALSE(test, ctx->seen_in_task);
		KUNIT_EXPECT_TRUE(test, ctx->seen_softirq);
		KUNIT_EXPECT_FALSE(test, ctx->seen_current_work);
	} else {
		KUNIT_EXPECT_TRUE(test, ctx->seen_in_task);
		KUNIT_EXPECT_TRUE(test, ctx->seen_wq_worker);
		KUNIT_EXPECT_TRUE(test, ctx->seen_current_work);
		KUNIT_EXPECT_FALSE(test, ctx->seen_softirq);
	}
}

/* queue_work_on() runs the item on the requested CPU. */
static void queue_work_on_runs_on_cpu(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx_new(test, test->param_value);
	struct wqp_item *items;
	unsigned int checked = 0;
	int cpu;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs at least 2 online CPUs, %u online",
			   num_online_cpus());

	items = wqp_items_new(test, ctx, nr_cpu_ids);
	wqp_alloc(test, ctx, 0);

	cpus_read_lock();
	for_each_online_cpu(cpu)
		items[cpu].queued = queue_work_on(cpu, ctx->wq,
						  &items[cpu].work);
	cpus_read_unlock();
	flush_workqueue(ctx->wq);

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
	struct wqp_ctx *ctx = wqp_ctx_new(test, &wqp_kinds[0]);

	ctx->wq = wqp_alloc_flags(test, "nice", param->flags, 0, NULL);
	wqp_init_work(ctx, &ctx->work, wqp_record_fn);
	queue_work(ctx->wq, &ctx->work);
	KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&ctx->done),
			      "handler did not run within %d s", WQP_TIMEOUT_S);
	flush_work(&ctx->work);
	KUNIT_EXPECT_EQ(test, ctx->seen_nice, param->nice);
}

struct wqp_reclaim_case {
	const char *desc;
	const char *name;
	unsigned int flags;
	bool reclaim;
};

/* A rescuer's comm shows the first 5 characters of the queue name. */
static const struct wqp_reclaim_case wqp_reclaim_cases[] = {
	{ "WQ_MEM_RECLAIM", "reclaim", WQ_UNBOUND | WQ_MEM_RECLAIM, true },
	{ "no WQ_MEM_RECLAIM", "plain", WQ_UNBOUND, false },
};

KUNIT_ARRAY_PARAM_DESC(wqp_reclaim, wqp_reclaim_cases, desc);

/*
 * A WQ_MEM_RECLAIM queue owns a rescuer thread, kworker/R-<name>, that
 * guarantees forward progress when no new worker can be created, and its
 * handlers see current_is_workqueue_mem_reclaim(); a plain queue has
 * neither.
 */
static void queue_mem_reclaim_rescuer(struct kunit *test)
{
	const struct wqp_reclaim_case *param = test->param_value;
	struct wqp_ctx *ctx = wqp_ctx_new(test, &wqp_kinds[1]);
	struct task_struct *rescuer;
	char name[32];

	ctx->wq = wqp_alloc_flags(test, param->name, param->flags, 0, NULL);
	snprintf(name, sizeof(name), "wqp_%s", param->name);
	rescuer = wqp_find_rescuer(name);
	if (rescuer)
		wqp_add_action(test, wqp_put_task_struct, rescuer);

	wqp_init_work(ctx, &ctx->work, wqp_record_fn);
	queue_work(ctx->wq, &ctx->work);
	KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&ctx->done),
			      "handler did not run within %d s", WQP_TIMEOUT_S);
	flush_work(&ctx->work);

	KUNIT_EXPECT_EQ_MSG(test, !!rescuer, param->reclaim,
			    "rescuer thread of %s", name);
	KUNIT_EXPECT_EQ(test, ctx->seen_mem_reclaim, param->reclaim);
}

static void wqp_devm_released(void *data)
{
	struct wqp_ctx *ctx = data;

	/* Registered before the queue, so it runs after its release. */
	ctx->runs_at_release = atomic_read(&ctx->runs);
	WRITE_ONCE(ctx->finished, true);
}

/*
 * devm_alloc_workqueue(): when the device goes, the queue is drained and
 * destroyed (every queued item has run and its rescuer thread has exited)
 * before devres actions registered earlier run.
 */
static void queue_devm_released_with_device(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx_new(test, &wqp_kinds[1]);
	const unsigned int nr = 8;
	struct task_struct *rescuer;
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
	rescuer = wqp_find_rescuer("wqp_devm");
	KUNIT_ASSERT_NOT_NULL_MSG(test, rescuer, "no rescuer for wqp_devm");
	wqp_add_action(test, wqp_put_task_struct, rescuer);

	for (i = 0; i < nr; i++)
		queue_work(wq, &items[i].work);
	kunit_device_unregister(test, dev);

	KUNIT_EXPECT_TRUE(test, READ_ONCE(ctx->finished));
	KUNIT_EXPECT_EQ_MSG(test, ctx->runs_at_release, nr,
			    "items run when the device was released");
	KUNIT_EXPECT_TRUE_MSG(test, READ_ONCE(rescuer->flags) & PF_EXITING,
			      "rescuer of the devm queue still running");
}

static struct kunit_case wqp_queue_cases[] = {
	KUNIT_CASE_PARAM(queue_work_false_while_pending, wqp_kinds_gen_params),
	KUNIT_CASE_PARAM(queue_work_runs_once_per_true_return,
			 wqp_kinds_gen_params),
	KUNIT_CASE_PARAM(queue_handler_context, wqp_kinds_gen_params),
	KUNIT_CASE_PARAM(queue_work_on_runs_on_cpu, wqp_cpu_kinds_gen_params),
	KUNIT_CASE_PARAM(queue_worker_nice, wqp_nice_gen_params),
	KUNIT_CASE_PARAM(queue_mem_reclaim_rescuer, wqp_reclaim_gen_params),
	KUNIT_CASE(queue_devm_released_with_device),
	{}
};

static struct kunit_suite wqp_queue_suite = {
	.name = "workqueue_patterns_queue",
	.test_cases = wqp_queue_cases,
};

/* ---------------------------------------------------------------------
 * workqueue_patterns_flush: what flushing guarantees on return.
 */

/* flush_work() returns only after the running handler has finished. */
static void flush_work_waits_for_handler(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx_new(test, test->param_value);
	bool waited;

	wqp_alloc(test, ctx, 0);
	if (ctx->kind->bh) {
		/* BH handlers cannot sleep: flush a queued item instead. */
		wqp_init_work(ctx, &ctx->work, wqp_record_fn);
		queue_work(ctx->wq, &ctx->work);
		flush_work(&ctx->work);
		KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), 1);
		return;
	}

	wqp_init_work(ctx, &ctx->work, wqp_gated_fn);
	queue_work(ctx->wq, &ctx->work);
	KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&ctx->started),
			      "handler did not start within %d s",
			      WQP_TIMEOUT_S);
	wqp_release_gate_when_blocked(ctx);
	waited = flush_work(&ctx->work);

	KUNIT_EXPECT_TRUE(test, waited);
	KUNIT_EXPECT_TRUE_MSG(test, READ_ONCE(ctx->gate_released),
			      "flush_work() returned before the handler was released");
	KUNIT_EXPECT_TRUE(test, READ_ONCE(ctx->finished));
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->gate_timeouts), 0);
}

/* flush_delayed_work() runs a pending delayed item now and waits for it. */
static void flush_delayed_work_runs_now(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx_new(test, test->param_value);

	wqp_alloc(test, ctx, 0);
	wqp_init_delayed_work(ctx, &ctx->dwork, wqp_dwork_fn);
	wqp_add_action(test, wqp_disable_delayed_work_sync, &ctx->dwork);

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
	struct wqp_ctx *ctx = wqp_ctx_new(test, test->param_value);
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
		wqp_release_gate_when_blocked(ctx);
	flush_workqueue(ctx->wq);

	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), nr);
	for (i = 0; i < nr; i++)
		KUNIT_EXPECT_TRUE_MSG(test, items[i].ran, "item %u", i);
	if (items[0].gated)
		KUNIT_EXPECT_TRUE(test, READ_ONCE(ctx->gate_released));
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->gate_timeouts), 0);
}

#define WQP_CHAIN	50

static void wqp_chain_fn(struct work_struct *work)
{
	struct wqp_ctx *ctx = container_of(work, struct wqp_ctx, work);

	if (atomic_inc_return(&ctx->runs) < WQP_CHAIN)
		queue_work(ctx->wq, work);
}

/*
 * drain_workqueue() also waits for items that re-queue themselves.  Not
 * on BH queues: is_chained_work() does not recognise a BH worker, so
 * drain_workqueue() refuses a BH item's own re-queueing with a WARN.
 */
static void drain_workqueue_waits_for_chain(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx_new(test, test->param_value);

	wqp_alloc(test, ctx, 0);
	wqp_init_work(ctx, &ctx->work, wqp_chain_fn);
	queue_work(ctx->wq, &ctx->work);
	drain_workqueue(ctx->wq);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), WQP_CHAIN);
	KUNIT_EXPECT_FALSE(test, work_pending(&ctx->work));
	/* The queue accepts work again after draining. */
	KUNIT_EXPECT_TRUE(test, queue_work(ctx->wq, &ctx->work));
	flush_workqueue(ctx->wq);
}

static struct kunit_case wqp_flush_cases[] = {
	KUNIT_CASE_PARAM(flush_work_waits_for_handler, wqp_kinds_gen_params),
	KUNIT_CASE_PARAM(flush_delayed_work_runs_now, wqp_kinds_gen_params),
	KUNIT_CASE_PARAM(flush_workqueue_waits_for_all, wqp_kinds_gen_params),
	KUNIT_CASE_PARAM(drain_workqueue_waits_for_chain,
			 wqp_task_kinds_gen_params),
	{}
};

static struct kunit_suite wqp_flush_suite = {
	.name = "workqueue_patterns_flush",
	.test_cases = wqp_flush_cases,
};

/* ---------------------------------------------------------------------
 * workqueue_patterns_cancel: cancel, disable and enable.
 */

/* cancel_work_sync() on a pending item returns true; it never runs. */
static void cancel_pending_returns_true(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx_new(test, test->param_value);
	bool queued, cancelled, pending;

	wqp_alloc(test, ctx, 1);
	wqp_init_work(ctx, &ctx->work, wqp_record_fn);

	wqp_hold(test, ctx);
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

/* cancel_work_sync() on an idle item returns false. */
static void cancel_idle_returns_false(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx_new(test, &wqp_kinds[0]);

	wqp_alloc(test, ctx, 0);
	wqp_init_work(ctx, &ctx->work, wqp_record_fn);
	KUNIT_EXPECT_FALSE(test, cancel_work_sync(&ctx->work));

	queue_work(ctx->wq, &ctx->work);
	flush_work(&ctx->work);
	KUNIT_EXPECT_FALSE(test, cancel_work_sync(&ctx->work));
	KUNIT_EXPECT_FALSE(test, cancel_work(&ctx->work));
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), 1);
	/* Cancelling does not disable: the item can be queued again. */
	KUNIT_EXPECT_TRUE(test, queue_work(ctx->wq, &ctx->work));
	flush_work(&ctx->work);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), 2);
}

/* cancel_work_sync() on a running item waits until the handler returns. */
static void cancel_sync_waits_for_running(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx_new(test, test->param_value);
	bool cancelled;

	wqp_alloc(test, ctx, 0);
	wqp_init_work(ctx, &ctx->work, wqp_gated_fn);
	queue_work(ctx->wq, &ctx->work);
	KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&ctx->started),
			      "handler did not start within %d s",
			      WQP_TIMEOUT_S);
	wqp_release_gate_when_blocked(ctx);
	cancelled = cancel_work_sync(&ctx->work);

	KUNIT_EXPECT_FALSE_MSG(test, cancelled, "running, not pending");
	KUNIT_EXPECT_TRUE_MSG(test, READ_ONCE(ctx->gate_released),
			      "returned before the handler was released");
	KUNIT_EXPECT_FALSE(test, READ_ONCE(ctx->running));
	KUNIT_EXPECT_TRUE(test, READ_ONCE(ctx->finished));
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->gate_timeouts), 0);
}

/* disable_work() nests: the item can be queued only at depth 0 again. */
static void disable_work_counts_depth(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx_new(test, &wqp_kinds[0]);
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
	wqp_hold(test, ctx);
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
	struct wqp_ctx *ctx = wqp_ctx_new(test, &wqp_kinds[0]);

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
	KUNIT_CASE(cancel_idle_returns_false),
	KUNIT_CASE_PARAM(cancel_sync_waits_for_running,
			 wqp_task_kinds_gen_params),
	KUNIT_CASE(disable_work_counts_depth),
	KUNIT_CASE(enable_and_queue_work_at_depth_zero),
	{}
};

static struct kunit_suite wqp_cancel_suite = {
	.name = "workqueue_patterns_cancel",
	.test_cases = wqp_cancel_cases,
};

/* ---------------------------------------------------------------------
 * workqueue_patterns_delayed: delayed and RCU work.
 */

/* Delayed work never runs before its delay has passed. */
static void delayed_work_never_early(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx_new(test, test->param_value);
	unsigned long delay = msecs_to_jiffies(50) + 1;
	unsigned long queued_at;

	wqp_alloc(test, ctx, 0);
	wqp_init_delayed_work(ctx, &ctx->dwork, wqp_dwork_fn);
	wqp_add_action(test, wqp_disable_delayed_work_sync, &ctx->dwork);

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

/* cancel_delayed_work() before expiry: true, and the item never runs. */
static void cancel_delayed_work_before_expiry(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx_new(test, &wqp_kinds[0]);

	wqp_alloc(test, ctx, 0);
	wqp_init_delayed_work(ctx, &ctx->dwork, wqp_dwork_fn);
	wqp_add_action(test, wqp_disable_delayed_work_sync, &ctx->dwork);

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
	struct wqp_ctx *ctx = wqp_ctx_new(test, &wqp_kinds[0]);
	unsigned int i, modified = 0;

	wqp_alloc(test, ctx, 0);
	wqp_init_delayed_work(ctx, &ctx->dwork, wqp_dwork_fn);
	wqp_add_action(test, wqp_disable_delayed_work_sync, &ctx->dwork);

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

/*
 * queue_rcu_work() runs the item after a full grace period: not while a
 * reader that was running when it was queued is still inside
 * rcu_read_lock(), and the handler sees that reader's stores.
 */
static void queue_rcu_work_after_grace_period(struct kunit *test)
{
	struct workqueue_struct *wq;
	bool first, second;
	struct wqp_rcu *r;
	int runs_in_reader;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	init_completion(&r->done);
	INIT_RCU_WORK(&r->rwork, wqp_rcu_fn);
	wq = wqp_alloc_flags(test, "rcu", WQ_PERCPU, 0, NULL);
	wqp_add_action(test, wqp_flush_rcu_work, &r->rwork);

	rcu_read_lock();
	r->cookie = get_state_synchronize_rcu();
	first = queue_rcu_work(wq, &r->rwork);
	second = queue_rcu_work(wq, &r->rwork);
	runs_in_reader = atomic_read(&r->runs);
	WRITE_ONCE(r->reader_done, true);
	rcu_read_unlock();

	KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&r->done),
			      "RCU work did not run within %d s",
			      WQP_TIMEOUT_S);
	flush_rcu_work(&r->rwork);
	KUNIT_EXPECT_TRUE(test, first);
	KUNIT_EXPECT_FALSE_MSG(test, second, "queued twice while pending");
	KUNIT_EXPECT_EQ(test, runs_in_reader, 0);
	KUNIT_EXPECT_TRUE(test, r->saw_grace_period);
	KUNIT_EXPECT_TRUE(test, r->saw_reader_done);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->runs), 1);
}

static struct kunit_case wqp_delayed_cases[] = {
	KUNIT_CASE_PARAM(delayed_work_never_early, wqp_kinds_gen_params),
	KUNIT_CASE(cancel_delayed_work_before_expiry),
	KUNIT_CASE(mod_delayed_work_collapses),
	KUNIT_CASE(queue_rcu_work_after_grace_period),
	{}
};

static struct kunit_suite wqp_delayed_suite = {
	.name = "workqueue_patterns_delayed",
	.test_cases = wqp_delayed_cases,
};

/* ---------------------------------------------------------------------
 * workqueue_patterns_order: non-reentrancy, ordering and max_active.
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
	struct wqp_ctx *ctx = wqp_ctx_new(test, test->param_value);
	unsigned int drivers;

	ctx->cpus_seen = kunit_kcalloc(test, BITS_TO_LONGS(nr_cpu_ids),
				       sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->cpus_seen);
	wqp_alloc(test, ctx, 0);
	wqp_init_work(ctx, &ctx->work, wqp_reentrant_fn);

	drivers = wqp_spray(test, wqp_requeue_driver, ctx);
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
	struct wqp_ctx *ctx = wqp_ctx_new(test, &wqp_kinds[2]);
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

struct wqp_active_case {
	const char *desc;
	int max_active;
};

static const struct wqp_active_case wqp_active_cases[] = {
	{ "max_active 1", 1 },
	{ "max_active 2", 2 },
	{ "max_active 4", 4 },
};

KUNIT_ARRAY_PARAM_DESC(wqp_active, wqp_active_cases, desc);

/*
 * A per-CPU queue runs at most max_active items at once on a CPU, and
 * does run that many when they all sleep.
 */
static void percpu_max_active_limit(struct kunit *test)
{
	const struct wqp_active_case *param = test->param_value;
	struct wqp_ctx *ctx = wqp_ctx_new(test, &wqp_kinds[0]);
	const unsigned int nr = 12;
	struct wqp_item *items;
	unsigned int i;
	int started;

	items = wqp_items_new(test, ctx, nr);
	for (i = 0; i < nr; i++)
		items[i].gated = true;
	ctx->started_goal = param->max_active;
	ctx->hold_us = 100;
	wqp_alloc(test, ctx, param->max_active);

	ctx->cpu = raw_smp_processor_id();
	for (i = 0; i < nr; i++)
		queue_work_on(ctx->cpu, ctx->wq, &items[i].work);
	KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&ctx->started),
			      "%d items did not start within %d s",
			      param->max_active, WQP_TIMEOUT_S);
	/* All started items sleep on the gate: no more may start. */
	started = atomic_read(&ctx->items_started);
	complete_all(&ctx->gate);
	KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&ctx->done),
			      "items did not finish within %d s",
			      WQP_TIMEOUT_S);
	flush_workqueue(ctx->wq);

	KUNIT_EXPECT_EQ(test, started, param->max_active);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->max_in_flight),
			param->max_active);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), nr);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->gate_timeouts), 0);
}

static struct kunit_case wqp_order_cases[] = {
	KUNIT_CASE_PARAM(non_reentrant_across_cpus, wqp_kinds_gen_params),
	KUNIT_CASE(ordered_strict_fifo),
	KUNIT_CASE_PARAM(percpu_max_active_limit, wqp_active_gen_params),
	{}
};

static struct kunit_suite wqp_order_suite = {
	.name = "workqueue_patterns_order",
	.test_cases = wqp_order_cases,
};

/* ---------------------------------------------------------------------
 * workqueue_patterns_idioms: the patterns drivers build from the API.
 */

#define WQP_PERIODIC_RUNS	5

static void wqp_periodic_fn(struct work_struct *work)
{
	struct wqp_ctx *ctx = container_of(to_delayed_work(work),
					   struct wqp_ctx, dwork);

	if (atomic_inc_return(&ctx->runs) == WQP_PERIODIC_RUNS)
		complete(&ctx->done);
	/* Re-arm; refused once the item is disabled. */
	if (!queue_delayed_work(ctx->wq, &ctx->dwork, 1))
		atomic_inc(&ctx->refused);
}

/*
 * Self-rearming periodic work stops for good with
 * disable_delayed_work_sync(): nothing pending, and every later attempt
 * to queue it, its own or anyone's, is refused until enable.
 */
static void periodic_work_stops_when_disabled(struct kunit *test)
{
	struct wqp_ctx *ctx = wqp_ctx_new(test, &wqp_kinds[0]);
	int runs;

	wqp_alloc(test, ctx, 0);
	wqp_init_delayed_work(ctx, &ctx->dwork, wqp_periodic_fn);
	wqp_add_action(test, wqp_disable_delayed_work_sync, &ctx->dwork);

	queue_delayed_work(ctx->wq, &ctx->dwork, 1);
	KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&ctx->done),
			      "%d periods did not pass within %d s",
			      WQP_PERIODIC_RUNS, WQP_TIMEOUT_S);
	disable_delayed_work_sync(&ctx->dwork);
	runs = atomic_read(&ctx->runs);
	kunit_info(test, "%d runs, own re-arm refused %d times\n", runs,
		   atomic_read(&ctx->refused));

	KUNIT_EXPECT_FALSE(test, delayed_work_pending(&ctx->dwork));
	KUNIT_EXPECT_FALSE(test, timer_pending(&ctx->dwork.timer));
	KUNIT_EXPECT_FALSE(test, queue_delayed_work(ctx->wq, &ctx->dwork, 0));
	KUNIT_EXPECT_FALSE(test, mod_delayed_work(ctx->wq, &ctx->dwork, 0));
	flush_workqueue(ctx->wq);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->runs), runs);
	KUNIT_EXPECT_GE(test, runs, WQP_PERIODIC_RUNS);

	/* enable undoes disable but queues nothing by itself. */
	KUNIT_EXPECT_TRUE(test, enable_delayed_work(&ctx->dwork));
	KUNIT_EXPECT_FALSE(test, delayed_work_pending(&ctx->dwork));
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
 * Batching: producers on every CPU add to a lock-free list and queue one
 * work item that takes the whole list; every entry is delivered exactly
 * once although most queue_work() calls find the item already pending.
 */
static void batching_delivers_exactly_once(struct kunit *test)
{
	unsigned int i, wrong = 0, drivers;
	struct wqp_batch *b;

	b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	b->items = kunit_kcalloc(test, WQP_BATCH_ITEMS, sizeof(*b->items),
				 GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b->items);
	init_llist_head(&b->list);
	INIT_WORK(&b->work, wqp_batch_consume);
	b->wq = wqp_alloc_flags(test, "batch", WQ_UNBOUND, 0, NULL);

	drivers = wqp_spray(test, wqp_batch_produce, b);
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

struct wqp_request {
	struct work_struct work;
	struct completion done;
	unsigned int n;
	unsigned long result;
};

static void wqp_request_fn(struct work_struct *work)
{
	struct wqp_request *req = container_of(work, struct wqp_request, work);
	unsigned long sum = 0;
	unsigned int i;

	for (i = 1; i <= req->n; i++)
		sum += i;
	req->result = sum;
	complete(&req->done);
}

/*
 * Waiting for a result with a completion, with the request on the stack:
 * INIT_WORK_ONSTACK(), a bounded wait, then the item must be idle (here
 * cancel_work_sync()) before destroy_work_on_stack() and return.
 */
static void completion_waits_for_result(struct kunit *test)
{
	struct wqp_request req = { .n = 1000 };
	struct workqueue_struct *wq;
	bool finished;

	wq = wqp_alloc_flags(test, "request", WQ_UNBOUND, 0, NULL);
	INIT_WORK_ONSTACK(&req.work, wqp_request_fn);
	init_completion(&req.done);

	queue_work(wq, &req.work);
	finished = wait_for_completion_timeout(&req.done, WQP_TIMEOUT);
	cancel_work_sync(&req.work);
	destroy_work_on_stack(&req.work);

	KUNIT_EXPECT_TRUE_MSG(test, finished, "no result within %d s",
			      WQP_TIMEOUT_S);
	KUNIT_EXPECT_EQ(test, req.result, 500500UL);
}

struct wqp_event {
	struct llist_node node;
};

struct wqp_pipe {
	struct workqueue_struct *wq;
	struct timer_list timer;
	struct work_struct work;
	struct llist_head events;
	struct completion progress;
	atomic_t allocated;
	atomic_t alloc_failed;
	atomic_t freed_by_work;
	atomic_t freed_at_teardown;
	bool progressed;
};

#define WQP_PIPE_PROGRESS	16

/* The producer: a timer that allocates events and kicks the consumer. */
static void wqp_pipe_timer_fn(struct timer_list *timer)
{
	struct wqp_pipe *p = timer_container_of(p, timer, timer);
	struct wqp_event *ev = kmalloc_obj(*ev, GFP_ATOMIC);

	if (ev) {
		atomic_inc(&p->allocated);
		llist_add(&ev->node, &p->events);
	} else {
		atomic_inc(&p->alloc_failed);
	}
	queue_work(p->wq, &p->work);
	mod_timer(&p->timer, jiffies + 1);
}

static void wqp_pipe_work_fn(struct work_struct *work)
{
	struct wqp_pipe *p = container_of(work, struct wqp_pipe, work);
	struct wqp_event *ev, *next;

	llist_for_each_entry_safe(ev, next, llist_del_all(&p->events), node) {
		kfree(ev);
		atomic_inc(&p->freed_by_work);
	}
	if (atomic_read(&p->freed_by_work) >= WQP_PIPE_PROGRESS &&
	    !p->progressed) {
		p->progressed = true;
		complete(&p->progress);
	}
}

/*
 * The teardown order the pattern teaches: stop the producer for good,
 * then disable the consumer and wait for it, then free what is left.
 */
static void wqp_pipe_teardown(void *data)
{
	struct wqp_pipe *p = data;
	struct wqp_event *ev, *next;

	timer_shutdown_sync(&p->timer);
	disable_work_sync(&p->work);
	llist_for_each_entry_safe(ev, next, llist_del_all(&p->events), node) {
		kfree(ev);
		atomic_inc(&p->freed_at_teardown);
	}
}

/*
 * Cancellation with cleanup: tearing down a timer -> work pipeline while
 * it runs frees every event it allocated, exactly once (KASAN and
 * kmemleak watch the same frees).
 */
static void teardown_frees_everything(struct kunit *test)
{
	struct wqp_pipe *p;
	int allocated, freed;

	p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	init_llist_head(&p->events);
	init_completion(&p->progress);
	INIT_WORK(&p->work, wqp_pipe_work_fn);
	timer_setup(&p->timer, wqp_pipe_timer_fn, 0);
	p->wq = wqp_alloc_flags(test, "pipe", WQ_PERCPU, 0, NULL);
	wqp_add_action(test, wqp_pipe_teardown, p);

	mod_timer(&p->timer, jiffies + 1);
	KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&p->progress),
			      "pipeline made no progress within %d s",
			      WQP_TIMEOUT_S);
	/* Tear down while the timer and the work keep running. */
	kunit_release_action(test, wqp_pipe_teardown, p);

	allocated = atomic_read(&p->allocated);
	freed = atomic_read(&p->freed_by_work) +
		atomic_read(&p->freed_at_teardown);
	kunit_info(test, "%d events: %d freed by the work, %d at teardown, %d allocations failed\n",
		   allocated, atomic_read(&p->freed_by_work),
		   atomic_read(&p->freed_at_teardown),
		   atomic_read(&p->alloc_failed));
	KUNIT_EXPECT_EQ_MSG(test, freed, allocated, "events leaked or freed twice");
	KUNIT_EXPECT_TRUE(test, llist_empty(&p->events));
	KUNIT_EXPECT_FALSE(test, timer_pending(&p->timer));
	KUNIT_EXPECT_FALSE(test, work_pending(&p->work));
	KUNIT_EXPECT_FALSE_MSG(test, queue_work(p->wq, &p->work),
			       "consumer accepts work after teardown");
}

static struct kunit_case wqp_idioms_cases[] = {
	KUNIT_CASE(periodic_work_stops_when_disabled),
	KUNIT_CASE(batching_delivers_exactly_once),
	KUNIT_CASE(completion_waits_for_result),
	KUNIT_CASE(teardown_frees_everything),
	{}
};

static struct kunit_suite wqp_idioms_suite = {
	.name = "workqueue_patterns_idioms",
	.test_cases = wqp_idioms_cases,
};

/* ---------------------------------------------------------------------
 * workqueue_patterns_irq: hard interrupt -> work hand-off.
 *
 * An irq_sim interrupt stands in for a device: setting its pending state
 * runs the handler in hard-IRQ context.  The handler records each edge
 * into a FIFO and queues a consumer; the accounting is the one of the
 * GPIO sample driver: edges seen = handled + debounced + dropped, where
 * an edge that finds the FIFO full is dropped for that reason.
 */

#define WQP_FIFO_SIZE	16

struct wqp_edge {
	unsigned int seq;
};

struct wqp_irq {
	struct wqp_ctx *ctx;
	struct irq_domain *domain;
	unsigned int virq;
	bool requested;
	bool debounce;
	DECLARE_KFIFO(fifo, struct wqp_edge, WQP_FIFO_SIZE);
	struct work_struct consumer;
	struct delayed_work debouncer;
	struct completion fired;
	unsigned int next_seq;
	unsigned int last_seq;
	atomic_t edges;
	atomic_t not_hardirq;
	atomic_t queued;
	atomic_t coalesced;
	atomic_t handled;
	atomic_t debounced;
	atomic_t dropped_fifo_full;
	atomic_t out_of_order;
	atomic_t consumer_runs;
};

static irqreturn_t wqp_irq_handler(int irq, void *data)
{
	struct wqp_irq *wi = data;
	struct wqp_edge edge = { .seq = ++wi->next_seq };

	atomic_inc(&wi->edges);
	if (!in_hardirq())
		atomic_inc(&wi->not_hardirq);
	if (!kfifo_put(&wi->fifo, edge))
		atomic_inc(&wi->dropped_fifo_full);

	if (wi->debounce)
		mod_delayed_work(wi->ctx->wq, &wi->debouncer, WQP_NEVER);
	else if (queue_work(wi->ctx->wq, &wi->consumer))
		atomic_inc(&wi->queued);
	else
		atomic_inc(&wi->coalesced);

	complete(&wi->fired);
	return IRQ_HANDLED;
}

/* Take one edge from the FIFO; the FIFO has one reader at a time. */
static bool wqp_irq_take(struct wqp_irq *wi)
{
	struct wqp_edge edge;

	if (!kfifo_get(&wi->fifo, &edge))
		return false;
	if (edge.seq <= wi->last_seq)
		atomic_inc(&wi->out_of_order);
	wi->last_seq = edge.seq;
	return true;
}

static void wqp_irq_consume(struct work_struct *work)
{
	struct wqp_irq *wi = container_of(work, struct wqp_irq, consumer);

	while (wqp_irq_take(wi)) {
		atomic_inc(&wi->handled);
		complete(&wi->ctx->done);
	}
	atomic_inc(&wi->consumer_runs);
}

/* Debounce: only the last edge of a burst counts, the others bounced. */
static void wqp_irq_debounce(struct work_struct *work)
{
	struct wqp_irq *wi = container_of(to_delayed_work(work),
					  struct wqp_irq, debouncer);
	unsigned int n = 0;

	while (wqp_irq_take(wi))
		n++;
	if (n) {
		atomic_inc(&wi->handled);
		atomic_add(n - 1, &wi->debounced);
	}
	atomic_inc(&wi->consumer_runs);
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

static struct wqp_irq *wqp_irq_new(struct kunit *test, unsigned int kind)
{
	struct wqp_irq *wi;
	int ret;

	wi = kunit_kzalloc(test, sizeof(*wi), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, wi);
	wi->ctx = wqp_ctx_new(test, &wqp_kinds[kind]);
	INIT_KFIFO(wi->fifo);
	INIT_WORK(&wi->consumer, wqp_irq_consume);
	INIT_DELAYED_WORK(&wi->debouncer, wqp_irq_debounce);
	init_completion(&wi->fired);
	wqp_alloc(test, wi->ctx, 0);
	wqp_add_action(test, wqp_disable_work_sync, &wi->consumer);
	wqp_add_action(test, wqp_disable_delayed_work_sync, &wi->debouncer);

	wi->domain = irq_domain_create_sim(NULL, 1);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, wi->domain);
	wqp_add_action(test, wqp_irq_teardown, wi);
	wi->virq = irq_create_mapping(wi->domain, 0);
	KUNIT_ASSERT_NE_MSG(test, wi->virq, 0, "cannot map the simulated IRQ");
	ret = request_irq(wi->virq, wqp_irq_handler, 0, "wqp-edge", wi);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "request_irq: %d", ret);
	wi->requested = true;
	return wi;
}

/* Fire @n edges, one at a time; each must reach the hard-IRQ handler. */
static void wqp_irq_fire(struct kunit *test, struct wqp_irq *wi,
			 unsigned int n, bool wait_handled)
{
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = irq_set_irqchip_state(wi->virq, IRQCHIP_STATE_PENDING,
					    true);
		KUNIT_ASSERT_EQ_MSG(test, ret, 0, "edge %u: cannot fire: %d",
				    i, ret);
		KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&wi->fired),
				      "edge %u: no interrupt within %d s", i,
				      WQP_TIMEOUT_S);
		if (wait_handled)
			KUNIT_ASSERT_TRUE_MSG(test, wqp_wait(&wi->ctx->done),
					      "edge %u: not handled within %d s",
					      i, WQP_TIMEOUT_S);
	}
}

static void wqp_irq_expect_accounted(struct kunit *test, struct wqp_irq *wi,
				     unsigned int n)
{
	int handled = atomic_read(&wi->handled);
	int debounced = atomic_read(&wi->debounced);
	int dropped = atomic_read(&wi->dropped_fifo_full);

	kunit_info(test, "%u edges: %d handled, %d debounced, %d dropped (FIFO full), %d consumer runs\n",
		   n, handled, debounced, dropped,
		   atomic_read(&wi->consumer_runs));
	KUNIT_EXPECT_EQ(test, atomic_read(&wi->edges), n);
	KUNIT_EXPECT_EQ_MSG(test, handled + debounced + dropped, n,
			    "edges lost or counted twice");
	KUNIT_EXPECT_EQ(test, atomic_read(&wi->not_hardirq), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&wi->out_of_order), 0);
}

/*
 * A consumer that keeps up handles every edge, and runs once per
 * successful queueing.  (An edge may still find the consumer pending:
 * the previous run can take its event from the FIFO before the run
 * queued for it starts.)
 */
static void irq_handoff_every_edge_handled(struct kunit *test)
{
	struct wqp_irq *wi = wqp_irq_new(test, 0);
	const unsigned int n = 32;

	wqp_irq_fire(test, wi, n, true);
	flush_work(&wi->consumer);

	wqp_irq_expect_accounted(test, wi, n);
	KUNIT_EXPECT_EQ(test, atomic_read(&wi->handled), n);
	KUNIT_EXPECT_EQ(test, atomic_read(&wi->queued) +
			atomic_read(&wi->coalesced), n);
	KUNIT_EXPECT_EQ(test, atomic_read(&wi->consumer_runs),
			atomic_read(&wi->queued));
}

/*
 * Edges that arrive while the consumer is still pending coalesce into
 * its one run; none is lost.  The ordered queue is held busy by a
 * blocker, so the consumer stays pending while the edges come in.
 */
static void irq_handoff_coalesces_while_pending(struct kunit *test)
{
	struct wqp_irq *wi = wqp_irq_new(test, 2);
	const unsigned int n = WQP_FIFO_SIZE / 2;
	int handled_early;

	wqp_hold(test, wi->ctx);
	wqp_irq_fire(test, wi, n, false);
	handled_early = atomic_read(&wi->handled);
	wqp_unhold(wi->ctx);
	flush_work(&wi->consumer);

	wqp_irq_expect_accounted(test, wi, n);
	KUNIT_EXPECT_EQ(test, handled_early, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&wi->queued), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&wi->coalesced), n - 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&wi->handled), n);
	KUNIT_EXPECT_EQ(test, atomic_read(&wi->consumer_runs), 1);
}

/* With the consumer held up, edges beyond the FIFO size are dropped. */
static void irq_handoff_full_fifo_drops(struct kunit *test)
{
	struct wqp_irq *wi = wqp_irq_new(test, 2);
	const unsigned int n = WQP_FIFO_SIZE + 8;

	wqp_hold(test, wi->ctx);
	wqp_irq_fire(test, wi, n, false);
	wqp_unhold(wi->ctx);
	flush_work(&wi->consumer);

	wqp_irq_expect_accounted(test, wi, n);
	KUNIT_EXPECT_EQ(test, atomic_read(&wi->handled), WQP_FIFO_SIZE);
	KUNIT_EXPECT_EQ(test, atomic_read(&wi->dropped_fifo_full), 8);
}

/*
 * Software debounce with mod_delayed_work(): each edge pushes the
 * deadline back, one run handles the last edge of the burst.  The
 * quiet period is ended with flush_delayed_work() rather than waited
 * for, so that timing cannot change the result; a driver uses a few
 * milliseconds.
 */
static void irq_handoff_debounce(struct kunit *test)
{
	struct wqp_irq *wi = wqp_irq_new(test, 0);
	const unsigned int n = WQP_FIFO_SIZE + 4;
	bool pending;

	wi->debounce = true;
	wqp_irq_fire(test, wi, n, false);
	pending = delayed_work_pending(&wi->debouncer);
	flush_delayed_work(&wi->debouncer);

	wqp_irq_expect_accounted(test, wi, n);
	KUNIT_EXPECT_TRUE(test, pending);
	KUNIT_EXPECT_EQ(test, atomic_read(&wi->handled), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&wi->debounced), WQP_FIFO_SIZE - 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&wi->dropped_fifo_full), 4);
	KUNIT_EXPECT_EQ(test, atomic_read(&wi->consumer_runs), 1);
}

static struct kunit_case wqp_irq_cases[] = {
	KUNIT_CASE(irq_handoff_every_edge_handled),
	KUNIT_CASE(irq_handoff_coalesces_while_pending),
	KUNIT_CASE(irq_handoff_full_fifo_drops),
	KUNIT_CASE(irq_handoff_debounce),
	{}
};

static struct kunit_suite wqp_irq_suite = {
	.name = "workqueue_patterns_irq",
	.test_cases = wqp_irq_cases,
};

kunit_test_suites(&wqp_queue_suite, &wqp_flush_suite, &wqp_cancel_suite,
		  &wqp_delayed_suite, &wqp_order_suite, &wqp_idioms_suite,
		  &wqp_irq_suite);

MODULE_DESCRIPTION("KUnit tests for workqueue semantics and usage patterns");
MODULE_LICENSE("GPL");
