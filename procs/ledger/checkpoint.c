/* The WAL checkpoint thread; see checkpoint.h. Its connection only ever
 * runs sqlite3_wal_checkpoint_v2: it reads no rows and needs none of the
 * schema's functions. */
#include "procs/ledger/checkpoint.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sqlite3.h>

#include "common/log.h"
#include "ipc/ledgerdb/schema.h"

struct ledger_checkpointer {
    sqlite3 *db;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool kicked, stop;
    uint64_t count;
};

static void *run(void *arg)
{
    ledger_checkpointer *c = arg;
    pthread_mutex_lock(&c->mu);
    for (;;) {
        while (!c->kicked && !c->stop)
            pthread_cond_wait(&c->cv, &c->mu);
        if (c->stop)
            break;
        c->kicked = false;
        pthread_mutex_unlock(&c->mu);
        int rc = sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        if (rc != SQLITE_OK && rc != SQLITE_BUSY)
            smn_warn("ledger checkpoint failed: %s", sqlite3_errmsg(c->db));
        pthread_mutex_lock(&c->mu);
        c->count++;
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

ledger_status ledger_checkpointer_start(const char *path, ledger_checkpointer **out, char *err,
                                        size_t errlen)
{
    *out = NULL;
    ledger_checkpointer *c = calloc(1, sizeof *c);
    if (!c)
        return LEDGER_STATUS_NOMEM;
    if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        ledger_status st = ledger_sql_error(c->db, "checkpoint connection", err, errlen);
        sqlite3_close(c->db);
        free(c);
        return st;
    }
    sqlite3_busy_timeout(c->db, 5000);
    /* A connection learns the file is in WAL mode when it first reads it;
     * before that a checkpoint does nothing. */
    if (sqlite3_exec(c->db, "PRAGMA journal_mode", NULL, NULL, NULL) != SQLITE_OK) {
        ledger_status st = ledger_sql_error(c->db, "checkpoint connection", err, errlen);
        sqlite3_close(c->db);
        free(c);
        return st;
    }
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    if (pthread_create(&c->thread, NULL, run, c) != 0) {
        if (err && errlen)
            snprintf(err, errlen, "cannot start the checkpoint thread");
        pthread_mutex_destroy(&c->mu);
        pthread_cond_destroy(&c->cv);
        sqlite3_close(c->db);
        free(c);
        return LEDGER_STATUS_NOMEM;
    }
    *out = c;
    return LEDGER_STATUS_OK;
}

void ledger_checkpointer_kick(ledger_checkpointer *c)
{
    pthread_mutex_lock(&c->mu);
    c->kicked = true;
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

uint64_t ledger_checkpointer_count(ledger_checkpointer *c)
{
    pthread_mutex_lock(&c->mu);
    uint64_t n = c->count;
    pthread_mutex_unlock(&c->mu);
    return n;
}

void ledger_checkpointer_stop(ledger_checkpointer *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    c->stop = true;
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->mu);
    pthread_join(c->thread, NULL);
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->cv);
    sqlite3_close(c->db);
    free(c);
}
