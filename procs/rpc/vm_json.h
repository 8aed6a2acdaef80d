/* NanoVM values as readable JSON, shared by the RPC's VM actions
 * (actions_vm.c) and the CLI (procs/cli/cmd_vm_*.c): amounts as decimal
 * strings, accounts as smn_ addresses, ids and hashes as 64 hex digits,
 * event data decoded field by field from the layout table
 * (procs/vm/programs/evlayout.h). */
#ifndef SMN_RPC_VM_JSON_H
#define SMN_RPC_VM_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/amount.h"
#include "procs/vm/programs/query.h"
#include "procs/vm/programs/evrow.h"

/* Upper-case hex of n bytes (any n; NULL when out of memory). */
json_t *vm_json_hex(const uint8_t *p, size_t n);
json_t *vm_json_amount(smn_amount_t v);
json_t *vm_json_account(const uint8_t pub[32]);
/* "smn.token" / "smn.vsmn" for the natives' ids, else 64 hex digits. */
json_t *vm_json_program(const uint8_t id[32]);
/* "smn" for the 32 zero bytes, else the token id in hex. */
json_t *vm_json_asset(const uint8_t asset[32]);

/* Parse a program argument: 64 hex digits, "smn.token"/"token",
 * "smn.vsmn"/"vsmn". */
bool vm_json_parse_program(const char *s, uint8_t id[32]);
/* Parse an u128 argument: decimal, or 0x-prefixed hex. */
bool vm_json_parse_u128(const char *s, smn_amount_t *out);

/* The fields of an event's data by its type's layout; when the data do not
 * fit the layout the object is {"undecoded": true}. */
json_t *vm_json_event_fields(const char *type, const uint8_t *data, size_t len);
/* A whole event: cursor, type, program, session, account, height, index,
 * block, topic (decimal string), data (hex) and fields. */
json_t *vm_json_event(const vm_evrow *e);

/* A program's info (vm_program_info). */
json_t *vm_json_program_info(const vm_query_proginfo *p);
/* One balance row; meta (may be NULL) adds the token's name, symbol and
 * decimals. */
json_t *vm_json_balance(const vm_query_balance *b, const vm_token_meta *meta);
json_t *vm_json_token(const uint8_t id[32], const vm_token_meta *m);

#endif
