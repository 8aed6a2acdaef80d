/* Test helpers for the ledger: temp data dirs, deterministic keys and a
 * tiny wallet model that builds signed dev blocks with real work. */
#ifndef TESTS_LEDGER_HELPERS_H
#define TESTS_LEDGER_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/block.h"
#include "common/keys.h"
#include "common/network.h"
#include "procs/ledger/processor.h"
#include "procs/ledger/store.h"

typedef struct {
    smn_keypair kp;
    uint8_t frontier[32];
    uint8_t rep[32];
    smn_amount_t balance;
    uint64_t height;
} tl_account;

const smn_network *tl_dev(void);
/* A fresh directory under /tmp; tl_cleanup removes it and its files. */
void tl_tmpdir(char out[256]);
void tl_cleanup(const char *dir);
/* dir/ledger.db */
void tl_dbpath(const char *dir, char out[300]);
ledger_store *tl_open(const char *dir, const ledger_store_config *cfg);

/* Writes dst (which must not exist) as a database of the shipped schema
 * `version` (1 to 4, made by ledger_schema_create_version) holding the rows
 * of the current-schema database src, in that version's layout: what an
 * older build would have written for the same ledger (version 1 has no
 * cementing log). For migration tests. */
void tl_export_old_schema(const char *src, const char *dst, int version);

/* What tl_check_receivable_totals saw. */
typedef struct {
    size_t destinations, cemented, unconfirmed; /* receivables by their send */
} tl_receivable_stats;
/* Aborts with a message unless receivable_totals of the database at path
 * holds, for each destination and no other, exactly the count, the sum and
 * the cemented sum (send at or below its account's confirmation height, or
 * pruned) recomputed from every receivables row. out may be NULL. */
void tl_check_receivable_totals(const char *path, tl_receivable_stats *out);

/* Key i of a fixed test seed. */
void tl_key(uint32_t i, smn_keypair *kp);
/* The dev genesis account, as a model at its genesis state. */
void tl_genesis(tl_account *a);
/* A model of an account not opened yet. */
void tl_account_new(tl_account *a, uint32_t key_index);

/* Block builders: sign, add work for the subtype's threshold, and advance
 * the model (frontier, balance, rep, height). */
void tl_send(tl_account *from, const uint8_t to[32], smn_amount_t amount, smn_block *out);
void tl_receive(tl_account *to, const uint8_t send_hash[32], smn_amount_t amount, smn_block *out);
void tl_change(tl_account *a, const uint8_t rep[32], smn_block *out);
/* Raw builder: fields as given, signed, work meeting threshold (0 = none
 * searched: work 0). Does not touch any model. */
void tl_build(smn_block *b, const smn_keypair *kp, const uint8_t previous[32],
              const uint8_t rep[32], smn_amount_t balance, const uint8_t link[32],
              uint64_t threshold);
/* Work that meets `low` but not `high` (for insufficient-work tests). */
void tl_work_between(smn_block *b, uint64_t low, uint64_t high);
void tl_hash(const smn_block *b, uint8_t out[32]);
smn_amount_t tl_smn(uint64_t whole);

/* Processes one block as a batch of its own; LEDGER_ERROR on a store failure. */
ledger_result tl_process1(ledger_processor *p, const smn_block *b);

/* The crash test's deterministic workload: genesis sends to account
 * 5000 + i, then that account opens; n must be even. Block hashes (not the
 * work nonces) are the same on every call. */
void tl_pairs_workload(size_t n, smn_block *out);

#endif
