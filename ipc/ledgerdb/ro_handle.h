/* One process's read-only view of DATA_DIR/ledger.db, opened lazily and
 * reopened after an error: the one open/reopen policy of every reader (net,
 * elections, bootstrap, vm; rpc once it switches).
 *
 * ledger_ro_handle_get() opens the database on first use. An open that
 * fails is retried on a later get, no sooner than retry_ms after the failure
 * (0: on the next get). A read that fails is reported with
 * ledger_ro_handle_failed(): the connection is closed and the next get
 * reopens it (the file may have been replaced). Each failure is logged once
 * per streak (a warning naming the path and the reason), and the first
 * open after a failure is logged once. Time comes from the caller (now_ms,
 * any monotonic milliseconds), so deterministic callers stay deterministic.
 * Not thread-safe: one handle per thread, like ledger_ro. */
#ifndef LEDGERDB_RO_HANDLE_H
#define LEDGERDB_RO_HANDLE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/network.h"
#include "ipc/ledgerdb/ro.h"

typedef struct {
    const char *data_dir;   /* ledger.db is LEDGER_DB_FILENAME inside (or set path) */
    const char *path;       /* the database file itself; overrides data_dir */
    const smn_network *net; /* NULL: accept any network's ledger */
    uint32_t retry_ms;      /* after a failed open, wait this long before the next try */
    const char *who;        /* log prefix; NULL: none (log lines name the process) */
} ledger_ro_handle_opts;

/* Fields are private: use the functions. */
typedef struct {
    char path[4096];
    const smn_network *net;
    uint32_t retry_ms;
    const char *who;
    ledger_ro *ro;
    uint64_t retry_at_ms; /* no open before this (after a failed open) */
    bool failing;         /* the last open or read failed; logged already */
    char err[256];        /* why the last open or read failed ("" if none) */
} ledger_ro_handle;

/* LEDGER_STATUS_INVALID when neither data_dir nor path is set or the path
 * does not fit. Opens nothing. */
ledger_status ledger_ro_handle_init(ledger_ro_handle *h, const ledger_ro_handle_opts *o);
/* The open database, or NULL while it cannot be opened (see ..._error). */
ledger_ro *ledger_ro_handle_get(ledger_ro_handle *h, uint64_t now_ms);
/* A read on the handle's database returned st (not OK, not NOT_FOUND):
 * log it once, close; the next get reopens at once. */
void ledger_ro_handle_failed(ledger_ro_handle *h, ledger_status st);
/* Why the last open or read failed ("" when the last one succeeded). */
const char *ledger_ro_handle_error(const ledger_ro_handle *h);
const char *ledger_ro_handle_path(const ledger_ro_handle *h);
/* Close (the handle can be used again: the next get reopens). */
void ledger_ro_handle_close(ledger_ro_handle *h);

#endif
