/* Kept only for procs/rpc, which includes procs/ledger/types.h until its
 * reorganisation switches it to ledgerdb/types.h; then delete this file.
 * Nothing else may include it (tests/arch/check_includes.py). */
#include "ledgerdb/types.h"
