// SPDX-License-Identifier: GPL-2.0
/*
 * wq_bench - latency of every deferral mechanism, side by side
 *
 * One load measures, item by item, the time from "queue it" to "the
 * handler starts" for each way the kernel defers work:
 *
 *	percpu, percpu_hi	per-CPU workqueue, normal and WQ_HIGHPRI
 *	unbound, ordered	WQ_UNBOUND and alloc_ordered_workqueue()
 *	bh, bh_hi		BH workqueue (WQ_BH), normal and highpri
 *	tasklet			the deprecated API BH workqueues replace
 *	kthread_worker		a kthread_worker bound to the target CPU
 *	threaded_irq		hard handler -> IRQ thread (irq_sim source)
 *	irq_work		irq_work_queue(), hard IRQ context
 *
 * and three floors measured the same way: two back-to-back timestamps
 * (ts), a direct call through a function pointer (call) and a bare
 * wake_up_process() of a sleeping kthread (wake).  Each mechanism is
 * triggered from three origin contexts: a task (this module's kthread),
 * softirq (a soft hrtimer) and hard IRQ (an HRTIMER_MODE_REL_PINNED_HARD
 * hrtimer), and executes on the same CPU or on another one where the
 * mechanism lets the caller choose.  Combinations that cannot exist
 * print a "skip" line that says why.
 *
 * One item is in flight at a time, so items_s is the round-trip rate.
 * Latencies go into a log-linear histogram (32 buckets per power of two,
 * values within 1.6 %), so memory stays constant whatever iters is.  The
 * enq_* fields time the trigger call alone with preemption disabled
 * (enq_on_*: enabled, task origin only): lib/test_workqueue.c times
 * queue_work() with preemption enabled, where an interrupt or a preempting
 * worker can land inside the timed window.
 *
 * Correctness is checked by counts, never by time: every item must run
 * exactly once (exec=<runs>/<queued>), in the expected context (ctx) and,
 * where the mechanism guarantees it, on the expected CPU (cpu).  Then
 * delayed work of 1, 10, 62, 63, 100 and 504 jiffies is measured against
 * the timer wheel: it must never run early (early=0) and normally runs
 * after N+1 jiffies (N <= 62), N+1..N+8 (63-503) or N+1..N+64 (504-4031).
 * Any violation ends its line with result=VIOLATION.
 *
 * On a board: quiet the machine, then
 *
 *	modprobe wq_bench cpu=2 other_cpu=3 iters=20000	# or insmod wq_bench.ko ...
 *	dmesg -w | grep wq_bench:	# until "wq_bench: end ..."
 *	dmesg > bench.txt
 *	samples/workqueue/wq_bench_report.py --png bench.png bench.txt
 *	echo N > /sys/module/wq_bench/parameters/run	# stop a run
 *	echo Y > /sys/module/wq_bench/parameters/run	# start another
 *	rmmod wq_bench					# at any moment
 *
 * The report script turns the lines into a Markdown table and a plot.
 * A single-CPU machine needs other_cpu=<cpu>: cross-CPU cells are skipped.
 * Do not hotplug CPUs during a run.
 *
 * Expected output (numbers differ):
 *
 *	wq_bench: params cpu=0 other_cpu=1 <...>
 *	wq_bench: cell mech=ts origin=task place=same <...>
 *
 * and then one "cell" or "skip" line per combination, one "delayed" line
 * per delay and the "end" line.  A "cell" line holds mech, origin, place
 * (same, other or any), the CPUs (from, to), n, min, p50, p90, p99, p999
 * and max in ns, items_s, p50 and p99 over the wake floor and over percpu
 * (p50_floor ... p99_pcpu), the enqueue percentiles, exec, timeout (1: an
 * item took over 10 s), once, ctx, cpu and result.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/hrtimer.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irq_sim.h>
#include <linux/irq_work.h>
#include <linux/irqdomain.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/swait.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>

static int wqb_iters = 5000;
module_param_named(iters, wqb_iters, int, 0444);
MODULE_PARM_DESC(iters, "Items per cell (10-1000000, default 5000)");

static int wqb_cpu;
module_param_named(cpu, wqb_cpu, int, 0444);
MODULE_PARM_DESC(cpu, "CPU the items are queued from (online CPU, default 0)");

static int wqb_other_cpu = 1;
module_param_named(other_cpu, wqb_other_cpu, int, 0444);
MODULE_PARM_DESC(other_cpu,
		 "Target CPU of the cross-CPU cells; equal to cpu skips them (online CPU, default 1)");

static int wqb_reps = 5;
module_param_named(delayed_reps, wqb_reps, int, 0444);
MODULE_PARM_DESC(delayed_reps,
		 "Runs per delayed-work delay, 0 skips that part (0-100, default 5)");

static char wqb_mechs_param[160] = "all";
module_param_string(mechs, wqb_mechs_param, sizeof(wqb_mechs_param), 0444);
MODULE_PARM_DESC(mechs,
		 "Comma-separated mechanisms: ts,call,wake,percpu,percpu_hi,unbound,ordered,bh,bh_hi,tasklet,kthread_worker,threaded_irq,irq_work (default all)");

/* ------------------------------------------------------------------ */
/* Log-linear histogram: 32 linear buckets per power of two, to 2^36 ns */

#define WQB_SUB_BITS	5
#define WQB_SUB		BIT(WQB_SUB_BITS)
#define WQB_BUCKETS	1024

