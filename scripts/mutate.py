#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""usage: scripts/mutate.py MUTANT.mut TREE ARCH OUTDIR

Make one mutant: copy the sample named by MUTANT.mut from the patched
TREE (samples/workqueue/MODULE.c) to OUTDIR with its planted defect, and
write OUTDIR/Kbuild, OUTDIR/module and OUTDIR/catch.  Nothing is written
when the mutant is not meant for ARCH.

A .mut file: "# comment" lines, then header lines
  module: wq_basics        the sample to copy
  catch: ERE               what the failed check must show
  arches: x86_64 arm64     (optional) where it runs
then one or more replacements:
  find: TEXT               a line whose text (blanks runs counted as
  with: TEXT               one blank) is TEXT, exactly once
                           in the file; "with:" lines replace it, with
                           its indentation ("with:" alone: the line goes)
"""
import os
import sys


def squash(text):
    return ' '.join(text.split())


def main(argv):
    if argv[:1] in (['-h'], ['--help']):
        print(__doc__.strip())
        return 0
    if len(argv) != 4:
        print(__doc__.strip().split('\n')[0], file=sys.stderr)
        return 2
    mut, tree, arch, out = argv
    head, reps = {}, []
    for raw in open(mut):
        line = raw.rstrip('\n')
        if line.startswith('#') or not line.strip():
            continue
        key, _, val = line.partition(':')
        val = val[1:] if val.startswith(' ') else val
        if key == 'find':
            reps.append([val.strip(), []])
        elif key == 'with':
            if not reps:
                sys.exit('%s: "with:" before any "find:"' % mut)
            if val.strip():
                reps[-1][1].append(val)
        elif key in ('module', 'catch', 'arches'):
            head[key] = val.strip()
        else:
            sys.exit('%s: unknown line "%s"' % (mut, line))
    for k in ('module', 'catch'):
        if k not in head:
            sys.exit('%s: no "%s:" line' % (mut, k))
    if not reps:
        sys.exit('%s: no "find:" line' % mut)
    if 'arches' in head and arch not in head['arches'].split():
        return 0
    src = os.path.join(tree, 'samples/workqueue', head['module'] + '.c')
    lines = open(src).read().split('\n')
    for find, new in reps:
        hits = [i for i, l in enumerate(lines) if squash(l) == squash(find)]
        if len(hits) != 1:
            sys.exit('%s: "%s" is on %d lines of %s, not exactly one'
                     % (mut, find, len(hits), src))
        i = hits[0]
        indent = lines[i][:len(lines[i]) - len(lines[i].lstrip())]
        lines[i:i + 1] = [indent + n for n in new]
    open(os.path.join(out, head['module'] + '.c'), 'w').write('\n'.join(lines))
    open(os.path.join(out, 'Kbuild'), 'w').write('obj-m := %s.o\n' % head['module'])
    open(os.path.join(out, 'module'), 'w').write(head['module'] + '\n')
    open(os.path.join(out, 'catch'), 'w').write(head['catch'] + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
