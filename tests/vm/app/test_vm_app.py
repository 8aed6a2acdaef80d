"""NanoVM as an app developer uses it: through the CLI and the RPC only, on a
real dev node (smallnanod + children, auto-receive on).

  - token etch / mint / transfer (CLI), balances and token info (RPC + CLI);
  - every message here but the transfers is sent to the sender's own account
    with auto-receive on: none is abandoned and the sender's smn balance is
    unchanged once the chunks are received back (the message was free);
  - counter.asm deployed and called three times, a view on the live state
    answers 3 with its gas; storage (paged) shows the count;
  - vSMN by burning, escrow.asm deposit through vsmn transfer_call with a
    full 32-byte beneficiary in two arguments (the old fifth-argument bug),
    boxes, the escrow's held() view, release to the beneficiary;
  - a swap pool: deploy, deposit both assets, add liquidity, swap, swap_own,
    remove, and the host's withdraw of token and vSMN (and one above what is
    owed); a vSMN transfer;
  - publish-state and its blob fetched by vm_state (hash in the event);
  - commits: one with the right root (match), one with a wrong root (mismatch)
    shown as fraud in vm_program_info with the first differing block;
  - a multi-chunk message interrupted by incoming payments on the same
    chain still completes;
  - vm_events paged with filters, and its bad-filter errors.

usage: test_vm_app.py SMALLNANOD SMALLNANO_CLI COUNTER_ASM ESCROW_ASM DOCS_VM_MD
"""
import os
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "integration"))
from test_node_util import DevNode  # noqa: E402
from nodeutil import fail  # noqa: E402
from test_vm_util import SMN, VmUser, address_key, check  # noqa: E402


def settled(n, account):
    """The account's balance once nothing is receivable any more."""
    def done():
        r = n.ok("receivable", account=account, count="10")
        return not r.get("blocks")
    t0 = time.time()
    while not done():
        if time.time() - t0 > 20:
            fail("receivables of %s never drained" % account)
        time.sleep(0.05)
    return int(n.ok("account_balance", account=account)["balance"])


