// SPDX-License-Identifier: GPL-2.0
/*
 * wq_scenarios - workqueue.rst's "Example Execution Scenarios", measured
 *
 * Documentation/core-api/workqueue.rst explains concurrency management
 * with items w0, w1 and w2 on a bound (WQ_PERCPU) queue q0 on one CPU: w0
 * burns the CPU for 5 ms, sleeps 10 ms and burns 5 ms; w1 and w2 burn
 * 5 ms and sleep 10 ms.  This module runs its four scenarios, q0 with
 * max_active 1, 3 and 2, then w1 and w2 on a WQ_CPU_INTENSIVE queue q1,
 * and prints when each item started, slept, woke up and finished next to
 * the document's table.
 *
 * Measured times differ: the scheduler shares the CPU (in scenario 4 w1
 * and w2 burn side by side), wake-ups and new workers take time, and a
 * worker that has run for workqueue.cpu_intensive_thresh_us (10 ms on
 * fast CPUs, up to 1 s on slow ones; printed first) is made CPU
 * intensive.  Under an emulator, where a stalled virtual CPU counts as
 * running, events in scenarios 2-4 can change places.  Only scenario 1's
 * order is guaranteed.
 *
 *	insmod wq_scenarios.ko [cpu=1] [run=3]	# run=0: all four (default)
 *
 * Expected output (times differ):
 *
 *	wq_scenarios: workqueue.cpu_intensive_thresh_us is <n>
 *	wq_scenarios: scenario 1: q0 max_active 1 (the "original wq"), cpu <cpu>
 *	wq_scenarios: <...>TIME IN MSECS  EVENT<...>| TIME IN MSECS  EVENT
 *	wq_scenarios: scenario 1 done: at most 1 in flight, order as in workqueue.rst: yes
 *	wq_scenarios: scenario 2: q0 max_active 3, cpu <cpu>
 *	wq_scenarios: scenario 2 done: <...>
 *	wq_scenarios: scenario 3: q0 max_active 2, cpu <cpu>
 *	wq_scenarios: scenario 3 done: <...>
 *	wq_scenarios: scenario 4: w1 and w2 on q1 (WQ_CPU_INTENSIVE), cpu <cpu>
 *	wq_scenarios: scenario 4 done: <...>
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/string_choices.h>
#include <linux/workqueue.h>

#define BURN_US		5000
#define SLEEP_US	10000
#define NR_EVENTS	10	/* w0: 4 events, w1 and w2: 3 each */

static const char kinds[] = "SZWF";	/* start, sleep, wake, finish */

static const struct scenario {
	const char *title;
	int max_active;		/* of q0 */
	bool q1;		/* w1 and w2 on q1 (WQ_CPU_INTENSIVE) */
	int ms[NR_EVENTS];	/* workqueue.rst's table: times and ... */
	const char *ev;		/* ... events: item and kind */
} scenarios[] = {
	{ "q0 max_active 1 (the \"original wq\")", 1, false,
	  { 0, 5, 15, 20, 20, 25, 35, 35, 40, 50 }, "0S0Z0W0F1S1Z1W2S2Z2W" },
	{ "q0 max_active 3", 3, false,
	  { 0, 5, 5, 10, 10, 15, 15, 20, 20, 25 }, "0S0Z1S1Z2S2Z0W0F1W2W" },
	{ "q0 max_active 2", 2, false,
	  { 0, 5, 5, 10, 15, 20, 20, 20, 25, 35 }, "0S0Z1S1Z0W0F1W2S2Z2W" },
	{ "w1 and w2 on q1 (WQ_CPU_INTENSIVE)", 0, true,
	  { 0, 5, 5, 5, 10, 15, 15, 20, 20, 25 }, "0S0Z1S2S1Z2Z0W0F1W2W" },
};

static struct work_struct items[3];
static struct { char item, kind; ktime_t time; } events[NR_EVENTS];
static int nr_events;
static DEFINE_SPINLOCK(events_lock);	/* keeps index and time in order */
static int cpu;
module_param(cpu, int, 0444);
MODULE_PARM_DESC(cpu, "CPU the three items are queued on (online CPU, default 0)");
static unsigned int run;
module_param(run, uint, 0444);
MODULE_PARM_DESC(run, "Scenario to run, 0 for all (0-4, default 0)");

static void record(char item, char kind)
{
	spin_lock(&events_lock);
	if (nr_events < NR_EVENTS)
		events[nr_events++] = (typeof(*events)){ item, kind, ktime_get() };
	spin_unlock(&events_lock);
}

