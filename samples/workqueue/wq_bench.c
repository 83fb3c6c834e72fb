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
 * next to three floors measured the same way: two back-to-back
 * timestamps (ts), a direct call (call) and a bare wake_up_process() of a
 * sleeping kthread (wake).  Each is triggered from four origins, four
 * experiments with a histogram each: a task with preemption disabled
 * around the trigger (task_atomic: the handler cannot start before
 * preempt_enable()), the same task with preemption enabled (task_preempt:
 * a woken handler may preempt the trigger and run inside it, which then
 * counts in enq), softirq (a soft hrtimer) and hard IRQ (a hard hrtimer),
 * and runs on the same CPU or on another where the mechanism lets the
 * caller choose.  Combinations that cannot exist print a "skip" line.
 *
 * runs=N repeats every cell N times, run after run, so that the report
 * gives the median and the spread of each cell's p50 and p99.  load=hog
 * (or both) repeats the cells with a nice-0 kthread spinning on the
 * target CPU.  One item is in flight at a time, the first warmup=10 of a
 * cell are counted but not timed, and latencies go into a log-linear
 * histogram (values within 1.6 %).  Next to them, per item: enq (the
 * trigger call alone), cpu_ns (busy time of the queueing and the target
 * CPU, of all online CPUs for place=any), raiser_ns (the time the runner
 * thread is awake: triggering, bookkeeping and any interrupt that hits
 * it), and the IPIs sent and context switches, counted with the
 * ipi_send_cpu[mask] and sched_exit_tp tracepoints when the kernel has
 * CONFIG_TRACEPOINTS.
 *
 * Correctness is checked by counts, never by time: every item runs
 * exactly once (exec=<runs>/<queued>), in the expected context (ctx),
 * where guaranteed on the expected CPU (cpu), and within 10 s
 * (timeout=0).  Delayed work of 1 to 504 jiffies must never run early;
 * it normally runs after N+1 jiffies (N <= 62), N+1..N+8 (63-503) or
 * N+1..N+64 (504-4031).  A violation ends its line with result=VIOLATION
 * and is counted in the end line.
 *
 * lib/test_workqueue.c answers another question: it times only the
 * queue_work() call, with preemption enabled, from one kthread per CPU
 * on one unbound queue, to show pool->lock contention across affinity
 * scopes.  wq_bench times queue -> handler start, one producer, across
 * mechanisms; its enq fields are the figure comparable to test_workqueue.
 *
 * On a board, quiet it, pin the clock, keep the CPUs out of deep idle:
 *
 *	cpupower frequency-set -g performance	# or write scaling_governor
 *	modprobe wq_bench cpu=4 other_cpu=5 iters=20000 runs=5 qos=1
 *	dmesg -w | grep wq_bench:	# until "wq_bench: end ..."
 *	dmesg > bench.txt
 *	samples/workqueue/wq_bench_report.py --png bench.png bench.txt
 *	echo N > /sys/module/wq_bench/parameters/run	# stop a run
 *	rmmod wq_bench					# at any moment
 *
 * qos=1 holds a cpu_latency_qos request of 0 for the run (as writing 0 to
 * /dev/cpu_dma_latency does), so an idle target CPU does not add its
 * idle-state exit (120 us on RK3588) to cross-CPU cells.  The "env" line
 * gives what the kernel knows (release, CPU model, virtualisation,
 * cpufreq governor and current frequency, cpuidle driver and QoS limit);
 * add the clocksource to the log for the report with
 *	cd /sys/devices/system/clocksource/clocksource0
 *	echo "wq_bench: userenv clocksource=$(cat current_clocksource)" >/dev/kmsg
 * A single-CPU machine needs other_cpu=<cpu>.  A CPU hotplug waits for
 * the cell running, or for the whole delayed part; a cell whose CPU went
 * offline is skipped.
 *
 * The kernel's own clock: every cell's queue is named wqbench_<seq>, so
 * the workqueue_queue_work -> workqueue_execute_start tracepoints give
 * the same items' latency per cell: with bcc, "wqlat -N -W" (a histogram
 * per workqueue); with perf, "perf kwork -k workqueue record" around the
 * run and "perf kwork -k workqueue lat" (per work function, so run one
 * mechanism at a time: mechs=percpu runs=1).  That span starts inside
 * __queue_work() with pool->lock held and ends just before the call, so
 * it lacks the head of queue_work_on() and the call into the handler.
 *
 * The real edge -> hard IRQ -> work start on a ROCK 5B+: wire header pin
 * 18 (GPIO4_C4, gpiochip4 line 20) through 1 kOhm to pin 16 (GPIO3_A4,
 * gpiochip3 line 4), give wq_gpio_irq pin 16 (its header says how) with
 * debounce_ms=0, so each edge queues its work at once, set the governor
 * to performance and pin the IRQ to an A76 core
 * (echo 4 >/proc/irq/<n>/smp_affinity_list), then toggle pin 18:
 *	perf record -e gpio:gpio_value -e irq:irq_handler_entry \
 *		-e workqueue:workqueue_queue_work \
 *		-e workqueue:workqueue_execute_start -- \
 *		gpioset -t 5ms -c gpiochip4 20=1	# ^C after a while
 *	perf script	# gpio_value -> irq_handler_entry -> execute_start
 * gpio_value fires as the driver writes the output register: the first
 * delta is the pin, the GPIO controller and the GIC, the second the
 * hand-off this module measures from origin=hardirq (to an unbound
 * queue, system_dfl_wq, there).
 *
 * Expected output (numbers differ):
 *
 *	wq_bench: params cpu=0 other_cpu=1 <...>
 *	wq_bench: env release=<...>
 *	wq_bench: cell run=1 load=idle seq=1 mech=ts origin=task_atomic <...>
 *
 * and then one "cell" or "skip" line per combination, run and load, one
 * "delayed" line per delay and the "end" line.  A "cell" line holds run,
 * load, seq, mech, origin, place (same, other or any), the CPUs (from,
 * to, and hog with load=hog), n, min, p50, p90, p99, p999 and max in ns,
 * items_s, p50 and p99 over the wake floor and over percpu of the same
 * run, enq_p50/p90/p99, cpu_ns, raiser_ns, ipi, csw, exec, timeout,
 * once, ctx, cpu and result.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/cpu.h>
