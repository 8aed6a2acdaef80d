/* Prints fixed consensus vectors: keys and addresses from fixed seeds,
 * block hashes, signatures and wire bytes with 128-bit balances, work
 * values, amount renderings and u128 arithmetic. Two builds of the node
 * agree on consensus only if they print the same bytes: .ci/armhf compares
 * this program's output under qemu-arm with the x86-64 build's
 * (tests/common/cross_compare.sh). It also checks what it printed (each
 * signature verifies, each block survives the wire), so the test that runs
 * it natively can fail. Usage: vectors (no arguments). */
#include <stdio.h>
#include <string.h>

#include "common/address.h"
#include "common/amount.h"
#include "common/block.h"
#include "common/hex.h"
#include "common/keys.h"
#include "common/work.h"

static int failures;

static void hex_line(const char *label, const uint8_t *p, size_t n)
{
    char buf[2 * SMN_BLOCK_WIRE_BYTES + 1];
    smn_hex_encode(p, n, buf);
    printf("%s %s\n", label, buf);
}

static void amount_line(const char *label, smn_amount_t v)
{
    char raw[SMN_AMOUNT_RAW_STRLEN], smn[SMN_AMOUNT_SMN_STRLEN];
    printf("%s %s %s\n", label, smn_amount_format_raw(v, raw), smn_amount_format_smn(v, smn));
}

/* Balances around the edges of 64-bit halves and the supply. */
static smn_amount_t balance_for(int i)
{
    switch (i % 4) {
    case 0:
        return smn_amount_make(0, UINT64_MAX);
    case 1:
        return smn_amount_make(1, 0);
    case 2:
        return smn_amount_make(0x8000000000000000ull, 12345);
    default: {
        smn_amount_t v = smn_amount_zero();
        smn_amount_mul(smn_amount_one_smn(), smn_amount_from_u64(10000000u), &v);
        return smn_amount_sub_wrap(v, smn_amount_from_u64((uint64_t)i));
    }
    }
}

int main(void)
{
    if (smn_crypto_init() != 0)
        return 1;
    uint8_t seed[32];
    for (int i = 0; i < 32; i++)
        seed[i] = (uint8_t)(i * 7 + 1);
    smn_block prev = {0};
    for (uint32_t k = 0; k < 8; k++) {
        smn_keypair kp;
        smn_key_from_seed(seed, k, &kp);
        char addr[SMN_ADDRESS_STRLEN];
        smn_address_encode(kp.pub, addr);
        printf("key %u %s\n", k, addr);

        smn_block b;
        memset(&b, 0, sizeof b);
        memcpy(b.account, kp.pub, 32);
        smn_block_hash(&prev, b.previous);
        memcpy(b.representative, seed, 32);
        b.balance = balance_for((int)k);
        memcpy(b.link, addr + 4, 32);
        b.work = 0x0123456789abcdefull * (k + 1);
        smn_block_sign(&b, &kp);
        if (!smn_block_verify_signature(&b))
            failures++;
        uint8_t h[SMN_HASH_BYTES], wire[SMN_BLOCK_WIRE_BYTES];
        smn_block_hash(&b, h);
        hex_line("hash", h, sizeof h);
        hex_line("signature", b.signature, SMN_SIG_BYTES);
        smn_block_serialize(&b, wire);
        hex_line("wire", wire, sizeof wire);
        smn_block back;
        if (smn_block_deserialize(wire, sizeof wire, &back) != SMN_BLOCK_OK ||
            !smn_amount_eq(back.balance, b.balance))
            failures++;
        for (uint64_t nonce = 0; nonce < 3; nonce++)
            printf("work %llu %016llx\n", (unsigned long long)nonce,
                   (unsigned long long)smn_work_value(h, b.work + nonce));
        amount_line("balance", b.balance);
        smn_keypair_wipe(&kp);
        prev = b;
    }

    /* u128 arithmetic the ledger, elections and VM rely on. */
    smn_amount_t a = smn_amount_make(0xfedcba9876543210ull, 0x0f1e2d3c4b5a6978ull);
    smn_amount_t d = smn_amount_make(0, 0x1000000000000001ull), q, r;
    amount_line("mul_wrap", smn_amount_mul_wrap(a, a));
    if (!smn_amount_divmod(a, d, &q, &r))
        failures++;
    amount_line("div", q);
    amount_line("mod", r);
    amount_line("div_big", smn_amount_div(a, smn_amount_make(3, 5)));
    amount_line("shl", smn_amount_shl(a, 67));
    amount_line("shr", smn_amount_shr(a, 61));
    amount_line("sub_wrap", smn_amount_sub_wrap(smn_amount_zero(), a));
    uint8_t be[16];
    smn_amount_to_be(a, be);
    hex_line("be", be, sizeof be);
    if (failures)
        fprintf(stderr, "vectors: %d self-check failures\n", failures);
    return failures ? 1 : 0;
}
