#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Turn the kernel log of wq_bench runs (and of lib/test_workqueue.ko, if
# it was loaded in the same boot) into a Markdown report and, with --png,
# plots drawn by gnuplot: per origin and placement, each mechanism's
# median p50 with its run-to-run spread and a whisker to p99, sorted,
# against the wake-up floor.
#
#	dmesg > bench.txt
#	python3 <this script> --png bench.png bench.txt > bench.md
#
# With runs=N each cell is reported as the median of its N runs and the
# range (min-max) they span; two mechanisms whose p50 ranges overlap are
# "inside the noise".  Lines "wqbench-trace: <hist line>" (the
# workqueue tracepoints histogrammed per cell queue, see
# scripts/guest/bench.sh in the wq-samples tooling) add a cross-check of
# wq_bench's clock against the kernel's.
#
# Exit status: 0 when every run ended and every correctness check passed,
# 1 when a check failed or an end marker is missing, 2 on bad usage.

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys

MECHS = ['ts', 'call', 'wake', 'percpu', 'percpu_hi', 'unbound', 'ordered',
         'bh', 'bh_hi', 'tasklet', 'kthread_worker', 'threaded_irq',
         'irq_work']
WQ_MECHS = ['percpu', 'percpu_hi', 'unbound', 'ordered', 'bh', 'bh_hi']
COLORS = {'ts': 0x9e9e9e, 'call': 0x616161, 'wake': 0x000000,
          'percpu': 0x1f77b4, 'percpu_hi': 0x17becf, 'unbound': 0x2ca02c,
          'ordered': 0x98df8a, 'bh': 0xd62728, 'bh_hi': 0xff9896,
          'tasklet': 0x8c564b, 'kthread_worker': 0x9467bd,
          'threaded_irq': 0xe377c2, 'irq_work': 0xff7f0e}
ORIGINS = ['task_atomic', 'task_preempt', 'softirq', 'hardirq']
PLACES = ['same', 'any', 'other']
LOADS = ['idle', 'hog']
REST_KEYS = ('reason', 'model')          # their value is the rest of the line

LINE = re.compile(r'wq_bench: (params|env|userenv|hostenv|cell|skip|delayed|'
                  r'end|stopped)\b ?(.*)')
TRACE = re.compile(r'wqbench-trace: \{ wq: *(\S+) *, lat: ~ (\d+)-(\d+) *\} '
                   r'hitcount: *(\d+)')
TRACE_DROP = re.compile(r'wqbench-trace: +Dropped: *(\d+)')
TWQ_RUN = re.compile(r'test_workqueue: running (\d+) threads, '
                     r'(\d+) items/thread')
TWQ_ROW = re.compile(r'test_workqueue:\s+(\S+)\s+(\d+) items/sec\s+p50=(\d+)'
                     r'\s+p90=(\d+)\s+p95=(\d+) ns')


def kv(text):
    """key=value pairs; reason= and model= take the rest of the line."""
    out = {}
    words = text.split()
    for i, w in enumerate(words):
        k = w.split('=', 1)[0]
        if k in REST_KEYS and '=' in w:
            out[k] = ' '.join([w[len(k) + 1:]] + words[i + 1:])
            break
        if '=' in w:
            k, v = w.split('=', 1)
            out[k] = v
    return out


def new_session(params, text):
    return {'params': params, 'params_text': text, 'env': {}, 'cells': [],
            'skips': [], 'delayed': [], 'end': None, 'stopped': False,
            'trace': {}, 'trace_dropped': None}


def parse(lines):
    log = {'sessions': [], 'userenv': {}, 'hostenv': {}, 'twq': [],
           'times': []}
    cur = None
    threads, loads = None, 0
    for raw in lines:
        line = raw.replace('\r', '').rstrip('\n')
        m = LINE.search(line)
        if m:
            kind, rest = m.groups()
            if kind == 'params':
                cur = new_session(kv(rest), rest)
                log['sessions'].append(cur)
            elif kind in ('userenv', 'hostenv'):
                log[kind].update(kv(rest))
            elif cur is None:
                continue
            elif kind == 'env':
                cur['env'] = kv(rest)
            elif kind == 'cell':
                cur['cells'].append(kv(rest))
            elif kind == 'skip':
                cur['skips'].append(kv(rest))
            elif kind == 'delayed':
                cur['delayed'].append(kv(rest))
            elif kind == 'end':
                cur['end'] = kv(rest)
            else:
                cur['stopped'] = True
            continue
        m = TRACE.search(line)
        if m and cur is not None:
            wq, lo, hi, cnt = m.groups()
            h = cur['trace'].setdefault(wq, {})
            h[int(lo)] = h.get(int(lo), 0) + int(cnt)
            cur['trace_width'] = int(hi) - int(lo) + 1
            continue
        m = TRACE_DROP.search(line)
        if m and cur is not None:
            cur['trace_dropped'] = int(m.group(1))
            continue
        if 'WQS-BENCH-TIME ' in line:
            log['times'].append(line.split('WQS-BENCH-TIME ', 1)[1])
            continue
        m = TWQ_RUN.search(line)
        if m:
            threads = int(m.group(1))
            loads += 1
            continue
        m = TWQ_ROW.search(line)
        if m:
            scope, ips, p50, p90, p95 = m.groups()
            log['twq'].append({'load': loads, 'threads': threads,
                               'scope': scope, 'items_s': int(ips),
                               'p50': int(p50), 'p90': int(p90),
                               'p95': int(p95)})
    return log