#include <linux/cpufreq.h>
#include <linux/cpuidle.h>
#include <linux/cpumask.h>
#include <linux/hrtimer.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irq_sim.h>
#include <linux/irq_work.h>
#include <linux/irqdomain.h>
#include <linux/jiffies.h>
#include <linux/kernel_stat.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/of.h>
#include <linux/pm_qos.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/string_choices.h>
#include <linux/swait.h>
#include <linux/sysfs.h>
#include <linux/tracepoint.h>
#include <linux/utsname.h>
#include <linux/workqueue.h>
#include <trace/events/ipi.h>
#include <trace/events/sched.h>

static int wqb_iters = 5000;
module_param_named(iters, wqb_iters, int, 0444);
MODULE_PARM_DESC(iters, "Timed items per cell (10-1000000, default 5000)");

static int wqb_load_iters = 500;
module_param_named(load_iters, wqb_load_iters, int, 0444);
MODULE_PARM_DESC(load_iters,
		 "Timed items per cell with load=hog, where a fair-class handler may wait a tick (10-1000000, default 500)");

static int wqb_warmup = 10;
module_param_named(warmup, wqb_warmup, int, 0444);
MODULE_PARM_DESC(warmup, "Items per cell run first, counted but not timed (0-1000, default 10)");

static int wqb_nr_runs = 3;
module_param_named(runs, wqb_nr_runs, int, 0444);
MODULE_PARM_DESC(runs, "Runs of every cell, for the median and spread (1-100, default 3)");

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

static char wqb_load_param[8] = "idle";
module_param_string(load, wqb_load_param, sizeof(wqb_load_param), 0444);
MODULE_PARM_DESC(load,
		 "idle, hog (a CPU hog on each cell's target CPU) or both (default idle)");

static bool wqb_qos;
module_param_named(qos, wqb_qos, bool, 0444);
MODULE_PARM_DESC(qos,
		 "Hold a cpu_latency_qos request of 0 during a run: shallowest idle state only (bool, default N)");

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

enum wqb_origin {
	WQB_TASK_ATOMIC, WQB_TASK_PREEMPT, WQB_SOFTIRQ, WQB_HARDIRQ,
	WQB_NR_ORIGINS
};

enum wqb_place { WQB_SAME, WQB_OTHER, WQB_NR_PLACES };
enum wqb_load { WQB_IDLE, WQB_HOG, WQB_NR_LOADS };
/* Where a handler runs; WQB_CTX_ORIGIN: where it was triggered. */
enum wqb_ctx { WQB_CTX_TASK, WQB_CTX_SOFTIRQ, WQB_CTX_HARDIRQ, WQB_CTX_ORIGIN };

static const char * const wqb_origin_name[] = {
	"task_atomic", "task_preempt", "softirq", "hardirq"
};

static const enum wqb_ctx wqb_origin_ctx[] = {
	WQB_CTX_TASK, WQB_CTX_TASK, WQB_CTX_SOFTIRQ, WQB_CTX_HARDIRQ
};

