// SPDX-License-Identifier: GPL-2.0
/*
 * Fixture of the workqueue KUnit suites: see test_workqueue_patterns.h.
 */

#include <kunit/resource.h>
#include <kunit/test.h>

#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "test_workqueue_patterns.h"

const struct wqp_kind wqp_kinds[WQP_NR_KINDS] = {
	[WQP_PCPU] = { .desc = "per-CPU", .name = "pcpu", .flags = WQ_PERCPU },
	[WQP_UNBOUND] = { .desc = "unbound", .name = "unbound",
			  .flags = WQ_UNBOUND },
	[WQP_ORDERED] = { .desc = "ordered", .name = "ordered",
			  .ordered = true },
	[WQP_HIGHPRI] = { .desc = "high priority", .name = "highpri",
			  .flags = WQ_PERCPU | WQ_HIGHPRI },
	[WQP_BH] = { .desc = "BH", .name = "bh", .flags = WQ_BH | WQ_PERCPU,
		     .bh = true },
};

const void *wqp_kind_next(const void *prev, char *desc,
			  bool (*want)(const struct wqp_kind *kind))
{
	const struct wqp_kind *kind = prev ? (const struct wqp_kind *)prev + 1 :
					     wqp_kinds;

	for (; kind < wqp_kinds + WQP_NR_KINDS; kind++) {
		if (!want || want(kind)) {
			strscpy(desc, kind->desc, KUNIT_PARAM_DESC_SIZE);
			return kind;
		}
	}
	return NULL;
}

void wqp_add_action(struct kunit *test, kunit_action_t *action, void *data)
{
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, action, data), 0);
}

void wqp_destroy_workqueue_action(void *wq)
{
	destroy_workqueue(wq);
}

void wqp_disable_work_action(void *work)
{
	disable_work_sync(work);
}

void wqp_disable_delayed_work_action(void *dwork)
{
	disable_delayed_work_sync(dwork);
}

bool wqp_wait(struct completion *done)
{
	return wait_for_completion_timeout(done, WQP_TIMEOUT) != 0;
}

ktime_t wqp_spin_end(void)
{
	return ktime_add(ktime_get(), ms_to_ktime(WQP_SPIN_TIMEOUT_S * MSEC_PER_SEC));
}

bool wqp_spin_left(ktime_t end)
{
	return ktime_before(ktime_get(), end);
}

void wqp_atomic_max(atomic_t *max, int val)
{
	int old = atomic_read(max);

	while (old < val && !atomic_try_cmpxchg(max, &old, val))
		;
}

static void wqp_gate_init(struct wqp_gate *gate)
{
	init_completion(&gate->done);
	gate->open = false;
}

void wqp_gate_open(struct wqp_gate *gate)
{
	/* Pairs with wqp_gate_is_open(): a spinning waiter sees our stores. */
	smp_store_release(&gate->open, true);
	complete_all(&gate->done);
}

void wqp_gate_pass_one(struct wqp_gate *gate)
{
	complete(&gate->done);
}

bool wqp_gate_is_open(struct wqp_gate *gate)
{
	/* Pairs with wqp_gate_open(). */
	return smp_load_acquire(&gate->open);
}

bool wqp_gate_wait(struct wqp_ctx *ctx, struct wqp_gate *gate)
{
	ktime_t end = wqp_spin_end();

	if (in_task()) {
		if (wait_for_completion_timeout(&gate->done, WQP_TIMEOUT))
			return true;
	} else {
		while (!wqp_gate_is_open(gate) && wqp_spin_left(end))
			cpu_relax();
		if (wqp_gate_is_open(gate))
			return true;
	}
	atomic_inc(&ctx->gate_timeouts);
	return false;
}

#define WQP_GATE_POLL	ms_to_ktime(1)

static enum hrtimer_restart wqp_gate_timer_fn(struct hrtimer *timer)
{
	struct wqp_ctx *ctx = container_of(timer, struct wqp_ctx, gate_timer);

