# SPDX-License-Identifier: GPL-2.0
"""Read the logs of a test guest and judge them.

A guest writes two logs:

  the kernel log: every record of /dev/kmsg, at every level, copied by the
      guest's /init to a virtio console (one record per line,
      "LEVEL,SEQ,USEC,FLAGS;TEXT"); this is what the checks are judged on,
      so nothing the console's loglevel hides is missed;
  the console: what the serial console printed (loglevel 6), kept for a
      kernel that died before its log was copied.

The guest scripts (scripts/guest/lib.sh) mark their checks in the kernel
log: WQS-PLAN NAME (a check that will run), WQS-BEGIN NAME, WQS-PASS NAME |
WQS-FAIL NAME: why | WQS-SKIP NAME: why, WQS-END NAME, WQS-EXPECT-SPLAT ERE
(a splat this check may cause), WQS-EXPECT-CATCH ERE (this check runs a
planted defect: it must fail, and what caught it must match ERE), and
WQS-EXIT STATUS at the end.

Used by scripts/guest-results, scripts/splats and scripts/selftest.
"""

import re

# What counts as a kernel splat: at least what the kernel's own
# tools/testing/selftests/rcutorture/bin/console-badness.sh looks for,
# plus the reports of the detectors the debug kernels have (KASAN,
# kmemleak, debugobjects, UBSAN, lockdep, atomic sleep, the workqueue and
# hung-task watchdogs) and the kernel's note that log records were lost.
BADNESS = re.compile(
    r'Badness|WARNING:|Warn|BUG|===========|Call Trace:|Call trace:|Oops'
    r'|detected stalls on CPUs/tasks:|self-detected stall on CPU'
    r'|Stall ended before state dump start|rcu_.*kthread starved for|!!!'
    r'|Unable to handle|general protection fault|Kernel panic'
    r'|ODEBUG:|kmemleak: [0-9]+ new suspected|unreferenced object 0x'
    r'|kmemleak: .*(disabled|error)|UBSAN:|list_(add|del) corruption'
    r'|INFO: task .* blocked|INFO: possible|INFO: trying to register non-static key'
    r'|INFO: lockdep is turned off|printk messages dropped|hogged CPU'
    r'|scheduling while atomic|workqueue lockup|soft lockup|hard LOCKUP')

# Lines that match BADNESS but are not splats, each with the reason.
NOT_BADNESS = [
    # console-badness.sh's own exceptions
    re.compile(r'This means that this is a DEBUG kernel and it is'),
    re.compile(r'Warning: unable to open an initial console'),
    re.compile(r'NOHZ tick-stop error: Non-RCU local softirq work is pending'),
    # The guest scripts' and the samples' own words: a module's pr_fmt
    # prefix ("wq_basics: ...") or a guest note ("wqs: ...") is text the
    # project printed, never a report of the kernel's detectors.
    re.compile(r'^(wqs|wqs-[a-z0-9]+|workqueue_demo|wq_[a-z0-9_]+|wqs_[a-z0-9_]+|exercise[0-9]*|ex[0-9]+_[a-z0-9_]+): '),
    # KUnit's KTAP: a test's name or description is not a splat; a real
    # failure of a case is judged by the KTAP result, not here.
    re.compile(r'^\s*(# Subtest: |(not )?ok [0-9]+ |# [a-z_0-9]+: |KTAP version)'),
]

# Kernel messages of the boot itself, on these guests, that match the
# pattern but report nothing wrong (kept short; each says why).
BOOT_NOT_BADNESS = [
    # printed by kmemleak_init when the debug kernel starts: "kmemleak:
    # Kernel memory leak detector initialized (mem pool available: N)"
    # does not match; nothing else needed so far.
]


def is_badness(text):
    if not BADNESS.search(text):
        return False
    return not any(p.search(text) for p in NOT_BADNESS + BOOT_NOT_BADNESS)


class Record:
    __slots__ = ('level', 'seq', 'usec', 'text')

    def __init__(self, level, seq, usec, text):
        self.level, self.seq, self.usec, self.text = level, seq, usec, text


def unescape(text):
    """/dev/kmsg writes a backslash and unprintable bytes as \\xNN; a
    newline inside a record becomes a space."""
    return re.sub(r'\\x([0-9a-f]{2})',
                  lambda m: ' ' if m.group(1) == '0a' else chr(int(m.group(1), 16)), text)


def read_kmsg(path):
    """Records of a kernel log copied from /dev/kmsg, and the problems of
    the copy itself (records lost, lines that are not records)."""
    recs, problems = [], []
    last = None
    with open(path, 'rb') as f:
        data = f.read().decode('utf-8', 'replace')
    for line in data.replace('\r', '').split('\n'):
        if not line or line.startswith(' '):
            continue            # a record's key=value dictionary
        if line.startswith('WQS-KMSG-LOST'):
            problems.append('the kernel log overflowed: records were lost before the guest read them')
            continue
        m = re.match(r'^([0-9]+),([0-9]+),([0-9]+),[^;]*;(.*)$', line)
        if not m:
            continue            # a line cut by the end of the log
        rec = Record(int(m.group(1)) & 7, int(m.group(2)), int(m.group(3)),
                     unescape(m.group(4)))
        if last is not None and rec.seq != last + 1:
            if rec.seq > last + 1:
                problems.append('%d kernel log records missing before record %d'
                                % (rec.seq - last - 1, rec.seq))
            else:
                problems.append('kernel log record %d seen twice or out of order' % rec.seq)
        last = rec.seq
        recs.append(rec)
    return recs, problems


