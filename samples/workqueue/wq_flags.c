// SPDX-License-Identifier: GPL-2.0
/*
 * wq_flags - dedicated workqueues and what their flags change
 *
 * alloc_workqueue() must name exactly one of WQ_PERCPU (an item runs on
 * the CPU it was queued on) and WQ_UNBOUND (it starts on a CPU of the
 * queueing CPU's affinity pod, "cache_shard" by default since v7.1, and
 * the scheduler may move it); neither or both WARNs.  Unbound is meant to
 * become the default and WQ_UNBOUND to go: use WQ_PERCPU only where
 * locality matters.  A queue wq_flags_<what> per flag shows where and at
 * which nice its item ran:
 *
 *  - WQ_HIGHPRI: a pool of nice -20 workers.
 *  - WQ_CPU_INTENSIVE: a running item does not hold back other work on its
 *    CPU, which otherwise waits until it sleeps, returns or has run for
 *    workqueue.cpu_intensive_thresh_us (10 ms on fast CPUs, up to 1 s on
 *    slow ones); CONFIG_WQ_CPU_INTENSIVE_REPORT names repeat offenders.
 *  - WQ_MEM_RECLAIM: a rescuer, kworker/R-<name>, runs the items when no
 *    worker can be forked.  WQ_FREEZABLE: drained and held during suspend.
 *  - WQ_SYSFS: /sys/bus/workqueue/devices/<name>/ while the queue exists.
 *
 * Then max_active 2 runs 8 sleeping items on one CPU 2 at a time, and an
 * ordered queue keeps queueing order though later items sleep less.
 *
 * Expected output (CPU numbers, worker names and times differ):
 *
 *	wq_flags: wq_flags_percpu: WQ_PERCPU: ran on cpu <cpu> (queued on <cpu>), nice 0, <comm>
 *	wq_flags: wq_flags_unbound: WQ_UNBOUND: ran on cpu <cpu> (queued on <cpu>), nice 0, <comm>
 *	wq_flags: wq_flags_highpri: WQ_PERCPU | WQ_HIGHPRI: <...>, nice -20, <comm>
 *	wq_flags: wq_flags_cpu_intensive: WQ_PERCPU | WQ_CPU_INTENSIVE: <...>, nice 0, <comm>
 *	wq_flags: wq_flags_reclaim: WQ_PERCPU | WQ_MEM_RECLAIM: <...>, nice 0, <comm>
 *	wq_flags: wq_flags_freezable: WQ_UNBOUND | WQ_FREEZABLE: <...>, nice 0, <comm>
 *	wq_flags: wq_flags_sysfs: WQ_UNBOUND | WQ_SYSFS: <...>, nice 0, <comm>
 *	wq_flags: workqueue.cpu_intensive_thresh_us is <n>
 *	wq_flags: WQ_CPU_INTENSIVE: other work started after <n> us (without: <n> us)
 *	wq_flags: WQ_MEM_RECLAIM: rescuer thread kworker/R-wq_flags_reclaim (see ps)
 *	wq_flags: WQ_SYSFS: see /sys/bus/workqueue/devices/wq_flags_sysfs/
 *	wq_flags: max_active 2: 8 items on cpu <cpu>, max in flight: 2
 *	wq_flags: ordered: item 0 done as #0
 *	wq_flags: ordered: item 1 done as #1
 *	wq_flags: ordered: item 2 done as #2
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#define NR_ORDERED	3
#define LIMIT		2	/* max_active of wq_flags_limit */

/*
 * Legacy, do not copy: create_workqueue() and create_singlethread_workqueue()
 * add WQ_MEM_RECLAIM (a rescuer, needed or not).  WQ_UNBOUND with max_active
 * 1 is not ordered either: only alloc_ordered_workqueue() is.
 */