struct wqb_hist {
	u32 b[WQB_BUCKETS];
	u64 n, min, max;
};

static unsigned int wqb_bucket(u64 v)
{
	unsigned int e, idx;

	if (v < 2 * WQB_SUB)
		return v;
	e = fls64(v) - 1;
	idx = (e - WQB_SUB_BITS + 1) * WQB_SUB +
	      ((v >> (e - WQB_SUB_BITS)) & (WQB_SUB - 1));
	return min(idx, WQB_BUCKETS - 1);
}

/* Middle of bucket @idx, so the error is at most half a bucket. */
static u64 wqb_bucket_mid(unsigned int idx)
{
	unsigned int e;

	if (idx < 2 * WQB_SUB)
		return idx;
	e = idx / WQB_SUB + WQB_SUB_BITS - 1;
	return ((u64)(WQB_SUB + idx % WQB_SUB) << (e - WQB_SUB_BITS)) +
	       (1ULL << (e - WQB_SUB_BITS - 1));
}

static void wqb_hist_reset(struct wqb_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = U64_MAX;
}

static void wqb_hist_add(struct wqb_hist *h, u64 v)
{
	h->b[wqb_bucket(v)]++;
	h->n++;
	h->min = min(h->min, v);
	h->max = max(h->max, v);
}

/* Percentile @per100k (50000 = p50) of @h, clamped to the exact extremes. */
static u64 wqb_pct(const struct wqb_hist *h, unsigned int per100k)
{
	u64 rank = max_t(u64, 1, DIV_ROUND_UP_ULL(h->n * per100k, 100000));
	u64 seen = 0;
	unsigned int i;

	for (i = 0; i < WQB_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank)
			return clamp(wqb_bucket_mid(i), h->min, h->max);
	}
	return h->max;
}

/* ------------------------------------------------------------------ */
/* The item in flight: set by the origin and the handler, read by the runner */

enum wqb_origin { WQB_TASK, WQB_SOFTIRQ, WQB_HARDIRQ, WQB_NR_ORIGINS };
enum wqb_place { WQB_SAME, WQB_OTHER, WQB_NR_PLACES };
/* Execution contexts; the first three equal enum wqb_origin. */
enum wqb_ctx { WQB_CTX_TASK, WQB_CTX_SOFTIRQ, WQB_CTX_HARDIRQ, WQB_CTX_ORIGIN };

static const char * const wqb_origin_name[] = { "task", "softirq", "hardirq" };
static const char * const wqb_place_name[] = { "same", "other" };

struct wqb_mech {
	const char *name;
	int (*setup)(const struct wqb_mech *m, int cpu);
	bool (*trigger)(const struct wqb_mech *m, int cpu);
	void (*teardown)(const struct wqb_mech *m);
	unsigned int wq_flags;
	enum wqb_ctx ctx;		/* where the handler must run */
	unsigned int flags;
	const char *no_other;		/* why there is no cross-CPU cell */
};

#define WQB_ANY_CPU	BIT(0)	/* the mechanism picks the CPU: place=any */
#define WQB_OWN_IRQ	BIT(1)	/* its origin is its own hard IRQ handler */

static const struct wqb_mech *wqb_cur;
static int wqb_target;			/* CPU the current cell aims at */
static u64 wqb_t0, wqb_t1, wqb_enq;
static int wqb_seen_ctx, wqb_seen_cpu;
static bool wqb_item_done;
static atomic_t wqb_runs, wqb_queued, wqb_refused;
static DECLARE_SWAIT_QUEUE_HEAD(wqb_waitq);	/* raw lock: hard IRQ safe */

static struct hrtimer wqb_hard, wqb_soft;
static struct wqb_hist wqb_lat, wqb_enq_off, wqb_enq_on;

/* The handler's stores (t1, ctx, cpu, runs) are visible once done is. */
static void wqb_signal(void)
{
	/* Pairs with the acquire in wqb_is_done(). */
	smp_store_release(&wqb_item_done, true);
	swake_up_one(&wqb_waitq);
}

static bool wqb_is_done(void)
{
	/* Pairs with the release in wqb_signal(). */
	return smp_load_acquire(&wqb_item_done);
}

/* Every handler calls this first: stamp, record where it runs, signal. */
static void wqb_done(void)
{
	u64 now = ktime_get_ns();
	int ctx = in_hardirq() ? WQB_CTX_HARDIRQ :
		  in_serving_softirq() ? WQB_CTX_SOFTIRQ : WQB_CTX_TASK;

	WRITE_ONCE(wqb_t1, now);
	WRITE_ONCE(wqb_seen_ctx, ctx);
	WRITE_ONCE(wqb_seen_cpu, raw_smp_processor_id());
	atomic_inc(&wqb_runs);
	wqb_signal();
}

/* Runs in the origin context, always on the runner's CPU. */
static void wqb_fire(void)
{
	u64 t0 = ktime_get_ns();
	bool queued;

	WRITE_ONCE(wqb_t0, t0);
	atomic_inc(&wqb_queued);	/* first, so runs <= queued always */
	queued = wqb_cur->trigger(wqb_cur, wqb_target);
	WRITE_ONCE(wqb_enq, ktime_get_ns() - t0);
	if (queued)
		return;
	/* Refused although nothing was pending: flagged, never waited for. */
	atomic_dec(&wqb_queued);
	atomic_inc(&wqb_refused);
	wqb_signal();
}