def main():
    smallnanod, cli, counter_asm, escrow_asm, doc = sys.argv[1:6]
    with DevNode(smallnanod) as n:
        app = VmUser(n, cli, doc)
        wallet, gen = n.demo()
        b_acc = n.ok("account_create", wallet=wallet)["account"]
        h = app.wallet_send(wallet=wallet, source=gen, destination=b_acc,
                            amount=str(1000 * SMN))
        n.wait_confirmed([h])
        app.wait(lambda: int(n.ok("account_balance", account=b_acc)["balance"]) > 0,
                 "B funded by auto-receive")

        # --- token: etch, mint (self-sent: free), transfer ---
        before = settled(n, gen)
        r, ev = app.send("etch", "Gold", "GLD", 2, 1000000)
        check(ev["token.etch"]["code"] == "ok", "etch: %r" % ev)
        token = ev["token.etch"]["token"]
        check(ev["token.etch"]["meta"]["symbol"] == "GLD", "etch meta: %r" % ev)
        check(len(r["blocks"]) >= 2, "etch is a multi-chunk message: %r" % r)
        r, ev = app.send("mint", token, 5000)
        check(ev["token.mint"]["code"] == "ok" and ev["token.mint"]["amount"] == "5000", repr(ev))
        after = settled(n, gen)
        check(after == before, "self-sent etch+mint cost %d raw" % (before - after))
        r, ev = app.send("transfer", token, 1200, "--to", b_acc)
        check(ev["token.send"]["code"] == "ok", repr(ev))
        check(ev["token.receive"]["to"] == b_acc and ev["token.receive"]["amount"] == "1200",
              repr(ev))
        bg, bb = app.balances(gen), app.balances(b_acc)
        check(bg[("smn.token", token)] == 3800 and bb[("smn.token", token)] == 1200,
              "token balances %r %r" % (bg, bb))
        info = app.cli("token", token)
        check(info["name"] == "Gold" and info["minted"] == "5000" and info["etcher"] == gen,
              repr(info))
        # over the balance: the event says insufficient, balances unchanged
        r, ev = app.send("transfer", token, 999999, "--to", b_acc)
        check(ev["token.send"]["code"] == "insufficient", repr(ev))
        check(app.balances(b_acc)[("smn.token", token)] == 1200, "failed transfer moved tokens")

        # --- counter.asm: deploy, call x3, live view ---
        r, ev = app.send("deploy", counter_asm)
        check(ev["deploy"]["code"] == "ok", repr(ev))
        counter = r["blocks"][-1]
        pi = n.ok("vm_program_info", program=counter)
        check(pi["kind"] == "bytecode" and pi["host"] == gen and pi["version"] == 1, repr(pi))
        for i in range(3):
            r, ev = app.send("call", counter, 0)
            check(ev["call"]["code"] == "ok" and ev["call"]["return"] == str(i + 1), repr(ev))
            check(ev["emit"]["data"].endswith("%02X" % (i + 1)), repr(ev))
        v = app.cli("view", counter, "--method", 1)
        check(v["status"] == "ok" and v["return"] == "3" and int(v["gas_used"]) > 0, repr(v))
        v = n.ok("vm_view", program=counter, method=0)
        check(v["status"] == "view_state", "state method as a view: %r" % v)
        v = n.ok("vm_view", program=counter, method=1, gas=3)
        check(v["status"] == "out_of_gas" and v["gas_used"] == "3", repr(v))
        st = app.cli("storage", counter)
        check(len(st["storage"]) == 1 and st["storage"][0]["key"] == "636F756E74"
              and st["storage"][0]["value"].endswith("03"), repr(st))

        # --- vSMN by burning; escrow deposit with a 32-byte beneficiary ---
        r = app.cli("burn", 1000000, "--source", b_acc)
        n.wait_confirmed([r["block"]])
        app.wait(lambda: app.balances(b_acc).get(("smn.vsmn", "smn")) == 1000000, "vSMN minted")
        r, ev = app.send("deploy", escrow_asm)
        escrow = r["blocks"][-1]
        ben = address_key(gen)
        hi, lo = "0x" + ben[:32], "0x" + ben[32:]
        r, ev = app.send("transfer-call", "vsmn", 600, escrow, 0, hi, lo,
                         "--source", b_acc, "--to", gen)
        check(ev["call"]["code"] == "ok" and ev["call"]["return"] == "0", repr(ev))
        boxes = app.cli("boxes", escrow)
        check(boxes["count"] == 1 and boxes["boxes"][0]["balances"][0]["amount"] == "600",
              repr(boxes))
        bx = n.ok("vm_balances", program=escrow, box="0")["balances"]
        check(bx[0]["amount"] == "600" and bx[0]["asset"] == "smn", repr(bx))
        v = n.ok("vm_view", program=escrow, method=3, args=["0"])
        check(v["return"] == "600", "held(0): %r" % v)
        stor = n.ok("vm_storage", program=escrow)["storage"]
        rec = stor[0]["value"]
        check(rec[64:] == ben, "beneficiary recorded %s, want %s" % (rec[64:], ben))
        # release by the depositor (B) pays the beneficiary inside the program
        r, ev = app.send("call", escrow, 1, 0, "--source", b_acc)
        check(ev["call"]["code"] == "ok" and ev["call"]["return"] == "600", repr(ev))
        owed = n.ok("vm_balances", program=escrow)["balances"]
        check(any(x.get("holder") == gen and x["amount"] == "600" for x in owed), repr(owed))

        # --- swap: GLD / vSMN pool hosted by B ---
        r, ev = app.send("swap-deploy", token, "smn", "--source", b_acc)
        check(ev["deploy"]["code"] == "ok", repr(ev))
        pool = r["blocks"][-1]
        r, ev = app.send("transfer-call", token, 1000, pool, 0, "--source", b_acc)
        check(ev["call"]["code"] == "ok", repr(ev))
        r, ev = app.send("transfer-call", "vsmn", 100000, pool, 0, "--source", b_acc)
        r, ev = app.send("swap-add", pool, 1000, 100000, 0, "--source", b_acc)
        check(ev["swap.add"]["code"] == "ok" and ev["swap.add"]["reserve_a"] == "1000", repr(ev))
        r, ev = app.send("swap", pool, token, 100, 1, "--source", gen)
        check(ev["swap.swap_a_b"]["amount_in"] == "100" and int(ev["swap.swap_a_b"]["amount_out"]) > 0,
              repr(ev))
        pinfo = app.cli("program", pool)
        check(pinfo["kind"] == "swap" and pinfo["asset_b"] == "smn", repr(pinfo))
        out_b = int(ev["swap.swap_a_b"]["amount_out"])  # owed to gen inside the pool, in vSMN

        owed = app.owed
        check(owed(pool, gen, "smn") == out_b, "pool owes gen %d" % out_b)
        # swap_own (b_to_a = 1): half of what gen is owed in vSMN back into GLD
        r, ev = app.send("swap-own", pool, 1, out_b // 2, 1, "--source", gen)
        got_a = int(ev["swap.swap_b_a"]["amount_out"])
        check(ev["swap.swap_b_a"]["code"] == "ok" and got_a > 0, repr(ev))
        check(owed(pool, gen, token) == got_a, "pool owes gen %d GLD" % got_a)
        # remove: B takes 100 shares out (paid inside the pool)
        r, ev = app.send("swap-remove", pool, 100, 1, 1, "--source", b_acc)
        check(ev["swap.remove"]["code"] == "ok" and ev["swap.remove"]["shares"] == "100", repr(ev))
        # withdraw (token and vSMN): the host B pays gen what the pool owes gen
        before = app.balances(gen)
        r, ev = app.send("withdraw", token, got_a, pool, "--source", b_acc, "--to", gen)
        check(ev["token.send"]["code"] == "ok" and ev["token.receive"]["amount"] == str(got_a),
              repr(ev))
        left = owed(pool, gen, "smn")
        r, ev = app.send("withdraw", "vsmn", left, pool, "--source", b_acc, "--to", gen)
        check(ev["vsmn.send"]["code"] == "ok", repr(ev))
        after = app.balances(gen)
        check(after[("smn.token", token)] == before[("smn.token", token)] + got_a
              and after.get(("smn.vsmn", "smn"), 0) == before.get(("smn.vsmn", "smn"), 0) + left
              and owed(pool, gen, "smn") == 0, "withdrawals: %r -> %r" % (before, after))
        # a withdraw of more than owed fails on the host's chain
        r, ev = app.send("withdraw", "vsmn", 1, pool, "--source", b_acc, "--to", gen)
        check(ev["vsmn.send"]["code"] == "insufficient", repr(ev))
        # vSMN transfer
        r, ev = app.send("transfer", "vsmn", 10, "--to", b_acc, "--source", gen)
        check(ev["vsmn.receive"]["amount"] == "10" and ev["vsmn.receive"]["to"] == b_acc, repr(ev))

        # --- publish-state, fetch the blob ---
        r, ev = app.send("publish-state", counter, "--session", 7, "--seq", 1, "--data", "C0FFEE")
        check(ev["state"]["code"] == "ok" and ev["state"]["data_len"] == 3, repr(ev))
        s = n.ok("vm_state", program=counter, session="7")
        check(s["data"] == "C0FFEE" and s["data_hash"] == ev["state"]["data_hash"], repr(s))

        # --- commits: right root, then a wrong one: fraud is visible ---
        r, ev = app.send("commit", counter)
        check(ev["commit"]["result"] == "match", repr(ev))
        r, ev = app.send("commit", counter, "--root", "11" * 32, "--height", 5)
        check(ev["commit"]["result"] == "mismatch", repr(ev))
        bad_block = r["blocks"][-1]
        pi = n.ok("vm_program_info", program=counter)
        check(pi["fraud"] is True and pi["first_mismatch"]["block"] == bad_block
              and pi["last_commit"]["result"] == "mismatch", repr(pi))
        progs = {p["program"]: p for p in n.ok("vm_programs")["programs"]}
        check(progs[counter]["fraud"] is True and progs[escrow]["fraud"] is False, repr(progs))
        p = subprocess.run([cli, "--data-dir", n.data, "vm", "verify"], capture_output=True,
                           text=True, timeout=60)
        check(p.returncode == 3 and p.stdout.startswith("fraud: ") and bad_block in p.stdout
              and counter in p.stdout, "vm verify on a false commit: %d %r %r"
              % (p.returncode, p.stdout, p.stderr))

        # --- a message interrupted by incoming payments on the same chain:
        # built by vm_message, its chunks sent one by one with `send`, a
        # payment from B received by gen (auto-receive) between every two
        # chunks: the message completes. ---
        built = n.ok("vm_message", message={"kind": "call", "program": counter, "method": 0})
        chunks = built["chunks"]
        check(len(chunks) >= 2, "increment is a multi-chunk message: %r" % built)
        sent = []
        for i, amount in enumerate(chunks):
            sent.append(app.wallet_send(wallet=wallet, source=gen, destination=gen,
                                        amount=amount))
            if i + 1 < len(chunks):
                p = app.wallet_send(wallet=wallet, source=b_acc, destination=gen,
                                    amount=str(SMN // 1000))
                n.wait_confirmed([p])
                # received before the next chunk is built: between the two
                app.wait(lambda: p not in (n.ok("receivable", account=gen, count="1000")
                                           .get("blocks") or []),
                         "gen received the payment between two chunks")
        n.wait_confirmed(sent)
        st = app.wait(lambda: (lambda r: r if r["status"] == "complete" and r["received"]
                               == len(chunks) else None)(
            n.ok("vm_message_status", message=sent[0])), "interleaved message indexed")
        ev = {e["type"]: e["fields"] for e in st["send_events"] + st["receive_events"]}
        check(ev["call"]["code"] == "ok" and ev["call"]["return"] == "4", repr(st))
        hs = [int(n.ok("block_info", hash=h)["height"]) for h in sent]
        check(all(hs[i + 1] - hs[i] >= 2 for i in range(len(hs) - 1)),
              "blocks between the chunks expected, heights %r" % hs)

        # --- a message left half sent: vm_send refuses to start another one
        # on top of it, and finishes it with from_chunk ---
        inc = {"kind": "call", "program": counter, "method": 0}
        chunks = n.ok("vm_message", message=inc)["chunks"]
        h0 = app.wallet_send(wallet=wallet, source=gen, destination=gen, amount=chunks[0])
        n.wait_confirmed([h0])
        app.wait(lambda: n.ok("vm_message_status", message=h0)["status"] == "assembling",
                 "the half-sent message indexed")
        st, r = n.call("vm_send", wallet=wallet, source=gen, message=inc)
        check("being assembled" in r.get("error", "") and r["assembling"] == h0
              and r["sent"] == 1, "vm_send on a half-sent message: %r" % r)
        r = n.ok("vm_send", wallet=wallet, source=gen, message=inc, from_chunk="1")
        check(len(r["blocks"]) == len(chunks) - 1, repr(r))
        n.wait_confirmed(r["blocks"])
        st = app.wait(lambda: (lambda x: x if x["status"] == "complete" and x["received"]
                               == len(chunks) else None)(
            n.ok("vm_message_status", message=h0)), "the resumed message indexed")
        ev = {e["type"]: e["fields"] for e in st["send_events"] + st["receive_events"]}
        check(ev["call"]["return"] == "5", repr(st))

        # --- the same with vm_send: the wallet keeps the account from the
        # first chunk to the last, payments arriving meanwhile are received
        # after it (no fork, nothing abandoned) ---
        stop = threading.Event()
        pays = []

        def pay():
            while not stop.is_set():
                st, a = n.call("send", wallet=wallet, source=b_acc, destination=gen,
                               amount=str(SMN // 1000))
                if "block" in a:
                    pays.append(a["block"])
                time.sleep(0.01)
        t = threading.Thread(target=pay)
        t.start()
        try:
            r, ev = app.send("deploy", counter_asm)
        finally:
            stop.set()
            t.join()
        check(ev["deploy"]["code"] == "ok", repr(ev))
        check(len(pays) > 0, "no payment was sent meanwhile")
        v = app.cli("view", counter, "--method", 1)
        check(v["return"] == "5", "counter after the interleaved and resumed calls: %r" % v)

        # --- events: paging, filters, and no message was abandoned ---
        ab = n.ok("vm_events", type="message", count="1000")["events"]
        check(not [e for e in ab if e["type"] == "message.abandoned"],
              "abandoned messages: %r" % ab)
        page1 = n.ok("vm_events", count="3")
        check(len(page1["events"]) == 3, repr(page1))
        page2 = n.ok("vm_events", count="3", **{"from": str(page1["next"])})
        check(page2["events"][0]["cursor"] > page1["events"][-1]["cursor"], "paging")
        mints = n.ok("vm_events", type="token.mint", account=gen)["events"]
        check(len(mints) == 1 and mints[0]["fields"]["to"] == gen, repr(mints))
        check("Bad type" in n.err("vm_events", type="nosuch"), "unknown type accepted")
        check("beyond" in n.err("vm_events", **{"from": "99999999"}), "from beyond head accepted")
        progs = app.cli("programs")
        ids = [p["program"] for p in progs["programs"]]
        check("smn.token" in ids and "smn.vsmn" in ids and counter in ids and pool in ids,
              repr(progs))
        check("Program not found" in n.err("vm_program_info", program="00" * 32), "unknown prog")
        # bad input gets a clear error
        errs = [
            ("vm_program_info", {"program": "xyz"}, "Bad program"),
            ("vm_view", {"program": "smn.token", "method": 0}, "Not a bytecode program"),
            ("vm_view", {"program": counter, "method": 1, "gas": 2000000}, "Bad gas"),
            ("vm_view", {"program": counter, "method": 1, "args": [1, 2, 3, 4, 5, 6]}, "Bad args"),
            ("vm_view", {"program": counter}, "Missing field: method"),
            ("vm_balances", {"account": gen, "program": counter}, "exactly one"),
            ("vm_balances", {"program": escrow, "box": "9"}, "Box not found"),
            ("vm_storage", {"program": counter, "after": "XYZ"}, "Bad after"),
            ("vm_token", {"token": "00" * 32}, "Token not found"),
            ("vm_state", {"program": counter, "session": "8"}, "State not found"),
            ("vm_message", {"message": {"kind": "frob"}}, "Bad kind"),
            ("vm_message", {"message": {"kind": "call", "program": counter}}, "Bad method"),
            ("vm_message", {"message": {"kind": "call", "program": counter, "method": 0,
                                        "args": ["u8:300"]}}, "Bad args[0]"),
            ("vm_message", {"message": {"kind": "deploy", "asm": "frob r1\n"}}, "Assembly failed"),
            ("vm_message", {"message": {"kind": "commit", "program": counter, "root": "1"}},
             "Bad root"),
            ("vm_send", {"wallet": wallet, "source": gen, "message": {"kind": "call",
                                                                      "program": counter,
                                                                      "method": 0},
                         "from_chunk": "99"}, "Bad from_chunk"),
        ]
        for action, fields, want in errs:
            e = n.err(action, **fields)
            check(want in e, "%s %r: %r, want %r" % (action, fields, e, want))
        p = app.cli("frob", expect=2)
        check("unknown vm command 'frob'" in p.stderr, p.stderr)
        n.stop()
    print("ok")


if __name__ == "__main__":
    main()