static const char * const wqb_place_name[] = { "same", "other" };
static const char * const wqb_load_name[] = { "idle", "hog" };

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
static unsigned int wqb_seq;		/* cell number, names its queue */
static u64 wqb_t0, wqb_t1, wqb_enq;
static int wqb_seen_ctx, wqb_seen_cpu;
static bool wqb_item_done;
static atomic_t wqb_runs, wqb_queued, wqb_refused;
static DECLARE_SWAIT_QUEUE_HEAD(wqb_waitq);	/* raw lock: hard IRQ safe */

static struct hrtimer wqb_hard, wqb_soft;
static struct wqb_hist wqb_lat, wqb_enq_hist;

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
	wqb_waker = kthread_create_on_cpu(wqb_wake_fn, NULL, cpu, "wqbench_wake/%u");
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
	/* One queue per cell, named so that tracing tells cells apart. */
	if (m->wq_flags)
		wqb_wq = alloc_workqueue("wqbench_%u", m->wq_flags, 0, wqb_seq);
	else
		wqb_wq = alloc_ordered_workqueue("wqbench_%u", 0, wqb_seq);
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
	wqb_kw = kthread_run_worker_on_cpu(cpu, 0, "wqbench_kw/%u");
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

	wqb_fwnode = irq_domain_alloc_named_fwnode("wqbench");
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
				   "wqbench", NULL);
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
static unsigned int wqb_loads;		/* BIT(WQB_IDLE) and/or BIT(WQB_HOG) */
/* p50 and p99 of the floor and of percpu, per origin and placement */
static u64 wqb_ref[2][WQB_NR_ORIGINS][WQB_NR_PLACES][2];
static unsigned int wqb_nr_cells, wqb_nr_skipped, wqb_nr_bad, wqb_nr_delayed;
static char wqb_line[1024];

/* ------------------------------------------------------------------ */
/* Cost: CPU time, IPIs and context switches per item */

static atomic_long_t wqb_nr_ipi, wqb_nr_csw;
static bool wqb_counting;		/* the tracepoint probes are on */

#ifdef CONFIG_TRACEPOINTS
static void wqb_ipi_probe(void *data, const unsigned int cpu,
			  unsigned long callsite, void *callback)
{
	atomic_long_inc(&wqb_nr_ipi);
}

static void wqb_ipi_mask_probe(void *data, const struct cpumask *mask,
			       unsigned long callsite, void *callback)
{
	atomic_long_add(cpumask_weight(mask), &wqb_nr_ipi);
}

static void wqb_csw_probe(void *data, bool is_switch)
{
	if (is_switch)
		atomic_long_inc(&wqb_nr_csw);
}

static void wqb_count_start(void)
{
	if (register_trace_ipi_send_cpu(wqb_ipi_probe, NULL))
		return;
	if (register_trace_ipi_send_cpumask(wqb_ipi_mask_probe, NULL))
		goto err_cpu;
	if (register_trace_sched_exit_tp(wqb_csw_probe, NULL))
		goto err_mask;
	wqb_counting = true;
	return;

err_mask:
	unregister_trace_ipi_send_cpumask(wqb_ipi_mask_probe, NULL);
err_cpu:
	unregister_trace_ipi_send_cpu(wqb_ipi_probe, NULL);
	tracepoint_synchronize_unregister();
}

static void wqb_count_stop(void)
{
	if (!wqb_counting)
		return;
	unregister_trace_sched_exit_tp(wqb_csw_probe, NULL);
	unregister_trace_ipi_send_cpumask(wqb_ipi_mask_probe, NULL);
	unregister_trace_ipi_send_cpu(wqb_ipi_probe, NULL);
	/* No probe runs any more once this returns: the module may go. */
	tracepoint_synchronize_unregister();
	wqb_counting = false;
}
#else
static void wqb_count_start(void) { }
static void wqb_count_stop(void) { }
#endif

struct wqb_snap {
	u64 wall;			/* ns */
	u64 idle_us;			/* summed over the cell's CPUs */
	unsigned int nr_cpus;
	long ipi, csw;
};

/*
 * The cell's CPUs are the queueing and the target CPU, or every online
 * CPU when the mechanism picks the CPU: their busy time is what one item
 * costs the machine, with no background from CPUs the cell cannot use.
 */
static void wqb_snap(struct wqb_snap *s, const struct wqb_mech *m)
{
	int cpu;

	s->idle_us = 0;
	s->nr_cpus = 0;
	for_each_online_cpu(cpu) {
		if (!(m->flags & WQB_ANY_CPU) && cpu != wqb_cpu &&
		    cpu != wqb_target)
			continue;
		s->idle_us += get_cpu_idle_time_us(cpu, NULL);
		s->nr_cpus++;
	}
	s->ipi = atomic_long_read(&wqb_nr_ipi);
	s->csw = atomic_long_read(&wqb_nr_csw);
	s->wall = ktime_get_ns();
}

