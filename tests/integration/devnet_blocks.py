"""Offline dev-network blocks in Python: keys, addresses, state-block hashes,
Ed25519 signatures and proof of work, as docs/protocol.md fixes them
(Ed25519 with SHA-512 from libsodium, the node's own dependency, through
ctypes; Blake2b from hashlib). Used to build forks and pre-built benchmark chains without the
node's help; `self_check()` asserts the protocol's published vectors.
"""
import ctypes
import ctypes.util
import hashlib
import os
import struct

ALPHABET = "13456789abcdefghijkmnopqrstuwxyz"
PREAMBLE = bytes(31) + b"\x06"
SUPPLY = 10 ** 37
ONE_SMN = 10 ** 30
DEV_GENESIS_KEY = bytes.fromhex("F9C9E3974A7AAFCC6B85584351865C7EF5D56088827C1974A90733368D771922")
DEV_GENESIS_HASH = bytes.fromhex("9C9798C7164BD17644318621236C6F891A24384D3CD4724F1DC019CEFC3EFE89")
DEV_WORK_SEND = 0xFE00000000000000
DEV_WORK_RECEIVE = 0xFC00000000000000


def _sodium():
    name = ctypes.util.find_library("sodium") or "libsodium.so.23"
    lib = ctypes.CDLL(name)
    if lib.sodium_init() < 0:
        raise OSError("sodium_init failed")
    return lib


_NA = _sodium()


def blake2b(data, size=32):
    return hashlib.blake2b(data, digest_size=size).digest()


class Key:
    """An Ed25519 key: the 32-byte private seed and its public key."""

    def __init__(self, private=None):
        self.private = private if private is not None else os.urandom(32)
        if len(self.private) != 32:
            raise ValueError("a private key is 32 bytes")
        pk = ctypes.create_string_buffer(32)
        self._sk = ctypes.create_string_buffer(64)
        if _NA.crypto_sign_seed_keypair(pk, self._sk, self.private) != 0:
            raise OSError("crypto_sign_seed_keypair failed")
        self.public = pk.raw
        self.account = address(self.public)

    def sign(self, msg):
        sig = ctypes.create_string_buffer(64)
        if _NA.crypto_sign_detached(sig, None, msg, ctypes.c_ulonglong(len(msg)), self._sk) != 0:
            raise OSError("crypto_sign_detached failed")
        return sig.raw


def genesis_key():
    return Key(DEV_GENESIS_KEY)


def _b32(value, nchars):
    out = []
    for _ in range(nchars):
        out.append(ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(out))


def address(pub):
    key = _b32(int.from_bytes(pub, "big"), 52)
    check = _b32(int.from_bytes(blake2b(pub, 5)[::-1], "big"), 8)
    return "smn_" + key + check


def public_of(addr):
    """The public key of an smn_ address (checked: prefix, length, alphabet,
    padding, checksum)."""
    if not addr.startswith("smn_") or len(addr) != 64:
        raise ValueError("bad address %r" % addr)
    v = 0
    for ch in addr[4:56]:
        i = ALPHABET.find(ch)
        if i < 0:
            raise ValueError("bad address character in %r" % addr)
        v = (v << 5) | i
    if v >> 256:
        raise ValueError("bad address padding in %r" % addr)
    pub = v.to_bytes(32, "big")
    if address(pub) != addr:
        raise ValueError("bad address checksum in %r" % addr)
    return pub


def work_value(root, nonce):
    return struct.unpack("<Q", blake2b(struct.pack("<Q", nonce) + root, 8))[0]


def work_generate(root, threshold, start=None):
    nonce = start if start is not None else struct.unpack("<Q", os.urandom(8))[0]
    while work_value(root, nonce) < threshold:
        nonce = (nonce + 1) & 0xFFFFFFFFFFFFFFFF
    return nonce


class Block:
    """A signed state block with work."""

    def __init__(self, key, previous, representative, balance, link, receive):
        self.account = key.public
        self.previous = previous
        self.representative = representative
        self.balance = balance
        self.link = link
        self.hash = blake2b(PREAMBLE + self.account + previous + representative
                            + balance.to_bytes(16, "big") + link)
        self.signature = key.sign(self.hash)
        root = previous if previous != bytes(32) else self.account
        self.work = work_generate(root, DEV_WORK_RECEIVE if receive else DEV_WORK_SEND)

    @property
    def hash_hex(self):
        return self.hash.hex().upper()

    def wire(self):
        """The canonical 216-byte form."""
        return (self.account + self.previous + self.representative
                + self.balance.to_bytes(16, "big") + self.link + self.signature
                + struct.pack(">Q", self.work))

    def json(self):
        return {
            "type": "state",
            "account": address(self.account),
            "previous": self.previous.hex().upper(),
            "representative": address(self.representative),
            "balance": str(self.balance),
            "link": self.link.hex().upper(),
            "signature": self.signature.hex().upper(),
            "work": "%016X" % self.work,
        }


class Chain:
    """An account's frontier, balance and representative, to build its next
    blocks offline. Start one from the ledger (account_info) or from nothing
    (open)."""

    def __init__(self, key, frontier=bytes(32), balance=0, representative=None):
        self.key = key
        self.frontier = frontier
        self.balance = balance
        self.representative = representative or key.public

    def _append(self, balance, link, receive, representative=None):
        b = Block(self.key, self.frontier, representative or self.representative,
                  balance, link, receive)
        self.frontier, self.balance = b.hash, balance
        self.representative = b.representative
        return b

    def send(self, dest_pub, amount):
        if amount <= 0 or amount > self.balance:
            raise ValueError("bad send amount")
        return self._append(self.balance - amount, dest_pub, False)

    def receive(self, send_hash, amount, representative=None):
        return self._append(self.balance + amount, send_hash, True, representative)

    def change(self, representative):
        return self._append(self.balance, bytes(32), False, representative)


def self_check():
    """The vectors of docs/protocol.md, so a mistake here cannot pass for a
    node bug."""
    g = genesis_key()
    assert g.public.hex().upper() == \
        "FA462F29A38330058FB3A84070B8ADBAAF1FA230E8A0E5D45BFA29D912E9745C", g.public.hex()
    assert g.account == "smn_3yk87wnt91si1p9u9c41g4wcugoh5yj53t71wqc7qyjbu6bgkx4wfcgm4fm6"
    assert public_of(g.account) == g.public
    dest = bytes.fromhex("8636B34786C2262951DC6AC0B881129396F51AA525CBAF37DC3C9D1BE67FB3F2")
    c = Chain(g, DEV_GENESIS_HASH, SUPPLY, g.public)
    b = c.send(dest, ONE_SMN)
    assert b.hash_hex == "8D5808E16EAA709A29274096C6363F3B96E22EC46419E47596A3A140E235F9B8"
    assert b.signature.hex().upper() == (
        "DB7463024A33EB07E67B018398DA75ED50A56D897A2BD6021216ED26F279B9E5"
        "FF94A32A899323ABF8D04D79DE0458165698C5C83539E6B7C10D105B74CED201")
    assert work_value(DEV_GENESIS_HASH, 0x4E2169C82CC35E29) == 0xFF501E02C974C68E
    assert work_value(bytes(32), 0) == 0xD60FBA25F7D14965
    assert work_value(b.previous, b.work) >= DEV_WORK_SEND


if __name__ == "__main__":
    self_check()
    print("ok")
