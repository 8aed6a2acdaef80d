/* Crash safety: SIGKILL the crashwriter in the middle of a large batch,
 * twice, and check after each kill that the database opens, every ACKed
 * block is there, no half batch is visible (block count on a batch
 * boundary, balances + receivables = supply) and resubmitting is harmless.
 * argv[1] is the crashwriter executable. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ipc/ledgerdb/ro.h"
#include "tests/ledger/helpers.h"

enum { N = 4000, BATCH = 400 };

static const char *writer_path;
static smn_block *blocks;

/* Starts the writer, waits for `acks` ACK lines, kills it a moment later;
 * returns the highest ACKed count. -1 if the writer finished first. */
static long run_and_kill(const char *db, int acks, unsigned delay_us)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        char n[16], b[16];
        snprintf(n, sizeof n, "%d", N);
        snprintf(b, sizeof b, "%d", BATCH);
        execl(writer_path, writer_path, db, n, b, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    FILE *in = fdopen(fds[0], "r");
    char line[64];
    long acked = 0;
    int seen = 0;
    bool finished = false;
    while (fgets(line, sizeof line, in)) {
        long v;
        if (sscanf(line, "ACK %ld", &v) == 1) {
            acked = v;
            if (++seen == acks)
                break;
        } else if (strncmp(line, "DONE", 4) == 0) {
            finished = true;
            break;
        }
    }
    if (!finished) {
        usleep(delay_us);
        kill(pid, SIGKILL); /* also on failure paths: never leave it running */
    }
    /* Lines already in the pipe may carry later ACKs: they count too. */
    while (fgets(line, sizeof line, in)) {
        long v;
        if (sscanf(line, "ACK %ld", &v) == 1)
            acked = v;
    }
    fclose(in);
    int status;
    waitpid(pid, &status, 0);
    if (!finished)
        assert_true(WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == 0));
    return acked;
}

static void check_db(const char *dir, long acked)
{
    char path[300], err[256];
    tl_dbpath(dir, path);
    /* It opens as the writer would. */
    ledger_store *s = tl_open(dir, NULL);
    ledger_counts c;
    ledger_store_counts(s, &c);
    uint64_t stored = c.blocks - 1;
    assert_true(stored >= (uint64_t)acked);
    assert_true(stored % BATCH == 0 || stored == N);
    for (long i = 0; i < (long)stored; i++) {
        uint8_t h[32];
        ledger_block_record rec;
        tl_hash(&blocks[i], h);
        assert_int_equal(ledger_store_block(s, h, &rec), LEDGER_STATUS_OK);
    }
    for (long i = (long)stored; i < N; i++) {
        uint8_t h[32];
        ledger_block_record rec;
        tl_hash(&blocks[i], h);
        assert_int_equal(ledger_store_block(s, h, &rec), LEDGER_STATUS_NOT_FOUND);
    }
    ledger_store_close(s);

    /* Supply: every balance and every receivable, through a reader. */
    ledger_ro *ro;
    assert_int_equal(ledger_ro_open(path, tl_dev(), &ro, err, sizeof err), LEDGER_STATUS_OK);
    smn_amount_t total = smn_amount_zero(), bal, pend;
    tl_account g;
    tl_genesis(&g);
    assert_int_equal(ledger_ro_balance(ro, g.kp.pub, &bal, &pend), LEDGER_STATUS_OK);
    total = smn_amount_add_wrap(total, smn_amount_add_wrap(bal, pend));
    for (int i = 0; i < N; i += 2) {
        assert_int_equal(ledger_ro_balance(ro, blocks[i + 1].account, &bal, &pend),
                         LEDGER_STATUS_OK);
        total = smn_amount_add_wrap(total, smn_amount_add_wrap(bal, pend));
    }
    assert_true(smn_amount_eq(total, smn_network_supply()));
    ledger_ro_close(ro);

    /* Resubmitting what was acknowledged is harmless. */
    s = tl_open(dir, NULL);
    ledger_processor *p;
    assert_int_equal(ledger_processor_create(s, NULL, &p), LEDGER_STATUS_OK);
    ledger_result *r = malloc((size_t)stored * sizeof *r + 1);
    assert_int_equal(ledger_processor_process(p, blocks, (size_t)stored, r), LEDGER_STATUS_OK);
    for (uint64_t i = 0; i < stored; i++)
        assert_int_equal(r[i], LEDGER_OLD);
    free(r);
    ledger_store_counts(s, &c);
    assert_int_equal(c.blocks - 1, stored);
    ledger_processor_destroy(p);
    ledger_store_close(s);
}

static void test_crash(void **state)
{
    (void)state;
    char dir[256], path[300];
    tl_tmpdir(dir);
    tl_dbpath(dir, path);
    blocks = malloc(N * sizeof *blocks);
    tl_pairs_workload(N, blocks);

    long a1 = run_and_kill(path, 2, 3000);
    printf("first run: killed after ACK %ld\n", a1);
    assert_true(a1 >= 2 * BATCH);
    check_db(dir, a1);
    /* Restarted, it resubmits from the start and is killed again. */
    long a2 = run_and_kill(path, 5, 1000);
    printf("second run: killed after ACK %ld\n", a2);
    check_db(dir, a2 > a1 ? a2 : a1);
    /* A last run to completion. */
    long a3 = run_and_kill(path, N / BATCH + 1, 0);
    assert_int_equal(a3, N);
    check_db(dir, N);
    free(blocks);
    tl_cleanup(dir);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_crash <crashwriter>\n");
        return 2;
    }
    writer_path = argv[1];
    if (smn_crypto_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crash),
    };
    return cmocka_run_group_tests_name("ledger_crash", tests, NULL, NULL);
}
