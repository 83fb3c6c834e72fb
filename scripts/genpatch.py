#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Helpers of scripts/gen-patches (one job each; see its comments).

  genpatch.py assemble SRC DEST HAVE_SYMS ALL_SYMS AUTHOR
      copy SRC to DEST: a shared Kconfig/Makefile keeps only the symbols
      introduced so far; @SUBMITTER@ becomes AUTHOR.
  genpatch.py headers PATCH TO CC
      add To: and Cc: headers (comma-separated lists, may be empty) to a
      format-patch file, after its Subject.
  genpatch.py normal PATCH
      print a patch in a form that does not depend on the base it was
      made on: no To/Cc/Date headers, no index lines, no line numbers in
      hunk headers, no base-commit; what remains is the author, the
      subject, the message and the changed lines.
"""
import re
import sys


def assemble(src, dest, have, known, author):
    have = set(have.split())
    text = open(src).read().replace('@SUBMITTER@', author)
    lines = text.splitlines(True)
    defined = set(re.findall(r'^(?:menu)?config\s+(\S+)', text, re.M)) | \
        set(re.findall(r'CONFIG_(\w+)\)', text))
    drop = defined - have if src.endswith(('Kconfig', 'Makefile')) else set()
    out = []
    if src.endswith('Kconfig'):
        start = re.compile(r'^(config|menuconfig|endif|if|menu|endmenu|source|comment|choice|endchoice)\b')
        skipping = False
        for line in lines:
            m = re.match(r'^(?:menu)?config\s+(\S+)', line)
            if m:
                skipping = m.group(1) in drop
            elif start.match(line):
                skipping = False
            if not skipping:
                out.append(line)
    elif src.endswith('Makefile'):
        for line in lines:
            m = re.search(r'CONFIG_(\w+)\)', line)
            if not (m and m.group(1) in drop):
                out.append(line)
    else:
        out = lines
    open(dest, 'w').write(''.join(out))


def headers(path, to, cc):
    text = open(path).read()
    head, sep, body = text.partition('\n\n')
    lines = head.split('\n')
    # A folded Subject continues on lines that start with a blank.
    i = next(i for i, l in enumerate(lines) if l.startswith('Subject: '))
    i += 1
    while i < len(lines) and lines[i][:1] in (' ', '\t'):
        i += 1
    add = []
    if to:
        add.append('To: ' + to)
    if cc:
        add.append('Cc: ' + cc)
    lines[i:i] = add
    open(path, 'w').write('\n'.join(lines) + sep + body)


def normal(path):
    out = []
    in_head = True
    skip_cont = False
    for line in open(path, errors='replace').read().split('\n'):
        if in_head:
            if line == '':
                in_head = False
            elif skip_cont and line[:1] in (' ', '\t'):
                continue
            else:
                skip_cont = bool(re.match(r'^(To|Cc|Date): ', line))
                if skip_cont:
                    continue
        if line.startswith('index ') or line.startswith('base-commit: '):
            continue
        line = re.sub(r'^@@ -[0-9,]+ \+[0-9,]+ @@', '@@', line)
        out.append(line)
    sys.stdout.write('\n'.join(out))


def main(argv):
    if not argv or argv[0] in ('-h', '--help'):
        print(__doc__.strip())
        return 0
    cmd, args = argv[0], argv[1:]
    if cmd == 'assemble' and len(args) == 5:
        assemble(*args)
    elif cmd == 'headers' and len(args) == 3:
        headers(*args)
    elif cmd == 'normal' and len(args) == 1:
        normal(*args)
    else:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
