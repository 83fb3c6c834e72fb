/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fixture of the workqueue KUnit suites (test_workqueue_patterns.c): the
 * queue kinds the cases run on, a per-case context, gates that keep
 * handlers busy until the test opens them, bounded waits, and drivers
 * that run a function on every online CPU at once.
 *
 * Rules every case follows, and every helper here helps to follow:
 *
 * - Handlers never use KUNIT_ASSERT_*() or KUNIT_EXPECT_*(): they record
 *   what they saw in the context and signal a completion; the test
 *   thread checks everything.
 * - Every wait is bounded and a timeout is a failure with a message.
 *   Nothing sleeps to synchronise.
 * - A handler that must stay busy waits on a gate: it sleeps in task
 *   context and spins, with a shorter bound, in BH context.  Gates are
 *   opened by the test, by a timer once the test thread sleeps in the
 *   call under test, and always by a cleanup action that runs before the
 *   queue is destroyed, so a failed case never leaves a handler blocked.
 * - Queues, timers, gates and CPU pins are released by cleanup actions
 *   in reverse order of creation.
 * - Time is never a pass criterion: delays are checked from below only.
 */
#ifndef _TEST_WORKQUEUE_PATTERNS_H
#define _TEST_WORKQUEUE_PATTERNS_H

#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/hrtimer.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/workqueue.h>

/* QEMU without KVM can be very slow: be generous, a timeout is a failure. */
#define WQP_TIMEOUT_S		30
#define WQP_TIMEOUT		(WQP_TIMEOUT_S * HZ)
/*
 * The bound of a handler that spins in BH context.  It is measured with
 * ktime, not jiffies: on UML a long softirq blocks its CPU's timer
 * signal, and jiffies stop if that CPU keeps the time.
 */
#define WQP_SPIN_TIMEOUT_S	5
/* A delay that no case waits for: the item must be cancelled or flushed. */
#define WQP_NEVER		(3600 * HZ)

/* Queue kinds the parameterised cases run on. */
struct wqp_kind {
	const char *desc;
	const char *name;
	unsigned int flags;
	bool ordered;
	bool bh;
};

enum {
	WQP_PCPU,
	WQP_UNBOUND,
	WQP_ORDERED,
	WQP_HIGHPRI,
	WQP_BH,
	WQP_NR_KINDS,
};

extern const struct wqp_kind wqp_kinds[WQP_NR_KINDS];

/* Parameter generator over the kinds @want accepts (NULL: all). */
const void *wqp_kind_next(const void *prev, char *desc,
			  bool (*want)(const struct wqp_kind *kind));

/*
 * A gate: handlers wait until it opens.  wqp_gate_open() lets every
 * waiter through for good; wqp_gate_pass_one() lets one sleeping waiter
 * through.
 */
struct wqp_gate {
	struct completion done;
	bool open;
};

/* The common context of a case, allocated by the suites' .init. */
struct wqp_ctx {
	struct kunit *test;
	const struct wqp_kind *kind;
	struct workqueue_struct *wq;
	/* The CPU the case queues on, and another one (see wqp_pin()). */
	int cpu;
	int other_cpu;
	bool pinned;

	struct work_struct work;
	struct delayed_work dwork;
	struct completion done;
	struct completion started;
	atomic_t runs;

	/* What the handler saw. */
	bool seen_in_task;
	bool seen_wq_worker;
	bool seen_current_work;
	bool seen_softirq;
	bool seen_mem_reclaim;
	int seen_nice;
	int ran_on;
	unsigned long ran_at;

	/* Keeping handlers, or the whole queue, busy. */
	struct work_struct blocker;
	struct wqp_gate gate;
	struct wqp_gate gate2;
	struct hrtimer gate_timer;
	struct wqp_gate *timer_gate;
	struct task_struct *waiter;
	atomic_t gate_timeouts;
	bool running;
	bool finished;
	bool bh_spin_hold;

	/* Scratch state of the self-requeueing handlers. */
	atomic_t phase;
	atomic_t requeued;
	atomic_t refused;
	int counted;

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
};

struct wqp_item {
	struct work_struct work;
	struct wqp_ctx *ctx;
	unsigned int id;
	unsigned int producer;
	bool queued;
	bool gated;
	bool ran;
	int ran_on;
};

int wqp_suite_init(struct kunit *test);
void wqp_suite_exit(struct kunit *test);

/* The case's context, for a queue of @kind. */
struct wqp_ctx *wqp_ctx(struct kunit *test, const struct wqp_kind *kind);

