#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Turn the kernel log of a wq_bench run (and of lib/test_workqueue.ko, if
# it was loaded in the same boot) into a Markdown report and, with --png,
# a plot of the latency distributions drawn by gnuplot.
#
#	dmesg > bench.txt
#	python3 <this script> --png bench.png bench.txt > bench.md
#
# Exit status: 0 when the run ended and every correctness check passed,
# 1 when a check failed or the end marker is missing, 2 on bad usage.

import argparse
import re
import shutil
import subprocess
import sys

MECHS = ['ts', 'call', 'wake', 'percpu', 'percpu_hi', 'unbound', 'ordered',
         'bh', 'bh_hi', 'tasklet', 'kthread_worker', 'threaded_irq',
         'irq_work']
COLORS = ['#9e9e9e', '#616161', '#000000', '#1f77b4', '#17becf', '#2ca02c',
          '#98df8a', '#d62728', '#ff9896', '#8c564b', '#9467bd', '#e377c2',
          '#ff7f0e']
ORIGINS = ['task', 'softirq', 'hardirq']
PLACES = ['same', 'other', 'any']

LINE = re.compile(r'wq_bench: (params|cell|skip|delayed|end|stopped)\b ?(.*)')
TWQ_RUN = re.compile(r'test_workqueue: running (\d+) threads, (\d+) items/thread')
TWQ_ROW = re.compile(r'test_workqueue:\s+(\S+)\s+(\d+) items/sec\s+p50=(\d+)'
                     r'\s+p90=(\d+)\s+p95=(\d+) ns')


def kv(text):
    """key=value pairs; "reason=" takes the rest of the line."""
    out = {}
    words = text.split()
    for i, w in enumerate(words):
        if w.startswith('reason='):
            out['reason'] = ' '.join([w[7:]] + words[i + 1:])
            break
        if '=' in w:
            k, v = w.split('=', 1)
            out[k] = v
    return out


def parse(lines):
    run = {'params': None, 'cells': [], 'skips': [], 'delayed': [],
           'end': None, 'stopped': False, 'twq': []}
    threads, loads = None, 0
    for raw in lines:
        line = raw.replace('\r', '').rstrip('\n')
        m = LINE.search(line)
        if m:
            kind, rest = m.groups()
            if kind == 'params':
                run['params'] = kv(rest)
                run['params_text'] = rest
            elif kind == 'cell':
                run['cells'].append(kv(rest))
            elif kind == 'skip':
                run['skips'].append(kv(rest))
            elif kind == 'delayed':
                run['delayed'].append(kv(rest))
            elif kind == 'end':
                run['end'] = kv(rest)
            else:
                run['stopped'] = True
            continue
        m = TWQ_RUN.search(line)
        if m:
            threads = int(m.group(1))
            loads += 1
            continue
        m = TWQ_ROW.search(line)
        if m:
            scope, ips, p50, p90, p95 = m.groups()
            run['twq'].append({'load': loads, 'threads': threads,
                               'scope': scope,
                               'items_s': int(ips), 'p50': int(p50),
                               'p90': int(p90), 'p95': int(p95)})
    return run


def us(ns):
    """ns (int or '-') as microseconds with three significant digits."""
    if ns in (None, '-', ''):
        return '-'
    v = int(ns) / 1000.0
    if v < 10:
        return '%.2f' % v
    if v < 100:
        return '%.1f' % v
    return '%.0f' % v


def cell_ok(c):
    return c.get('result') == 'ok'


