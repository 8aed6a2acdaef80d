#!/usr/bin/env python3
"""Runs the built smallnano-cli's offline commands on good and bad input and
checks output and exit codes against the docs/protocol.md vectors.
usage: test_cli_offline.py <path to smallnano-cli>"""
import json
import subprocess
import sys

CLI = sys.argv[1]
DEV_PRIV = "F9C9E3974A7AAFCC6B85584351865C7EF5D56088827C1974A90733368D771922"
DEV_PUB = "FA462F29A38330058FB3A84070B8ADBAAF1FA230E8A0E5D45BFA29D912E9745C"
DEV_ADDR = "smn_3yk87wnt91si1p9u9c41g4wcugoh5yj53t71wqc7qyjbu6bgkx4wfcgm4fm6"
GENESIS = {
    "dev": ("9C9798C7164BD17644318621236C6F891A24384D3CD4724F1DC019CEFC3EFE89", DEV_ADDR),
    "test": ("4C22AEA13E54DDC02BE6AE1BD08DB6606D0DD4DA79F78C5D5FCE0BA766A2102A",
             "smn_3gefz9nxqezgqp7nwzo4q8m8nxpndzbthhpp14448k3tqjadgtz1ubbypwof"),
    "live": ("269C9A668E5D2878B581767472A3667E58B0897BAD3E8C020D7D682879BD55C9",
             "smn_3i5rmrjdm5mfyqnr4rckoufe57ddutemb6k78asi1uawq3s4ucx4i16zrwbd"),
}
SEND_UNSIGNED = {
    "type": "state", "account": DEV_ADDR,
    "previous": GENESIS["dev"][0], "representative": DEV_ADDR,
    "balance": "9999999000000000000000000000000000000",
    "link": "8636B34786C2262951DC6AC0B881129396F51AA525CBAF37DC3C9D1BE67FB3F2",
    "signature": "0" * 128, "work": "4E2169C82CC35E29",
}
SEND_HASH = "8D5808E16EAA709A29274096C6363F3B96E22EC46419E47596A3A140E235F9B8"
SEND_SIG = ("DB7463024A33EB07E67B018398DA75ED50A56D897A2BD6021216ED26F279B9E5"
            "FF94A32A899323ABF8D04D79DE0458165698C5C83539E6B7C10D105B74CED201")

failures = 0


def run(args, stdin=None):
    p = subprocess.run([CLI] + args, input=stdin, capture_output=True, text=True, timeout=30)
    return p.returncode, p.stdout, p.stderr


def check(name, args, rc=0, out=None, contains=None, err=None, stdin=None):
    """out: exact stdout; contains: substring of stdout; err: substring of stderr."""
    global failures
    got_rc, got_out, got_err = run(args, stdin)
    problems = []
    if got_rc != rc:
        problems.append(f"exit {got_rc}, want {rc}")
    if out is not None and got_out != out:
        problems.append(f"stdout {got_out!r}, want {out!r}")
    if contains is not None and contains not in got_out:
        problems.append(f"stdout {got_out!r} lacks {contains!r}")
    if err is not None and err not in got_err:
        problems.append(f"stderr {got_err!r} lacks {err!r}")
    if rc != 0 and rc != 1 and not got_err.strip():
        problems.append("no error message on stderr")
    if problems:
        failures += 1
        print(f"FAIL {name}: {'; '.join(problems)}")
    else:
        print(f"ok   {name}")
    return got_out


def lines(text):
    return dict(l.split(": ", 1) for l in text.strip().splitlines())


# key
out = check("key create", ["key", "create"])
kv = lines(out)
assert_ok = len(kv.get("private", "")) == 64 and kv.get("account", "").startswith("smn_")
if not assert_ok:
    failures += 1
    print("FAIL key create output", out)
check("key create --json is an object", ["key", "create", "--json"], contains='"account": "smn_')
out = check("key expand", ["key", "expand", DEV_PRIV],
            out=f"private: {DEV_PRIV}\npublic: {DEV_PUB}\naccount: {DEV_ADDR}\n")
