/* Kept only for procs/rpc, which includes procs/ledger/types.h until its
 * reorganisation switches it to ipc/ledgerdb/types.h; then delete this file.
 * Nothing else may include it (tests/arch/check_includes.py). */
#include "ipc/ledgerdb/types.h"
