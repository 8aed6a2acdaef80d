/* The RPC's VM reads by program on a big state, at schema v1 (no indexes
 * for them) and v2. Synthetic rows straight into vm.db: PROGRAMS bytecode
 * programs, COMMITS commits (with their applied rows and commit events)
 * almost all of one busy program, BALANCES token balances of many
 * accounts. Times, per read, the mean over REPS of a rare program's
 * vm_program_info, its fraud flag, the first fraud and one account's
 * balances. Usage: bench_vmread [commits] [balances] [reps] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "procs/vm/programs/ids.h"
#include "procs/vm/programs/migrate.h"
#include "procs/vm/programs/query.h"
#include "procs/vm/programs/store.h"

#define PROGRAMS 1000

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void id_of(uint8_t out[32], uint32_t tag, uint32_t i)
{
    memset(out, 0, 32);
    out[0] = (uint8_t)(tag >> 8);
    out[1] = (uint8_t)tag;
    for (int k = 0; k < 4; k++)
        out[28 + k] = (uint8_t)(i >> (24 - 8 * k));
}

static int exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "bench_vmread: %s\n", err ? err : "exec");
        sqlite3_free(err);
        return -1;
    }
    return 0;
}

static int fill(vm_store *s, int commits, int balances)
{
    sqlite3 *db = vm_store_db(s);
    uint8_t a[32], b[32], h[32];
    static const uint8_t zero[32];
    if (exec(db, "BEGIN") != 0)
        return -1;
    for (uint32_t p = 0; p < PROGRAMS; p++) {
        id_of(a, 1, p);
        id_of(h, 2, p);
        if (vm_store_program_add(s, a, h, VM_PROG_BYTECODE, zero, 8, zero, 1) != VM_IDX_OK)
            return -1;
    }
    sqlite3_stmt *c, *ap, *ev, *bal;
    sqlite3_prepare_v2(db, "INSERT INTO commits VALUES(?,?,0,?,?,?,?)", -1, &c, NULL);
    sqlite3_prepare_v2(db, "INSERT INTO applied(hash, account, height) VALUES(?,?,?)", -1, &ap,
                       NULL);
    sqlite3_prepare_v2(db,
                       "INSERT INTO events(block_hash, height, account, idx, program, session,"
                       " type, topic, data) VALUES(?,?,?,0,?,0,?,0,x'')",
                       -1, &ev, NULL);
    sqlite3_prepare_v2(db, "INSERT INTO balances VALUES(?,?,?)", -1, &bal, NULL);
    for (int i = 0; i < commits; i++) {
        /* program 0 is busy; every 1000th commit goes to another one */
        uint32_t p = i % 1000 ? 0 : 1 + (uint32_t)(i / 1000) % (PROGRAMS - 2);
        id_of(a, 1, p);
        id_of(h, 2, p);
        id_of(b, 3, (uint32_t)i);
        for (int e = 0; e < 2; e++) { /* a commit event and another one */
            sqlite3_reset(ev);
            sqlite3_bind_blob(ev, 1, b, 32, SQLITE_STATIC);
            sqlite3_bind_int64(ev, 2, i + 1);
            sqlite3_bind_blob(ev, 3, h, 32, SQLITE_STATIC);
            sqlite3_bind_blob(ev, 4, a, 32, SQLITE_STATIC);
            sqlite3_bind_text(ev, 5, e ? "call" : "commit", -1, SQLITE_STATIC);
            sqlite3_step(ev);
        }
        sqlite3_reset(ap);
        sqlite3_bind_blob(ap, 1, b, 32, SQLITE_STATIC);
        sqlite3_bind_blob(ap, 2, h, 32, SQLITE_STATIC);
        sqlite3_bind_int64(ap, 3, i + 1);
        sqlite3_step(ap);
        sqlite3_reset(c);
        sqlite3_bind_blob(c, 1, b, 32, SQLITE_STATIC);
        sqlite3_bind_blob(c, 2, a, 32, SQLITE_STATIC);
        sqlite3_bind_int64(c, 3, i + 1);
        sqlite3_bind_blob(c, 4, zero, 32, SQLITE_STATIC);
        sqlite3_bind_blob(c, 5, zero, 32, SQLITE_STATIC);
        sqlite3_bind_text(c, 6, "match", -1, SQLITE_STATIC);
        if (sqlite3_step(c) != SQLITE_DONE) {
            fprintf(stderr, "bench_vmread: insert commit: %s\n", sqlite3_errmsg(db));
            return -1;
        }
    }
    for (int i = 0; i < balances; i++) {
        uint8_t key[65] = {0}, amt[16] = {0};
        id_of(key, 4, (uint32_t)i % 16); /* asset */
        key[32] = 2;                     /* an account */
        id_of(key + 33, 5, (uint32_t)i);
        amt[15] = 1;
        sqlite3_reset(bal);
        sqlite3_bind_blob(bal, 1, vm_pid_token, 32, SQLITE_STATIC);
        sqlite3_bind_blob(bal, 2, key, 65, SQLITE_TRANSIENT);
        sqlite3_bind_blob(bal, 3, amt, 16, SQLITE_TRANSIENT);
        sqlite3_step(bal);
    }
    sqlite3_finalize(c);
    sqlite3_finalize(ap);
    sqlite3_finalize(ev);
    sqlite3_finalize(bal);
    return exec(db, "COMMIT");
}

