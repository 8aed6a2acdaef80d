/* Kept only for procs/rpc, which includes procs/ledger/ro.h until its
 * reorganisation switches it to ipc/ledgerdb/ro.h; then delete this file.
 * Nothing else may include it (tests/arch/check_includes.py). */
#include "ipc/ledgerdb/ro.h"
#include "procs/ledger/store.h" /* rpc relied on ro.h including it */