static enum hrtimer_restart wqb_origin_fn(struct hrtimer *t)
{
	wqb_fire();
	return HRTIMER_NORESTART;
}

/* ------------------------------------------------------------------ */
/* Mechanisms (a table, as in kernel/rcu/refscale.c) */

static bool wqb_ts_trigger(const struct wqb_mech *m, int cpu)
{
	wqb_done();
	return true;
}

static noinline void wqb_direct(void)
{
	wqb_done();
}

static void (*wqb_direct_fn)(void) = wqb_direct;

static bool wqb_call_trigger(const struct wqb_mech *m, int cpu)
{
	wqb_direct_fn();
	return true;
}

static struct task_struct *wqb_waker;
static atomic_t wqb_wake_pending;

static int wqb_wake_fn(void *unused)
{
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop())
			break;
		if (!atomic_xchg(&wqb_wake_pending, 0)) {
			schedule();
			continue;
		}
		__set_current_state(TASK_RUNNING);
		wqb_done();
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

static int wqb_wake_setup(const struct wqb_mech *m, int cpu)
{
	atomic_set(&wqb_wake_pending, 0);
	wqb_waker = kthread_create_on_cpu(wqb_wake_fn, NULL, cpu, "wq_bench_wake/%u");
	if (IS_ERR(wqb_waker))
		return PTR_ERR(wqb_waker);
	wake_up_process(wqb_waker);
	return 0;
}

static bool wqb_wake_trigger(const struct wqb_mech *m, int cpu)
{
	atomic_set(&wqb_wake_pending, 1);
	wake_up_process(wqb_waker);
	return true;
}

static void wqb_wake_teardown(const struct wqb_mech *m)
{
	kthread_stop(wqb_waker);
}

static struct workqueue_struct *wqb_wq;
/* BH work has its own item: lockdep keys work by INIT_WORK() site. */
static struct work_struct wqb_work, wqb_bh_work;

static void wqb_work_fn(struct work_struct *work)
{
	wqb_done();
}

static int wqb_wq_setup(const struct wqb_mech *m, int cpu)
{
	if (m->wq_flags)
		wqb_wq = alloc_workqueue("wq_bench", m->wq_flags, 0);
	else
		wqb_wq = alloc_ordered_workqueue("wq_bench", 0);
	if (!wqb_wq)
		return -ENOMEM;
	INIT_WORK(&wqb_work, wqb_work_fn);
	INIT_WORK(&wqb_bh_work, wqb_work_fn);
	return 0;
}

static bool wqb_wq_trigger(const struct wqb_mech *m, int cpu)
{
	struct work_struct *w = m->wq_flags & WQ_BH ? &wqb_bh_work : &wqb_work;

	if (m->flags & WQB_ANY_CPU)
		return queue_work(wqb_wq, w);
	return queue_work_on(cpu, wqb_wq, w);
}

/* Drains: an item still queued runs, so the exactly-once count holds. */
static void wqb_wq_teardown(const struct wqb_mech *m)
{
	destroy_workqueue(wqb_wq);
	wqb_wq = NULL;
}

/*
 * Tasklets are deprecated (include/linux/interrupt.h) and new code uses
 * BH workqueues instead; one is measured here only as the baseline that
 * the bh and bh_hi cells replace.
 */
static struct tasklet_struct wqb_tasklet;

static void wqb_tasklet_fn(struct tasklet_struct *t)
{
	wqb_done();
}

static int wqb_tasklet_setup(const struct wqb_mech *m, int cpu)
{
	tasklet_setup(&wqb_tasklet, wqb_tasklet_fn);
	return 0;
}

static bool wqb_tasklet_trigger(const struct wqb_mech *m, int cpu)
{
	tasklet_schedule(&wqb_tasklet);
	return true;
}

static void wqb_tasklet_teardown(const struct wqb_mech *m)
{
	tasklet_kill(&wqb_tasklet);
}

static struct kthread_worker *wqb_kw;
static struct kthread_work wqb_kwork;

static void wqb_kwork_fn(struct kthread_work *work)
{
	wqb_done();
}

static int wqb_kw_setup(const struct wqb_mech *m, int cpu)
{
	wqb_kw = kthread_run_worker_on_cpu(cpu, 0, "wq_bench_kw/%u");
	if (IS_ERR(wqb_kw))
		return PTR_ERR(wqb_kw);
	kthread_init_work(&wqb_kwork, wqb_kwork_fn);
	return 0;
}

static bool wqb_kw_trigger(const struct wqb_mech *m, int cpu)
{
	return kthread_queue_work(wqb_kw, &wqb_kwork);
}

static void wqb_kw_teardown(const struct wqb_mech *m)
{
	kthread_destroy_worker(wqb_kw);		/* flushes first */
}

/*
 * Threaded IRQ from an irq_sim line: setting it pending queues an
 * irq_work on this CPU, which runs the hard handler; that handler is the
 * origin (it stamps t0) and wakes the IRQ thread.
 */
static struct fwnode_handle *wqb_fwnode;
static struct irq_domain *wqb_domain;
static unsigned int wqb_virq;

static irqreturn_t wqb_tirq_hard(int irq, void *data)
{
	WRITE_ONCE(wqb_t0, ktime_get_ns());
	return IRQ_WAKE_THREAD;
}

static irqreturn_t wqb_tirq_thread(int irq, void *data)
{
	wqb_done();
	return IRQ_HANDLED;
}