	/* Not before the test thread sleeps in the call under test. */
	if (task_is_running(ctx->waiter)) {
		hrtimer_forward_now(timer, WQP_GATE_POLL);
		return HRTIMER_RESTART;
	}
	wqp_gate_open(ctx->timer_gate);
	return HRTIMER_NORESTART;
}

void wqp_open_when_blocked(struct wqp_ctx *ctx, struct wqp_gate *gate)
{
	if (!ctx->waiter)
		ctx->waiter = get_task_struct(current);
	ctx->timer_gate = gate;
	/*
	 * Pinned, so it fires on this CPU, never behind a BH handler that
	 * spins on another one; soft, so that it may complete_all() on
	 * PREEMPT_RT too.
	 */
	hrtimer_start(&ctx->gate_timer, WQP_GATE_POLL,
		      HRTIMER_MODE_REL_PINNED_SOFT);
}

static void wqp_ctx_release(void *data)
{
	struct wqp_ctx *ctx = data;

	hrtimer_cancel(&ctx->gate_timer);
	if (ctx->waiter)
		put_task_struct(ctx->waiter);
}

int wqp_suite_init(struct kunit *test)
{
	struct wqp_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	ctx->test = test;
	ctx->kind = &wqp_kinds[WQP_PCPU];
	ctx->cpu = -1;
	ctx->other_cpu = -1;
	ctx->ran_on = -1;
	init_completion(&ctx->done);
	init_completion(&ctx->started);
	wqp_gate_init(&ctx->gate);
	wqp_gate_init(&ctx->gate2);
	hrtimer_setup(&ctx->gate_timer, wqp_gate_timer_fn, CLOCK_MONOTONIC,
		      HRTIMER_MODE_REL_PINNED_SOFT);
	test->priv = ctx;
	return kunit_add_action_or_reset(test, wqp_ctx_release, ctx);
}

/* What every case must end with: no handler gave up waiting on a gate. */
void wqp_suite_exit(struct kunit *test)
{
	struct wqp_ctx *ctx = test->priv;

	if (ctx)
		KUNIT_EXPECT_EQ_MSG(test, atomic_read(&ctx->gate_timeouts), 0,
				    "a handler waited on its gate until the timeout");
}

struct wqp_ctx *wqp_ctx(struct kunit *test, const struct wqp_kind *kind)
{
	struct wqp_ctx *ctx = test->priv;

	if (kind)
		ctx->kind = kind;
	return ctx;
}

static void wqp_open_gates(void *data)
{
	struct wqp_ctx *ctx = data;

	wqp_gate_open(&ctx->gate);
	wqp_gate_open(&ctx->gate2);
}

struct workqueue_struct *wqp_own(struct kunit *test, struct wqp_ctx *ctx,
				 struct workqueue_struct *wq)
{
	KUNIT_ASSERT_NOT_NULL_MSG(test, wq, "cannot allocate a queue");
	wqp_add_action(test, wqp_destroy_workqueue_action, wq);
	/* Runs first: no handler stays blocked while the queue drains. */
	wqp_add_action(test, wqp_open_gates, ctx);
	return wq;
}

struct workqueue_struct *wqp_alloc_flags(struct kunit *test,
					 struct wqp_ctx *ctx, const char *name,
					 unsigned int flags, int max_active)
{
	return wqp_own(test, ctx, alloc_workqueue("wqp_%s", flags, max_active,
						  name));
}

struct workqueue_struct *wqp_alloc(struct kunit *test, struct wqp_ctx *ctx,
				   int max_active)
{
	const struct wqp_kind *kind = ctx->kind;

	if (kind->ordered)
		ctx->wq = wqp_own(test, ctx,
				  alloc_ordered_workqueue("wqp_%s", 0,
							  kind->name));
	else
		ctx->wq = wqp_alloc_flags(test, ctx, kind->name, kind->flags,
					  kind->bh ? 0 : max_active);
	return ctx->wq;
}

static void wqp_init_bh_work(struct work_struct *work, work_func_t fn)
{
	INIT_WORK(work, fn);
}

