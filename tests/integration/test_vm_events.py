"""The swap program's every method, and every event type test_vm_natives.py
does not produce, as a user: through smallnano-cli and the RPC of a real dev
node (auto-receive on). Every event is checked against the layout docs/vm.md
documents (test_vm_util.Layouts), and the two tests together produce every
documented type.

  - swap: deploy, deposit of both assets, swap and remove on an empty pool,
    add, swap (and one below its minimum), swap_own, remove, a method that
    needs input without it, an unknown method, the host's withdraw;
  - bytecode: a bad deploy, a call that faults;
  - state: set, a duplicate seq, supersede, invalidate, each blob by vm_state;
  - commit: match, mismatch, unsequenced, no_program;
  - attest; message.invalid, message.opaque, message.abandoned;
    vsmn.burn_message with its three details.

usage: test_vm_events.py SMALLNANOD SMALLNANO_CLI DOCS_VM_MD
"""
import hashlib
import json
import os
import sqlite3
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from test_node_util import DevNode  # noqa: E402
from test_vm_natives import TYPES as NATIVE_TYPES  # noqa: E402
from test_vm_util import BURN, SMN, PROBE_ASM, VmUser, check  # noqa: E402

TYPES = ["swap.add", "swap.remove", "swap.swap_a_b", "swap.swap_b_a", "state", "commit",
         "attest", "message.invalid", "message.opaque", "message.abandoned",
         "vsmn.burn_message", "deploy", "call"]


def msg(**m):
    return json.dumps(m)