/* " key=<v/n with two decimals>", or "-" when unknown. */
static int wqb_fmt_per(char *buf, size_t size, const char *key, s64 v,
		       u64 n, bool known)
{
	u64 r;

	if (!known || !n || v < 0)
		return scnprintf(buf, size, " %s=-", key);
	r = div64_u64((u64)v * 100 + n / 2, n);
	return scnprintf(buf, size, " %s=%llu.%02llu", key, r / 100, r % 100);
}

/* ------------------------------------------------------------------ */
/* Load: a nice-0 kthread spinning on the target CPU */

static struct task_struct *wqb_hog;

static int wqb_hog_fn(void *unused)
{
	/* Preemptible spin; cond_resched() for PREEMPT_NONE/VOLUNTARY. */
	while (!kthread_should_stop()) {
		cpu_relax();
		cond_resched();
	}
	return 0;
}

static int wqb_hog_start(int cpu)
{
	wqb_hog = kthread_create_on_cpu(wqb_hog_fn, NULL, cpu, "wqbench_hog/%u");
	if (IS_ERR(wqb_hog)) {
		int ret = PTR_ERR(wqb_hog);

		wqb_hog = NULL;
		return ret;
	}
	wake_up_process(wqb_hog);
	return 0;
}

static void wqb_hog_stop(void)
{
	if (!wqb_hog)
		return;
	kthread_stop(wqb_hog);
	wqb_hog = NULL;
}

/* ------------------------------------------------------------------ */
/* One cell: the items of one mechanism, origin, placement, run and load */

#define WQB_TIMEOUT	(10 * HZ)

struct wqb_cell {
	const struct wqb_mech *m;
	enum wqb_origin o;
	enum wqb_place p;
	enum wqb_load load;
	int run, hog_cpu;
	unsigned int bad_ctx, bad_cpu, bad_count;
	bool timeout;
	struct wqb_snap s0, s1;
	u64 awake;			/* ns the runner was not waiting */
};