static void wqp_init_task_work(struct work_struct *work, work_func_t fn)
{
	INIT_WORK(work, fn);
}

void wqp_init_work(struct wqp_ctx *ctx, struct work_struct *work,
		   work_func_t fn)
{
	if (ctx->kind->bh)
		wqp_init_bh_work(work, fn);
	else
		wqp_init_task_work(work, fn);
}

static void wqp_init_bh_delayed_work(struct delayed_work *dwork,
				     work_func_t fn)
{
	INIT_DELAYED_WORK(dwork, fn);
}

static void wqp_init_task_delayed_work(struct delayed_work *dwork,
				       work_func_t fn)
{
	INIT_DELAYED_WORK(dwork, fn);
}

void wqp_init_delayed_work(struct wqp_ctx *ctx, struct delayed_work *dwork,
			   work_func_t fn)
{
	if (ctx->kind->bh)
		wqp_init_bh_delayed_work(dwork, fn);
	else
		wqp_init_task_delayed_work(dwork, fn);
}

void wqp_pin(struct kunit *test, struct wqp_ctx *ctx)
{
	if (num_online_cpus() < 2)
		kunit_skip(test, "needs at least 2 online CPUs, %u online",
			   num_online_cpus());
	cpus_read_lock();
	migrate_disable();
	ctx->cpu = smp_processor_id();
	ctx->other_cpu = cpumask_any_but(cpu_online_mask, ctx->cpu);
	ctx->pinned = true;
}

void wqp_unpin(struct wqp_ctx *ctx)
{
	if (!ctx->pinned)
		return;
	ctx->pinned = false;
	migrate_enable();
	cpus_read_unlock();
}

/*
 * How long a BH blocker (wqp_hold() on PREEMPT_RT) spins: longer than
 * other BH spins, since the whole hold must fit in it on a slow machine,
 * and shorter than an RCU stall (it runs in a read-side section there).
 */
#define WQP_BH_HOLD_S	15

static void wqp_blocker_fn(struct work_struct *work)
{
	struct wqp_ctx *ctx = container_of(work, struct wqp_ctx, blocker);
	ktime_t end;

	complete(&ctx->started);
	if (in_task()) {
		wqp_gate_wait(ctx, &ctx->gate);
		return;
	}
	end = ktime_add(ktime_get(), ms_to_ktime(WQP_BH_HOLD_S * MSEC_PER_SEC));
	while (!wqp_gate_is_open(&ctx->gate) && ktime_before(ktime_get(), end))
		cpu_relax();
	if (!wqp_gate_is_open(&ctx->gate))
		atomic_inc(&ctx->gate_timeouts);
}

/*
 * Whether local_bh_disable() keeps BH work on this CPU from running.  On
 * PREEMPT_RT it disables migration and enters an RCU read-side section,
 * but takes no per-CPU lock unless CONFIG_PREEMPT_RT_NEEDS_BH_LOCK is
 * set: BH work on this CPU still runs, in ksoftirqd or in another task's
 * local_bh_enable().
 */
static bool wqp_bh_disable_holds(void)
{
	return !IS_ENABLED(CONFIG_PREEMPT_RT) ||
	       IS_ENABLED(CONFIG_PREEMPT_RT_NEEDS_BH_LOCK);
}

bool wqp_hold(struct kunit *test, struct wqp_ctx *ctx)
{
	if (ctx->kind->bh && wqp_bh_disable_holds()) {
		local_bh_disable();
		ctx->cpu = smp_processor_id();
		return true;
	}
	if (ctx->kind->bh) {
		/*
		 * A blocker item that spins in its CPU's BH pool holds the
		 * items queued behind it.  The test thread stays on its CPU
		 * and, unless the case chose ctx->cpu, the blocker spins on
		 * another one, so that it never competes with the test.
		 */
		migrate_disable();
		ctx->bh_spin_hold = true;
		if (ctx->cpu < 0)
			ctx->cpu = num_online_cpus() > 1 ?
				   cpumask_any_but(cpu_online_mask, smp_processor_id()) :
				   smp_processor_id();
	} else if (ctx->cpu < 0) {
		ctx->cpu = raw_smp_processor_id();
	}
	INIT_WORK(&ctx->blocker, wqp_blocker_fn);
	queue_work_on(ctx->cpu, ctx->wq, &ctx->blocker);
	if (wqp_wait(&ctx->started))
		return true;
	KUNIT_FAIL(test, "blocker did not start within %d s", WQP_TIMEOUT_S);
	wqp_gate_open(&ctx->gate);
	if (ctx->bh_spin_hold) {
		ctx->bh_spin_hold = false;
		migrate_enable();
	}
	return false;
}

