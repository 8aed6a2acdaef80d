#!/usr/bin/env python3
"""Independent model of NanoVM's converter.js (publicserverlive/nanovm),
written from its algorithm with Python big integers, used to cross-check
the C codec through tests/vm/codec/codec_helper.

  ref_converter.py HELPER        cross-check on seeded random payloads
  ref_converter.py --lengths N   also prove, for every payload length <= N,
                                 that the digit count depends on the length
                                 alone, and compare it with the C formula

Exit status 0 when everything agrees, 1 with a message otherwise.
"""
import os
import random
import shlex
import subprocess
import sys
from decimal import Decimal, getcontext

BASE = 99
PAD = 99
CHUNK = 15
MAGIC = b"NVM1"
H0 = int.from_bytes(MAGIC, "big") << 32


def encode_bytes(data):
    """encodeBytesToNanoAmounts: returns the list of '0.'+30-digit strings."""
    frame = MAGIC + len(data).to_bytes(4, "big") + bytes(data)
    value = int.from_bytes(frame, "big")
    digits = []
    while value > 0:
        digits.append(value % BASE)
        value //= BASE
    digits.reverse()
    if not digits:
        digits = [0]
    out = []
    for i in range(0, len(digits), CHUNK):
        part = digits[i:i + CHUNK]
        part += [PAD] * (CHUNK - len(part))
        out.append("0." + "".join("%02d" % d for d in part))
    return out