out = check("key expand lower-case --json", ["--json", "key", "expand", DEV_PRIV.lower()])
if json.loads(out) != {"private": DEV_PRIV, "public": DEV_PUB, "account": DEV_ADDR}:
    failures += 1
    print("FAIL key expand json", out)
check("key from-seed", ["key", "from-seed", "00" * 32, "0"],
      contains="private: 9F0E444C69F77A49BD0BE89DB92C38FE713E0963165CCA12FAF5712D7657120F\n"
               "public: 8636B34786C2262951DC6AC0B881129396F51AA525CBAF37DC3C9D1BE67FB3F2\n")
check("key from-seed max index", ["key", "from-seed", "00" * 32, "4294967295"])
check("key from-seed index overflow", ["key", "from-seed", "00" * 32, "4294967296"], rc=2,
      err="index")
check("key from-seed negative", ["key", "from-seed", "00" * 32, "-1"], rc=2)
check("key expand short", ["key", "expand", "ABCD"], rc=2, err="64 hex")
check("key expand missing", ["key", "expand"], rc=2, err="usage")
check("key unknown", ["key", "destroy"], rc=2, err="unknown key command")
check("key extra arg", ["key", "create", "x"], rc=2)

# address
check("address validate", ["address", "validate", DEV_ADDR], out="valid\n")
check("address bad checksum", ["address", "validate", DEV_ADDR[:-1] + "7"], rc=1,
      contains="checksum")
check("address bad prefix", ["address", "validate", "nano_" + DEV_ADDR[4:]], rc=1,
      contains="smn_")
check("address bad length", ["address", "validate", DEV_ADDR + "1"], rc=1, contains="64")
check("address bad char", ["address", "validate", DEV_ADDR[:10] + "0" + DEV_ADDR[11:]], rc=1,
      contains="character")
check("address from-key", ["address", "from-key",
                           "C008B814A7D269A1FA3C6528B19201A24D797912DB9996FF02A1FF356E45552B"],
      out="smn_3i1aq1cchnmbn9x5rsbap8b15akfh7wj7pwskuzi7ahz8oq6cobd99d4r3b7\n")
check("address from-key bad", ["address", "from-key", "XYZ"], rc=2, err="64 hex")
check("address no arg", ["address", "validate"], rc=2, err="usage")

# amount
check("amount to-raw", ["amount", "to-raw", "1.5"], out="1500000000000000000000000000000\n")
check("amount to-raw .5", ["amount", "to-raw", ".5"], out="500000000000000000000000000000\n")
check("amount from-raw", ["amount", "from-raw", "10000000000000000000000000000000000001"],
      out="10000000.000000000000000000000000000001\n")
check("amount from-raw max", ["amount", "from-raw", "340282366920938463463374607431768211455"],
      out="340282366.920938463463374607431768211455\n")
for bad, why in [("1.2.3", "decimal"), ("-1", "negative"), ("0." + "0" * 30 + "1", "30 decimal"),
                 ("340282367", "2^128"), ("", "empty"), ("1.", "decimal"), ("abc", "decimal")]:
    check(f"amount to-raw {bad!r}", ["amount", "to-raw", bad], rc=2, err=why)
check("amount from-raw overflow", ["amount", "from-raw", "340282366920938463463374607431768211456"],
      rc=2, err="2^128")
check("amount from-raw decimal", ["amount", "from-raw", "1.5"], rc=2)

# block
block = json.dumps(SEND_UNSIGNED)
check("block hash", ["block", "hash"], out=SEND_HASH + "\n", stdin=block)
out = check("block sign", ["block", "sign", "--key", DEV_PRIV], stdin=block)
try:
    signed = json.loads(out)
    if signed.get("signature") != SEND_SIG or signed.get("work") != "4E2169C82CC35E29" \
            or signed.get("link_as_account") != \
            "smn_33jppf5rfij877axrtp1q41j76wpynfccbgdowuxrh6x5hm9zezkjoxiimuk":
        raise ValueError(out)
    check("block hash of signed output", ["block", "hash"], out=SEND_HASH + "\n", stdin=out)