/* Run @action(@data) when the case ends, in reverse order of adding. */
void wqp_add_action(struct kunit *test, kunit_action_t *action, void *data);
void wqp_destroy_workqueue_action(void *wq);
void wqp_disable_work_action(void *work);
void wqp_disable_delayed_work_action(void *dwork);

bool wqp_wait(struct completion *done);
/* The end of a bounded spin: see WQP_SPIN_TIMEOUT_S. */
ktime_t wqp_spin_end(void);
bool wqp_spin_left(ktime_t end);
void wqp_atomic_max(atomic_t *max, int val);

/* Queues destroyed when the case ends, after the context's gates open. */
struct workqueue_struct *wqp_own(struct kunit *test, struct wqp_ctx *ctx,
				 struct workqueue_struct *wq);
struct workqueue_struct *wqp_alloc_flags(struct kunit *test,
					 struct wqp_ctx *ctx, const char *name,
					 unsigned int flags, int max_active);
/* A queue of the case's kind; max_active is ignored where it is fixed. */
struct workqueue_struct *wqp_alloc(struct kunit *test, struct wqp_ctx *ctx,
				   int max_active);

/*
 * Lockdep gives all work items initialised at one INIT_WORK() site one
 * class: items of BH and of task queues get different sites, so lockdep
 * never sees one class taken in softirq and in process context.
 */
void wqp_init_work(struct wqp_ctx *ctx, struct work_struct *work,
		   work_func_t fn);
void wqp_init_delayed_work(struct wqp_ctx *ctx, struct delayed_work *dwork,
			   work_func_t fn);

void wqp_gate_open(struct wqp_gate *gate);
void wqp_gate_pass_one(struct wqp_gate *gate);
bool wqp_gate_is_open(struct wqp_gate *gate);
/* Wait for @gate: sleeps in task context, spins in BH; false on timeout. */
bool wqp_gate_wait(struct wqp_ctx *ctx, struct wqp_gate *gate);
/*
 * Open @gate from a pinned hrtimer on this CPU once the test thread
 * sleeps, in the flush, cancel or drain it calls next: that call has to
 * wait for the handler behind the gate, whatever the timing.
 */
void wqp_open_when_blocked(struct wqp_ctx *ctx, struct wqp_gate *gate);

/*
 * Pin the test thread to its CPU (ctx->cpu) and pick another online CPU
 * (ctx->other_cpu), with CPU hotplug held off until wqp_unpin().  A BH
 * handler that spins must run on the other CPU: on the test thread's CPU
 * it would keep that thread and the gate timer from running.  Skips the
 * case below two online CPUs.  No KUNIT_ASSERT_*() until wqp_unpin().
 */
void wqp_pin(struct kunit *test, struct wqp_ctx *ctx);
void wqp_unpin(struct wqp_ctx *ctx);

/*
 * Keep items queued on ctx->cpu pending (queued, not started) until
 * wqp_unhold().  Task queues must have max_active 1: a blocker item
 * occupies it.  BH queues cannot run on this CPU while bottom halves are
 * disabled here, so nothing between the two calls may sleep or assert;
 * on PREEMPT_RT without CONFIG_PREEMPT_RT_NEEDS_BH_LOCK they can, and a
 * blocker item spinning in the BH pool of ctx->cpu holds them instead
 * (on another CPU than the test thread's unless the case set ctx->cpu).
 * Returns false, after reporting, when the blocker did not start.
 */
bool wqp_hold(struct kunit *test, struct wqp_ctx *ctx);
void wqp_unhold(struct wqp_ctx *ctx);

/* Record the execution context; never sleeps, so valid on BH queues. */
void wqp_record(struct wqp_ctx *ctx, struct work_struct *work);
void wqp_record_fn(struct work_struct *work);
void wqp_dwork_fn(struct work_struct *work);
/* A handler that runs until ctx->gate opens (sleeps: not on BH queues). */
void wqp_gated_fn(struct work_struct *work);

/*
 * @nr items with the handler below: it tracks how many items run at
 * once and in which order they start; a gated item waits for ctx->gate.
 */
struct wqp_item *wqp_items_new(struct kunit *test, struct wqp_ctx *ctx,
			       unsigned int nr);
void wqp_item_fn(struct work_struct *work);

/*
 * Run @fn(@data, index, nr) once on each online CPU, concurrently, from
 * work items of a per-CPU queue, and wait (bounded) until all returned.
 * Returns the number of CPUs.
 */
unsigned int wqp_spray(struct kunit *test, struct wqp_ctx *ctx,
		       void (*fn)(void *data, unsigned int index,
				  unsigned int nr),
		       void *data);

#endif /* _TEST_WORKQUEUE_PATTERNS_H */