def decode_amounts(amounts):
    """decodeNanoAmountsToBytes: returns bytes or raises ValueError."""
    digits = []
    for i, raw in enumerate(amounts):
        only = "".join(ch for ch in str(raw) if ch.isdigit())
        if len(only) < 30:
            raise ValueError("amount %d has fewer than 30 digits" % i)
        dec = only[-30:]
        for j in range(0, 30, 2):
            code = int(dec[j:j + 2])
            if code == PAD:
                continue
            digits.append(code)
    if not digits:
        return b""
    value = 0
    for d in digits:
        value = value * BASE + d
    if value == 0:
        return b""
    data = value.to_bytes((value.bit_length() + 7) // 8, "big")
    if len(data) < 8:
        raise ValueError("too short for header")
    if data[:4] != MAGIC:
        raise ValueError("bad magic")
    length = int.from_bytes(data[4:8], "big")
    if len(data) < 8 + length:
        raise ValueError("shorter than length")
    return data[8:8 + length]


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


class Helper:
    def __init__(self, path):
        # In a cross build meson names the emulator (qemu-arm -L ...).
        wrapper = shlex.split(os.environ.get("MESON_EXE_WRAPPER", ""))
        self.proc = subprocess.Popen(wrapper + [path], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)

    def ask(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline().strip()

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


def strict_digits(amounts):
    return [a[2:] for a in amounts]


def cross_check(helper):
    rng = random.Random(20240611)
    lengths = list(range(0, 64)) + [rng.randrange(0, 2001) for _ in range(600)] + [2000]
    for n in lengths:
        data = bytes(rng.randrange(256) for _ in range(n))
        if rng.random() < 0.1:
            data = bytes([rng.choice([0, 255])]) * n
        ref = encode_bytes(data)
        got = helper.ask("E " + data.hex()).split()
        if got != strict_digits(ref):
            fail("encode mismatch for %d bytes %s: %s vs %s" % (n, data.hex()[:40], got, ref))
        if decode_amounts(ref) != data:
            fail("reference model does not round-trip %d bytes" % n)
        back = helper.ask("D " + " ".join(got))
        if back != ("OK " + data.hex()).strip():
            fail("strict decode of %d bytes gave %s" % (n, back[:60]))
        hdr = helper.ask("H " + got[0])
        if hdr != "%d %d" % (n, len(got)):
            fail("header of %d bytes: %s, expected %d %d" % (n, hdr, n, len(got)))
        # The reference's looser inputs: stray 99 digits, leading zero
        # digits, bytes after the payload. Lenient must agree with the model.
        frame = MAGIC + len(data).to_bytes(4, "big") + data
        kind = rng.randrange(3)
        if kind == 2:
            frame += bytes(rng.randrange(256) for _ in range(rng.randrange(1, 20)))
        digits = to_digits(int.from_bytes(frame, "big"))
        if kind == 0:
            for _ in range(rng.randrange(1, 4)):
                digits.insert(rng.randrange(len(digits) + 1), PAD)
        elif kind == 1:
            digits = [0] * rng.randrange(1, 20) + digits
        loose = chunked(digits)
        try:
            want = ("OK " + decode_amounts(loose).hex()).strip()
        except ValueError:
            want = "ERR"
        got_l = helper.ask("L " + " ".join(a[2:] for a in loose))
        if not got_l.startswith(want):
            fail("lenient decode disagrees for %d bytes (kind %d): %s vs %s"
                 % (n, kind, got_l[:60], want[:60]))
        # A 99 inserted at the very end is just padding: still canonical.
        if loose != ref and helper.ask("D " + " ".join(a[2:] for a in loose)).startswith("OK"):
            fail("strict decode accepted a loose encoding (kind %d, %d bytes)" % (kind, n))
    print("cross-check: %d payloads agree" % len(lengths))


def check_lengths(helper, max_len):
    """For each payload length the frames span [H*256^L, (H+1)*256^L); the
    digit count is a function of L iff no power of 99 lies inside, i.e. the
    two ends have the same floor(log_99)."""
    getcontext().prec = 60
    ln99 = Decimal(99).ln()
    alpha = Decimal(256).ln() / ln99
    min_gap = Decimal(1)
    out = helper.ask("C %d" % max_len).split()
    if len(out) != max_len + 1:
        fail("helper gave %d digit counts" % len(out))
    ln_h0 = Decimal(H0).ln()
    for length in range(max_len + 1):
        # ln(H0 + L) and ln(H0 + L + 1) by a short series: L / H0 < 2^-40.
        def ln_h(x):
            t = Decimal(x) / Decimal(H0)
            return ln_h0 + t - t * t / 2
        lo = ln_h(length) / ln99 + length * alpha
        hi = ln_h(length + 1) / ln99 + length * alpha
        if int(lo) != int(hi):
            fail("digit count is not a function of length at L=%d" % length)
        gap = min(lo - int(lo), int(lo) + 1 - lo)
        min_gap = min(min_gap, gap)
        if int(out[length]) != int(lo) + 1:
            fail("C digit count %s, model %d at L=%d" % (out[length], int(lo) + 1, length))
    # Exact big-integer spot checks of the log reasoning.
    for length in list(range(0, 300)) + [1000, 4096, 65536]:
        if length > max_len:
            continue
        lo = H0 + length << (8 * length)
        hi = ((H0 + length + 1) << (8 * length)) - 1
        dl = digit_count(lo)
        if dl != digit_count(hi) or dl != int(out[length]):
            fail("exact digit count differs at L=%d" % length)
    print("lengths 0..%d: digit count a function of length, min log99 gap %.3e"
          % (max_len, min_gap))


def to_digits(value):
    digits = []
    while value:
        digits.append(value % BASE)
        value //= BASE
    return digits[::-1]


def chunked(digits):
    out = []
    for i in range(0, len(digits), CHUNK):
        part = digits[i:i + CHUNK]
        part = part + [PAD] * (CHUNK - len(part))
        out.append("0." + "".join("%02d" % d for d in part))
    return out


def digit_count(value):
    """Base-99 digits of value > 0, without converting it."""
    k = max(0, int(value.bit_length() / 6.6293566) - 2)
    p = BASE ** k
    while p <= value:
        p *= BASE
        k += 1
    return k


def main():
    args = sys.argv[1:]
    max_len = None
    if len(args) >= 2 and args[0] == "--lengths":
        max_len = int(args[1])
        args = args[2:]
    if len(args) != 1:
        print(__doc__)
        sys.exit(2)
    helper = Helper(args[0])
    cross_check(helper)
    if max_len is not None:
        check_lengths(helper, max_len)
    helper.close()


if __name__ == "__main__":
    main()
