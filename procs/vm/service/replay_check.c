/* Transcript replay and comparison; see replay_check.h. */
#include "procs/vm/service/replay_check.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>

#include "ipc/ledgerdb/ro.h"
#include "ipc/ledgerdb/schema.h"
#include "procs/vm/service/cemented.h"
#include "procs/vm/service/progress.h"

#define PAGE 512

/* URI file names ("file:...?mode=ro") are what lets vm_store_open, which
 * asks for read-write, open the live DB read-only. Debian's SQLite enables
 * them at build time; elsewhere they can be switched on before SQLite
 * initialises. Without them a "file:" name would be created as a file. */
static bool uri_enabled(void)
{
    static int state = -1;
    if (state < 0)
        state = sqlite3_compileoption_used("USE_URI") ||
                sqlite3_config(SQLITE_CONFIG_URI, 1) == SQLITE_OK;
    return state == 1;
}

/* "file:" + path with every byte outside a safe set percent-encoded. */
static char *ro_uri(const char *path)
{
    size_t n = strlen(path);
    char *u = malloc(n * 3 + 32);
    if (!u)
        return NULL;
    char *p = u + sprintf(u, "file:");
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)path[i];
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
            strchr("/._-~", ch))
            *p++ = (char)ch;
        else
            p += sprintf(p, "%%%02X", ch);
    }
    strcpy(p, "?mode=ro");
    return u;
}

vm_idx_status vm_indexer_open_readonly(const char *path, vm_indexer **out)
{
    if (!path || !out)
        return VM_IDX_ERR_ARG;
    *out = NULL;
    if (access(path, R_OK) != 0)
        return VM_IDX_ERR_NOT_FOUND;
    if (!uri_enabled())
        return VM_IDX_ERR_DB;
    char *uri = ro_uri(path);
    if (!uri)
        return VM_IDX_ERR_NOMEM;
    vm_idx_status st = vm_indexer_open(uri, out);
    free(uri);
    return st;
}

typedef struct {
    vm_replay_report *rep;
    char *err;
    size_t errlen;
} vctx;

static vm_replay_status fail(vctx *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static vm_replay_status fail(vctx *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->err, v->errlen, fmt, ap);
    va_end(ap);
    return VM_REPLAY_ERROR;
}

static vm_replay_status mismatch(vctx *v, const char *what, const uint8_t *program,
                                 const uint8_t *block, uint64_t height)
{
    snprintf(v->rep->what, sizeof v->rep->what, "%s", what);
    v->rep->has_program = program != NULL;
    if (program)
        memcpy(v->rep->program, program, 32);
    v->rep->has_block = block != NULL;
    if (block) {
        memcpy(v->rep->block_hash, block, 32);
        v->rep->height = height;
    }
    return VM_REPLAY_MISMATCH;
}

static bool same_col(sqlite3_stmt *a, sqlite3_stmt *b, int i)
{
    int ta = sqlite3_column_type(a, i), tb = sqlite3_column_type(b, i);
    if (ta != tb)
        return false;
    if (ta == SQLITE_INTEGER)
        return sqlite3_column_int64(a, i) == sqlite3_column_int64(b, i);
    if (ta == SQLITE_NULL)
        return true;
    const void *pa =
        ta == SQLITE_TEXT ? (const void *)sqlite3_column_text(a, i) : sqlite3_column_blob(a, i);
    const void *pb =
        ta == SQLITE_TEXT ? (const void *)sqlite3_column_text(b, i) : sqlite3_column_blob(b, i);
    int na = sqlite3_column_bytes(a, i), nb = sqlite3_column_bytes(b, i);
    return na == nb && (na == 0 || memcmp(pa, pb, (size_t)na) == 0);
}

/* Walk two statements (same columns) in step; *diff_program: the program
 * column (index prog_col, -1: none) of the first differing row. */
static int compare_rows(sqlite3_stmt *a, sqlite3_stmt *b, int ncols, int prog_col, bool *same,
                        uint8_t diff_program[32], bool *has_program, uint64_t *rows)
{
    *same = true;
    *has_program = false;
    for (;;) {
        int ra = sqlite3_step(a), rb = sqlite3_step(b);
        if ((ra != SQLITE_ROW && ra != SQLITE_DONE) || (rb != SQLITE_ROW && rb != SQLITE_DONE))
            return ra != SQLITE_ROW && ra != SQLITE_DONE ? ra : rb;
        if (ra == SQLITE_DONE && rb == SQLITE_DONE)
            return SQLITE_OK;
        bool eq = ra == rb;
        for (int i = 0; eq && i < ncols; i++)
            eq = same_col(a, b, i);
        if (!eq) {
            *same = false;
            sqlite3_stmt *src = ra == SQLITE_ROW ? a : b;
            if (prog_col >= 0 && sqlite3_column_bytes(src, prog_col) == 32) {
                memcpy(diff_program, sqlite3_column_blob(src, prog_col), 32);
                *has_program = true;
            }
            return SQLITE_OK;
        }
        (*rows)++;
    }
}

