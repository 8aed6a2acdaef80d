#include "common/db_check.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/log.h"

static smn_db_check_mode g_mode = SMN_DB_CHECK_QUICK;

int smn_db_check_parse(const char *s)
{
    if (strcmp(s, "quick") == 0)
        return SMN_DB_CHECK_QUICK;
    if (strcmp(s, "full") == 0)
        return SMN_DB_CHECK_FULL;
    if (strcmp(s, "off") == 0)
        return SMN_DB_CHECK_OFF;
    return -1;
}

const char *smn_db_check_name(smn_db_check_mode m)
{
    switch (m) {
    case SMN_DB_CHECK_QUICK:
        return "quick";
    case SMN_DB_CHECK_FULL:
        return "full";
    case SMN_DB_CHECK_OFF:
        return "off";
    }
    return "?";
}

void smn_db_check_set_mode(smn_db_check_mode m)
{
    g_mode = m;
}

smn_db_check_mode smn_db_check_mode_get(void)
{
    return g_mode;
}

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

typedef struct {
    uint64_t deadline_ms;
    int expired;
} budget;

static int on_progress(void *ud)
{
    budget *b = ud;
    if (mono_ms() >= b->deadline_ms) {
        b->expired = 1;
        return 1; /* interrupt */
    }
    return 0;
}

static void way_out(char *err, size_t cap, const char *path, const char *what)
{
    snprintf(err, cap,
             "%s is corrupted (%.80s): restore it from a backup, or move it aside and re-sync "
             "(docs/operations.md \"A corrupted database\")",
             path, what);
}

int smn_db_check(struct sqlite3 *db, const char *path, char *err, size_t cap)
{
    smn_db_check_mode m = g_mode;
    if (m == SMN_DB_CHECK_OFF)
        return 0;
    const char *sql =
        m == SMN_DB_CHECK_FULL ? "PRAGMA integrity_check(1)" : "PRAGMA quick_check(1)";
    budget b = {.deadline_ms = mono_ms() + SMN_DB_CHECK_QUICK_BUDGET_MS};
    if (m == SMN_DB_CHECK_QUICK)
        sqlite3_progress_handler(db, 10000, on_progress, &b);
    uint64_t t0 = mono_ms();
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    char first[200] = "";
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            const char *t = (const char *)sqlite3_column_text(st, 0);
            static const char prefix[] = "*** in database main ***";
            if (t && strncmp(t, prefix, sizeof prefix - 1) == 0)
                t += sizeof prefix - 1;
            while (t && (*t == ' ' || *t == '\n'))
                t++;
            snprintf(first, sizeof first, "%s", t ? t : "");
            for (char *p = first; *p; p++)
                if (*p == '\n')
                    *p = ' ';
            rc = SQLITE_OK;
        }
    }
    int ext = sqlite3_extended_errcode(db);
    char emsg[200];
    snprintf(emsg, sizeof emsg, "%s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    sqlite3_progress_handler(db, 0, NULL, NULL);
    if (b.expired) {
        smn_warn("%s: quick_check stopped after %u ms without finding damage (a file this big "
                 "is checked completely only with [node] integrity_check = full)",
                 path, SMN_DB_CHECK_QUICK_BUDGET_MS);
        return 0;
    }
    if (rc != SQLITE_OK) {
        char what[260];
        if ((ext & 0xff) == SQLITE_NOTADB)
            snprintf(what, sizeof what, "not a database: its header is damaged");
        else
            snprintf(what, sizeof what, "%s_check cannot read it: %s",
                     m == SMN_DB_CHECK_FULL ? "integrity" : "quick", emsg);
        way_out(err, cap, path, what);
        return -1;
    }
    if (strcmp(first, "ok") != 0) {
        char what[260];
        snprintf(what, sizeof what, "%s_check: %s", m == SMN_DB_CHECK_FULL ? "integrity" : "quick",
                 first);
        way_out(err, cap, path, what);
        return -1;
    }
    smn_debug("%s: %s_check ok in %llu ms", path, m == SMN_DB_CHECK_FULL ? "integrity" : "quick",
              (unsigned long long)(mono_ms() - t0));
    return 0;
}
