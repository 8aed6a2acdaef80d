/* Fixed identities of the NanoVM program layer: the native programs' ids,
 * the burn account, and the byte layouts of balance keys. Every id here is
 * part of the consensus of indexers: changing one changes every state root. */
#ifndef VM_PROGRAMS_IDS_H
#define VM_PROGRAMS_IDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/amount.h"

#define VM_PID_LEN 32

/* Native program ids: the ASCII name, zero-padded to 32 bytes. Their 8-byte
 * wire prefixes ("smn.toke", "smn.vsmn") name them in call envelopes. */
extern const uint8_t vm_pid_token[VM_PID_LEN]; /* "smn.token" */
extern const uint8_t vm_pid_vsmn[VM_PID_LEN];  /* "smn.vsmn" */
/* Not an instance: the name of the swap code in a native deploy body. */
#define VM_NATIVE_SWAP_NAME "swap"

/* The burn account: the all-zero public key. Real smn sent there is gone;
 * the same raw amount becomes vSMN of the sender. */
extern const uint8_t vm_burn_account[32];
/* The asset id of (virtual) smn in balances: 32 zero bytes (host.h). */
extern const uint8_t vm_asset_smn[32];

/* A balance key inside a program's state: asset (32) | holder kind (1) |
 * holder id (32). Holder kinds are vm_holder_kind (procs/vm/interp/host.h):
 * 0 = a program's main balance, 2 = an account. */
#define VM_BAL_KEY_LEN 65
void vm_bal_key(const uint8_t asset[32], uint8_t holder_kind, const uint8_t id[32],
                uint8_t out[VM_BAL_KEY_LEN]);

/* A token is named in call arguments by its reference: the first 16 bytes
 * of its 32-byte id read as a big-endian u128. */
smn_amount_t vm_token_ref(const uint8_t id[32]);
void vm_token_ref_bytes(smn_amount_t ref, uint8_t out[16]);

/* The first 8 bytes of a program id as written in envelopes. */
bool vm_pid_has_prefix(const uint8_t id[VM_PID_LEN], const uint8_t prefix[8]);

/* u128 amounts are stored in the DB as 16 bytes big-endian:
 * smn_amount_to_be / smn_amount_from_be (common/amount.h). */

#endif