typedef struct {
    sqlite3_stmt *ev[2], *cm[2];
} block_stmts;

static const char *const ev_sql = "SELECT program, session, type, topic, data, block_hash, idx"
                                  " FROM events WHERE account = ? AND height = ? ORDER BY idx";
static const char *const cm_sql =
    "SELECT program, session, published_height, published, computed, result FROM commits"
    " WHERE block_hash = ?";

/* Events and commit record of one replayed block, live (0) vs replay (1). */
static vm_replay_status compare_block(vctx *v, block_stmts *q, const vm_block *b)
{
    uint8_t prog[32];
    bool same, has_prog;
    uint64_t rows = 0;
    for (int i = 0; i < 2; i++) {
        sqlite3_reset(q->ev[i]);
        sqlite3_bind_blob(q->ev[i], 1, b->account, 32, SQLITE_STATIC);
        sqlite3_bind_int64(q->ev[i], 2, (sqlite3_int64)b->height);
        sqlite3_reset(q->cm[i]);
        sqlite3_bind_blob(q->cm[i], 1, b->hash, 32, SQLITE_STATIC);
    }
    int rc = compare_rows(q->ev[0], q->ev[1], 7, 0, &same, prog, &has_prog, &rows);
    if (rc != SQLITE_OK)
        return fail(v, "reading events: %s", sqlite3_errstr(rc));
    v->rep->events += rows;
    if (!same)
        return mismatch(v, "events differ", has_prog ? prog : NULL, b->hash, b->height);
    rows = 0;
    rc = compare_rows(q->cm[0], q->cm[1], 6, 0, &same, prog, &has_prog, &rows);
    if (rc != SQLITE_OK)
        return fail(v, "reading commits: %s", sqlite3_errstr(rc));
    if (!same)
        return mismatch(v, "commit record differs", has_prog ? prog : NULL, b->hash, b->height);
    v->rep->commits += rows;
    return VM_REPLAY_MATCH;
}

static int count_commit_mismatches(sqlite3 *db, uint64_t *n)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM commits WHERE result = 'mismatch'", -1,
                                &st, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static int count_applied(sqlite3 *db, uint64_t *n)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM applied", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? SQLITE_OK : rc;
}

/* The newest block (by the replay's cursor) that emitted an event of prog. */
static bool last_block_of(sqlite3 *db, const uint8_t prog[32], uint8_t hash[32], uint64_t *height)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT block_hash, height FROM events WHERE program = ?"
                           " ORDER BY cursor DESC LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_blob(st, 1, prog, 32, SQLITE_STATIC);
    bool ok = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32;
    if (ok) {
        memcpy(hash, sqlite3_column_blob(st, 0), 32);
        *height = (uint64_t)sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return ok;
}

static int cmp32(const void *a, const void *b)
{
    return memcmp(a, b, 32);
}