static int wqb_tirq_setup(const struct wqb_mech *m, int cpu)
{
	int ret;

	wqb_fwnode = irq_domain_alloc_named_fwnode("wq_bench");
	if (!wqb_fwnode)
		return -ENOMEM;
	wqb_domain = irq_domain_create_sim(wqb_fwnode, 1);
	if (IS_ERR(wqb_domain)) {
		ret = PTR_ERR(wqb_domain);
		goto err_fwnode;
	}
	wqb_virq = irq_create_mapping(wqb_domain, 0);
	if (!wqb_virq) {
		ret = -ENXIO;
		goto err_domain;
	}
	ret = request_threaded_irq(wqb_virq, wqb_tirq_hard, wqb_tirq_thread, 0,
				   "wq_bench", NULL);
	if (ret)
		goto err_mapping;
	return 0;

err_mapping:
	irq_dispose_mapping(wqb_virq);
err_domain:
	irq_domain_remove_sim(wqb_domain);
err_fwnode:
	irq_domain_free_fwnode(wqb_fwnode);
	return ret;
}

static bool wqb_tirq_trigger(const struct wqb_mech *m, int cpu)
{
	return !irq_set_irqchip_state(wqb_virq, IRQCHIP_STATE_PENDING, true);
}

static void wqb_tirq_teardown(const struct wqb_mech *m)
{
	free_irq(wqb_virq, NULL);		/* waits for the thread */
	irq_dispose_mapping(wqb_virq);
	irq_domain_remove_sim(wqb_domain);	/* syncs its irq_work */
	irq_domain_free_fwnode(wqb_fwnode);
}

static void wqb_irq_work_fn(struct irq_work *work)
{
	wqb_done();
}

static struct irq_work wqb_irq_work = IRQ_WORK_INIT_HARD(wqb_irq_work_fn);

/* irq_work_queue_on() is not exported: modules queue on this CPU only. */
static bool wqb_irq_work_trigger(const struct wqb_mech *m, int cpu)
{
	return irq_work_queue(&wqb_irq_work);
}

static void wqb_irq_work_teardown(const struct wqb_mech *m)
{
	irq_work_sync(&wqb_irq_work);
}

#define WQB_WQ(_name, _flags, _ctx, _f)					\
	{ .name = _name, .setup = wqb_wq_setup, .trigger = wqb_wq_trigger,	\
	  .teardown = wqb_wq_teardown, .wq_flags = _flags, .ctx = _ctx,	\
	  .flags = _f }

static const struct wqb_mech wqb_mechs[] = {
	{ .name = "ts", .trigger = wqb_ts_trigger, .ctx = WQB_CTX_ORIGIN,
	  .no_other = "timestamps are taken on one CPU" },
	{ .name = "call", .trigger = wqb_call_trigger, .ctx = WQB_CTX_ORIGIN,
	  .no_other = "a direct call runs on the calling CPU" },
	{ .name = "wake", .setup = wqb_wake_setup, .trigger = wqb_wake_trigger,
	  .teardown = wqb_wake_teardown, .ctx = WQB_CTX_TASK },
	WQB_WQ("percpu", WQ_PERCPU, WQB_CTX_TASK, 0),
	WQB_WQ("percpu_hi", WQ_PERCPU | WQ_HIGHPRI, WQB_CTX_TASK, 0),
	WQB_WQ("unbound", WQ_UNBOUND, WQB_CTX_TASK, WQB_ANY_CPU),
	WQB_WQ("ordered", 0, WQB_CTX_TASK, WQB_ANY_CPU),
	WQB_WQ("bh", WQ_BH | WQ_PERCPU, WQB_CTX_SOFTIRQ, 0),
	WQB_WQ("bh_hi", WQ_BH | WQ_PERCPU | WQ_HIGHPRI, WQB_CTX_SOFTIRQ, 0),
	{ .name = "tasklet", .setup = wqb_tasklet_setup,
	  .trigger = wqb_tasklet_trigger, .teardown = wqb_tasklet_teardown,
	  .ctx = WQB_CTX_SOFTIRQ,
	  .no_other = "a tasklet runs on the CPU that schedules it" },
	{ .name = "kthread_worker", .setup = wqb_kw_setup,
	  .trigger = wqb_kw_trigger, .teardown = wqb_kw_teardown,
	  .ctx = WQB_CTX_TASK },
	{ .name = "threaded_irq", .setup = wqb_tirq_setup,
	  .trigger = wqb_tirq_trigger, .teardown = wqb_tirq_teardown,
	  .ctx = WQB_CTX_TASK, .flags = WQB_ANY_CPU | WQB_OWN_IRQ },
	{ .name = "irq_work", .trigger = wqb_irq_work_trigger,
	  .teardown = wqb_irq_work_teardown, .ctx = WQB_CTX_HARDIRQ,
	  .no_other = "irq_work_queue_on() is not exported to modules" },
};

#define WQB_WAKE	2	/* index of the floor the ratios use */
#define WQB_PERCPU	3	/* index of the per-CPU queue reference */

static unsigned long wqb_mask;
/* p50 and p99 of the floor and of percpu per origin and placement */
static u64 wqb_ref[2][WQB_NR_ORIGINS][WQB_NR_PLACES][2];
static unsigned int wqb_nr_cells, wqb_nr_skipped, wqb_nr_bad;
static char wqb_line[768];

/* ------------------------------------------------------------------ */
/* One cell: iters items of one mechanism, origin and placement */