def read_console(path):
    """A serial console log as whole lines: no carriage returns, no
    timestamps, and no line that printk cut short when another CPU took
    the console over ("** replaying previous printk message **")."""
    with open(path, 'rb') as f:
        data = f.read().decode('utf-8', 'replace')
    out = []
    for line in data.replace('\r', '').split('\n'):
        if line == '** replaying previous printk message **':
            if out:
                out.pop()
            continue
        out.append(re.sub(r'^\[ *[0-9]+\.[0-9]+\] ', '', line))
    return out


class Check:
    def __init__(self, name):
        self.name = name
        self.planned = False
        self.begun = False
        self.result = None      # 'PASS', 'FAIL', 'SKIP'
        self.why = ''
        self.splats = []        # unexpected splat lines while it ran
        self.expect_splat = []  # EREs
        self.expect_catch = None
        self.ended = False


def judge(label, recs, problems, console=None, details=False):
    """Result lines (PASS|FAIL|SKIP LABEL: NAME...) for a guest's kernel
    log, then summary lines (indented).  Returns (lines, failed)."""
    checks, order = {}, []
    cur = None
    outside = []
    expected_seen = 0
    exited = None
    relay_end = False
    notes = []

    def get(name):
        if name not in checks:
            checks[name] = Check(name)
            order.append(name)
        return checks[name]

    for r in recs:
        t = r.text
        if t.startswith('WQS-'):
            m = re.match(r'^WQS-([A-Z-]+) ?(.*)$', t)
            kind, rest = m.group(1), m.group(2)
            if kind == 'PLAN':
                get(rest).planned = True
            elif kind == 'BEGIN':
                cur = get(rest)
                cur.begun = True
            elif kind in ('PASS', 'FAIL', 'SKIP'):
                # A check's name may hold ': ' itself ("gpio-sim dt: probe").
                if cur is not None and (rest == cur.name or rest.startswith(cur.name + ': ')):
                    name, why = cur.name, rest[len(cur.name) + 2:]
                else:
                    name, _, why = rest.partition(': ')
                c = get(name)
                c.result, c.why = kind, why
            elif kind == 'END':
                get(rest).ended = True
                cur = None
            elif kind == 'EXPECT-SPLAT' and cur:
                cur.expect_splat.append(re.compile(rest))
            elif kind == 'EXPECT-CATCH' and cur:
                cur.expect_catch = re.compile(rest)
            elif kind == 'EXIT':
                exited = rest.split()[0] if rest else '?'
            elif kind == 'RELAY-END':
                relay_end = True
            continue
        if details and t.startswith('wqs: '):
            notes.append('    ' + t[5:])
        if not is_badness(t):
            continue
        if cur is not None:
            if any(p.search(t) for p in cur.expect_splat):
                expected_seen += 1
            else:
                cur.splats.append(t)
        else:
            outside.append(t)

    out, failed = [], 0

    def emit(line):
        nonlocal failed
        out.append(line)
        if line.startswith('FAIL '):
            failed += 1

    for name in order:
        c = checks[name]
        head = '%s: %s' % (label, name)
        if not c.begun and not c.result:
            emit('FAIL %s: planned, but it never ran (the guest stopped before it?)' % head)
            continue
        if c.expect_catch is not None:
            evidence = ([c.why] if c.result == 'FAIL' else []) + c.splats
            hit = next((e for e in evidence if c.expect_catch.search(e)), None)
            if hit:
                emit('PASS %s: caught: %s' % (head, hit))
            elif evidence:
                emit('FAIL %s: failed, but not for the planted reason (want /%s/): %s'
                     % (head, c.expect_catch.pattern, evidence[0]))
            else:
                emit('FAIL %s: NOT caught: the check passed (want /%s/)'
                     % (head, c.expect_catch.pattern))
            continue
        if not c.ended and c.result is None:
            emit('FAIL %s: started, but never finished%s' % (
                head, '; kernel splat: ' + c.splats[0] if c.splats else ''))
        elif c.result == 'SKIP':
            emit('SKIP %s: %s' % (head, c.why))
        elif c.result == 'PASS' and not c.splats:
            emit('PASS %s' % head)
        elif c.result == 'PASS':
            emit('FAIL %s: kernel splat: %s' % (head, c.splats[0]))
        else:
            why = c.why or 'no result'
            if c.splats:
                why += '; kernel splat: ' + c.splats[0]
            emit('FAIL %s: %s' % (head, why))

    if not order:
        emit('FAIL %s: the guest ran no check at all' % label)
    for p in problems:
        emit('FAIL %s: %s' % (label, p))
    if outside:
        emit('FAIL %s: kernel splat outside the checks: %s' % (label, outside[0]))
    if exited is None:
        why = 'the guest did not finish (timeout or crash)'
        if console is not None:
            bad = [l for l in console if is_badness(l)]
            if bad:
                why += '; the console shows: ' + bad[0]
        emit('FAIL %s: %s' % (label, why))
    elif not relay_end:
        emit('FAIL %s: the copy of the kernel log ended early (no WQS-RELAY-END)' % label)
    nsplat = sum(len(checks[n].splats) for n in order
                 if checks[n].expect_catch is None) + len(outside)
    planted = sum(len(checks[n].splats) for n in order
                  if checks[n].expect_catch is not None)
    out.extend(notes)
    out.append('    %s: %d checks, kernel splat lines: %d unexpected, %d expected, '
               '%d from planted defects' % (label, len(order), nsplat, expected_seen, planted))
    return out, failed


def splat_lines(recs):
    return [r.text for r in recs if not r.text.startswith('WQS-') and is_badness(r.text)]