def report(run, out):
    p = run['params'] or {}
    w = out.write
    w('# wq_bench report\n\n')
    if run['params'] is None:
        w('No "wq_bench: params" line found.\n')
        return
    w('Parameters: `%s`\n\n' % run['params_text'])
    w('Latency is from "queue it" to "the handler starts", in µs; one item '
      'in flight at a time, so items/s is the round-trip rate.  Ratios '
      'compare p50 and p99 with the bare-wakeup floor (`wake`) and with the '
      'per-CPU workqueue (`percpu`) for the same origin and placement.  '
      'enq is the trigger call alone with preemption disabled (hard and '
      'soft IRQ origins: always atomic).\n\n')

    w('## Queue-to-start latency\n\n')
    w('| mechanism | origin | place | n | min | p50 | p90 | p99 | p99.9 | max '
      '| items/s | p50/floor | p99/floor | p50/percpu | p99/percpu '
      '| enq p50 | exactly once |\n')
    w('|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n')
    for c in run['cells']:
        once = 'ok (%s)' % c.get('exec') if cell_ok(c) else \
            '**VIOLATION** exec=%s once=%s ctx=%s cpu=%s' % (
                c.get('exec'), c.get('once'), c.get('ctx'), c.get('cpu'))
        place = c.get('place')
        if place == 'other':
            place = 'other (%s->%s)' % (c.get('from'), c.get('to'))
        w('| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s '
          '| %s | %s | %s | %s |\n' % (
              c.get('mech'), c.get('origin'), place, c.get('n'),
              us(c.get('min')), us(c.get('p50')), us(c.get('p90')),
              us(c.get('p99')), us(c.get('p999')), us(c.get('max')),
              c.get('items_s'), c.get('p50_floor'), c.get('p99_floor'),
              c.get('p50_pcpu'), c.get('p99_pcpu'), us(c.get('enq_p50')),
              once))
    w('\n')

    if run['skips']:
        w('## Combinations that do not exist\n\n')
        w('| mechanism | origin | place | reason |\n|---|---|---|---|\n')
        for s in run['skips']:
            w('| %s | %s | %s | %s |\n' % (s.get('mech'), s.get('origin'),
                                          s.get('place'), s.get('reason')))
        w('\n')

    enqueue_table(run, w)

    if run['delayed']:
        w('## Delayed work against the timer wheel (HZ=%s)\n\n' % p.get('hz'))
        w('Observed = jiffies from just before queue_delayed_work_on() to the '
          'start of the work.  The wheel fires a timer N jiffies out on the '
          'first tick of its level\'s granularity after jiffies + N.  '
          'Lateness is the time past N ticks.  Early = ran before N '
          'jiffies: a correctness violation.\n\n')
        w('| delay N | runs | wheel bound | observed | in bound | lateness '
          'min / p50 / p99 / max (µs) | early | result |\n')
        w('|--:|--:|---|---|--:|---|--:|---|\n')
        for d in run['delayed']:
            w('| %s | %s | %s | %s | %s | %s / %s / %s / %s | %s | %s |\n' % (
                d.get('jiffies'), d.get('exec'), d.get('bound'),
                d.get('ticks'), d.get('in_bound'), us(d.get('late_min')),
                us(d.get('late_p50')), us(d.get('late_p99')),
                us(d.get('late_max')), d.get('early'), d.get('result')))
        w('\n')

    w('## Correctness\n\n')
    for line in problems(run) or ['every cell ran each item exactly once, '
                                  'in the expected context and on the '
                                  'expected CPU; no delayed work ran early; '
                                  'the end marker is present.']:
        w('- %s\n' % line)


