/* Kept only for procs/rpc, which includes procs/ledger/schema.h until its
 * reorganisation switches it to ipc/ledgerdb/schema.h; then delete this file.
 * Nothing else may include it (tests/arch/check_includes.py). */
#include "ipc/ledgerdb/schema.h"