static void burn(void)
{
	ktime_t end = ktime_add_us(ktime_get(), BURN_US);

	while (ktime_before(ktime_get(), end))
		cond_resched();		/* not a sleep: the pool sees a runner */
}

static void scen_fn(struct work_struct *work)
{
	char id = '0' + (work - items);

	record(id, 'S');
	burn();
	record(id, 'Z');
	usleep_range(SLEEP_US, SLEEP_US + 100);
	record(id, 'W');
	if (id == '0') {
		burn();
		record(id, 'F');
	}
}

static const char *ev_text(char item, char kind)
{
	static const char * const text[] = { "starts and burns CPU", "sleeps",
		"wakes up and burns CPU", "finishes" };

	if (item != '0' && kind == 'W')
		return "wakes up and finishes";
	return text[strchr(kinds, kind) - kinds];
}

static void print_table(int nr, const struct scenario *s)
{
	int i, in_flight = 0, most = 0;
	bool in_order = nr_events == NR_EVENTS;

	pr_info("  %-40s | %s\n", "TIME IN MSECS  EVENT", "TIME IN MSECS  EVENT");
	for (i = 0; i < nr_events; i++) {
		int us = ktime_us_delta(events[i].time, events[0].time);
		char item = events[i].item, kind = events[i].kind;

		/* w0 ends with F, w1 and w2 with W */
		in_flight += (kind == 'S') - (kind == 'F' || (kind == 'W' && item != '0'));
		most = max(most, in_flight);
		in_order &= item == s->ev[2 * i] && kind == s->ev[2 * i + 1];
		pr_info("  %11d.%d  w%c %-22s | %13d  w%c %s\n", us / 1000,
			us % 1000 / 100, item, ev_text(item, kind),
			s->ms[i], s->ev[2 * i], ev_text(s->ev[2 * i], s->ev[2 * i + 1]));
	}
	pr_info("scenario %d done: at most %d in flight, order as in workqueue.rst: %s\n",
		nr, most, str_yes_no(in_order));
}

/* Run scenario @nr (1-4) on @cpu. */
static int run_one(int nr)
{
	const struct scenario *s = &scenarios[nr - 1];
	struct workqueue_struct *q0, *q1;
	int i, ret = -ENOMEM;

	q0 = alloc_workqueue("wq_scenarios_q0", WQ_PERCPU, s->max_active);
	q1 = alloc_workqueue("wq_scenarios_q1", WQ_PERCPU | WQ_CPU_INTENSIVE, 0);
	if (!q0 || !q1)
		goto out;
	pr_info("scenario %d: %s, cpu %d\n", nr, s->title, cpu);
	nr_events = 0;
	cpus_read_lock();	/* @cpu stays online until the items are done */
	ret = cpu_online(cpu) ? 0 : -EINVAL;
	for (i = 0; !ret && i < ARRAY_SIZE(items); i++)
		queue_work_on(cpu, i && s->q1 ? q1 : q0, &items[i]);
	flush_workqueue(q0);
	flush_workqueue(q1);
	cpus_read_unlock();
	if (ret)
		pr_err("cpu: %d is offline (online CPU, default 0)\n", cpu);
	else
		print_table(nr, s);
out:
	if (q1)
		destroy_workqueue(q1);
	if (q0)
		destroy_workqueue(q0);
	return ret;
}

/* The live threshold, as /sys/module/workqueue/parameters/ shows it. */
static const char *thresh_us(char *buf, size_t size)
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

static int __init wq_scenarios_init(void)
{
	char buf[24];
	int i, ret = 0;

	if (cpu < 0 || cpu >= nr_cpu_ids || !cpu_online(cpu)) {
		pr_err("cpu: %d is not an online CPU (online CPU, default 0)\n", cpu);
		return -EINVAL;
	}
	if (run > ARRAY_SIZE(scenarios)) {
		pr_err("run: %u is not a scenario (0-4, default 0)\n", run);
		return -EINVAL;
	}
	pr_info("workqueue.cpu_intensive_thresh_us is %s\n", thresh_us(buf, sizeof(buf)));
	for (i = 0; i < ARRAY_SIZE(items); i++)
		INIT_WORK(&items[i], scen_fn);
	for (i = 1; i <= ARRAY_SIZE(scenarios) && !ret; i++)
		if (!run || run == i)
			ret = run_one(i);
	return ret;
}

static void __exit wq_scenarios_exit(void)
{
	/* Init waited for every item and destroyed its queues. */
}

module_init(wq_scenarios_init);
module_exit(wq_scenarios_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("@SUBMITTER@");
MODULE_DESCRIPTION("workqueue.rst's Example Execution Scenarios, measured");