#define WQB_TIMEOUT	(10 * HZ)

static int wqb_fmt_hist(char *buf, size_t size, const char *pfx,
			const struct wqb_hist *h, bool full)
{
	if (!h->n)
		return scnprintf(buf, size, " %sp50=- %sp90=- %sp99=-", pfx,
				 pfx, pfx);
	if (!full)
		return scnprintf(buf, size, " %sp50=%llu %sp90=%llu %sp99=%llu",
				 pfx, wqb_pct(h, 50000), pfx, wqb_pct(h, 90000),
				 pfx, wqb_pct(h, 99000));
	return scnprintf(buf, size,
			 " n=%llu min=%llu p50=%llu p90=%llu p99=%llu p999=%llu max=%llu",
			 h->n, h->min, wqb_pct(h, 50000), wqb_pct(h, 90000),
			 wqb_pct(h, 99000), wqb_pct(h, 99900), h->max);
}

static int wqb_fmt_ratio(char *buf, size_t size, const char *key, u64 v, u64 ref)
{
	u64 r;

	if (!ref)
		return scnprintf(buf, size, " %s=-", key);
	r = div64_u64(v * 100 + ref / 2, ref);
	return scnprintf(buf, size, " %s=%llu.%02llu", key, r / 100, r % 100);
}

static void wqb_start_item(const struct wqb_mech *m, enum wqb_origin o,
			   unsigned int i)
{
	if ((m->flags & WQB_OWN_IRQ) || (o == WQB_TASK && (i & 1))) {
		wqb_fire();
	} else if (o == WQB_TASK) {
		preempt_disable();
		wqb_fire();
		preempt_enable();
	} else if (o == WQB_SOFTIRQ) {
		hrtimer_start(&wqb_soft, 0, HRTIMER_MODE_REL_PINNED_SOFT);
	} else {
		hrtimer_start(&wqb_hard, 0, HRTIMER_MODE_REL_PINNED_HARD);
	}
}

static void wqb_print_cell(const struct wqb_mech *m, enum wqb_origin o,
			   enum wqb_place p, u64 elapsed, unsigned int bad_ctx,
			   unsigned int bad_cpu, unsigned int bad_count, bool timeout)
{
	enum wqb_place rp = m->flags & WQB_ANY_CPU ? WQB_SAME : p;
	unsigned int runs = atomic_read(&wqb_runs);
	unsigned int tries = atomic_read(&wqb_queued) + atomic_read(&wqb_refused);
	bool ok = !bad_ctx && !bad_cpu && !bad_count && runs == tries;
	u64 p50 = wqb_pct(&wqb_lat, 50000), p99 = wqb_pct(&wqb_lat, 99000);
	size_t sz = sizeof(wqb_line);
	int len;

	len = scnprintf(wqb_line, sz, "cell mech=%s origin=%s place=%s from=%d",
			m->name, wqb_origin_name[o],
			m->flags & WQB_ANY_CPU ? "any" : wqb_place_name[p], wqb_cpu);
	if (m->flags & WQB_ANY_CPU)
		len += scnprintf(wqb_line + len, sz - len, " to=any");
	else
		len += scnprintf(wqb_line + len, sz - len, " to=%d", wqb_target);
	len += wqb_fmt_hist(wqb_line + len, sz - len, "", &wqb_lat, true);
	len += scnprintf(wqb_line + len, sz - len, " items_s=%llu",
			 elapsed ? div64_u64(wqb_lat.n * NSEC_PER_SEC, elapsed) : 0);
	len += wqb_fmt_ratio(wqb_line + len, sz - len, "p50_floor", p50,
			     wqb_ref[0][o][rp][0]);
	len += wqb_fmt_ratio(wqb_line + len, sz - len, "p99_floor", p99,
			     wqb_ref[0][o][rp][1]);
	len += wqb_fmt_ratio(wqb_line + len, sz - len, "p50_pcpu", p50,
			     wqb_ref[1][o][rp][0]);
	len += wqb_fmt_ratio(wqb_line + len, sz - len, "p99_pcpu", p99,
			     wqb_ref[1][o][rp][1]);
	len += wqb_fmt_hist(wqb_line + len, sz - len, "enq_", &wqb_enq_off, false);
	len += wqb_fmt_hist(wqb_line + len, sz - len, "enq_on_", &wqb_enq_on, false);
	scnprintf(wqb_line + len, sz - len,
		  " exec=%u/%u timeout=%d once=%s ctx=%s cpu=%s result=%s",
		  runs, tries, timeout, runs == tries && !bad_count ? "ok" : "FAIL",
		  bad_ctx ? "FAIL" : "ok",
		  m->flags & WQB_ANY_CPU ? "-" : bad_cpu ? "FAIL" : "ok",
		  ok ? "ok" : "VIOLATION");
	pr_info("%s\n", wqb_line);
	wqb_nr_cells++;
	wqb_nr_bad += !ok;
	if (m == &wqb_mechs[WQB_WAKE] || m == &wqb_mechs[WQB_PERCPU]) {
		wqb_ref[m != &wqb_mechs[WQB_WAKE]][o][p][0] = p50;
		wqb_ref[m != &wqb_mechs[WQB_WAKE]][o][p][1] = p99;
	}
}

