/* The lazily opened, self-reopening read-only ledger.db of one process;
 * see ro_handle.h. Opening and the read calls are ipc/ledgerdb/ro.c. */
#include "ipc/ledgerdb/ro_handle.h"

#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "ipc/ledgerdb/schema.h"

ledger_status ledger_ro_handle_init(ledger_ro_handle *h, const ledger_ro_handle_opts *o)
{
    memset(h, 0, sizeof *h);
    int n;
    if (o->path)
        n = snprintf(h->path, sizeof h->path, "%s", o->path);
    else if (o->data_dir)
        n = snprintf(h->path, sizeof h->path, "%s/%s", o->data_dir, LEDGER_DB_FILENAME);
    else
        return LEDGER_STATUS_INVALID;
    if (n < 0 || (size_t)n >= sizeof h->path)
        return LEDGER_STATUS_INVALID;
    h->net = o->net;
    h->retry_ms = o->retry_ms;
    h->who = o->who ? o->who : "";
    return LEDGER_STATUS_OK;
}

ledger_ro *ledger_ro_handle_get(ledger_ro_handle *h, uint64_t now_ms)
{
    if (h->ro)
        return h->ro;
    if (h->failing && now_ms < h->retry_at_ms)
        return NULL;
    char err[sizeof h->err] = "";
    ledger_status st = ledger_ro_open(h->path, h->net, &h->ro, err, sizeof err);
    if (st != LEDGER_STATUS_OK) {
        h->ro = NULL;
        snprintf(h->err, sizeof h->err, "%s", err[0] ? err : ledger_strerror(st));
        if (!h->failing)
            smn_warn("%s%scannot open %s read-only: %s", h->who, h->who[0] ? ": " : "", h->path,
                     h->err);
        h->failing = true;
        h->retry_at_ms = now_ms + h->retry_ms;
        return NULL;
    }
    if (h->failing)
        smn_info("%s%sopened %s read-only", h->who, h->who[0] ? ": " : "", h->path);
    h->failing = false;
    h->err[0] = '\0';
    return h->ro;
}

void ledger_ro_handle_failed(ledger_ro_handle *h, ledger_status st)
{
    const char *msg = h->ro ? ledger_ro_errmsg(h->ro) : "";
    snprintf(h->err, sizeof h->err, "%s%s%s", ledger_strerror(st), msg[0] ? ": " : "", msg);
    if (!h->failing)
        smn_warn("%s%sread of %s failed: %s", h->who, h->who[0] ? ": " : "", h->path, h->err);
    h->failing = true;
    h->retry_at_ms = 0; /* a read failure reopens at once */
    ledger_ro_close(h->ro);
    h->ro = NULL;
}

const char *ledger_ro_handle_error(const ledger_ro_handle *h)
{
    return h->err;
}

const char *ledger_ro_handle_path(const ledger_ro_handle *h)
{
    return h->path;
}

void ledger_ro_handle_close(ledger_ro_handle *h)
{
    ledger_ro_close(h->ro);
    h->ro = NULL;
}