static vm_replay_status compare_roots(vctx *v, vm_indexer *live, vm_indexer *fresh)
{
    size_t nl = 0, nf = 0;
    if (vm_indexer_programs(live, NULL, 0, &nl) != VM_IDX_OK ||
        vm_indexer_programs(fresh, NULL, 0, &nf) != VM_IDX_OK)
        return fail(v, "cannot list programs");
    uint8_t(*l)[32] = calloc(nl + 1, 32);
    uint8_t(*f)[32] = calloc(nf + 1, 32);
    vm_replay_status out = VM_REPLAY_MATCH;
    if (!l || !f) {
        out = fail(v, "out of memory");
        goto done;
    }
    if (vm_indexer_programs(live, l, nl, &nl) != VM_IDX_OK ||
        vm_indexer_programs(fresh, f, nf, &nf) != VM_IDX_OK) {
        out = fail(v, "cannot list programs");
        goto done;
    }
    qsort(l, nl, 32, cmp32);
    qsort(f, nf, 32, cmp32);
    size_t i = 0, j = 0;
    uint8_t hash[32];
    uint64_t height = 0;
    while (i < nl || j < nf) {
        int c = i == nl ? 1 : j == nf ? -1 : memcmp(l[i], f[j], 32);
        if (c != 0) {
            const uint8_t *p = c < 0 ? l[i] : f[j];
            bool blk = last_block_of(vm_indexer_db(c < 0 ? live : fresh), p, hash, &height);
            out = mismatch(
                v, c < 0 ? "program only in the live vm.db" : "program missing from the live vm.db",
                p, blk ? hash : NULL, height);
            goto done;
        }
        uint8_t rl[32], rf[32];
        if (vm_indexer_state_root(live, l[i], rl) != VM_IDX_OK ||
            vm_indexer_state_root(fresh, f[j], rf) != VM_IDX_OK) {
            out = fail(v, "cannot compute a state root");
            goto done;
        }
        if (memcmp(rl, rf, 32) != 0) {
            bool blk = last_block_of(vm_indexer_db(fresh), f[j], hash, &height);
            out = mismatch(v, "state root differs", f[j], blk ? hash : NULL, height);
            goto done;
        }
        v->rep->programs++;
        i++;
        j++;
    }
done:
    free(l);
    free(f);
    return out;
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char p[600];
        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                if (snprintf(p, sizeof p, "%s/%s", dir, e->d_name) < (int)sizeof p)
                    unlink(p);
            }
        closedir(d);
    }
    rmdir(dir);
}

/* Replay seq 1..rep->seq from the ledger into fresh, comparing each batch
 * with live as it commits. */
static vm_replay_status replay(vctx *v, ledger_ro *ro, vm_indexer *live, vm_indexer *fresh)
{
    block_stmts q = {0};
    sqlite3 *dbs[2] = {vm_indexer_db(live), vm_indexer_db(fresh)};
    ledger_ro_cemented *page = calloc(PAGE, sizeof *page);
    vm_cemented *list = calloc(PAGE, sizeof *list);
    vm_replay_status out = VM_REPLAY_MATCH;
    if (!page || !list) {
        out = fail(v, "out of memory");
        goto done;
    }
    for (int i = 0; i < 2; i++)
        if (sqlite3_prepare_v2(dbs[i], ev_sql, -1, &q.ev[i], NULL) != SQLITE_OK ||
            sqlite3_prepare_v2(dbs[i], cm_sql, -1, &q.cm[i], NULL) != SQLITE_OK) {
            out = fail(v, "vm db: %s", sqlite3_errmsg(dbs[i]));
            goto done;
        }
    uint64_t after = 0;
    while (after < v->rep->seq && out == VM_REPLAY_MATCH) {
        size_t n = 0;
        if (ledger_ro_cemented_after(ro, after, page, PAGE, &n) != LEDGER_STATUS_OK) {
            out = fail(v, "ledger db: %s", ledger_ro_errmsg(ro));
            break;
        }
        if (n == 0) {
            out = fail(v,
                       "vm.db has applied cementing seq %llu but the ledger's log ends at %llu:"
                       " not this node's ledger?",
                       (unsigned long long)v->rep->seq, (unsigned long long)after);
            break;
        }
        size_t k = 0;
        for (size_t i = 0; i < n && page[i].seq <= v->rep->seq; i++, k++) {
            vm_cem_status cs = vm_cemented_from_row(ro, dbs[1], &page[i], &list[k]);
            if (cs != VM_CEM_OK) {
                out = fail(v, "cannot replay cementing seq %llu: %s",
                           (unsigned long long)page[i].seq, vm_cem_strerror(cs));
                goto done;
            }
        }
        after = page[n - 1].seq;
        if (vm_indexer_begin_batch(fresh) != VM_IDX_OK) {
            out = fail(v, "replay db: cannot begin");
            break;
        }
        for (size_t i = 0; i < k; i++) {
            vm_idx_status st = vm_indexer_apply(fresh, &list[i].b);
            if (st == VM_IDX_ERR_DB || st == VM_IDX_ERR_NOMEM) {
                /* our own replay database failed: an error, not a finding */
                (void)vm_indexer_commit_batch(fresh);
                out = fail(v, "replay db: %s at cementing seq %llu", vm_idx_strerror(st),
                           (unsigned long long)page[i].seq);
                goto done;
            }
            if (st != VM_IDX_OK && st != VM_IDX_ALREADY) {
                (void)vm_indexer_commit_batch(fresh);
                out = mismatch(v, "the replay refused this block", NULL, list[i].b.hash,
                               list[i].b.height);
                snprintf(v->rep->what, sizeof v->rep->what, "the replay refused this block: %s",
                         vm_idx_strerror(st));
                goto done;
            }
        }
        if (vm_indexer_commit_batch(fresh) != VM_IDX_OK) {
            out = fail(v, "replay db: commit failed");
            break;
        }
        for (size_t i = 0; i < k && out == VM_REPLAY_MATCH; i++) {
            out = compare_block(v, &q, &list[i].b);
            v->rep->blocks++;
        }
        if (k < n)
            break; /* past the live DB's progress */
    }
done:
    for (int i = 0; i < 2; i++) {
        sqlite3_finalize(q.ev[i]);
        sqlite3_finalize(q.cm[i]);
    }
    free(page);
    free(list);
    return out;
}