# ---------------------------------------------------------------------------
# Numbers

def num(v):
    """int or float from a field, None for '-' or missing."""
    if v in (None, '-', ''):
        return None
    try:
        return int(v)
    except ValueError:
        return float(v)


def us(ns, digits=3):
    """ns as microseconds with about three significant digits."""
    if ns is None:
        return '-'
    v = ns / 1000.0
    if v < 10:
        return '%.2f' % v
    if v < 100:
        return '%.1f' % v
    return '%.0f' % v


def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def fmt_x(v):
    return '-' if v is None else '%.2f' % v


class Cell:
    """One mechanism, origin, placement and load over all its runs."""

    def __init__(self, key, runs):
        self.load, self.mech, self.origin, self.place = key
        self.runs = runs
        self.to = runs[0].get('to')
        self.frm = runs[0].get('from')
        self.hog = runs[0].get('hog')

        def col(k):
            return [num(r.get(k)) for r in runs]
        for k in ('p50', 'p99', 'p999', 'max', 'min', 'items_s', 'p50_floor',
                  'p99_floor', 'p50_pcpu', 'enq_p50', 'enq_p90', 'enq_p99',
                  'cpu_ns', 'raiser_ns', 'ipi', 'csw', 'n'):
            setattr(self, k + 's', col(k))
        self.p50 = med(self.p50s)
        self.p99 = med(self.p99s)
        self.p999 = med(self.p999s)
        self.maxv = max([v for v in self.maxs if v is not None], default=None)
        vals = [v for v in self.p50s if v is not None]
        self.p50_lo, self.p50_hi = (min(vals), max(vals)) if vals else \
            (None, None)
        vals = [v for v in self.p99s if v is not None]
        self.p99_lo, self.p99_hi = (min(vals), max(vals)) if vals else \
            (None, None)
        self.ok = all(r.get('result') == 'ok' for r in runs)

    def m(self, name):
        return med(getattr(self, name + 's'))

    def label(self):
        return self.mech if self.place != 'any' else self.mech + ' (any)'


def aggregate(session):
    groups = {}
    for c in session['cells']:
        key = (c.get('load', 'idle'), c.get('mech'), c.get('origin'),
               c.get('place'))
        groups.setdefault(key, []).append(c)
    return {k: Cell(k, v) for k, v in groups.items()}


def panel_of(cell):
    """Panels of the plot and of the noise analysis: 'any' joins 'same'."""
    return (cell.load, cell.origin,
            'other' if cell.place == 'other' else 'same')


def panels(cells, load):
    out = {}
    for c in cells.values():
        if c.load == load and c.p50 is not None:
            out.setdefault(panel_of(c), []).append(c)
    for v in out.values():
        v.sort(key=lambda c: c.p50)
    return out


def overlap(a, b):
    return a.p50_hi is not None and b.p50_lo is not None and \
        a.p50_hi >= b.p50_lo and b.p50_hi >= a.p50_lo


def floor_of(cells, load, origin, place):
    c = cells.get((load, 'wake', origin, 'same' if place == 'any' else place))
    return c.p50 if c else None


# ---------------------------------------------------------------------------
# Report sections