static bool count_bal(void *user, const vm_query_balance *b)
{
    (void)b;
    (*(int *)user)++;
    return true;
}

/* Mean ms per read of each of the four reads. */
static int measure(const char *path, int reps, double ms[4])
{
    vm_query *q = NULL;
    if (vm_query_open(path, &q) != VM_IDX_OK)
        return -1;
    uint8_t rare[32], acct[32], prog[32], blk[32];
    id_of(rare, 1, PROGRAMS - 1); /* one commit at most: the rare program */
    id_of(acct, 5, 12345);
    memset(ms, 0, 4 * sizeof ms[0]);
    int rc = 0;
    for (int r = 0; r < reps && rc == 0; r++) {
        vm_query_proginfo info;
        bool fraud, found;
        uint64_t height;
        int nbal = 0;
        double t0 = now();
        rc |= vm_query_program(q, rare, &info) != VM_IDX_OK;
        double t1 = now();
        rc |= vm_query_program_fraud(q, rare, &fraud) != VM_IDX_OK;
        double t2 = now();
        rc |= vm_query_first_fraud(q, prog, blk, &height, &found) != VM_IDX_OK;
        double t3 = now();
        rc |= vm_query_account_balances(q, acct, count_bal, &nbal) != VM_IDX_OK;
        double t4 = now();
        ms[0] += (t1 - t0) * 1e3 / reps;
        ms[1] += (t2 - t1) * 1e3 / reps;
        ms[2] += (t3 - t2) * 1e3 / reps;
        ms[3] += (t4 - t3) * 1e3 / reps;
    }
    vm_query_close(q);
    return rc ? -1 : 0;
}

int main(int argc, char **argv)
{
    int commits = argc > 1 ? atoi(argv[1]) : 200000;
    int balances = argc > 2 ? atoi(argv[2]) : 200000;
    int reps = argc > 3 ? atoi(argv[3]) : 20;
    if (commits <= 0 || balances <= 0 || reps <= 0) {
        fprintf(stderr, "usage: bench_vmread [commits] [balances] [reps]\n");
        return 2;
    }
    char path[] = "/tmp/bench_vmread_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 1;
    vm_store *s = NULL;
    int rc = vm_store_open(path, &s) == VM_IDX_OK ? 0 : -1;
    if (rc == 0)
        rc = fill(s, commits, balances);
    /* back to v1: the same rows without the v2 indexes */
    if (rc == 0)
        rc = vm_store_exec(s, "DROP INDEX commits_program; DROP INDEX commits_result;"
                              " DROP INDEX events_block;"
                              " DROP INDEX balances_holder;"
                              " UPDATE meta SET value=1 WHERE key='schema_version'") == VM_IDX_OK
                 ? 0
                 : -1;
    double v1[4], v2[4];
    if (rc == 0)
        rc = measure(path, reps, v1);
    double t0 = now();
    bool done = false;
    double step_max = 0;
    while (rc == 0 && !done) {
        double t = now();
        rc = vm_migrate_step(s, &done) == VM_IDX_OK ? 0 : -1;
        if ((now() - t) * 1e3 > step_max)
            step_max = (now() - t) * 1e3;
    }
    double mig = (now() - t0) * 1e3;
    if (rc == 0)
        rc = measure(path, reps, v2);
    vm_store_close(s);
    static const char *const what[4] = {"vm_program_info (rare program)",
                                        "fraud flag (rare program)", "first fraud (none)",
                                        "account balances"};
    if (rc == 0) {
        printf("%d commits, %d balances, %d programs, %d reps\n", commits, balances, PROGRAMS,
               reps);
        for (int i = 0; i < 4; i++)
            printf("%-32s v1 %8.3f ms  v2 %8.3f ms\n", what[i], v1[i], v2[i]);
        printf("migration v1 -> v2: %.0f ms in all, longest step %.0f ms\n", mig, step_max);
    }
    close(fd);
    remove(path);
    char side[64];
    snprintf(side, sizeof side, "%s-wal", path);
    remove(side);
    snprintf(side, sizeof side, "%s-shm", path);
    remove(side);
    return rc == 0 ? 0 : 1;
}