def main():
    smallnanod, cli, doc = sys.argv[1:4]
    with DevNode(smallnanod) as n:
        u = VmUser(n, cli, doc)
        documented = set(u.layouts.types)
        check(set(NATIVE_TYPES) | set(TYPES) == documented,
              "the two tests miss documented types %r / produce undocumented %r"
              % (sorted(documented - set(NATIVE_TYPES) - set(TYPES)),
                 sorted(set(NATIVE_TYPES) | set(TYPES) - documented)))
        wallet, gen = n.demo()
        b = n.ok("account_create", wallet=wallet)["account"]
        h = u.wallet_send(wallet=wallet, source=gen, destination=b, amount=str(1000 * SMN))
        n.wait_confirmed([h])
        u.wait(lambda: int(n.ok("account_balance", account=b)["balance"]) > 0, "B funded")
        r, ev = u.send("etch", "Gold", "GLD", 0, 10 ** 9)
        token = ev["token.etch"]["token"]
        u.send("mint", token, 100000)
        u.send("transfer", token, 5000, "--to", b)
        r = u.cli("burn", 1000000, "--source", b)
        n.wait_confirmed([r["block"]])
        u.wait(lambda: u.balances(b).get(("smn.vsmn", "smn")) == 1000000, "vSMN minted")

        # --- swap: GLD / vSMN, hosted by B ---
        r, ev = u.send("swap-deploy", token, "smn", "--source", b)
        check(ev["deploy"] == {"code": "ok", "host": b, "code_kind": 0, "detail": 0}, repr(ev))
        pool = r["blocks"][-1]
        # deposit (method 0): the attached tokens credited to B inside the pool
        # (the call event counts them as "refunded": left to the caller there)
        r, ev = u.send("transfer-call", token, 1000, pool, 0, "--source", b)
        check(ev["call"]["code"] == "ok" and ev["call"]["refunded"] == "1000", repr(ev))
        r, ev = u.send("transfer-call", "vsmn", 100000, pool, 0, "--source", b)
        check(u.owed(pool, b, "smn") == 100000 and u.owed(pool, b, token) == 1000, "deposits")
        # swap and remove on the empty pool
        r, ev = u.send("swap", pool, token, 10, 1)
        check(ev["call"]["code"] == "empty_pool" and ev["call"]["refunded"] == "10"
              and ev["call"]["input_asset"] == token, repr(ev))
        r, ev = u.send("swap-remove", pool, 1, 0, 0, "--source", b)
        check(ev["call"]["code"] == "empty_pool", repr(ev))
        # add: amount_a, amount_b, min_shares
        r, ev = u.send("swap-add", pool, 1000, 100000, 0, "--source", b)
        a = ev["swap.add"]
        check(a["code"] == "ok" and a["caller"] == b and a["amount_a"] == "1000"
              and a["amount_b"] == "100000" and a["shares"] == str(10000 - 1000)
              and a["reserve_a"] == "1000" and a["reserve_b"] == "100000"
              and a["supply"] == "10000", repr(a))
        # swap: min_out; one below its minimum fails, the input owed back
        r, ev = u.send("swap", pool, token, 100, 10 ** 9)
        check(ev["call"]["code"] == "slippage" and ev["call"]["refunded"] == "100", repr(ev))
        r, ev = u.send("swap", pool, token, 100, 1)
        swap_msg = r["message"]
        s = ev["swap.swap_a_b"]
        fee = (100 * 3 + 999) // 1000
        out = 100000 * (100 - fee) // (1000 + 100 - fee)
        check(s == {"code": "ok", "caller": gen, "amount_in": "100", "amount_out": str(out),
                    "unused": "0", "reserve_a": "1100", "reserve_b": str(100000 - out),
                    "supply": "10000"}, repr(s))
        check(u.owed(pool, gen, "smn") == out, "the pool owes gen its output")
        # swap_own: b_to_a, amount_in, min_out (from gen's pool balance)
        r, ev = u.send("swap-own", pool, 1, out // 2, 1)
        s = ev["swap.swap_b_a"]
        check(s["code"] == "ok" and s["amount_in"] == str(out // 2) and int(s["amount_out"]) > 0,
              repr(s))
        got_a = int(s["amount_out"])
        # remove: shares, min_a, min_b
        r, ev = u.send("swap-remove", pool, 100, 1, 1, "--source", b)
        s = ev["swap.remove"]
        check(s["code"] == "ok" and s["shares"] == "100" and s["supply"] == "9900", repr(s))
        # a swap (method 3) without attached tokens; an unknown method
        r, ev = u.send("call", pool, 3, 1)
        check(ev["call"]["code"] == "no_input", repr(ev))
        r, ev = u.send("call", pool, 9)
        check(ev["call"]["code"] == "no_method", repr(ev))
        # the host's withdraw of what the pool owes gen (10 + 100 GLD refunded too)
        owed_a = u.owed(pool, gen, token)
        check(owed_a == got_a + 110, "owed %d, want %d" % (owed_a, got_a + 110))
        before = u.balances(gen)[("smn.token", token)]
        r, ev = u.send("withdraw", token, owed_a, pool, "--source", b, "--to", gen)
        check(ev["token.receive"]["amount"] == str(owed_a), repr(ev))
        check(u.balances(gen)[("smn.token", token)] == before + owed_a, "withdrawn")

        # --- bytecode: a rejected deploy, a faulting call ---
        r, ev = u.send("deploy", "--code", "53564D3101")
        check(ev["deploy"]["code"] == "bad_code" and ev["deploy"]["detail"] != 0, repr(ev))
        probe_path = os.path.join(n.data, "probe.asm")
        with open(probe_path, "w") as f:
            f.write(PROBE_ASM)
        r, ev = u.send("deploy", probe_path)
        probe = r["blocks"][-1]
        # the same program from bytecode (vm asm's output): deployed as code
        p = subprocess.run([cli, "vm", "asm", probe_path], capture_output=True, text=True,
                           timeout=30)
        check(p.returncode == 0, "vm asm: %r" % p.stderr)
        code = p.stdout.strip()
        r, ev = u.send("deploy", "--code", code)
        check(ev["deploy"]["code"] == "ok" and ev["deploy"]["code_kind"] == 1, repr(ev))
        pi = u.rpc("vm_program_info", program=r["blocks"][-1])
        check(pi["code_hash"] == hashlib.blake2b(bytes.fromhex(code), digest_size=32)
              .hexdigest().upper() and pi["code_len"] == len(code) // 2
              and pi["code_hash"] == u.rpc("vm_program_info", program=probe)["code_hash"],
              repr(pi))
        r, ev = u.send("call", probe, 2)
        check(ev["call"]["code"] == "fault" and ev["call"]["vm_status"] == "fail"
              and "emit" not in ev, repr(ev))
        v = n.ok("vm_view", program=probe, method=1, args=[40, 2])
        check(v["status"] == "ok" and v["return"] == "42", repr(v))

        # --- state: set, duplicate, supersede, invalidate ---
        def blake(hx):
            return hashlib.blake2b(bytes.fromhex(hx), digest_size=32).hexdigest().upper()
        r, ev = u.send("publish-state", probe, "--session", 3, "--seq", 1, "--data", "AA01")
        check(ev["state"] == {"code": "ok", "op": "set", "seq": 1, "target_seq": 0,
                              "data_len": 2, "data_hash": blake("AA01")}, repr(ev))
        r, ev = u.send("publish-state", probe, "--session", 3, "--seq", 1, "--data", "AA02")
        check(ev["state"]["code"] == "duplicate", repr(ev))
        r, ev = u.send("publish-state", probe, "--session", 3, "--seq", 2, "--op", "supersede",
                       "--target", 1, "--data", "BB")
        check(ev["state"]["op"] == "supersede" and ev["state"]["target_seq"] == 1, repr(ev))
        s1 = n.ok("vm_state", program=probe, session="3", seq="1")
        s2 = n.ok("vm_state", program=probe, session="3")
        check(s1["valid"] is False and s1["data"] == "AA01" and s2["seq"] == 2
              and s2["data"] == "BB" and s2["data_hash"] == blake("BB"), "%r %r" % (s1, s2))
        r, ev = u.send("publish-state", probe, "--session", 3, "--seq", 3, "--op", "invalidate",
                       "--target", 2)
        check(ev["state"]["op"] == "invalidate" and ev["state"]["code"] == "ok"
              and ev["state"]["data_len"] == 0, repr(ev))
        check("State not found" in n.err("vm_state", program=probe, session="3"),
              "every version withdrawn, yet a current state")
        # vm_events' program (by its 16-hex prefix) and session filters
        sv = u.rpc("vm_events", program=probe[:16], session="3")["events"]
        check([(e["type"], e["fields"]["op"], e["fields"]["code"]) for e in sv] ==
              [("state", "set", "ok"), ("state", "set", "duplicate"),
               ("state", "supersede", "ok"), ("state", "invalidate", "ok")]
              and all(e["program"] == probe and e["session"] == 3 for e in sv), repr(sv))

        # --- commit: match, mismatch, unsequenced, no_program ---
        r, ev = u.send("commit", probe, "--height", 7)
        c = ev["commit"]
        root = n.ok("vm_program_info", program=probe)["state_root"]
        check(c["result"] == "match" and c["height"] == "7" and c["published_root"] == root
              and c["computed_root"] == root, repr(c))
        r, ev = u.send("commit", probe, "--root", "22" * 32)
        check(ev["commit"]["result"] == "mismatch" and ev["commit"]["computed_root"] == root,
              repr(ev))
        false_commit = r["blocks"][-1]
        r, ev = u.send("commit", "smn.token", "--root", "33" * 32)
        check(ev["commit"]["result"] == "unsequenced"
              and ev["commit"]["computed_root"] == "00" * 32, repr(ev))
        # a commit naming a prefix gen hosts no program under: the envelope
        # of a commit to the probe with its program prefix changed
        built = n.ok("vm_message", message={"kind": "commit", "program": probe,
                                            "root": "44" * 32})["payload"]
        other = built[:2] + "0123456789ABCDEF" + built[18:]
        r, ev = u.send("send", "--payload", other)
        check(ev["commit"]["result"] == "no_program", repr(ev))
        check(n.ok("vm_events", type="commit", account=gen)["events"][-1]["program"]
              == "0123456789ABCDEF" + "00" * 24, "no_program commit's program")

        # --- attest ---
        r, ev = u.send("send", "--message", msg(kind="attest", program=probe,
                                                 subject="55" * 32, claim="C1A1"))
        check(ev["attest"] == {"attester": gen, "subject": "55" * 32, "claim_len": 2,
                               "claim": "C1A1"}, repr(ev))

        # --- message.invalid (unknown kind 7), message.opaque (ENCRYPTED) ---
        head = "07" + probe[:16] + "0000"
        r, ev = u.send("send", "--payload", head, status="invalid_envelope")
        m = ev["message.invalid"]
        check(m["sender"] == gen and m["destination"] == gen and m["chunks"] >= 1
              and m["message"] == r["blocks"][0] and m["detail"] > 100, repr(m))
        sealed = "12" + probe[:16] + "0000" + "AB" * 24 + "CD" * 20
        r, ev = u.send("send", "--payload", sealed, status="opaque")
        check(ev["message.opaque"]["message"] == r["blocks"][0], repr(ev))

        # --- message.abandoned: the first chunk of a message to gen, then a
        # send elsewhere on gen's chain ---
        chunks = n.ok("vm_message", message={"kind": "call", "program": probe,
                                             "method": 0})["chunks"]
        check(len(chunks) >= 2, "a multi-chunk message: %r" % chunks)
        h0 = u.wallet_send(wallet=wallet, source=gen, destination=gen, amount=chunks[0])
        h1 = u.wallet_send(wallet=wallet, source=gen, destination=b, amount=str(SMN))
        n.wait_confirmed([h0, h1])
        st = u.wait(lambda: (lambda x: x if x["status"] == "abandoned" else None)(
            n.ok("vm_message_status", message=h0)), "the message abandoned")
        ab = u.events(n.ok("vm_events", type="message.abandoned", account=gen)["events"])
        check(len(ab) == 1 and ab[0]["fields"]["message"] == h0 and ab[0]["block"] == h1
              and ab[0]["fields"]["detail"] == 1 and ab[0]["fields"]["chunks"] == len(chunks),
              "abandoned: %r %r" % (ab, st))

        # --- vsmn.burn_message: to the burn account (0, and 2 with another
        # recipient), and not to the burn account (1) ---
        r, ev = u.send("send", "--message", msg(kind="burn_mint"), "--to", BURN)
        check(ev["vsmn.burn_message"]["detail"] == 0, repr(ev))
        r, ev = u.send("send", "--message", msg(kind="burn_mint", recipient=b), "--to", BURN)
        check(ev["vsmn.burn_message"]["detail"] == 2, repr(ev))
        r, ev = u.send("send", "--message", msg(kind="burn_mint"))
        check(ev["vsmn.burn_message"]["detail"] == 1, repr(ev))

        u.all_events()
        missing = [t for t in TYPES if t not in u.seen]
        check(not missing, "event types not produced: %r" % missing)

        # --- a message's events are found however many events came before
        # it: 4,500 in one call, then a call whose send side has none ---
        r, ev = u.send("call", probe, 3, 4500)
        check(ev["call"]["code"] == "ok", "spam: %r" % ev["call"])
        st = u.layouts.check_answer("vm_message_status", r["status"])
        rev = st["receive_events"]
        check(st.get("receive_events_more") is True and len(rev) == 1024
              and rev[-1]["type"] == "call" and rev[-2]["cursor"] < rev[-1]["cursor"] - 1,
              "4,501 events: %d answered, more %r" % (len(rev), st.get("receive_events_more")))
        r, ev = u.send("call", probe, 0, 77)
        check(ev.get("call", {}).get("return") == "77" and "emit" in ev,
              "a call's events after 4,500 others: %r" % ev)

        # --- every VM action's answer names only what docs/vm.md gives ---
        inc = {"kind": "call", "program": probe, "method": 0, "args": [1]}
        sent = u.rpc("vm_send", wallet=wallet, source=gen, message=inc)
        n.wait_confirmed(sent["blocks"])
        st = u.wait(lambda: (lambda x: x if x["status"] == "complete" and "receive_block" in x
                               else None)(u.rpc("vm_message_status", message=sent["message"])),
                    "vm_send's message indexed")
        check([e["type"] for e in st["receive_events"]] == ["emit", "call"], repr(st))
        st = u.rpc("vm_message_status", message=swap_msg)
        check(st["receive_events"], "the swap's receive side: %r" % st)
        for action, fields in [
                ("vm_programs", {"count": "2"}), ("vm_program_info", {"program": pool}),
                ("vm_program_info", {"program": probe}), ("vm_storage", {"program": "smn.token"}),
                ("vm_boxes", {"program": probe}), ("vm_balances", {"account": b}),
                ("vm_balances", {"program": pool}), ("vm_token", {"token": token}),
                ("vm_state", {"program": probe, "session": "3", "seq": "1"}),
                ("vm_events", {"count": "50"}),
                ("vm_view", {"program": probe, "method": 1, "args": [1, 2]}),
                ("vm_message", {"message": inc})]:
            u.rpc(action, **fields)
        # the CLI's mirrors answer with --json what the RPC answers
        for args, action, fields in [
                (["programs", "--count", 2], "vm_programs", {"count": "2"}),
                (["program", pool], "vm_program_info", {"program": pool}),
                (["storage", "smn.token"], "vm_storage", {"program": "smn.token"}),
                (["boxes", probe], "vm_boxes", {"program": probe}),
                (["balances", "--account", b], "vm_balances", {"account": b}),
                (["balances", pool], "vm_balances", {"program": pool}),
                (["token", token], "vm_token", {"token": token}),
                (["state", probe, "--session", 3, "--seq", 1], "vm_state",
                 {"program": probe, "session": "3", "seq": "1"}),
                (["view", probe, "--method", 1, "--arg", 40, "--arg", 2], "vm_view",
                 {"program": probe, "method": 1, "args": [40, 2]})]:
            mine, theirs = u.cli(*args), n.ok(action, **fields)
            check(mine == theirs, "vm %s: %r, RPC %s: %r" % (args[0], mine, action, theirs))

        # the CLI's vm events (vm.db read directly) decodes as the RPC does
        every = u.all_events()
        p = subprocess.run([cli, "--data-dir", n.data, "vm", "events", "--json", "--limit",
                            str(len(every))], capture_output=True, text=True, timeout=60)
        check(p.returncode == 0, "vm events: %r" % p.stderr)
        local = u.events(json.loads(p.stdout)["events"])
        check([(e["cursor"], e["type"], e["fields"]) for e in local] ==
              [(e["cursor"], e["type"], e["fields"]) for e in every],
              "vm events --json and vm_events differ")

        # --- fraud is visible: vm verify exits 3 naming the false commit,
        # the program's info shows it; a tampered vm.db exits 1 ---
        pi = n.ok("vm_program_info", program=probe)
        check(pi["fraud"] is True and pi["first_mismatch"]["block"] == false_commit
              and pi["commits_mismatch"] == "1", repr(pi))
        p = subprocess.run([cli, "--data-dir", n.data, "vm", "verify", "--json"],
                           capture_output=True, text=True, timeout=60)
        j = json.loads(p.stdout or "{}")
        check(p.returncode == 3 and j.get("result") == "fraud" and j["program"] == probe
              and j["block"] == false_commit, "vm verify: %d %r %r" % (p.returncode, p.stdout,
                                                                        p.stderr))
        n.stop()
        db = sqlite3.connect(os.path.join(n.data, "vm.db"))
        pid = bytes.fromhex(pool)
        key, amount = db.execute("SELECT key, amount FROM balances WHERE program = ? LIMIT 1",
                                 (pid,)).fetchone()
        more = (int.from_bytes(amount, "big") + 1).to_bytes(16, "big")
        db.execute("UPDATE balances SET amount = ? WHERE program = ? AND key = ?",
                   (more, pid, key))
        check(db.total_changes >= 1, "nothing tampered")
        db.commit()
        db.close()
        p = subprocess.run([cli, "--data-dir", n.data, "vm", "verify"], capture_output=True,
                           text=True, timeout=60)
        check(p.returncode == 1 and p.stdout.startswith("mismatch: ") and pool in p.stdout,
              "vm verify on a tampered vm.db: %d %r %r" % (p.returncode, p.stdout, p.stderr))
    print("ok")


if __name__ == "__main__":
    main()