def env_section(log, main, w):
    p, e = main['params'], main['env']
    u, h = log['userenv'], log['hostenv']
    w('## Environment\n\n')
    rows = [
        ('kernel', '%s, HZ=%s, preemption %s' % (
            e.get('release', '?'), p.get('hz'), p.get('preempt'))),
        ('timers', 'hrtimer resolution %s ns; clocksource %s (available: '
         '%s); clockevent %s' % (
             p.get('hrtimer_res_ns'), u.get('clocksource', '?'),
             u.get('available', '?'), u.get('clockevent', '?'))),
        ('CPU', '%s; %s CPUs online; virtualised: %s' % (
            e.get('model', '?'), p.get('online'), e.get('virt', '?'))),
        ('frequency', ', '.join('CPU %s: %s' % (k[7:], v) for k, v in
                                sorted(e.items()) if k.startswith('cpufreq'))
         or '?'),
        ('idle', 'cpuidle driver %s; CPU latency QoS limit %s us; wq_bench '
         'qos=%s' % (e.get('cpuidle', '?'), e.get('idle_qos_us', '?'),
                     e.get('qos', '?'))),
        ('run', 'cpu=%s other_cpu=%s, %s timed items per cell (%s with the '
         'hog) after %s warm-up, runs=%s, load=%s' % (
             p.get('cpu'), p.get('other_cpu'), p.get('iters'),
             p.get('load_iters'), p.get('warmup'), p.get('runs'),
             p.get('load'))),
    ]
    if h:
        rows.append(('host', 'QEMU %s, %s, %s, %s vCPUs on %s host CPUs, '
                     'kernel command line +%s; host load %s before, %s after; '
                     '%s s of QEMU time in all' % (
                         h.get('qemu'), h.get('machine'), h.get('accel'),
                         h.get('smp'), h.get('host_cpus'), h.get('append'),
                         h.get('load_before'), h.get('load_after'),
                         h.get('qemu_s'))))
    w('| | |\n|---|---|\n')
    for k, v in rows:
        w('| %s | %s |\n' % (k, v))
    w('\n')
    res = num(p.get('hrtimer_res_ns'))
    if res is not None and res > 1000:
        w('**hrtimers are not high-resolution here** (resolution %s ns): '
          'the softirq and hardirq origins are hrtimers, so those cells run '
          'at the tick rate (HZ=%s) and their items/s is the tick, not the '
          'mechanism.  On x86 guests without HPET or ACPI PM timer boot with '
          '`tsc=reliable`; elsewhere look for "Switched to high resolution '
          'mode" in dmesg.\n\n' % (res, p.get('hz')))


def latency_table(cells, load, w):
    pnl = panels(cells, load)
    w('| origin | place | mechanism | p50 µs: median [min-max] | step | '
      'p99 µs: median [min-max] | p99.9 | max | items/s | p50/wake | enq p50 '
      '| CPU µs/item | raiser µs/item | IPI/item | csw/item | checks |\n')
    w('|---|---|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n')
    for o in ORIGINS:
        for pl in ('same', 'other'):
            rows = pnl.get((load, o, pl), [])
            prev = None
            for c in rows:
                if prev is None:
                    step = ''
                else:
                    step = '%s%.2f×' % ('≈ ' if overlap(prev, c) else '',
                                        c.p50 / prev.p50 if prev.p50 else 0)
                place = c.place if c.place != 'other' else \
                    'other (%s->%s)' % (c.frm, c.to)
                checks = 'ok ×%d' % len(c.runs) if c.ok else \
                    '**VIOLATION** ' + '; '.join(
                        'run %s: exec=%s timeout=%s once=%s ctx=%s cpu=%s' % (
                            r.get('run'), r.get('exec'), r.get('timeout'),
                            r.get('once'), r.get('ctx'), r.get('cpu'))
                        for r in c.runs if r.get('result') != 'ok')
                w('| %s | %s | %s | %s [%s-%s] | %s | %s [%s-%s] | %s | %s '
                  '| %s | %s | %s | %s | %s | %s | %s | %s |\n' % (
                      o, place, c.mech, us(c.p50), us(c.p50_lo), us(c.p50_hi),
                      step, us(c.p99), us(c.p99_lo), us(c.p99_hi),
                      us(c.p999), us(c.maxv), fmt_int(c.m('items_s')),
                      fmt_x(c.m('p50_floor')), us(c.m('enq_p50')),
                      us(c.m('cpu_ns')), us(c.m('raiser_ns')),
                      fmt_x(c.m('ipi')), fmt_x(c.m('csw')), checks))
                prev = c
    w('\n')


def fmt_int(v):
    return '-' if v is None else '%d' % v


def noise_section(cells, load, runs, w):
    pnl = panels(cells, load)
    w('Inside the noise (%s runs; p50 ranges overlap), fastest first:\n\n'
      % runs)
    for o in ORIGINS:
        for pl in ('same', 'other'):
            rows = pnl.get((load, o, pl))
            if not rows:
                continue
            groups, g = [], [rows[0]]
            for c in rows[1:]:
                if overlap(g[-1], c):
                    g.append(c)
                else:
                    groups.append(g)
                    g = [c]
            groups.append(g)
            w('- %s, %s CPU: %s\n' % (o, pl, ' < '.join(
                ' ≈ '.join(c.label() for c in g) for g in groups)))
    w('\n')


