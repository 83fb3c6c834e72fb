#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""usage: scripts/dtlog.py BASE.log COMPOSITE.log BASE_NAME COMPOSITE_NAME BASE.dtb COMPOSITE.dtb

dt-check's verdict on an overlay application test: both device trees
must have been built (their .dtb files exist), and the composite's build
log (dtc W=1 and dt-validate) must hold no finding that the base board's
own log does not hold, the composite's name read as the base's.  A
finding is a line with its indented continuation lines.  Prints the
problems; exit 1 if there is any.
"""
import os
import sys


def findings(path):
    out = []
    for line in open(path, errors='replace'):
        line = line.rstrip('\n')
        # arch/arm64/Makefile's note on the sid root's x86 assembler,
        # which only configures the tree here and never assembles.
        if 'Detected assembler with broken .inst' in line:
            continue
        if line[:1] in (' ', '\t') and out:
            out[-1] += '\n' + line
        else:
            out.append(line)
    return out


def main(argv):
    if argv[:1] in (['-h'], ['--help']):
        print(__doc__.strip())
        return 0
    if len(argv) != 6:
        print(__doc__.strip().split('\n')[0], file=sys.stderr)
        return 2
    base_log, comp_log, base, comp, base_dtb, comp_dtb = argv
    bad = 0
    for dtb in (base_dtb, comp_dtb):
        if not os.path.isfile(dtb):
            print('%s was not built (see %s)' % (os.path.basename(dtb), comp_log))
            bad = 1
    if bad:
        return 1
    known = set(findings(base_log))
    for f in findings(comp_log):
        if f.replace(comp, base) not in known:
            print(f)
            bad = 1
    return bad


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
