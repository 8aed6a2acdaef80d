/* Decoding the ledger family's requests (ipc/schema_ledger.h) into ledger
 * types. ipc_decode() has already checked kinds, field types and lengths;
 * this adds what the schema cannot say: a well-framed block and a known
 * origin. Every function returns true, or false with a one-line reason in
 * err (which the process sends back as the "error" reply). */
#ifndef LEDGER_REQUEST_H
#define LEDGER_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/block.h"
#include "ipc/msg.h"
#include "ipc/schema_ledger.h"

/* ledger_origin (where a block came from; travels with it to the
 * block_accepted notification) is defined in ipc/schema_ledger.h.
 * "rpc", "net", "bootstrap", "wallet", "unchecked": ipc_ledger_origin_name. */

/* process {block, origin} */
bool ledger_req_process(const ipc_msg *m, smn_block *block, ledger_origin *origin, char *err,
                        size_t errlen);
/* process_batch {blocks, origin}: blocks (room for IPC_LEDGER_MAX_BATCH)
 * and *n in the request's order. */
bool ledger_req_process_batch(const ipc_msg *m, smn_block *blocks, size_t *n, ledger_origin *origin,
                              char *err, size_t errlen);
/* confirm {hash, block?}: *has_block says whether the winner's block came
 * along (it must hash to `hash`). */
bool ledger_req_confirm(const ipc_msg *m, uint8_t hash[32], smn_block *block, bool *has_block,
                        char *err, size_t errlen);
/* confirm's optional `backlog`: true when elections says the confirm is
 * backlog work, false when absent (a fresh election's, as from an older
 * sender). m has passed the schema, so a present field is a bool. */
bool ledger_req_confirm_backlog(const ipc_msg *m);

#endif