def hog_section(cells, main, w):
    if not any(c.load == 'hog' for c in cells.values()):
        return
    p = main['params']
    w('## With a CPU hog on the target CPU\n\n')
    w('A nice-0 kthread spins on the CPU each item is aimed at (place '
      'same: the queueing CPU; other: the other CPU; any: the queueing '
      'CPU), %s timed items per cell.  Softirq work (BH, tasklet), '
      'irq_work and the SCHED_FIFO IRQ thread do not wait for a fair '
      'task.  A woken fair-class task (kworker, kthread_worker, the wake '
      'floor) waits until the scheduler lets it preempt the hog; under '
      'PREEMPT_LAZY (preempt=%s here) a fair wake-up preemption is only '
      'acted on at the next tick (%s ns) or the next schedule().  Where '
      'the hog has its CPU to itself (place other) that shows as p50s of '
      'hundreds of µs and p99s of a tick; on the queueing CPU the hog '
      'shares the CPU with the runner, which sleeps and wakes for every '
      'item, and the kworker mostly gets in at once.  CPU time per item is '
      'left out: the hog keeps its CPU busy.\n\n' % (
          p.get('load_iters'), p.get('preempt'), p.get('tick_ns')))
    latency_table(cells, 'hog', w)
    w('p50 with the hog over p50 idle (medians):\n\n')
    w('| origin | place | ' + ' | '.join(
        m for m in MECHS if any(c.mech == m for c in cells.values())) + ' |\n')
    w('|---|---|' + '--:|' * len([m for m in MECHS if any(
        c.mech == m for c in cells.values())]) + '\n')
    for o in ORIGINS:
        for pl in PLACES:
            vals = []
            for m in MECHS:
                if not any(c.mech == m for c in cells.values()):
                    continue
                hog = cells.get(('hog', m, o, pl))
                idle = cells.get(('idle', m, o, pl))
                vals.append('%.1f' % (hog.p50 / idle.p50) if hog and idle and
                            idle.p50 else '')
            if any(vals):
                w('| %s | %s | %s |\n' % (o, pl, ' | '.join(vals)))
    w('\n')
    noise_section(cells, 'hog', p.get('runs'), w)