static int wqb_fmt_hist(char *buf, size_t size, const char *pfx,
			const struct wqb_hist *h, bool full)
{
	if (!h->n && full)
		return scnprintf(buf, size,
				 " n=0 min=- p50=- p90=- p99=- p999=- max=-");
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

static void wqb_start_item(const struct wqb_mech *m, enum wqb_origin o)
{
	if ((m->flags & WQB_OWN_IRQ) || o == WQB_TASK_PREEMPT) {
		wqb_fire();
	} else if (o == WQB_TASK_ATOMIC) {
		preempt_disable();
		wqb_fire();
		preempt_enable();
	} else if (o == WQB_SOFTIRQ) {
		hrtimer_start(&wqb_soft, 0, HRTIMER_MODE_REL_PINNED_SOFT);
	} else {
		hrtimer_start(&wqb_hard, 0, HRTIMER_MODE_REL_PINNED_HARD);
	}
}

static const char *wqb_place_str(const struct wqb_mech *m, enum wqb_place p)
{
	return m->flags & WQB_ANY_CPU ? "any" : wqb_place_name[p];
}

static void wqb_print_cell(const struct wqb_cell *c)
{
	const struct wqb_mech *m = c->m;
	enum wqb_place rp = m->flags & WQB_ANY_CPU ? WQB_SAME : c->p;
	unsigned int runs = atomic_read(&wqb_runs);
	unsigned int tries = atomic_read(&wqb_queued) + atomic_read(&wqb_refused);
	bool once = runs == tries && !c->bad_count;
	bool ok = once && !c->bad_ctx && !c->bad_cpu && !c->timeout;
	u64 p50 = wqb_pct(&wqb_lat, 50000), p99 = wqb_pct(&wqb_lat, 99000);
	u64 n = wqb_lat.n, wall = c->s1.wall - c->s0.wall;
	s64 busy = (s64)wall * c->s0.nr_cpus -
		   (s64)(c->s1.idle_us - c->s0.idle_us) * NSEC_PER_USEC;
	size_t sz = sizeof(wqb_line);
	int len;

	len = scnprintf(wqb_line, sz,
			"cell run=%d load=%s seq=%u mech=%s origin=%s place=%s from=%d",
			c->run, wqb_load_name[c->load], wqb_seq, m->name,
			wqb_origin_name[c->o], wqb_place_str(m, c->p), wqb_cpu);
	if (m->flags & WQB_ANY_CPU)
		len += scnprintf(wqb_line + len, sz - len, " to=any");
	else
		len += scnprintf(wqb_line + len, sz - len, " to=%d", wqb_target);
	if (c->load == WQB_HOG)
		len += scnprintf(wqb_line + len, sz - len, " hog=%d", c->hog_cpu);
	len += wqb_fmt_hist(wqb_line + len, sz - len, "", &wqb_lat, true);
	len += scnprintf(wqb_line + len, sz - len, " items_s=%llu",
			 wall ? div64_u64(n * NSEC_PER_SEC, wall) : 0);
	len += wqb_fmt_ratio(wqb_line + len, sz - len, "p50_floor", p50,
			     wqb_ref[0][c->o][rp][0]);
	len += wqb_fmt_ratio(wqb_line + len, sz - len, "p99_floor", p99,
			     wqb_ref[0][c->o][rp][1]);
	len += wqb_fmt_ratio(wqb_line + len, sz - len, "p50_pcpu", p50,
			     wqb_ref[1][c->o][rp][0]);
	len += wqb_fmt_ratio(wqb_line + len, sz - len, "p99_pcpu", p99,
			     wqb_ref[1][c->o][rp][1]);
	len += wqb_fmt_hist(wqb_line + len, sz - len, "enq_", &wqb_enq_hist, false);
	/* A hog keeps its CPU busy: the machine's busy time says nothing. */
	len += wqb_fmt_per(wqb_line + len, sz - len, "cpu_ns", busy, n,
			   c->load == WQB_IDLE);
	len += wqb_fmt_per(wqb_line + len, sz - len, "raiser_ns",
			   c->awake, n, true);
	len += wqb_fmt_per(wqb_line + len, sz - len, "ipi",
			   c->s1.ipi - c->s0.ipi, n, wqb_counting);
	len += wqb_fmt_per(wqb_line + len, sz - len, "csw",
			   c->s1.csw - c->s0.csw, n, wqb_counting);
	scnprintf(wqb_line + len, sz - len,
		  " exec=%u/%u timeout=%d once=%s ctx=%s cpu=%s result=%s",
		  runs, tries, c->timeout, once ? "ok" : "FAIL",
		  c->bad_ctx ? "FAIL" : "ok",
		  m->flags & WQB_ANY_CPU ? "-" : c->bad_cpu ? "FAIL" : "ok",
		  ok ? "ok" : "VIOLATION");
	pr_info("%s\n", wqb_line);
	wqb_nr_cells++;
	wqb_nr_bad += !ok;
	if (m == &wqb_mechs[WQB_WAKE] || m == &wqb_mechs[WQB_PERCPU]) {
		wqb_ref[m != &wqb_mechs[WQB_WAKE]][c->o][c->p][0] = p50;
		wqb_ref[m != &wqb_mechs[WQB_WAKE]][c->o][c->p][1] = p99;
	}
}

/*
 * With the CPU hotplug lock held: the runner is still on cpu and the
 * CPUs a cell aims at are online (one of them went offline and came back
 * since the run started, or is offline now).
 */
static bool wqb_cpus_moved(void)
{
	return !cpu_online(wqb_cpu) || !cpu_online(wqb_target) ||
	       raw_smp_processor_id() != wqb_cpu;
}

/* The items of one cell; false if the run was told to stop. */
static bool wqb_items(struct wqb_cell *c, int iters)
{
	const struct wqb_mech *m = c->m;
	int want = m->ctx == WQB_CTX_ORIGIN ? wqb_origin_ctx[c->o] : m->ctx;
	unsigned int refused;
	u64 t0, t1, woken = 0;
	int i;

	for (i = 0; i < wqb_warmup + iters; i++) {
		if (i == wqb_warmup) {
			wqb_snap(&c->s0, m);
			woken = ktime_get_ns();
		}
		if (kthread_should_stop())
			return false;
		refused = atomic_read(&wqb_refused);
		WRITE_ONCE(wqb_item_done, false);
		wqb_start_item(m, c->o);
		/*
		 * The runner's own cost: from its wake-up to its next wait.
		 * (Its scheduler runtime is only brought up to date when it
		 * sleeps or at a tick, too coarse for the floors.)
		 */
		if (i >= wqb_warmup)
			c->awake += ktime_get_ns() - woken;
		swait_event_idle_timeout_exclusive(wqb_waitq, wqb_is_done() ||
						   kthread_should_stop(), WQB_TIMEOUT);
		woken = ktime_get_ns();
		if (!wqb_is_done()) {
			/* A stalled item is a violation, never a short cell. */
			c->timeout = !kthread_should_stop();
			break;
		}
		if (atomic_read(&wqb_runs) != atomic_read(&wqb_queued))
			c->bad_count++;
		if (READ_ONCE(wqb_seen_ctx) != want)
			c->bad_ctx++;
		if (!(m->flags & WQB_ANY_CPU) &&
		    READ_ONCE(wqb_seen_cpu) != wqb_target)
			c->bad_cpu++;
		if (atomic_read(&wqb_refused) != refused || i < wqb_warmup)
			continue;
		t0 = READ_ONCE(wqb_t0);
		t1 = READ_ONCE(wqb_t1);
		wqb_hist_add(&wqb_lat, t1 > t0 ? t1 - t0 : 0);
		if (!(m->flags & WQB_OWN_IRQ))
			wqb_hist_add(&wqb_enq_hist, READ_ONCE(wqb_enq));
	}
	if (i < wqb_warmup)
		wqb_snap(&c->s0, m);
	wqb_snap(&c->s1, m);
	return !kthread_should_stop();
}

static int wqb_cell(const struct wqb_mech *m, enum wqb_origin o,
		    enum wqb_place p, enum wqb_load load, int run)
{
	struct wqb_cell c = { .m = m, .o = o, .p = p, .load = load, .run = run };
	bool done, moved;
	int ret;

	wqb_hist_reset(&wqb_lat);
	wqb_hist_reset(&wqb_enq_hist);
	atomic_set(&wqb_runs, 0);
	atomic_set(&wqb_queued, 0);
	atomic_set(&wqb_refused, 0);
	wqb_cur = m;
	wqb_target = p == WQB_OTHER ? wqb_other_cpu : wqb_cpu;
	wqb_seq++;

	c.hog_cpu = wqb_target;
	ret = load == WQB_HOG ? wqb_hog_start(c.hog_cpu) : 0;
	if (!ret && m->setup) {
		ret = m->setup(m, wqb_target);
		if (ret)
			wqb_hog_stop();
	}
	if (ret) {
		pr_info("skip mech=%s origin=%s place=%s reason=setup failed (%d)\n",
			m->name, wqb_origin_name[o], wqb_place_str(m, p), ret);
		wqb_nr_skipped++;
		return 0;
	}

	/*
	 * The CPUs a cell aims at stay online while its items run: an item
	 * queued to an offline CPU's pool would wait for that CPU to come
	 * back (a hotplug waits for one cell at most instead).
	 */
	cpus_read_lock();
	moved = wqb_cpus_moved();
	done = moved ? !kthread_should_stop() :
		wqb_items(&c, load == WQB_HOG ? wqb_load_iters : wqb_iters);
	cpus_read_unlock();

	hrtimer_cancel(&wqb_soft);
	hrtimer_cancel(&wqb_hard);
	if (m->teardown)
		m->teardown(m);
	wqb_hog_stop();
	if (!done)
		return -EINTR;
	if (moved) {
		pr_info("skip mech=%s origin=%s place=%s reason=a CPU went offline during the run\n",
			m->name, wqb_origin_name[o], wqb_place_str(m, p));
		wqb_nr_skipped++;
		return 0;
	}
	wqb_print_cell(&c);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Delayed work against the timer wheel */

static const unsigned int wqb_delays[] = { 1, 10, 62, 63, 100, 504 };

/*
 * queued is counted by the runner (the first time) and by the work
 * itself (every re-arm), which may run while the runner is still
 * queueing the others: an atomic_t.  The rest is written only by the
 * work, which never runs twice at once, and read after it is disabled.
 */
struct wqb_delayed {
	struct delayed_work dwork;
	unsigned int n;			/* delay in jiffies */
	unsigned long j0;
	u64 t0;
	atomic_t queued;
	unsigned int ran, early, in_bound;
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
	atomic_inc(&d->queued);		/* first, so ran <= queued always */
	if (!queue_delayed_work_on(wqb_cpu, wqb_dl_wq, &d->dwork, d->n))
		atomic_dec(&d->queued);
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
	unsigned int queued;
	bool ok;

	wqb_dl_wq = alloc_workqueue("wqbench_dl", WQ_PERCPU, 0);
	if (!wqb_dl_wq) {
		pr_info("skip delayed reason=out of memory\n");
		return 0;
	}
	WRITE_ONCE(wqb_dl_stop, false);
	atomic_set(&wqb_dl_left, ARRAY_SIZE(wqb_dl));
	for (d = wqb_dl; d < wqb_dl + ARRAY_SIZE(wqb_dl); d++) {
		INIT_DELAYED_WORK(&d->dwork, wqb_dl_fn);
		d->n = wqb_delays[d - wqb_dl];
		atomic_set(&d->queued, 0);
		d->ran = 0;
		d->early = 0;
		d->in_bound = 0;
		d->tmin = ULONG_MAX;
		d->tmax = 0;
		wqb_hist_reset(&d->late);
	}
	/*
	 * As for a cell: cpu stays online while the items are queued to it,
	 * here for the whole delayed part (delayed_reps rounds of up to 504
	 * jiffies each).
	 */
	cpus_read_lock();
	wqb_target = wqb_cpu;
	if (wqb_cpus_moved()) {
		cpus_read_unlock();
		destroy_workqueue(wqb_dl_wq);
		pr_info("skip delayed reason=a CPU went offline during the run\n");
		wqb_nr_skipped++;
		return 0;
	}
	for (d = wqb_dl; d < wqb_dl + ARRAY_SIZE(wqb_dl); d++)
		wqb_dl_queue(d);

	/* No timeout: a late timer is measured, never cut short. */
	swait_event_idle_exclusive(wqb_waitq, !atomic_read(&wqb_dl_left) ||
				   kthread_should_stop());
	WRITE_ONCE(wqb_dl_stop, true);
	for (d = wqb_dl; d < wqb_dl + ARRAY_SIZE(wqb_dl); d++)
		disable_delayed_work_sync(&d->dwork);
	cpus_read_unlock();
	destroy_workqueue(wqb_dl_wq);
	if (kthread_should_stop())
		return -EINTR;

	for (d = wqb_dl; d < wqb_dl + ARRAY_SIZE(wqb_dl); d++) {
		queued = atomic_read(&d->queued);
		ok = !d->early && d->ran == queued;
		pr_info("delayed jiffies=%u reps=%d bound=%u..%u ticks=%lu..%lu in_bound=%u/%u late_min=%llu late_p50=%llu late_p99=%llu late_max=%llu exec=%u/%u early=%u result=%s\n",
			d->n, wqb_reps, d->n + 1, d->n + wqb_wheel_gran(d->n),
			d->ran ? d->tmin : 0, d->tmax, d->in_bound, d->ran,
			d->ran ? d->late.min : 0, wqb_pct(&d->late, 50000),
			wqb_pct(&d->late, 99000), d->late.max, d->ran,
			queued, d->early, ok ? "ok" : "VIOLATION");
		wqb_nr_bad += !ok;
		wqb_nr_delayed++;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* The run: every selected cell, runs times, then delayed work */

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

/* " cpufreq=<cpu>:<governor>:<kHz>" or " cpufreq=<cpu>:none" */
static int wqb_fmt_freq(char *buf, size_t size, int cpu)
{
	struct cpufreq_policy *pol = cpufreq_cpu_get(cpu);
	const char *gov;
	int len;

	if (!pol)
		return scnprintf(buf, size, " cpufreq%d=none", cpu);
	down_read(&pol->rwsem);
	gov = pol->governor ? pol->governor->name :
	      pol->policy == CPUFREQ_POLICY_PERFORMANCE ? "performance" :
	      pol->policy == CPUFREQ_POLICY_POWERSAVE ? "powersave" : "-";
	len = scnprintf(buf, size, " cpufreq%d=%s:%ukHz", cpu, gov,
			cpufreq_quick_get(cpu));
	up_read(&pol->rwsem);
	cpufreq_cpu_put(pol);
	return len;
}

/* What the kernel knows about the machine; the clocksource is in sysfs. */
static void wqb_print_env(void)
{
	struct cpuidle_driver *idle = cpuidle_get_driver();
	const char *virt = "unknown", *model = "-";
	size_t sz = sizeof(wqb_line);
	int len;

#ifdef CONFIG_X86
	virt = str_yes_no(boot_cpu_has(X86_FEATURE_HYPERVISOR));
	model = boot_cpu_data.x86_model_id;
#endif
	if (of_machine_is_compatible("linux,dummy-virt"))
		virt = "yes";
	len = scnprintf(wqb_line, sz, "env release=%s virt=%s cpuidle=%s idle_qos_us=%d qos=%s",
			init_utsname()->release, virt, idle ? idle->name : "none",
			cpu_latency_qos_limit(), wqb_qos ? "Y" : "N");
	len += wqb_fmt_freq(wqb_line + len, sz - len, wqb_cpu);
	if (wqb_other_cpu != wqb_cpu)
		len += wqb_fmt_freq(wqb_line + len, sz - len, wqb_other_cpu);
	scnprintf(wqb_line + len, sz - len, " model=%s", model);
	pr_info("%s\n", wqb_line);
}

/* Every selected cell once, for one run and one load. */
static int wqb_pass(int run, enum wqb_load load)
{
	const struct wqb_mech *m;
	const char *why;
	int o, p, ret = 0;

	memset(wqb_ref, 0, sizeof(wqb_ref));
	for (m = wqb_mechs; m < wqb_mechs + ARRAY_SIZE(wqb_mechs) && !ret; m++) {
		if (!(wqb_mask & BIT(m - wqb_mechs)))
			continue;
		for (o = 0; o < WQB_NR_ORIGINS && !ret; o++) {
			for (p = 0; p < WQB_NR_PLACES && !ret; p++) {
				why = wqb_skip_reason(m, o, p);
				if (!why) {
					ret = wqb_cell(m, o, p, load, run);
				} else if (*why && run == 1 && load == ffs(wqb_loads) - 1) {
					/* Once per load of the module, not per run. */
					pr_info("skip mech=%s origin=%s place=%s reason=%s\n",
						m->name, wqb_origin_name[o],
						wqb_place_str(m, p), why);
					wqb_nr_skipped++;
				}
			}
		}
	}
	return ret;
}

static struct pm_qos_request wqb_qos_req;

static void wqb_run_all(void)
{
	int run, load, ret = 0;

	wqb_seq = 0;
	wqb_nr_cells = 0;
	wqb_nr_skipped = 0;
	wqb_nr_bad = 0;
	wqb_nr_delayed = 0;
	pr_info("params cpu=%d other_cpu=%d iters=%d load_iters=%d warmup=%d runs=%d load=%s qos=%s delayed_reps=%d mechs=%s online=%u hz=%d tick_ns=%lu hrtimer_res_ns=%u preempt=%s floor=wake ref=percpu unit=ns\n",
		wqb_cpu, wqb_other_cpu, wqb_iters, wqb_load_iters, wqb_warmup,
		wqb_nr_runs, wqb_load_param, wqb_qos ? "Y" : "N", wqb_reps,
		wqb_mechs_param, num_online_cpus(), HZ,
		(unsigned long)TICK_NSEC, hrtimer_resolution,
		wqb_preempt_model());
	if (wqb_qos)
		cpu_latency_qos_add_request(&wqb_qos_req, 0);
	wqb_print_env();
	wqb_count_start();

	for (run = 1; run <= wqb_nr_runs && !ret; run++)
		for (load = 0; load < WQB_NR_LOADS && !ret; load++)
			if (wqb_loads & BIT(load))
				ret = wqb_pass(run, load);
	if (!ret && wqb_reps)
		ret = wqb_delayed();

	wqb_count_stop();
	if (cpu_latency_qos_request_active(&wqb_qos_req))
		cpu_latency_qos_remove_request(&wqb_qos_req);
	if (ret) {
		pr_info("stopped before the end\n");
		return;
	}
	pr_info("end runs=%d cells=%u skipped=%u delayed=%u violations=%u\n",
		wqb_nr_runs, wqb_nr_cells, wqb_nr_skipped, wqb_nr_delayed,
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
	t = kthread_create(wqb_runner_fn, NULL, "wqbench");
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

static int __init wqb_parse_load(void)
{
	if (!strcmp(wqb_load_param, "idle")) {
		wqb_loads = BIT(WQB_IDLE);
	} else if (!strcmp(wqb_load_param, "hog")) {
		wqb_loads = BIT(WQB_HOG);
	} else if (!strcmp(wqb_load_param, "both")) {
		wqb_loads = BIT(WQB_IDLE) | BIT(WQB_HOG);
	} else {
		pr_err("load: unknown value '%s' (valid: idle, hog, both)\n",
		       wqb_load_param);
		return -EINVAL;
	}
	return 0;
}

static int __init wqb_check_range(const char *name, int v, int lo, int hi)
{
	if (v >= lo && v <= hi)
		return 0;
	pr_err("%s: %d is out of range (%d-%d)\n", name, v, lo, hi);
	return -EINVAL;
}

static int __init wqb_init(void)
{
	int ret;

	ret = wqb_check_range("iters", wqb_iters, 10, 1000000);
	if (!ret)
		ret = wqb_check_range("load_iters", wqb_load_iters, 10, 1000000);
	if (!ret)
		ret = wqb_check_range("runs", wqb_nr_runs, 1, 100);
	if (!ret)
		ret = wqb_check_range("warmup", wqb_warmup, 0, 1000);
	if (!ret)
		ret = wqb_check_range("delayed_reps", wqb_reps, 0, 100);
	if (ret)
		return ret;
	ret = wqb_check_cpu("cpu", wqb_cpu);
	if (!ret)
		ret = wqb_check_cpu("other_cpu", wqb_other_cpu);
	if (!ret)
		ret = wqb_parse_mechs();
	if (!ret)
		ret = wqb_parse_load();
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