def enqueue_table(run, w):
    rows = [c for c in run['cells']
            if c.get('origin') == 'task' and c.get('mech') in
            ('percpu', 'unbound', 'ordered', 'bh', 'kthread_worker')]
    if not rows and not run['twq']:
        return
    w('## Enqueue cost: wq_bench next to lib/test_workqueue.ko\n\n')
    w('| source | queue | producers | preemption | p50 | p90 | p95 | p99 '
      '| items/s |\n|---|---|--:|---|--:|--:|--:|--:|--:|\n')
    for c in rows:
        q = '%s (%s)' % (c['mech'], c.get('place'))
        w('| wq_bench | %s | 1 | off | %s | %s | - | %s | %s |\n' % (
            q, us(c.get('enq_p50')), us(c.get('enq_p90')),
            us(c.get('enq_p99')), c.get('items_s')))
        w('| wq_bench | %s | 1 | on | %s | %s | - | %s | |\n' % (
            q, us(c.get('enq_on_p50')), us(c.get('enq_on_p90')),
            us(c.get('enq_on_p99'))))
    for t in run['twq']:
        w('| test_workqueue run %d | unbound, scope %s | %s | on | %s | %s '
          '| %s | - | %s |\n' % (t['load'], t['scope'], t['threads'],
                                  us(t['p50']), us(t['p90']), us(t['p95']),
                                  t['items_s']))
    w('\n')
    ub = [c for c in rows if c['mech'] == 'unbound']
    one = [t for t in run['twq'] if t['threads'] == 1]
    if ub and one:
        by = {}
        for t in one:
            by.setdefault(t['scope'], t['p50'])
        w('Here: wq_bench\'s unbound queue (default affinity scope) takes '
          '%s µs at p50 to queue with preemption off; test_workqueue with '
          'one producer takes %s.\n\n' % (
              us(ub[0].get('enq_p50')),
              ', '.join('%s µs in scope %s' % (us(v), k)
                        for k, v in by.items())))
    w('Both time only the queueing call with ktime_get() on each side, and '
      'both wait for each item before queueing the next.  They differ in '
      'what can land inside the timed window:\n\n'
      '- wq_bench disables preemption around the call, so the window holds '
      'queue_work() and the interrupts that hit it, never a switch to '
      'another task.  test_workqueue leaves preemption on: when the woken '
      'worker may preempt the producer (PREEMPT_FULL, or an RT or '
      'higher-priority task; PREEMPT_LAZY defers a fair-class wakeup to '
      'the next tick), the worker\'s whole run and two context switches '
      'are timed as "enqueue".  The `on` rows are wq_bench\'s own '
      'measurement with preemption on, in the same cell.\n'
      '- test_workqueue runs one producer per CPU at once, all on one '
      'unbound queue: with a wide affinity scope (cache, numa, system) '
      'they share one pool and contend on pool->lock; with the cpu scope '
      'each has its own.  wq_bench has one producer.  Its items/s is '
      'one producer\'s round-trip rate; test_workqueue\'s is the total '
      'of all producers over the whole run, thread start and stop '
      'included.\n'
      '- queue_work() wakes an idle worker inside the timed window.  When '
      'that worker sits on another CPU, which the affinity scope allows for '
      'every scope wider than cpu, the wakeup costs an IPI and, if that '
      'CPU is idle, its exit from idle.  With one producer per CPU a '
      'worker is often still running and needs no wakeup, and no CPU is '
      'idle.  So the same call costs a few µs or tens of µs '
      'depending on scope and on how many CPUs are busy, not on pool->lock '
      'alone.\n'
      '- Loaded by busybox, test_workqueue runs twice per load: its init '
      'returns -EAGAIN after the run, and busybox retries a failed '
      'finit_module() with init_module().  Both runs are listed.\n'
      '- test_workqueue also re-initialises the work item before every '
      'queueing (outside the window) and reports p95 where wq_bench '
      'reports p99.\n\n')


def problems(run):
    out = []
    if run['params'] is None:
        out.append('no params line')
    if run['stopped']:
        out.append('the run was stopped before the end')
    if run['end'] is None:
        out.append('**no end marker** ("wq_bench: end")')
    else:
        if int(run['end'].get('cells', -1)) != len(run['cells']):
            out.append('end line counts %s cells, %d cell lines found' % (
                run['end'].get('cells'), len(run['cells'])))
        if run['end'].get('violations') != '0':
            out.append('end line reports %s violations' %
                       run['end'].get('violations'))
    for c in run['cells']:
        if not cell_ok(c):
            out.append('**VIOLATION** in %s/%s/%s: exec=%s once=%s ctx=%s '
                       'cpu=%s timeout=%s' % (
                           c.get('mech'), c.get('origin'), c.get('place'),
                           c.get('exec'), c.get('once'), c.get('ctx'),
                           c.get('cpu'), c.get('timeout')))
    for d in run['delayed']:
        if d.get('result') != 'ok':
            out.append('**VIOLATION** in delayed work of %s jiffies: '
                       'exec=%s early=%s' % (d.get('jiffies'), d.get('exec'),
                                             d.get('early')))
    return out


