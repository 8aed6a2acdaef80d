/* Elections benchmarks (an executable, never a test):
 *   1. vote decode + signature verify, per vote;
 *   2. the one-host devnet: start -> our vote -> our final vote -> confirmed;
 *   3. network votes: 8 equal representatives, every election confirmed by
 *      their votes then final votes through elections_active_vote
 *      (signature verification included).
 * Usage: bench_elections [elections]   (default 2000) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "procs/elections/active.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static smn_block block_n(uint32_t i)
{
    smn_block b;
    memset(&b, 0, sizeof b);
    memset(b.account, 0xAC, 32);
    memcpy(b.previous, &i, sizeof i);
    b.previous[31] = 1;
    b.balance = smn_amount_from_u64(1000);
    return b;
}

static size_t confirmed;
static void on_confirmed(void *ctx, const elections_confirmation *c)
{
    (void)ctx;
    (void)c;
    confirmed++;
}

int main(int argc, char **argv)
{
    uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 2000;
    if (n == 0 || smn_crypto_init() != 0)
        return 1;
    enum { REPS = 8 };
    smn_keypair reps[REPS];
    uint8_t seed[32];
    memset(seed, 7, sizeof seed);
    for (uint32_t r = 0; r < REPS; r++)
        smn_key_from_seed(seed, r, &reps[r]);

    /* 1. decode + verify */
    smn_vote v;
    uint8_t h[1][32];
    memset(h, 3, sizeof h);
    smn_vote_sign(&v, &reps[0], 12345, (const uint8_t(*)[32])h, 1);
    uint8_t wire[SMN_VOTE_MAX_BYTES];
    size_t len = smn_vote_encode(&v, wire, sizeof wire);
    double t0 = now_s();
    for (uint32_t i = 0; i < n * 4; i++) {
        smn_vote d;
        if (smn_vote_decode(wire, len, &d) != SMN_VOTE_OK || smn_vote_verify(&d) != SMN_VOTE_OK)
            return 1;
    }
    double t1 = now_s();
    printf("vote decode+verify: %u votes, %.1f us/vote, %.0f votes/s\n", n * 4,
           (t1 - t0) * 1e6 / (n * 4), (n * 4) / (t1 - t0));

    /* 2. one-host devnet */
    elections_active_config cfg;
    elections_active_config_default(&cfg);
    cfg.online_weight_minimum = smn_amount_from_u64(1000);
    elections_active_callbacks cb = {NULL, on_confirmed, NULL, NULL, NULL};
    elections_active *a = elections_active_new(&cfg, &cb);
    elections_active_add_rep(a, elections_rep_new(&reps[0], smn_amount_from_u64(1000), 1, 4096));
    confirmed = 0;
    t0 = now_s();
    for (uint32_t i = 0; i < n; i++) {
        smn_block b = block_n(i);
        elections_active_start(a, &b);
    }
    t1 = now_s();
    if (confirmed != n)
        return 1;
    printf("one-host devnet: %u blocks start->confirmed, %.1f us/block, %.0f blocks/s\n", n,
           (t1 - t0) * 1e6 / n, n / (t1 - t0));
    elections_active_free(a);

    /* 3. network votes */
    cfg.online_weight_minimum = smn_amount_from_u64(8000);
    cfg.max_elections = n;
    a = elections_active_new(&cfg, &cb);
    size_t nv = (size_t)n * REPS * 2;
    smn_vote *votes = malloc(nv * sizeof *votes);
    if (!votes)
        return 1;
    for (uint32_t i = 0; i < n; i++) {
        smn_block b = block_n(i);
        smn_block_hash(&b, h[0]);
        elections_active_start(a, &b);
        for (uint32_t r = 0; r < REPS; r++) {
            smn_vote_sign(&votes[((size_t)i * REPS + r) * 2], &reps[r], 1, (const uint8_t(*)[32])h,
                          1);
            smn_vote_sign(&votes[((size_t)i * REPS + r) * 2 + 1], &reps[r], SMN_VOTE_FINAL,
                          (const uint8_t(*)[32])h, 1);
        }
    }
    confirmed = 0;
    t0 = now_s();
    /* all normal votes of an election, then its final votes (6 of 8 confirm) */
    for (uint32_t i = 0; i < n; i++) {
        for (uint32_t r = 0; r < REPS; r++)
            elections_active_vote(a, &votes[((size_t)i * REPS + r) * 2], smn_amount_from_u64(1000));
        for (uint32_t r = 0; r < REPS; r++)
            elections_active_vote(a, &votes[((size_t)i * REPS + r) * 2 + 1],
                                  smn_amount_from_u64(1000));
    }
    t1 = now_s();
    if (confirmed != n)
        return 1;
    printf("network votes: %zu votes over %u elections (%u active at start), %.1f us/vote, "
           "%.0f votes/s, %.0f confirmations/s\n",
           nv, n, n, (t1 - t0) * 1e6 / nv, nv / (t1 - t0), n / (t1 - t0));
    free(votes);
    elections_active_free(a);
    for (uint32_t r = 0; r < REPS; r++)
        smn_keypair_wipe(&reps[r]);
    return 0;
}