static int wqb_cell(const struct wqb_mech *m, enum wqb_origin o,
		    enum wqb_place p)
{
	int want = m->ctx == WQB_CTX_ORIGIN ? (int)o : (int)m->ctx;
	unsigned int i, refused, bad_ctx = 0, bad_cpu = 0, bad_count = 0;
	bool timeout = false, stopped = false;
	u64 start, elapsed, t0, t1;
	int ret;

	wqb_hist_reset(&wqb_lat);
	wqb_hist_reset(&wqb_enq_off);
	wqb_hist_reset(&wqb_enq_on);
	atomic_set(&wqb_runs, 0);
	atomic_set(&wqb_queued, 0);
	atomic_set(&wqb_refused, 0);
	wqb_cur = m;
	wqb_target = p == WQB_OTHER ? wqb_other_cpu : wqb_cpu;

	ret = m->setup ? m->setup(m, wqb_target) : 0;
	if (ret) {
		pr_info("skip mech=%s origin=%s place=%s reason=setup failed (%d)\n",
			m->name, wqb_origin_name[o], m->flags & WQB_ANY_CPU ?
			"any" : wqb_place_name[p], ret);
		wqb_nr_skipped++;
		return 0;
	}

	start = ktime_get_ns();
	for (i = 0; i < wqb_iters; i++) {
		if (kthread_should_stop()) {
			stopped = true;
			break;
		}
		refused = atomic_read(&wqb_refused);
		WRITE_ONCE(wqb_item_done, false);
		wqb_start_item(m, o, i);
		swait_event_idle_timeout_exclusive(wqb_waitq, wqb_is_done() ||
						   kthread_should_stop(), WQB_TIMEOUT);
		if (!wqb_is_done()) {
			stopped = kthread_should_stop();
			timeout = !stopped;
			break;
		}
		if (atomic_read(&wqb_runs) != atomic_read(&wqb_queued))
			bad_count++;
		if (atomic_read(&wqb_refused) != refused)
			continue;
		t0 = READ_ONCE(wqb_t0);
		t1 = READ_ONCE(wqb_t1);
		wqb_hist_add(&wqb_lat, t1 > t0 ? t1 - t0 : 0);
		if (!(m->flags & WQB_OWN_IRQ))
			wqb_hist_add(o == WQB_TASK && (i & 1) ? &wqb_enq_on :
				     &wqb_enq_off, READ_ONCE(wqb_enq));
		if (READ_ONCE(wqb_seen_ctx) != want)
			bad_ctx++;
		if (!(m->flags & WQB_ANY_CPU) &&
		    READ_ONCE(wqb_seen_cpu) != wqb_target)
			bad_cpu++;
	}
	elapsed = ktime_get_ns() - start;