void wqp_unhold(struct wqp_ctx *ctx)
{
	if (ctx->kind->bh && !ctx->bh_spin_hold) {
		local_bh_enable();
		return;
	}
	/*
	 * A spinning blocker gives up after WQP_BH_HOLD_S: it must still be
	 * running here, or the items were not held all along.
	 */
	if (ctx->bh_spin_hold && !(work_busy(&ctx->blocker) & WORK_BUSY_RUNNING))
		KUNIT_FAIL(ctx->test, "the BH blocker was not running at the end of the hold");
	wqp_gate_open(&ctx->gate);
	if (ctx->bh_spin_hold) {
		ctx->bh_spin_hold = false;
		migrate_enable();
	}
}

void wqp_record(struct wqp_ctx *ctx, struct work_struct *work)
{
	ctx->ran_at = jiffies;
	ctx->ran_on = raw_smp_processor_id();
	ctx->seen_in_task = in_task();
	ctx->seen_wq_worker = current->flags & PF_WQ_WORKER;
	ctx->seen_current_work = current_work() == work;
	ctx->seen_softirq = in_serving_softirq();
	ctx->seen_mem_reclaim = current_is_workqueue_mem_reclaim();
	ctx->seen_nice = task_nice(current);
	atomic_inc(&ctx->runs);
	complete(&ctx->done);
}

void wqp_record_fn(struct work_struct *work)
{
	wqp_record(container_of(work, struct wqp_ctx, work), work);
}

void wqp_dwork_fn(struct work_struct *work)
{
	wqp_record(container_of(to_delayed_work(work), struct wqp_ctx, dwork),
		   work);
}

void wqp_gated_fn(struct work_struct *work)
{
	struct wqp_ctx *ctx = container_of(work, struct wqp_ctx, work);

	WRITE_ONCE(ctx->running, true);
	complete(&ctx->started);
	wqp_gate_wait(ctx, &ctx->gate);
	atomic_inc(&ctx->runs);
	WRITE_ONCE(ctx->finished, true);
	WRITE_ONCE(ctx->running, false);
}

void wqp_item_fn(struct work_struct *work)
{
	struct wqp_item *item = container_of(work, struct wqp_item, work);
	struct wqp_ctx *ctx = item->ctx;
	unsigned int pos;

	wqp_atomic_max(&ctx->max_in_flight, atomic_inc_return(&ctx->in_flight));
	item->ran_on = raw_smp_processor_id();
	pos = atomic_inc_return(&ctx->items_started);
	if (ctx->order && pos <= ctx->nr_items)
		ctx->order[pos - 1] = item->id;
	if (pos == READ_ONCE(ctx->started_goal))
		complete(&ctx->started);
	if (item->gated)
		wqp_gate_wait(ctx, &ctx->gate);
	if (ctx->hold_us)
		udelay(ctx->hold_us);
	item->ran = true;
	atomic_dec(&ctx->in_flight);
	atomic_inc(&ctx->runs);
	if (atomic_inc_return(&ctx->items_finished) == ctx->nr_items)
		complete(&ctx->done);
}

struct wqp_item *wqp_items_new(struct kunit *test, struct wqp_ctx *ctx,
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

unsigned int wqp_spray(struct kunit *test, struct wqp_ctx *ctx,
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
	wq = wqp_alloc_flags(test, ctx, "driver",
			     WQ_PERCPU | WQ_CPU_INTENSIVE, 0);

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