except ValueError as e:
    failures += 1
    print("FAIL block sign output", e)
check("block sign wrong key", ["block", "sign", "--key", "11" * 32], rc=2,
      err="does not belong", stdin=block)
check("block sign no key", ["block", "sign"], rc=2, err="usage", stdin=block)
check("block hash not json", ["block", "hash"], rc=2, err="not JSON", stdin="{")
check("block hash missing field", ["block", "hash"], rc=2, err='missing field "balance"',
      stdin=json.dumps({k: v for k, v in SEND_UNSIGNED.items() if k != "balance"}))
bad = dict(SEND_UNSIGNED, link_as_account=DEV_ADDR)
check("block hash link mismatch", ["block", "hash"], rc=2, err="does not match",
      stdin=json.dumps(bad))
bad = dict(SEND_UNSIGNED, balance=5)
check("block hash ill-typed balance", ["block", "hash"], rc=2, err="must be a string",
      stdin=json.dumps(bad))

# genesis
for net, (h, addr) in GENESIS.items():
    out = check(f"genesis {net}", ["genesis", "--network", net], contains=f"hash: {h}\n")
    if f"account: {addr}\n" not in out or (("private: " + DEV_PRIV) in out) != (net == "dev"):
        failures += 1
        print(f"FAIL genesis {net} account/private lines", out)
    out = check(f"genesis {net} --json (global --network)", ["--network", net, "--json", "genesis"])
    j = json.loads(out)
    if j["hash"] != h or j["account"] != addr or j["block"]["account"] != addr \
            or j["block"]["balance"] != "10000000000000000000000000000000000000":
        failures += 1
        print(f"FAIL genesis {net} json", out)
    check(f"genesis {net} block hashes to its hash", ["block", "hash"], out=h + "\n",
          stdin=json.dumps(j["block"]))
check("genesis unknown network", ["genesis", "--network", "beta"], rc=2, err="unknown network")
check("genesis no network", ["genesis"], rc=2, err="--network")

# work
ROOT = GENESIS["dev"][0]
check("work validate", ["work", "validate", "--root", ROOT, "--work", "4E2169C82CC35E29",
                        "--network", "dev"], contains="valid: value FF501E02C974C68E")
check("work validate invalid on live", ["work", "validate", "--root", ROOT, "--work",
                                        "4E2169C82CC35E29", "--network", "live"], rc=1,
      contains="invalid: value FF501E02C974C68E")
check("work validate zero", ["work", "validate", "--root", "00" * 32, "--work", "0" * 16,
                             "--network", "dev", "--receive"], rc=1, contains="D60FBA25F7D14965")
for net in ("dev", "test"):
    for recv in ([], ["--receive"]):
        nonce = check(f"work generate {net} {recv}",
                      ["work", "generate", "--root", ROOT, "--network", net] + recv).strip()
        check(f"work generated validates {net} {recv}",
              ["work", "validate", "--root", ROOT, "--work", nonce, "--network", net] + recv,
              contains="valid:")
check("work generate bad root", ["work", "generate", "--root", "12", "--network", "dev"], rc=2,
      err="--root")
check("work validate bad work", ["work", "validate", "--root", ROOT, "--work", "123",
                                 "--network", "dev"], rc=2, err="--work")
check("work generate no network", ["work", "generate", "--root", ROOT], rc=2, err="--network")
check("work unknown option", ["work", "generate", "--root", ROOT, "--network", "dev", "--fast"],
      rc=2, err="unknown option")
check("work validate missing --work", ["work", "validate", "--root", ROOT, "--network", "dev"],
      rc=2, err="usage")

print(f"{failures} failure(s)")
sys.exit(1 if failures else 0)
