/* A small lattice simulator for the VM program tests: accounts, sends,
 * receives and NanoVM messages as vm_blocks, plus random topological
 * orders of the resulting transcript. Account 0 is the genesis account. */
#ifndef TESTS_VM_PROGRAMS_SIM_H
#define TESTS_VM_PROGRAMS_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "procs/vm/codec/envelope.h"
#include "procs/vm/programs/transcript.h"

typedef struct {
    vm_block b;
    int account;   /* index */
    int src;       /* block index of the source send of a receive, else -1 */
    bool received; /* sends: received already */
} sim_blk;

typedef struct {
    uint8_t pub[32];
    uint64_t height;
    smn_amount_t balance;
} sim_acct;

typedef struct {
    sim_acct *acct;
    int nacct;
    sim_blk *blk;
    size_t n, cap;
} sim;

/* naccounts accounts; account 0 opens with the genesis block, every other
 * one is funded with `fund` raw by a send from 0 and opens by receiving it. */
sim *sim_new(int naccounts, smn_amount_t fund);
void sim_free(sim *s);
const uint8_t *sim_pub(const sim *s, int i);
/* Block indices. */
int sim_send(sim *s, int from, const uint8_t to[32], smn_amount_t amount);
int sim_receive(sim *s, int to, int send_idx);
int sim_change(sim *s, int acct);
/* Encode env as chunk sends from -> to; returns the first send's index and
 * sets *n to the number of sends (consecutive indices). */
int sim_message(sim *s, int from, const uint8_t to[32], const uint8_t *env, size_t len, int *n);
/* Receive sends first..first+n-1 on account `to`. Returns the last receive. */
int sim_receive_msg(sim *s, int to, int first, int n);
/* Receive every unreceived send addressed to account `to`, oldest first. */
void sim_receive_all(sim *s, int to);

/* A random topological order of all blocks (order[] has s->n entries). */
void sim_order(const sim *s, uint64_t seed, size_t *order);
/* Apply blocks in creation order / in order[]; returns the first error. */
vm_idx_status sim_apply_all(const sim *s, vm_indexer *ix);
vm_idx_status sim_apply_order(const sim *s, vm_indexer *ix, const size_t *order);

/* Envelope builders (into out, returns the length). Call arguments take the
 * smallest width that holds them. */
size_t env_call(const uint8_t prog[32], uint8_t method, int nargs, const smn_amount_t *args,
                uint8_t *out, size_t cap);
size_t env_deploy(uint8_t code_kind, const uint8_t *code, size_t code_len, uint8_t *out,
                  size_t cap);
size_t env_commit(const uint8_t prog[32], const uint8_t root[32], uint64_t height, uint8_t *out,
                  size_t cap);
size_t env_state(const uint8_t prog[32], uint32_t session, uint32_t seq, uint8_t op,
                 uint32_t target, const uint8_t *data, size_t dlen, uint8_t *out, size_t cap);

/* A deterministic PRNG for tests. */
uint64_t sim_rand(uint64_t *state);

/* A temp file path for a fresh DB (removes old files). */
void sim_tmp_db(char *buf, size_t cap, const char *tag);
void sim_rm_db(const char *path);

#endif
