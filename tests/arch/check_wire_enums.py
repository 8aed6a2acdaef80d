#!/usr/bin/env python3
"""Wire enums (docs/architecture.md "Message families"): a message's kind and
every value that travels as a name are matched through the enum defined next
to their schema (ipc/schema_<family>.h), never by comparing strings by hand.

Fails on, in any C file of procs/, ipc/, supervisor/, common/ or tests/:

1. `ipc_msg_is(` (the string matcher that was removed) or `ipc_family_find(`
   outside ipc/msg.c and tests/ipc (finding a kind by name to compare it);
2. a strcmp/strncmp/memcmp/strcasecmp whose arguments name `kind->name`;
3. a strcmp/strncmp/memcmp/strcasecmp on a string that the same function
   read from a decoded message (ipc_get_str, ipc_get_strz, ipc_obj_str):
   such a value is parsed with its table (ipc_<family>_<value>_parse).
   A free-text field (a process's own name, an error message) may be
   compared when the line says why with the marker `wire: free text`.

And in every ipc/schema_<family>.c:

4. the `kinds[]` table has one designated row `[IPC_<FAMILY>_K_<KIND>] =`
   per kind and a _Static_assert that ties its size to the enum's _COUNT,
   and the family exports `ipc_<family>_kind_of`;
5. tests/ipc/fuzz_frame.c lists every family in its families[] (the fuzz
   target decodes and re-encodes each).

Usage: check_wire_enums.py SOURCE_ROOT. Prints every violation, exits 1 if any.
"""
import os
import re
import sys

TOPS = ('procs', 'ipc', 'supervisor', 'common', 'tests')
CMP = re.compile(r'\b(strcmp|strncmp|memcmp|strcasecmp)\s*\(')
GETS = (
    re.compile(r'\bipc_get_strz\s*\([^,;]+,\s*"[^"]*",\s*([A-Za-z_]\w*)'),
    re.compile(r'\bipc_get_str\s*\([^,;]+,\s*"[^"]*",\s*&([A-Za-z_]\w*)'),
    re.compile(r'\bipc_obj_str\s*\([^,;]+,\s*&([A-Za-z_]\w*)'),
)
MARKER = 'wire: free text'


def c_files(root):
    for top in TOPS:
        for d, _, files in os.walk(os.path.join(root, top)):
            for f in sorted(files):
                if f.endswith(('.c', '.h')):
                    path = os.path.join(d, f)
                    yield os.path.relpath(path, root), path


def call_args(text, start):
    """The text between the parenthesis at text[start] and its match."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == '(':
            depth += 1
        elif text[i] == ')':
            depth -= 1
            if depth == 0:
                return text[start + 1:i]
    return text[start + 1:]


def functions(text):
    """(first line number, body) of each top-level brace block."""
    out, depth, begin, line = [], 0, 0, 1
    for i, ch in enumerate(text):
        if ch == '\n':
            line += 1
        elif ch == '{':
            if depth == 0:
                begin, begin_line = i, line
            depth += 1
        elif ch == '}' and depth > 0:
            depth -= 1
            if depth == 0:
                out.append((begin_line, begin, text[begin:i + 1]))
    return out


def check_comparisons(rel, text, errors):
    lines = text.split('\n')
    for m in re.finditer(r'\bipc_msg_is\s*\(', text):
        errors.append(f'{rel}:{text.count(chr(10), 0, m.start()) + 1}: ipc_msg_is() '
                      'compares kind strings: use ipc_<family>_kind_of()')
    if rel not in ('ipc/msg.c', 'ipc/schema.h') and not rel.startswith('tests/ipc/'):
        for m in re.finditer(r'\bipc_family_find\s*\(', text):
            errors.append(f'{rel}:{text.count(chr(10), 0, m.start()) + 1}: ipc_family_find() '
                          'looks a kind up by name: use ipc_<family>_kind_of()')
    for first_line, offset, body in functions(text):
        wire = set()
        for g in GETS:
            wire.update(g.findall(body))
        for m in CMP.finditer(body):
            args = call_args(body, m.end() - 1)
            lineno = first_line + body.count('\n', 0, m.start())
            line = lines[lineno - 1] if lineno - 1 < len(lines) else ''
            if MARKER in line:
                continue
            if 'kind->name' in args:
                errors.append(f'{rel}:{lineno}: {m.group(1)} on a kind name: '
                              'use ipc_<family>_kind_of()')
                continue
            names = set(re.findall(r'(?<![.>\w])[A-Za-z_]\w*\b', args)) & wire
            if names:
                errors.append(f'{rel}:{lineno}: {m.group(1)} on {", ".join(sorted(names))}, '
                              'a string read from a message: parse it with its '
                              'name table (or mark a free-text field "' + MARKER + '")')


def check_schema(rel, text, errors):
    fam = os.path.basename(rel)[len('schema_'):-2]
    m = re.search(r'static const ipc_kind kinds\[[^\]]*\]\s*=\s*\{(.*?)\n\};', text, re.S)
    if not m:
        errors.append(f'{rel}: no kinds[] table')
        return
    rows = [r for r in re.findall(r'IPC_KIND(?:_EMPTY)?\(', m.group(1))]
    designated = re.findall(r'\[(IPC_[A-Z0-9]+_K_[A-Z0-9_]+)\]\s*=\s*IPC_KIND', m.group(1))
    if len(designated) != len(rows):
        errors.append(f'{rel}: {len(rows) - len(designated)} of {len(rows)} kinds[] rows are '
                      'not designated [IPC_<FAMILY>_K_<KIND>] =')
    if not re.search(r'_Static_assert\s*\(\s*(IPC_COUNT\(kinds\)|sizeof kinds / sizeof kinds\[0\])'
                     r'\s*==\s*IPC_[A-Z0-9]+_K_COUNT', text):
        errors.append(f'{rel}: no _Static_assert ties kinds[] to the enum\'s _COUNT')
    short = {'vmevents': 'vmev'}.get(fam, fam)
    if not re.search(r'\bipc_' + short + r'_kind_of\s*\(const ipc_msg', text):
        errors.append(f'{rel}: no ipc_{short}_kind_of()')


def main():
    root = sys.argv[1]
    errors = []
    nschemas = 0
    defined = set()
    for rel, path in c_files(root):
        with open(path, encoding='utf-8', errors='replace') as fh:
            text = fh.read()
        check_comparisons(rel, text, errors)
        if re.fullmatch(r'ipc/schema_[a-z]+\.c', rel):
            nschemas += 1
            defined.update(re.findall(r'^const ipc_family (ipc_family_\w+)\s*=', text, re.M))
            check_schema(rel, text, errors)
    with open(os.path.join(root, 'tests/ipc/fuzz_frame.c'), encoding='utf-8') as fh:
        fuzz = fh.read()
    m = re.search(r'families\[\]\s*=\s*\{(.*?)\};', fuzz, re.S)
    fuzzed = set(re.findall(r'&(ipc_family_\w+)', m.group(1))) if m else set()
    for fam in sorted(defined - fuzzed):
        errors.append(f'tests/ipc/fuzz_frame.c: families[] lacks {fam}')
    if nschemas < 7:
        errors.append(f'only {nschemas} ipc/schema_*.c files found under {root}')
    for e in errors:
        print(e)
    print(f'wire enums: {nschemas} schemas, {len(errors)} violation(s)')
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