enum { Q_PERCPU, Q_UNBOUND, Q_HIGHPRI, Q_INTENSIVE, Q_RECLAIM, Q_FREEZABLE,
	Q_SYSFS, Q_LIMIT, Q_ORDERED, NR_QUEUES };

#define QUEUE(what, wq_flags) { "wq_flags_" what, #wq_flags, wq_flags }

static struct wqf_queue {
	const char *name, *flag_names;
	unsigned int flags;
	struct workqueue_struct *wq;
	struct work_struct probe;	/* records where and how it ran */
	int queued_cpu, cpu, nice;
	char comm[TASK_COMM_LEN];
} queues[NR_QUEUES] = {
	[Q_PERCPU]	= QUEUE("percpu", WQ_PERCPU),
	[Q_UNBOUND]	= QUEUE("unbound", WQ_UNBOUND),
	[Q_HIGHPRI]	= QUEUE("highpri", WQ_PERCPU | WQ_HIGHPRI),
	[Q_INTENSIVE]	= QUEUE("cpu_intensive", WQ_PERCPU | WQ_CPU_INTENSIVE),
	[Q_RECLAIM]	= QUEUE("reclaim", WQ_PERCPU | WQ_MEM_RECLAIM),
	[Q_FREEZABLE]	= QUEUE("freezable", WQ_UNBOUND | WQ_FREEZABLE),
	[Q_SYSFS]	= QUEUE("sysfs", WQ_UNBOUND | WQ_SYSFS),
	[Q_LIMIT]	= QUEUE("limit", WQ_PERCPU),	/* max_active LIMIT */
	[Q_ORDERED]	= QUEUE("ordered", 0),	/* alloc_ordered_workqueue() */
};

static struct work_struct ordered_items[NR_ORDERED], limit_items[4 * LIMIT];
static atomic_t ordered_seq, in_flight, max_in_flight, other_ran;
static ktime_t other_queued, other_start;

static void probe_fn(struct work_struct *work)
{
	struct wqf_queue *q = container_of(work, struct wqf_queue, probe);

	q->cpu = raw_smp_processor_id();
	q->nice = task_nice(current);
	get_task_comm(q->comm, current);
}

static void other_fn(struct work_struct *work)
{
	other_start = ktime_get();
	atomic_set(&other_ran, 1);
}

static DECLARE_WORK(other_work, other_fn);

/* Queue other work on this CPU, then burn it until that work has run. */
static void hog_fn(struct work_struct *work)
{
	ktime_t end = ktime_add_ms(ktime_get(), 2000);

	other_queued = ktime_get();
	queue_work_on(raw_smp_processor_id(), queues[Q_PERCPU].wq, &other_work);
	while (!atomic_read(&other_ran) && ktime_before(ktime_get(), end))
		cond_resched();		/* lets the scheduler in, not the pool */
}

static DECLARE_WORK(hog_work, hog_fn);

/* How long does the other work wait for a hog on @hog_wq to let it start? */
static int hog_test(struct workqueue_struct *hog_wq, int cpu)
{
	atomic_set(&other_ran, 0);
	queue_work_on(cpu, hog_wq, &hog_work);
	flush_work(&hog_work);
	flush_work(&other_work);
	return ktime_us_delta(other_start, other_queued);
}

static void limit_fn(struct work_struct *work)
{
	int n = atomic_inc_return(&in_flight);
	int old = atomic_read(&max_in_flight);

	while (n > old && !atomic_try_cmpxchg(&max_in_flight, &old, n))
		;
	msleep(20);		/* sleeping: only max_active holds the rest back */
	atomic_dec(&in_flight);
}

static void ordered_fn(struct work_struct *work)
{
	int id = work - ordered_items;

	msleep((NR_ORDERED - id) * 10);	/* later items sleep less */
	pr_info("ordered: item %d done as #%d\n", id,
		atomic_inc_return(&ordered_seq) - 1);
}