def plot(run, png):
    """Latency by percentile, one panel per origin and placement."""
    gnuplot = shutil.which('gnuplot')
    if not gnuplot:
        sys.stderr.write('wq_bench_report: gnuplot not found, no plot\n')
        return False
    term = 'pngcairo size 1800,1500 font ",9"'
    if subprocess.run([gnuplot, '-e', 'set terminal pngcairo'],
                      capture_output=True).returncode:
        term = 'png size 1800,1500'
    xs = [('min', 0.0), ('p50', 0.301), ('p90', 1.0), ('p99', 2.0),
          ('p999', 3.0), ('max', 3.7)]
    gp = ['set terminal %s' % term, 'set termoption noenhanced',
          'set output "%s"' % png,
          'set multiplot layout 3,3 title "wq_bench: queue-to-start latency '
          'by percentile\\n%s"' % (run['params_text'][:200]
                                    .replace('"', "'")),
          'set logscale y', 'set grid', 'set key top left font ",8"',
          'set ylabel "µs"',
          'set xtics ("min" 0, "50%%" 0.301, "90%%" 1, "99%%" 2, '
          '"99.9%%" 3, "max" 3.7)',
          'set xrange [-0.1:3.8]']
    for origin in ORIGINS:
        for place in PLACES:
            cells = [c for c in run['cells'] if c.get('origin') == origin and
                     c.get('place') == place and c.get('p50', '-') != '-']
            refs = []
            if place == 'any':
                refs = [c for c in run['cells'] if c.get('origin') == origin
                        and c.get('place') == 'same' and
                        c.get('mech') in ('wake', 'percpu')]
            if not cells:
                gp.append('set multiplot next')
                continue
            gp.append('set title "origin %s, %s CPU"' % (origin, place))
            series, data = [], []
            for c, dashed in [(c, False) for c in cells] + \
                             [(c, True) for c in refs]:
                i = MECHS.index(c['mech']) if c['mech'] in MECHS else 0
                title = c['mech'] + (' (same CPU)' if dashed else '')
                series.append('"-" using 1:2 with linespoints lc rgb "%s" '
                              'pt 7 ps 0.7 lw 1.5 %s title "%s"' % (
                                  COLORS[i % len(COLORS)],
                                  'dt 2' if dashed else 'dt 1', title))
                for key, x in xs:
                    v = c.get(key, '-')
                    if v != '-':
                        data.append('%g %g' % (x, max(int(v), 1) / 1000.0))
                data.append('e')
            gp.append('plot ' + ', '.join(series))
            gp.extend(data)
    gp.append('unset multiplot')
    res = subprocess.run([gnuplot], input='\n'.join(gp) + '\n', text=True,
                         capture_output=True)
    if res.returncode:
        sys.stderr.write('wq_bench_report: gnuplot failed:\n' + res.stderr)
        return False
    return True


def main():
    ap = argparse.ArgumentParser(
        description='Markdown report (and plot) of a wq_bench run.')
    ap.add_argument('log', nargs='?', help='kernel log (default: stdin)')
    ap.add_argument('-o', '--output', help='write the report here')
    ap.add_argument('--png', help='draw the latency plot into this file')
    args = ap.parse_args()

    src = open(args.log, errors='replace') if args.log else sys.stdin
    run = parse(src)
    out = open(args.output, 'w') if args.output else sys.stdout
    report(run, out)
    if args.png and run['params'] and run['cells']:
        plot(run, args.png)
    return 1 if problems(run) else 0


if __name__ == '__main__':
    sys.exit(main())
