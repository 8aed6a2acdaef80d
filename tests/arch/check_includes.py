#!/usr/bin/env python3
"""Process boundaries in the source tree (docs/architecture.md "Process
boundaries"):

1. A file under procs/X/ includes no header of procs/Y/ for Y != X. Shared
   code lives in common/, ipc/ or ipc/ledgerdb/. procs/cli is exempt: it links
   the vm libraries by design. procs/rpc may include the NanoVM libraries
   (procs/vm/{codec,interp,programs}/: deterministic code with no process
   state, so the wallet builds messages with the very codec the indexer
   decodes, and reads vm.db with its own format), never procs/vm/service/.
2. The headers of one process (or of common/, ipc/, ipc/ledgerdb/) include
   each other without a cycle.

Usage: check_includes.py SOURCE_ROOT. Prints every violation, exits 1 if any.
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
SHARED = ('common', 'ipc')
VM_LIBRARIES = ('procs/vm/codec/', 'procs/vm/interp/', 'procs/vm/programs/')


def sources(root):
    for top in ('procs',) + SHARED:
        for d, _, files in os.walk(os.path.join(root, top)):
            for f in files:
                if f.endswith(('.c', '.h')):
                    path = os.path.join(d, f)
                    yield os.path.relpath(path, root), path


def owner(rel):
    """'procs/net' for procs/net/x.c, 'common' for common/x.h."""
    parts = rel.split('/')
    return '/'.join(parts[:2]) if parts[0] == 'procs' else parts[0]


def main():
    root = sys.argv[1]
    errors = []
    graph = {}
    for rel, path in sources(root):
        with open(path, encoding='utf-8') as fh:
            incs = INCLUDE.findall(fh.read())
        me = owner(rel)
        for inc in incs:
            if not inc.startswith('procs/'):
                continue
            them = owner(inc)
            if me.startswith('procs/') and them != me:
                if me == 'procs/cli':
                    continue
                if me == 'procs/rpc' and inc.startswith(VM_LIBRARIES):
                    continue
                errors.append(f'{rel}: includes {inc} (a header of {them})')
            elif not me.startswith('procs/'):
                errors.append(f'{rel}: shared code includes {inc} (a process header)')
        if rel.endswith('.h'):
            graph[rel] = [i for i in incs if owner(i) == me and i != rel]

    # Cycles among the headers of one owner (depth-first search).
    state = {}
    stack = []

    def visit(h):
        state[h] = 1
        stack.append(h)
        for n in graph.get(h, []):
            if state.get(n) == 1:
                cyc = stack[stack.index(n):] + [n]
                errors.append('include cycle: ' + ' -> '.join(cyc))
            elif n in graph and not state.get(n):
                visit(n)
        stack.pop()
        state[h] = 2

    for h in sorted(graph):
        if not state.get(h):
            visit(h)

    for e in errors:
        print(e)
    checked = sum(1 for _ in sources(root))
    print(f'{checked} files checked, {len(errors)} violation(s)')
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
