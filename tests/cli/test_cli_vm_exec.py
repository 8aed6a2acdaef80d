#!/usr/bin/env python3
"""smallnano-cli vm asm | disasm | run, end to end.

usage: test_cli_vm_exec.py <smallnano-cli> <counter.asm> <escrow.asm>
"""
import json
import os
import subprocess
import sys
import tempfile

CLI, COUNTER, ESCROW = sys.argv[1], sys.argv[2], sys.argv[3]
failures = 0


def run(*args, stdin=None):
    p = subprocess.run([CLI, *args], input=stdin, capture_output=True, text=True, timeout=30)
    return p.returncode, p.stdout, p.stderr


def check(cond, what):
    global failures
    if not cond:
        failures += 1
        print("FAIL:", what)


# asm -> hex; disasm -> text that assembles to the same hex.
rc, counter_hex, err = run("vm", "asm", COUNTER)
check(rc == 0, f"asm counter: rc {rc} {err}")
counter_hex = counter_hex.strip()
check(counter_hex.startswith("53564D3101"), "bytecode starts with SVM1 v1")
rc, text, err = run("vm", "disasm", counter_hex)
check(rc == 0 and ".method 0 m0 state" in text, f"disasm: {rc} {err}")
with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "re.asm")
    with open(path, "w") as f:
        f.write(text)
    rc, again, err = run("vm", "asm", path)
    check(rc == 0 and again.strip() == counter_hex, "disasm output reassembles to the same bytes")
    # Line-numbered assembler errors.
    with open(path, "w") as f:
        f.write(".method 0 m view\nm:\n  nop\n  frob r1\n")
    rc, _, err = run("vm", "asm", path)
    check(rc == 2 and ":4: unknown mnemonic 'frob'" in err, f"asm error names the line: {err!r}")
rc, text, err = run("vm", "asm", "-", stdin=open(COUNTER).read())
check(rc == 0 and text.strip() == counter_hex, "asm reads stdin with -")

# run: increment on an empty state, text and JSON.
rc, out, err = run("vm", "run", counter_hex, "--method", "0")
check(rc == 0, f"run increment rc {rc} {err}")
lines = out.splitlines()
check(lines[:3] == ["status: ok", "result: 1", "gas_used: 1040"], f"run output: {lines}")
check(lines[3:] == ["event: topic 1 data 00000000000000000000000000000001"], f"event: {lines}")
rc, out, err = run("--json", "vm", "run", counter_hex, "--method", "0")
j = json.loads(out)
check(j == {"status": "ok", "result": "1", "gas_used": 1040,
            "events": [{"topic": "1", "data": "00000000000000000000000000000001"}]}, f"json: {j}")
rc, out, err = run("vm", "run", counter_hex, "--method", "1", "--json")
check(json.loads(out)["result"] == "0", "view get on an empty state is 0")

# Faults: exit 1, offset reported, events dropped.
rc, out, err = run("vm", "run", counter_hex, "--method", "0", "--gas", "100")
check(rc == 1 and out.splitlines()[0] == "status: out_of_gas at 80", f"oog: {out}")
check("gas_used: 100" in out and "event" not in out, f"oog output: {out}")
rc, out, err = run("vm", "run", counter_hex, "--method", "0", "--view")
check(rc == 1 and out.startswith("status: view_state at 0"), f"view: {out}")
rc, out, err = run("vm", "run", counter_hex, "--method", "9", "--json")
check(rc == 1 and json.loads(out)["status"] == "no_method", f"no method: {out}")

# Arguments reach r1..r5.
with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "sum.asm")
    with open(path, "w") as f:
        f.write(".method 4 sum view\nsum: add r0, r1, r2\nadd r0, r0, r3\nadd r0, r0, r4\n"
                "add r0, r0, r5\nret\n")
    rc, sum_hex, err = run("vm", "asm", path)
    sum_hex = sum_hex.strip()
rc, out, err = run("vm", "run", sum_hex, "--method", "4", "--arg", "1", "--arg", "0x10",
                   "--arg", "100", "--arg", "1000", "--arg", "340282366920938463463374607431768200000")
check(rc == 0 and "result: 340282366920938463463374607431768201117" in out, f"args: {out}")
rc, out, err = run("vm", "run", sum_hex, "--method", "4", "--arg", "340282366920938463463374607431768211455",
                   "--arg", "1")
check(rc == 1 and out.startswith("status: overflow at 0"), f"overflow: {out}")

# Bad input: exit 2 with a clear message.
for args, needle in [
    (("vm", "run", counter_hex), "--method N is required"),
    (("vm", "run", counter_hex, "--method", "256"), "--method must be 0..255"),
    (("vm", "run", counter_hex, "--method", "0", "--gas", "x"), "not a number"),
    (("vm", "run", "53564D31", "--method", "0"), "invalid bytecode: truncated header"),
    (("vm", "run", "ABC", "--method", "0"), "even number"),
    (("vm", "disasm", "53564D3102"), "invalid bytecode"),
    (("vm", "asm", "/nonexistent/x.asm"), "cannot read"),
    (("vm", "frob"), "unknown vm command"),
]:
    rc, out, err = run(*args)
    check(rc == 2 and needle in err, f"{args}: rc {rc}, stderr {err!r}")

# The escrow example assembles and its view runs on an empty state.
rc, escrow_hex, err = run("vm", "asm", ESCROW)
check(rc == 0, f"asm escrow: {err}")
rc, out, err = run("vm", "run", escrow_hex.strip(), "--method", "3", "--arg", "0")
check(rc == 0 and "result: 0" in out, f"escrow held: {out}")
rc, out, err = run("vm", "run", escrow_hex.strip(), "--method", "0")
check(rc == 1 and out.startswith("status: fail at"), f"escrow deposit with nothing: {out}")

if failures:
    print(f"{failures} failure(s)")
    sys.exit(1)
print("vm cli: all checks passed")