	hrtimer_cancel(&wqb_soft);
	hrtimer_cancel(&wqb_hard);
	if (m->teardown)
		m->teardown(m);
	if (stopped)
		return -EINTR;
	wqb_print_cell(m, o, p, elapsed, bad_ctx, bad_cpu, bad_count, timeout);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Delayed work against the timer wheel */

static const unsigned int wqb_delays[] = { 1, 10, 62, 63, 100, 504 };

struct wqb_delayed {
	struct delayed_work dwork;
	unsigned int n;			/* delay in jiffies */
	unsigned long j0;
	u64 t0;
	unsigned int queued, ran, early, in_bound;
	unsigned long tmin, tmax;	/* observed jiffies */
	struct wqb_hist late;		/* ns after N ticks */
};

static struct wqb_delayed wqb_dl[ARRAY_SIZE(wqb_delays)];
static struct workqueue_struct *wqb_dl_wq;
static atomic_t wqb_dl_left;
static bool wqb_dl_stop;

/*
 * Granularity of the wheel level a timer N jiffies out lands in: it
 * fires on the first tick of that granularity after jiffies + N, that is
 * after N+1 jiffies for N <= 62, N+1..N+8 for 63-503, N+1..N+64 above.
 */
static unsigned int wqb_wheel_gran(unsigned int n)
{
	return n < 63 ? 1 : n < 504 ? 8 : 64;
}

static void wqb_dl_queue(struct wqb_delayed *d)
{
	d->j0 = jiffies;		/* before queueing: never late */
	d->t0 = ktime_get_ns();
	if (queue_delayed_work_on(wqb_cpu, wqb_dl_wq, &d->dwork, d->n))
		d->queued++;
}

static void wqb_dl_fn(struct work_struct *work)
{
	struct wqb_delayed *d = container_of(to_delayed_work(work),
					     struct wqb_delayed, dwork);
	unsigned long ticks = jiffies - d->j0;
	u64 ns = ktime_get_ns() - d->t0, due = (u64)d->n * TICK_NSEC;

	d->ran++;
	if (ticks < d->n)
		d->early++;
	else if (ticks > d->n && ticks <= d->n + wqb_wheel_gran(d->n))
		d->in_bound++;
	d->tmin = min(d->tmin, ticks);
	d->tmax = max(d->tmax, ticks);
	wqb_hist_add(&d->late, ns > due ? ns - due : 0);
	if (d->ran < wqb_reps && !READ_ONCE(wqb_dl_stop))
		wqb_dl_queue(d);
	else if (atomic_dec_and_test(&wqb_dl_left))
		swake_up_one(&wqb_waitq);
}

static int wqb_delayed(void)
{
	struct wqb_delayed *d;
	bool ok;

	wqb_dl_wq = alloc_workqueue("wq_bench_dl", WQ_PERCPU, 0);
	if (!wqb_dl_wq) {
		pr_info("skip delayed reason=out of memory\n");
		return 0;
	}
	WRITE_ONCE(wqb_dl_stop, false);
	atomic_set(&wqb_dl_left, ARRAY_SIZE(wqb_dl));
	for (d = wqb_dl; d < wqb_dl + ARRAY_SIZE(wqb_dl); d++) {
		INIT_DELAYED_WORK(&d->dwork, wqb_dl_fn);
		d->n = wqb_delays[d - wqb_dl];
		d->queued = 0;
		d->ran = 0;
		d->early = 0;
		d->in_bound = 0;
		d->tmin = ULONG_MAX;
		d->tmax = 0;
		wqb_hist_reset(&d->late);
	}
	for (d = wqb_dl; d < wqb_dl + ARRAY_SIZE(wqb_dl); d++)
		wqb_dl_queue(d);

	/* No timeout: a late timer is measured, never cut short. */
	swait_event_idle_exclusive(wqb_waitq, !atomic_read(&wqb_dl_left) ||
				   kthread_should_stop());
	WRITE_ONCE(wqb_dl_stop, true);
	for (d = wqb_dl; d < wqb_dl + ARRAY_SIZE(wqb_dl); d++)
		disable_delayed_work_sync(&d->dwork);
	destroy_workqueue(wqb_dl_wq);
	if (kthread_should_stop())
		return -EINTR;

	for (d = wqb_dl; d < wqb_dl + ARRAY_SIZE(wqb_dl); d++) {
		ok = !d->early && d->ran == d->queued;
		pr_info("delayed jiffies=%u reps=%d bound=%u..%u ticks=%lu..%lu in_bound=%u/%u late_min=%llu late_p50=%llu late_p99=%llu late_max=%llu exec=%u/%u early=%u result=%s\n",
			d->n, wqb_reps, d->n + 1, d->n + wqb_wheel_gran(d->n),
			d->ran ? d->tmin : 0, d->tmax, d->in_bound, d->ran,
			d->ran ? d->late.min : 0, wqb_pct(&d->late, 50000),
			wqb_pct(&d->late, 99000), d->late.max, d->ran,
			d->queued, d->early, ok ? "ok" : "VIOLATION");
		wqb_nr_bad += !ok;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* The run: every selected cell, then delayed work */

static const char *wqb_skip_reason(const struct wqb_mech *m,
				   enum wqb_origin o, enum wqb_place p)
{
	if ((m->flags & WQB_ANY_CPU) && p == WQB_OTHER)
		return "";		/* its single cell is place=any */
	if ((m->flags & WQB_OWN_IRQ) && o != WQB_HARDIRQ)
		return "a threaded IRQ always starts in its hard IRQ handler";
	if (p == WQB_SAME)
		return NULL;
	if (m->no_other)
		return m->no_other;
	if (wqb_other_cpu == wqb_cpu)
		return "other_cpu equals cpu";
	if (!cpu_online(wqb_other_cpu))
		return "other_cpu is offline";
	return NULL;
}

static const char *wqb_preempt_model(void)
{
	if (preempt_model_rt())
		return "rt";
	if (preempt_model_lazy())
		return "lazy";
	if (preempt_model_full())
		return "full";
	if (preempt_model_voluntary())
		return "voluntary";
	return "none";
}

static void wqb_run_all(void)
{
	const struct wqb_mech *m;
	const char *why;
	int o, p, ret = 0;

	memset(wqb_ref, 0, sizeof(wqb_ref));
	wqb_nr_cells = 0;
	wqb_nr_skipped = 0;
	wqb_nr_bad = 0;
	pr_info("params cpu=%d other_cpu=%d iters=%d delayed_reps=%d mechs=%s online=%u hz=%d tick_ns=%lu hrtimer_res_ns=%u preempt=%s floor=wake ref=percpu unit=ns\n",
		wqb_cpu, wqb_other_cpu, wqb_iters, wqb_reps, wqb_mechs_param,
		num_online_cpus(), HZ, (unsigned long)TICK_NSEC,
		hrtimer_resolution, wqb_preempt_model());

	for (m = wqb_mechs; m < wqb_mechs + ARRAY_SIZE(wqb_mechs); m++) {
		if (!(wqb_mask & BIT(m - wqb_mechs)))
			continue;
		for (o = 0; o < WQB_NR_ORIGINS && !ret; o++) {
			for (p = 0; p < WQB_NR_PLACES && !ret; p++) {
				why = wqb_skip_reason(m, o, p);
				if (!why) {
					ret = wqb_cell(m, o, p);
				} else if (*why) {
					pr_info("skip mech=%s origin=%s place=%s reason=%s\n",
						m->name, wqb_origin_name[o],
						m->flags & WQB_ANY_CPU ? "any" :
						wqb_place_name[p], why);
					wqb_nr_skipped++;
				}
			}
		}
		if (ret)
			break;
	}
	if (!ret && wqb_reps)
		ret = wqb_delayed();
	if (ret) {
		pr_info("stopped before the end\n");
		return;
	}
	pr_info("end cells=%u skipped=%u delayed=%zu violations=%u\n",
		wqb_nr_cells, wqb_nr_skipped, wqb_reps ? ARRAY_SIZE(wqb_dl) : 0,
		wqb_nr_bad);
}

/* ------------------------------------------------------------------ */
/* Runtime control: the "run" parameter, serialised by wqb_lock */

static DEFINE_MUTEX(wqb_lock);
static struct task_struct *wqb_runner;
static bool wqb_ready;			/* between init and exit */
static bool wqb_running;
static bool wqb_run = true;

static int wqb_runner_fn(void *unused)
{
	wqb_run_all();
	WRITE_ONCE(wqb_running, false);
	/* Stay until kthread_stop(), which reaps us. */
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

static void wqb_stop(void)
{
	lockdep_assert_held(&wqb_lock);
	if (!wqb_runner)
		return;
	kthread_stop(wqb_runner);	/* the run tears its cell down */
	wqb_runner = NULL;
	WRITE_ONCE(wqb_running, false);
}

static int wqb_start(void)
{
	struct task_struct *t;

	lockdep_assert_held(&wqb_lock);
	if (READ_ONCE(wqb_running))
		return 0;
	wqb_stop();			/* reap a finished run */
	if (!cpu_online(wqb_cpu) || !cpu_online(wqb_other_cpu)) {
		pr_err("run: cpu %d or other_cpu %d is offline\n", wqb_cpu,
		       wqb_other_cpu);
		return -EINVAL;
	}
	t = kthread_create(wqb_runner_fn, NULL, "wq_bench");
	if (IS_ERR(t))
		return PTR_ERR(t);
	kthread_bind(t, wqb_cpu);
	wqb_runner = t;
	WRITE_ONCE(wqb_running, true);
	wake_up_process(t);
	return 0;
}

static int wqb_run_set(const char *val, const struct kernel_param *kp)
{
	bool on;
	int ret = 0;

	if (kstrtobool(val, &on)) {
		pr_err("run: not a bool (Y/N/1/0)\n");
		return -EINVAL;
	}
	mutex_lock(&wqb_lock);
	if (!wqb_ready)
		wqb_run = on;		/* at load: init acts on it */
	else if (on)
		ret = wqb_start();
	else
		wqb_stop();
	mutex_unlock(&wqb_lock);
	return ret;
}

static int wqb_run_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%c\n", READ_ONCE(wqb_running) ? 'Y' : 'N');
}

static const struct kernel_param_ops wqb_run_ops = {
	.set = wqb_run_set,
	.get = wqb_run_get,
};
module_param_cb(run, &wqb_run_ops, NULL, 0644);
MODULE_PARM_DESC(run,
		 "Y starts a run unless one is going, N stops it; reads Y while one runs (bool, default Y)");

/* ------------------------------------------------------------------ */

static int __init wqb_check_cpu(const char *name, int cpu)
{
	if (cpu < 0 || cpu >= nr_cpu_ids || !cpu_online(cpu)) {
		pr_err("%s: %d is not an online CPU (online: %*pbl)\n", name,
		       cpu, cpumask_pr_args(cpu_online_mask));
		return -EINVAL;
	}
	return 0;
}

static int __init wqb_parse_mechs(void)
{
	char buf[sizeof(wqb_mechs_param)], *s = buf, *tok;
	unsigned int i;

	strscpy(buf, wqb_mechs_param);
	wqb_mask = 0;
	while ((tok = strsep(&s, ","))) {
		if (!strcmp(tok, "all")) {
			wqb_mask = BIT(ARRAY_SIZE(wqb_mechs)) - 1;
			continue;
		}
		for (i = 0; i < ARRAY_SIZE(wqb_mechs); i++)
			if (!strcmp(tok, wqb_mechs[i].name))
				break;
		if (i == ARRAY_SIZE(wqb_mechs)) {
			pr_err("mechs: unknown mechanism '%s' (valid: all or a comma-separated list of ts,call,wake,percpu,percpu_hi,unbound,ordered,bh,bh_hi,tasklet,kthread_worker,threaded_irq,irq_work)\n",
			       tok);
			return -EINVAL;
		}
		wqb_mask |= BIT(i);
	}
	return 0;
}

static int __init wqb_init(void)
{
	int ret;

	if (wqb_iters < 10 || wqb_iters > 1000000) {
		pr_err("iters: %d is out of range (10-1000000)\n", wqb_iters);
		return -EINVAL;
	}
	if (wqb_reps < 0 || wqb_reps > 100) {
		pr_err("delayed_reps: %d is out of range (0-100)\n", wqb_reps);
		return -EINVAL;
	}
	ret = wqb_check_cpu("cpu", wqb_cpu);
	if (!ret)
		ret = wqb_check_cpu("other_cpu", wqb_other_cpu);
	if (!ret)
		ret = wqb_parse_mechs();
	if (ret)
		return ret;

	hrtimer_setup(&wqb_hard, wqb_origin_fn, CLOCK_MONOTONIC,
		      HRTIMER_MODE_REL_PINNED_HARD);
	hrtimer_setup(&wqb_soft, wqb_origin_fn, CLOCK_MONOTONIC,
		      HRTIMER_MODE_REL_PINNED_SOFT);
	mutex_lock(&wqb_lock);
	ret = wqb_run ? wqb_start() : 0;
	wqb_ready = !ret;
	mutex_unlock(&wqb_lock);
	return ret;
}
module_init(wqb_init);

static void __exit wqb_exit(void)
{
	mutex_lock(&wqb_lock);
	wqb_ready = false;
	wqb_stop();
	mutex_unlock(&wqb_lock);
}
module_exit(wqb_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("@SUBMITTER@");
MODULE_DESCRIPTION("Latency of every deferral mechanism, side by side");