def trace_pct(hist, width, per):
    n = sum(hist.values())
    rank = max(1, -(-n * per // 100))
    seen = 0
    for lo in sorted(hist):
        seen += hist[lo]
        if seen >= rank:
            return lo + width / 2.0
    return None


def cross_check(log, main_cells, w):
    tr = [s for s in log['sessions'] if s['trace']]
    if not tr:
        return
    s = tr[-1]
    width = s.get('trace_width', 100)
    w('## Cross-check: wq_bench\'s clock against the workqueue '
      'tracepoints\n\n')
    w('A separate load of wq_bench (runs=1, warmup=0, the workqueue '
      'mechanisms only) ran while hist triggers paired '
      '`workqueue_queue_work` with `workqueue_execute_start` by work item, '
      'on trace_clock mono (CLOCK_MONOTONIC, the clock wq_bench reads), and '
      'histogrammed the latency per cell queue `wqbench_<seq>` in %d-ns '
      'buckets (percentiles are bucket midpoints).  Both columns are '
      'therefore the same items.  "untraced" is the median p50 of the '
      'main runs, and "tracing cost" the traced p50 minus it.%s\n\n' % (
          width, '' if not s['trace_dropped'] else
          '  **The histogram dropped %d entries.**' % s['trace_dropped']))
    w('| mechanism | origin | place | n (wq_bench / trace) | p50 wq_bench '
      '| p50 trace | Δ p50 | p99 wq_bench | p99 trace | Δ p99 '
      '| untraced p50 | tracing cost |\n')
    w('|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n')
    deltas, costs = [], []
    for c in s['cells']:
        h = s['trace'].get('wqbench_%s' % c.get('seq'))
        if c.get('mech') not in WQ_MECHS:
            continue
        p50, p99 = num(c.get('p50')), num(c.get('p99'))
        if h:
            t50, t99 = trace_pct(h, width, 50), trace_pct(h, width, 99)
            n_tr = sum(h.values())
        else:
            t50 = t99 = n_tr = None
        d50 = p50 - t50 if p50 is not None and t50 is not None else None
        d99 = p99 - t99 if p99 is not None and t99 is not None else None
        un = main_cells.get(('idle', c['mech'], c.get('origin'),
                             c.get('place')))
        cost = p50 - un.p50 if un and p50 is not None else None
        if d50 is not None:
            deltas.append((d50, p50, t50))
        if cost is not None:
            costs.append(cost)
        w('| %s | %s | %s | %s / %s | %s | %s | %s | %s | %s | %s | %s '
          '| %s |\n' % (c['mech'], c.get('origin'), c.get('place'), c.get('n'),
             n_tr if n_tr is not None else '-', us(p50), us(t50),
             us(d50), us(p99), us(t99), us(d99), us(un.p50) if un else '-',
             us(cost)))
    w('\n')
    if deltas:
        d = sorted(x[0] for x in deltas)
        rel = sorted(x[0] / x[1] for x in deltas if x[1])
        pairs = [(a, b) for i, a in enumerate(deltas) for b in deltas[i + 1:]
                 if a[1] != b[1] and a[2] != b[2]]
        same = sum(1 for a, b in pairs if (a[1] < b[1]) == (a[2] < b[2]))
        w('At p50 wq_bench reads %s µs more than the tracepoints in the '
          'median cell (%s to %s µs, %.0f-%.0f %% of its p50); tracing made '
          'wq_bench\'s own p50 %s µs slower than in the untraced runs '
          '(median).  The two clocks order %d of %d pairs of cells the same '
          'way by p50.  Where the difference comes from:\n\n' % (
              us(statistics.median(d)), us(d[0]), us(d[-1]), 100 * rel[0],
              100 * rel[-1], us(statistics.median(costs)) if costs else '-',
              same, len(pairs)))
    w('- Δ = (the head of `queue_work_on()` before the '
      '`workqueue_queue_work` timestamp: the PENDING bit, interrupts '
      'off, the pwq lookup, `pool->lock`) + (the trigger work of '
      '`workqueue_execute_start`, which runs after that event\'s '
      'timestamp and before the handler: the hash lookup, the latency, '
      'the synthetic event and its histogram) + (the indirect call into '
      'the handler, whose first statement is wq_bench\'s t1).  The '
      'middle term dominates: it is tracing\'s own cost, which is why Δ '
      'is close to the tracing cost column.\n'
      '- Tracing cost = both triggers\' work, on the measured path.  A '
      'BPF tool (wqlat) or `perf kwork record` costs less per event than '
      'hist triggers with a synthetic event, but never nothing: under '
      'TCG every extra instruction is magnified (see the BH section).\n'
      '- The histogram rounds to %d ns, wq_bench to 1.6 %%.\n'
      '- The trace starts when the work item is queued: for delayed work '
      '(not in this table) that is when the timer fires, so wqlat and '
      '`perf kwork` never see the timer slack that wq_bench\'s delayed '
      'lines measure.\n\n' % width)


def bh_section(cells, w):
    rows = []
    for o in ORIGINS:
        bh = cells.get(('idle', 'bh', o, 'same'))
        tl = cells.get(('idle', 'tasklet', o, 'same'))
        hi = cells.get(('idle', 'bh_hi', o, 'same'))
        call = cells.get(('idle', 'call', o, 'same'))
        if bh and tl:
            rows.append((o, bh, hi, tl, call))
    if not rows:
        return
    w('## BH workqueue against tasklet\n\n')
    w('Same CPU, idle.  "run side" is p50 minus enq p50: the softirq '
      'entry and the path to the handler.\n\n')
    w('| origin | bh p50 | bh_hi p50 | tasklet p50 | bh - tasklet | enq p50 '
      'bh / tasklet | run side bh / tasklet | csw/item bh / tasklet '
      '| IPI/item bh / tasklet | inside the noise? |\n'
      '|---|--:|--:|--:|--:|--:|--:|--:|--:|---|\n')
    for o, bh, hi, tl, call in rows:
        bh_enq, tl_enq = bh.m('enq_p50'), tl.m('enq_p50')
        w('| %s | %s | %s | %s | %s | %s / %s | %s / %s | %s / %s | %s / %s '
          '| %s |\n' % (
              o, us(bh.p50), us(hi.p50) if hi else '-', us(tl.p50),
              us(bh.p50 - tl.p50), us(bh_enq), us(tl_enq),
              us(bh.p50 - bh_enq) if bh_enq is not None else '-',
              us(tl.p50 - tl_enq) if tl_enq is not None else '-',
              fmt_x(bh.m('csw')), fmt_x(tl.m('csw')), fmt_x(bh.m('ipi')),
              fmt_x(tl.m('ipi')), 'yes' if overlap(bh, tl) else 'no'))
    w('\n')
    w('Why a BH workqueue item costs more than a tasklet here although the '
      'workqueue maintainer expects no noticeable difference: both raise '
      'the same softirq (TASKLET_SOFTIRQ, or HI_SOFTIRQ for highpri) and '
      'run in it, and from task context both wake ksoftirqd; the context '
      'switches and IPIs per item are the same for both (above).  What '
      'differs is path length, on both sides, as the enq and run-side '
      'columns show.  `tasklet_schedule()` is a test_and_set_bit, a list '
      'append and `raise_softirq_irqoff()`; `tasklet_action_common()` '
      'steals the list and calls the function after two more bit '
      'operations.  `queue_work_on()` also sets a PENDING bit, then '
      '`__queue_work()` looks up the pwq, checks the last pool for '
      'non-reentrancy, takes `pool->lock`, counts nr_active, inserts and '
      'calls `kick_bh_pool()`; on the run side `bh_worker()` takes '
      '`pool->lock` again, leaves idle and assigns the work, and '
      '`process_one_work()` does the busy-hash insert, the PENDING clear '
      'with a full barrier, the unlock and the tracepoints before the '
      'call, and relocks afterwards.  That is a few hundred instructions '
      'and two lock round trips more per item: a fraction of a '
      'microsecond on hardware, which is the maintainer\'s "no noticeable '
      'difference".  QEMU\'s TCG runs kernel code about an order of '
      'magnitude slower than hardware and turns every locked instruction '
      'and barrier into a helper call, so here the same path costs about '
      'a microsecond on each side.  From task context the ksoftirqd '
      'wake-up, the same for both, dominates and dilutes the gap; from '
      'softirq context, where nothing else is in the way, it is largest in '
      'relative terms.  From hardirq both pay the same extra: the time '
      'between the end of the local APIC timer interrupt and the softirq '
      '(local_timer_exit -> softirq_entry took 4 to 16 µs in traces of '
      'this guest, against about 1 µs on the softirq origin, which starts '
      'after it), where QEMU emulates the APIC timer\'s EOI and '
      're-programming under its global lock.  Measure on the board before '
      'quoting a difference.\n\n')


def rate_section(main, cells, w):
    p = main['params']
    res = num(p.get('hrtimer_res_ns'))
    w('## What limits items/s\n\n')
    w('One item is in flight at a time, so items/s is 1 / (latency + the '
      'runner\'s own wake-up and re-arm).  ')
    if res is not None and res <= 1000:
        w('hrtimers are high-resolution (%s ns), so the softirq and hardirq '
          'origins (a 0-ns hrtimer) fire at once and those cells are limited '
          'by the round trip, not by the tick.  ' % res)
    else:
        w('hrtimers are **not** high-resolution (%s ns): every softirq and '
          'hardirq cell is paced by the tick (about HZ=%s items/s).  '
          % (p.get('hrtimer_res_ns'), p.get('hz')))
    idle = [c for c in cells.values() if c.load == 'idle' and
            c.m('items_s') is not None]
    if idle:
        slow = min(idle, key=lambda c: c.m('items_s'))
        fast = max(idle, key=lambda c: c.m('items_s'))
        w('Slowest idle cell: %s from %s (%s, %d items/s); fastest: %s from '
          '%s (%s, %d items/s).' % (
              slow.mech, slow.origin, slow.place, slow.m('items_s'),
              fast.mech, fast.origin, fast.place, fast.m('items_s')))
    w('\n\n')


def enqueue_table(main, cells, log, w):
    rows = [c for c in cells.values() if c.load == 'idle' and c.origin in
            ('task_atomic', 'task_preempt') and c.mech in
            ('percpu', 'unbound', 'ordered', 'bh', 'kthread_worker')]
    rows.sort(key=lambda c: (MECHS.index(c.mech), c.place, c.origin))
    if not rows and not log['twq']:
        return
    w('## Enqueue cost: wq_bench next to lib/test_workqueue.ko\n\n')
    w('| source | queue | producers | preemption | p50 | p90 | p95 | p99 '
      '| items/s |\n|---|---|--:|---|--:|--:|--:|--:|--:|\n')
    for c in rows:
        w('| wq_bench | %s (%s) | 1 | %s | %s | %s | - | %s | %s |\n' % (
            c.mech, c.place, 'off' if c.origin == 'task_atomic' else 'on',
            us(c.m('enq_p50')), us(c.m('enq_p90')), us(c.m('enq_p99')),
            fmt_int(c.m('items_s'))))
    for t in log['twq']:
        w('| test_workqueue run %d | unbound, scope %s | %s | on | %s | %s '
          '| %s | - | %s |\n' % (t['load'], t['scope'], t['threads'],
                                  us(t['p50']), us(t['p90']), us(t['p95']),
                                  t['items_s']))
    w('\n')
    w('Both time only the queueing call with ktime_get() on each side, and '
      'both wait for each item before queueing the next.  They differ in '
      'what lands inside the timed window:\n\n'
      '- wq_bench\'s task_atomic origin disables preemption around the '
      'call, so the window holds queue_work() and the interrupts that hit '
      'it.  Its task_preempt origin and test_workqueue leave preemption on: '
      'when the woken worker may preempt the producer (PREEMPT_FULL, or a '
      'higher-priority class; PREEMPT_LAZY defers a fair-class wakeup to '
      'the next tick), its whole run and two context switches count as '
      '"enqueue".\n'
      '- test_workqueue runs one producer per CPU at once on one unbound '
      'queue: with a wide affinity scope they share one pool and contend '
      'on pool->lock; wq_bench has one producer.\n'
      '- queue_work() wakes an idle worker inside the window; on another '
      'CPU that costs an IPI and, if that CPU is idle, its idle exit.\n'
      '- Loaded by busybox, test_workqueue runs twice per load: its init '
      'returns -EAGAIN after the run, and busybox retries a failed '
      'finit_module() with init_module().  Both runs are listed.\n\n')


def delayed_section(main, w):
    if not main['delayed']:
        return
    w('## Delayed work against the timer wheel (HZ=%s)\n\n' %
      main['params'].get('hz'))
    w('Observed = jiffies from just before queue_delayed_work_on() to the '
      'start of the work.  The wheel fires a timer N jiffies out on the '
      'first tick of its level\'s granularity after jiffies + N.  '
      'Lateness is the time past N ticks.  Early = ran before N '
      'jiffies: a correctness violation.\n\n')
    w('| delay N | runs | wheel bound | observed | in bound | lateness '
      'min / p50 / p99 / max (µs) | early | result |\n')
    w('|--:|--:|---|---|--:|---|--:|---|\n')
    for d in main['delayed']:
        w('| %s | %s | %s | %s | %s | %s / %s / %s / %s | %s | %s |\n' % (
            d.get('jiffies'), d.get('exec'), d.get('bound'), d.get('ticks'),
            d.get('in_bound'), us(num(d.get('late_min'))),
            us(num(d.get('late_p50'))), us(num(d.get('late_p99'))),
            us(num(d.get('late_max'))), d.get('early'), d.get('result')))
    w('\n')


def problems(log):
    out = []
    if not log['sessions']:
        return ['no "wq_bench: params" line']
    for i, s in enumerate(log['sessions']):
        name = 'load %d of wq_bench' % (i + 1)
        if s['stopped']:
            out.append('%s was stopped before the end' % name)
        if s['end'] is None:
            out.append('%s: **no end marker** ("wq_bench: end")' % name)
            continue
        if int(s['end'].get('cells', -1)) != len(s['cells']):
            out.append('%s: the end line counts %s cells, %d cell lines '
                       'found' % (name, s['end'].get('cells'),
                                  len(s['cells'])))
        if int(s['end'].get('delayed', -1)) != len(s['delayed']):
            out.append('%s: the end line counts %s delayed lines, %d found'
                       % (name, s['end'].get('delayed'), len(s['delayed'])))
        if s['end'].get('violations') != '0':
            out.append('%s: the end line reports %s violations' % (
                name, s['end'].get('violations')))
        for c in s['cells']:
            if c.get('result') != 'ok':
                out.append('**VIOLATION** in %s: run %s load %s %s/%s/%s: '
                           'exec=%s timeout=%s once=%s ctx=%s cpu=%s' % (
                               name, c.get('run'), c.get('load'),
                               c.get('mech'), c.get('origin'), c.get('place'),
                               c.get('exec'), c.get('timeout'), c.get('once'),
                               c.get('ctx'), c.get('cpu')))
        for d in s['delayed']:
            if d.get('result') != 'ok':
                out.append('**VIOLATION** in %s: delayed work of %s '
                           'jiffies: exec=%s early=%s' % (
                               name, d.get('jiffies'), d.get('exec'),
                               d.get('early')))
    return out


def main_session(log):
    plain = [s for s in log['sessions'] if not s['trace']]
    return (plain or log['sessions'])[0]


def report(log, out):
    w = out.write
    w('# wq_bench report\n\n')
    if not log['sessions']:
        w('No "wq_bench: params" line found.\n')
        return
    main = main_session(log)
    cells = aggregate(main)
    p = main['params']
    w('Latency is from "queue it" to "the handler starts", in µs; one item '
      'in flight at a time.  Every cell ran runs=%s times; a value is the '
      'median of the runs and [min-max] their spread.  "step" is the '
      'ratio to the next faster mechanism of the same origin and place, '
      'marked ≈ when their p50 ranges overlap (inside the run-to-run '
      'noise; runs in one boot understate boot-to-boot noise).  p50/wake '
      'is over the bare wake-up floor of the same run.  enq is the '
      'trigger call alone.  CPU µs/item is the busy time per item of the '
      'CPUs the cell uses (the queueing and the target CPU; every online '
      'CPU for place any), raiser µs/item the time the runner thread is '
      'awake (trigger, bookkeeping, interrupts that hit it); the rest is '
      'the handler side: interrupts, softirq, worker, scheduler, idle '
      'exit.  IPIs sent and context switches are counted with the '
      'ipi_send_cpu[mask] and sched_exit_tp tracepoints, per item, all '
      'CPUs.\n\n' % p.get('runs'))
    env_section(log, main, w)
    w('## Queue-to-start latency, idle machine\n\n')
    latency_table(cells, 'idle', w)
    noise_section(cells, 'idle', p.get('runs'), w)
    bh_section(cells, w)
    cross_check(log, cells, w)
    hog_section(cells, main, w)
    rate_section(main, cells, w)
    enqueue_table(main, cells, log, w)
    delayed_section(main, w)
    if main['skips']:
        w('## Combinations that do not exist\n\n')
        w('| mechanism | origin | place | reason |\n|---|---|---|---|\n')
        for s in main['skips']:
            w('| %s | %s | %s | %s |\n' % (s.get('mech'), s.get('origin'),
                                          s.get('place'), s.get('reason')))
        w('\n')
    if log['times']:
        w('Times: %s.\n\n' % '; '.join(log['times']))
    w('## Correctness\n\n')
    for line in problems(log) or ['every cell of every run ran each item '
                                  'exactly once, within the timeout, in the '
                                  'expected context and on the expected '
                                  'CPU; no delayed work ran early; every '
                                  'end marker is present.']:
        w('- %s\n' % line)


# ---------------------------------------------------------------------------
# Plot

def plot(log, png):
    """Per origin and placement: median p50, spread and p99 whisker."""
    gnuplot = shutil.which('gnuplot')
    if not gnuplot:
        sys.stderr.write('wq_bench_report: gnuplot not found, no plot\n')
        return False
    main = main_session(log)
    cells = aggregate(main)
    base, ext = os.path.splitext(png)
    ok = True
    for load in LOADS:
        pnl = panels(cells, load)
        if not pnl:
            continue
        ok &= plot_load(gnuplot, main, cells, pnl, load,
                        png if load == 'idle' else base + '-' + load + ext)
    return ok


def plot_load(gnuplot, main, cells, pnl, load, png):
    p = main['params']
    term = 'pngcairo size 1600,2000 font ",10"'
    if subprocess.run([gnuplot, '-e', 'set terminal pngcairo'],
                      capture_output=True).returncode:
        term = 'png size 1600,2000'
    title = ('wq_bench, %s: queue-to-start latency (µs, log scale); dot = '
             'median p50 of %s runs, bar = p50 min-max, whisker = median '
             'p99; dashed = wake floor\\n%s HZ=%s preempt=%s' % (
                 'idle' if load == 'idle' else 'CPU hog on the target CPU',
                 p.get('runs'), main['env'].get('release', ''), p.get('hz'),
                 p.get('preempt')))
    gp = ['set terminal %s' % term, 'set termoption noenhanced',
          'set output "%s"' % png,
          'set multiplot layout 4,2 title "%s"' % title.replace('"', "'"),
          'set logscale x', 'set grid xtics mxtics', 'unset key',
          'set xtics (%s)' % ', '.join('"%g" %g' % (v, v) for v in [
              m * 10 ** e for e in range(-2, 6) for m in (1, 2, 5)]),
          'set xlabel "µs"', 'set style fill solid 0.35 noborder']
    for o in ORIGINS:
        for pl in ('same', 'other'):
            rows = pnl.get((load, o, pl))
            if not rows:
                gp.append('set multiplot next')
                continue
            name = 'd_%s_%s' % (o, pl)
            gp.append('$%s << EOD' % name)
            for i, c in enumerate(rows):
                gp.append('%d %g %g %g %g %d' % (
                    i, c.p50 / 1000.0, c.p50_lo / 1000.0, c.p50_hi / 1000.0,
                    (c.p99 or c.p50) / 1000.0, COLORS.get(c.mech, 0)))
            gp.append('EOD')
            gp.append('set title "origin %s, %s CPU%s"' % (
                o, pl, ' (and any)' if pl == 'same' else ''))
            gp.append('set ytics (%s)' % ', '.join(
                '"%s" %d' % (c.label(), i) for i, c in enumerate(rows)))
            gp.append('set yrange [%g:-0.6]' % (len(rows) - 0.4))
            lo = min(c.p50_lo for c in rows) / 1000.0
            hi = max((c.p99 or c.p50) for c in rows) / 1000.0
            fl = floor_of(cells, load, o, pl)
            gp.append('unset arrow')
            if fl:
                gp.append('set arrow from %g, graph 0 to %g, graph 1 nohead '
                          'dt 2 lw 1.5 lc rgb "#555555"' % (fl / 1000.0,
                                                            fl / 1000.0))
                lo = min(lo, fl / 1000.0)
            gp.append('set xrange [%g:%g]' % (lo / 1.5, hi * 1.5))
            gp.append('plot $%s using 2:1:3:4:($1-0.3):($1+0.3):6 with '
                      'boxxyerror lc rgb variable, '
                      '$%s using 2:1:2:5 with xerrorbars pt 7 ps 1 lw 1.2 '
                      'lc rgb "black"' % (name, name))
    gp.append('unset multiplot')
    res = subprocess.run([gnuplot], input='\n'.join(gp) + '\n', text=True,
                         capture_output=True)
    if res.returncode:
        sys.stderr.write('wq_bench_report: gnuplot failed:\n' + res.stderr)
        return False
    return True


def main():
    ap = argparse.ArgumentParser(
        description='Markdown report (and plots) of wq_bench runs.')
    ap.add_argument('log', nargs='?', help='kernel log (default: stdin)')
    ap.add_argument('-o', '--output', help='write the report here')
    ap.add_argument('--png', help='draw the idle plot into this file, the '
                    'one with the hog into <name>-hog.png')
    args = ap.parse_args()

    try:
        src = open(args.log, errors='replace') if args.log else sys.stdin
    except OSError as e:
        ap.error('cannot read %s: %s' % (args.log, e.strerror))
    log = parse(src)
    out = open(args.output, 'w') if args.output else sys.stdout
    report(log, out)
    if args.png and log['sessions'] and main_session(log)['cells']:
        plot(log, args.png)
    return 1 if problems(log) else 0


if __name__ == '__main__':
    sys.exit(main())
