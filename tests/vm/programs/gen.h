/* A generated NanoVM transcript: many accounts etching, minting and
 * transferring tokens, burning smn for vSMN, running swap pools and
 * withdrawing, with receives interleaved at random. Deterministic in seed. */
#ifndef TESTS_VM_PROGRAMS_GEN_H
#define TESTS_VM_PROGRAMS_GEN_H

#include "sim.h"

sim *gen_transcript(uint64_t seed, int naccounts, int nops);
/* Helpers shared with the tests. */
int gen_call(sim *s, int from, const uint8_t to[32], const uint8_t prog[32], uint8_t method,
             int nargs, const smn_amount_t *args, int *nsends);
uint64_t gen_prefix(const uint8_t id[32]);

#endif
