/* Crypto throughput, raw libsodium against the smn_ wrappers, one core.
 * usage: bench_crypto [seconds-per-row]   (default 1.0)
 * Prints one table row per operation: raw ops/s, wrapper ops/s, overhead %
 * (best of 5 alternating runs each). */
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/block.h"
#include "common/keys.h"
#include "common/network.h"
#include "common/work.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Keeps results observable so the compiler cannot drop the work. */
static volatile uint64_t sink;

typedef void (*op_fn)(uint64_t i);

/* Runs op in batches until `secs` have passed; returns ops per second. */
static double rate(op_fn op, double secs)
{
    uint64_t n = 0, batch = 64;
    double t0 = now(), t;
    do {
        for (uint64_t k = 0; k < batch; k++)
            op(n + k);
        n += batch;
        t = now();
    } while (t - t0 < secs);
    return (double)n / (t - t0);
}

static smn_keypair kp;
static uint8_t sk64[64];
static uint8_t msg[32], sig[64];
static smn_block blk;
static uint8_t hashbuf[176];

static void raw_sign(uint64_t i)
{
    msg[0] = (uint8_t)i;
    crypto_sign_detached(sig, NULL, msg, 32, sk64);
    sink += sig[0];
}
static void smn_sign_op(uint64_t i)
{
    msg[0] = (uint8_t)i;
    smn_sign(&kp, msg, 32, sig);
    sink += sig[0];
}
static void raw_verify(uint64_t i)
{
    (void)i;
    sink += (uint64_t)crypto_sign_verify_detached(sig, msg, 32, kp.pub);
}
static void smn_verify_op(uint64_t i)
{
    (void)i;
    sink += smn_verify(kp.pub, msg, 32, sig);
}
static void raw_hash(uint64_t i)
{
    uint8_t h[32];
    hashbuf[175] = (uint8_t)i;
    crypto_generichash(h, 32, hashbuf, sizeof hashbuf, NULL, 0);
    sink += h[0];
}
static void smn_hash_op(uint64_t i)
{
    uint8_t h[32];
    blk.link[31] = (uint8_t)i;
    smn_block_hash(&blk, h);
    sink += h[0];
}
static void raw_work(uint64_t i)
{
    uint8_t in[40], out[8];
    memcpy(in, &i, 8); /* x86-64 is little-endian, as the work input is */
    memcpy(in + 8, blk.previous, 32);
    crypto_generichash(out, 8, in, 40, NULL, 0);
    uint64_t v;
    memcpy(&v, out, 8);
    sink += v;
}
static void smn_work_op(uint64_t i)
{
    sink += smn_work_value(blk.previous, i);
}

static void row(const char *name, op_fn raw, op_fn wrapped, double secs)
{
    /* Alternate short runs and keep each side's best: on a shared machine
     * the best run is the one least disturbed by other load. */
    double r = 0, w = 0;
    for (int k = 0; k < 5; k++) {
        double x = rate(raw, secs / 5), y = rate(wrapped, secs / 5);
        r = x > r ? x : r;
        w = y > w ? y : w;
    }
    printf("| %-22s | %12.0f | %12.0f | %+7.1f%% |\n", name, r, w, (r / w - 1.0) * 100.0);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? strtod(argv[1], NULL) : 1.0;
    if (secs <= 0 || secs > 60) {
        fputs("usage: bench_crypto [seconds-per-row, 0 < s <= 60]\n", stderr);
        return 2;
    }
    if (smn_crypto_init() != 0)
        return 1;
    smn_key_create(&kp);
    uint8_t pk[32];
    crypto_sign_seed_keypair(pk, sk64, kp.priv);
    blk = smn_network_get(SMN_NET_DEV)->genesis;
    randombytes_buf(blk.previous, 32);
    randombytes_buf(hashbuf, sizeof hashbuf);
    randombytes_buf(msg, sizeof msg);
    smn_sign(&kp, msg, 32, sig);

    printf("| %-22s | %12s | %12s | %8s |\n", "operation (1 core)", "raw ops/s", "smn_ ops/s",
           "overhead");
    printf("|------------------------|--------------|--------------|----------|\n");
    row("Ed25519 sign (32 B)", raw_sign, smn_sign_op, secs);
    row("Ed25519 verify (32 B)", raw_verify, smn_verify_op, secs);
    row("Blake2b-256 block hash", raw_hash, smn_hash_op, secs);
    row("PoW value (Blake2b-64)", raw_work, smn_work_op, secs);
    smn_keypair_wipe(&kp);
    sodium_memzero(sk64, sizeof sk64);
    return 0;
}