vm_replay_status vm_replay_check_run(const char *data_dir, const smn_network *net,
                                     const char *tmp_dir, vm_replay_report *rep, char *err,
                                     size_t errlen)
{
    memset(rep, 0, sizeof *rep);
    vctx v = {rep, err, errlen};
    err[0] = '\0';
    char path[600], tmpl[600];
    vm_indexer *live = NULL, *fresh = NULL;
    ledger_ro *ro = NULL;
    vm_replay_status out;
    bool have_tmp = false, in_read = false;

    if (strlen(data_dir) > 400)
        return fail(&v, "data dir path too long");
    snprintf(path, sizeof path, "%s/vm.db", data_dir);
    vm_idx_status st = vm_indexer_open_readonly(path, &live);
    if (st != VM_IDX_OK) {
        out = fail(&v, "cannot open %s: %s", path,
                   st == VM_IDX_ERR_NOT_FOUND ? "no such file" : vm_idx_strerror(st));
        goto done;
    }
    /* One snapshot of the live DB for the whole check. */
    if (sqlite3_exec(vm_indexer_db(live), "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
        vm_progress_get(vm_indexer_db(live), &rep->seq) != SQLITE_OK) {
        out = fail(&v, "cannot read %s: %s", path, sqlite3_errmsg(vm_indexer_db(live)));
        goto done;
    }
    in_read = true;
    snprintf(path, sizeof path, "%s/%s", data_dir, LEDGER_DB_FILENAME);
    char lerr[200] = "";
    ledger_status ls = ledger_ro_open(path, net, &ro, lerr, sizeof lerr);
    if (ls != LEDGER_STATUS_OK) {
        ro = NULL;
        out = fail(&v, "cannot open %s: %s", path, lerr[0] ? lerr : ledger_strerror(ls));
        goto done;
    }
    if (!tmp_dir)
        tmp_dir = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    if (snprintf(tmpl, sizeof tmpl, "%s/smn-verify-XXXXXX", tmp_dir) >= 500) {
        out = fail(&v, "temporary directory name too long");
        goto done;
    }
    if (!mkdtemp(tmpl)) {
        out = fail(&v, "cannot create a directory in %s: %s", tmp_dir, strerror(errno));
        goto done;
    }
    have_tmp = true;
    if (snprintf(path, sizeof path, "%s/vm.db", tmpl) >= (int)sizeof path) {
        out = fail(&v, "temporary directory name too long");
        goto done;
    }
    if ((st = vm_indexer_open(path, &fresh)) != VM_IDX_OK) {
        out = fail(&v, "cannot create the replay db: %s", vm_idx_strerror(st));
        goto done;
    }
    out = replay(&v, ro, live, fresh);
    if (out != VM_REPLAY_MATCH)
        goto done;
    uint64_t na = 0, nf = 0;
    if (count_applied(vm_indexer_db(live), &na) != SQLITE_OK ||
        count_applied(vm_indexer_db(fresh), &nf) != SQLITE_OK) {
        out = fail(&v, "cannot count applied blocks");
        goto done;
    }
    if (na != nf) {
        char what[96];
        snprintf(what, sizeof what, "the live vm.db applied %llu blocks, the replay %llu",
                 (unsigned long long)na, (unsigned long long)nf);
        out = mismatch(&v, what, NULL, NULL, 0);
        goto done;
    }
    out = compare_roots(&v, live, fresh);
    if (out == VM_REPLAY_MATCH &&
        count_commit_mismatches(vm_indexer_db(fresh), &rep->commits_mismatch) != SQLITE_OK)
        out = fail(&v, "cannot count commits");
done:
    if (in_read)
        sqlite3_exec(vm_indexer_db(live), "COMMIT", NULL, NULL, NULL);
    vm_indexer_close(live);
    vm_indexer_close(fresh);
    ledger_ro_close(ro);
    if (have_tmp)
        remove_dir(tmpl);
    return out;
}