/* The live threshold, as /sys/module/workqueue/parameters/ shows it. */
static const char *wqf_thresh_us(char *buf, size_t size)
{
	struct file *f;
	loff_t pos = 0;
	ssize_t n;

	f = filp_open("/sys/module/workqueue/parameters/cpu_intensive_thresh_us",
		      O_RDONLY, 0);
	if (IS_ERR(f))
		return "unknown";
	n = kernel_read(f, buf, size - 1, &pos);
	filp_close(f, NULL);
	buf[max_t(ssize_t, n, 0)] = '\0';
	return n > 0 ? strim(buf) : "unknown";
}

static void run_demos(void)
{
	struct wqf_queue *q;
	int i, cpu, with, without;
	char thresh[24];

	for (i = 0; i < Q_LIMIT; i++) {
		q = &queues[i];
		q->queued_cpu = get_cpu();	/* queue on the current CPU */
		queue_work_on(q->queued_cpu, q->wq, &q->probe);
		put_cpu();
		flush_work(&q->probe);
		pr_info("%s: %s: ran on cpu %d (queued on %d), nice %d, %s\n",
			q->name, q->flag_names, q->cpu, q->queued_cpu, q->nice,
			q->comm);
	}

	pr_info("workqueue.cpu_intensive_thresh_us is %s\n",
		wqf_thresh_us(thresh, sizeof(thresh)));
	cpus_read_lock();	/* @cpu stays online until its items have run */
	cpu = raw_smp_processor_id();
	with = hog_test(queues[Q_INTENSIVE].wq, cpu);
	without = hog_test(queues[Q_PERCPU].wq, cpu);
	pr_info("WQ_CPU_INTENSIVE: other work started after %d us (without: %d us)\n",
		with, without);
	pr_info("WQ_MEM_RECLAIM: rescuer thread kworker/R-wq_flags_reclaim (see ps)\n");
	pr_info("WQ_SYSFS: see /sys/bus/workqueue/devices/wq_flags_sysfs/\n");

	for (i = 0; i < ARRAY_SIZE(limit_items); i++) {
		INIT_WORK(&limit_items[i], limit_fn);
		queue_work_on(cpu, queues[Q_LIMIT].wq, &limit_items[i]);
	}
	flush_workqueue(queues[Q_LIMIT].wq);
	cpus_read_unlock();
	pr_info("max_active %d: %zu items on cpu %d, max in flight: %d\n", LIMIT,
		ARRAY_SIZE(limit_items), cpu, atomic_read(&max_in_flight));

	for (i = 0; i < NR_ORDERED; i++) {
		INIT_WORK(&ordered_items[i], ordered_fn);
		queue_work(queues[Q_ORDERED].wq, &ordered_items[i]);
	}
	flush_workqueue(queues[Q_ORDERED].wq);
}

static void wq_flags_destroy(void)
{
	int i;

	for (i = NR_QUEUES - 1; i >= 0; i--)
		if (queues[i].wq)
			destroy_workqueue(queues[i].wq);
}

static int __init wq_flags_init(void)
{
	int i;

	for (i = 0; i < NR_QUEUES; i++) {
		struct wqf_queue *q = &queues[i];

		q->wq = i == Q_ORDERED ? alloc_ordered_workqueue("%s", 0, q->name) :
			alloc_workqueue("%s", q->flags, i == Q_LIMIT ? LIMIT : 0, q->name);
		if (!q->wq) {
			wq_flags_destroy();
			return -ENOMEM;
		}
		INIT_WORK(&q->probe, probe_fn);
	}
	run_demos();
	return 0;
}

static void __exit wq_flags_exit(void)
{
	wq_flags_destroy();	/* every item has run: nothing to cancel */
	pr_info("unloaded: queues, rescuer and sysfs directory are gone\n");
}

module_init(wq_flags_init);
module_exit(wq_flags_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("@SUBMITTER@");
MODULE_DESCRIPTION("Workqueue flags, max_active and ordered queues");
