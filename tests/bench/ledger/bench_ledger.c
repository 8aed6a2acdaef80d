/* Ledger benchmark: N pre-built dev blocks (signed, with work; cached in a
 * file so they are built once) processed through the block processor into
 * a fresh database. Reports blocks/s, peak RSS, DB size, and this machine's
 * Ed25519 verify rate on one core and on all cores, measured in the same run.
 *
 * Usage: bench_ledger [-n blocks] [-a accounts] [-b batch] [-t verify threads] [-c cache]
 *                     [-d dir] [-k]
 *   -n  blocks to process (default 1000000)
 *   -a  accounts the blocks are spread over (default n/50, at least 16,
 *       at most n/2: with n/2 every account has only its open block, the
 *       genesis chain holds n/2 sends)
 *   -b  blocks per transaction (default 4096)
 *   -t  signature threads (default: one per core)
 *   -c  block cache file (default /tmp/smn-bench-ledger-<n>.blocks; with -a
 *       the name ends -a<accounts>.blocks, with -r -r<first 8 bytes of the
 *       representative, hex>.blocks)
 *   -d  directory for the database (default: a fresh one under /tmp)
 *   -m  SQLite page cache in MiB (default: the store's)
 *   -C  then cement everything: every account's frontier is confirmed
 *       through ledger_confirm_job_step, -s blocks per slice (default 256,
 *       the process's cement_slice), and the blocks cemented per second
 *       are reported
 *   -s  blocks per cementing slice (with -C)
 *   -x  cement only: no processing; cement the database already in -d
 *       (one kept by -k), as -C does
 *   -k  keep the database afterwards
 *   -B  only build the block cache (if missing) and exit
 *   -P  after cementing (-C or -x), prune to the last KEEP blocks per
 *       account (max_blocks_per_account) and report the pruning rate and
 *       the pages each table uses (dbstat) per block kept and per block
 *   -T  report the pages each table uses (dbstat) at the end
 *   -L  the one-long-chain workload instead: the genesis sends n times (one
 *       chain of n blocks, no receives; cache
 *       /tmp/smn-bench-ledger-chain-<n>.blocks), so -C/-x cement one chain
 *       of n blocks where the default workload cements n / 50 chains whose
 *       receives wait on other chains' sends
 *   -q  through the queue, as the ledger process does: the blocks are
 *       enqueued (hashed once each, as the service does) and drained in
 *       batches of -b; -G groups them, -G blocks per transaction across
 *       batches (the process: -q -b 1024 -G 16384, its defaults); the
 *       longest drain (one loop step of the process) is reported
 *   -G  blocks per transaction over several batches (with -q)
 *   -r  the genesis chain's representative (64 hex digits of a public key;
 *       default: the genesis account): its blocks delegate the genesis's
 *       80 % to it, so a node holding that key alone has quorum (a test
 *       that must not let the dev genesis key confirm) */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/hex.h"
#include "common/keys.h"
#include "common/network.h"
#include "common/work.h"
#include "procs/ledger/confirm.h"
#include "procs/ledger/processor.h"
#include "procs/ledger/prune.h"
#include "ipc/ledgerdb/ro.h"
#include "ipc/ledgerdb/schema.h"
#include <sqlite3.h>
#include "procs/ledger/store.h"
#include "procs/ledger/sig_verify.h"

static const char magic[8] = "SMNBLK3"; /* 3: the genesis keeps 80 % */
/* The workload: many chains (sends and receives among n / 50 accounts) or
 * one chain (-L: the genesis's sends only). */
static bool one_chain;

/* The cache header's count: the blocks, and -a (0: the default) above bit
 * 32, so a cache built for another shape is not reused. */
static uint64_t cache_key(size_t n, size_t accounts)
{
    return (uint64_t)n | (uint64_t)accounts << 32;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct {
    smn_keypair kp;
    uint8_t frontier[32];
    uint8_t rep[32];
    smn_amount_t balance;
} bench_acct;

/* ---- building the workload ---- */

typedef struct {
    smn_block *blocks;
    const smn_keypair **signer;
    size_t n;
    atomic_size_t next;
} finish_job;

/* Signature and work only depend on each block's own fields, so they run in
 * parallel once the sequential pass fixed every hash. */
static void *finish_worker(void *arg)
{
    finish_job *j = arg;
    const smn_network *net = smn_network_get(SMN_NET_DEV);
    for (;;) {
        size_t i = atomic_fetch_add(&j->next, 1);
        if (i >= j->n)
            return NULL;
        smn_block *b = &j->blocks[i];
        smn_block_sign(b, j->signer[i]);
        /* Subtypes: opens and receives take the lower threshold; sends and
         * changes are marked by link != a hash (we know which we built). */
        uint64_t thr = b->work ? net->work_receive : net->work_send;
        if (smn_work_generate(smn_block_root(b), thr, 1, NULL, &b->work) != 0)
            abort();
    }
}

static void fill(smn_block *b, bench_acct *a, smn_amount_t balance, const uint8_t link[32],
                 const uint8_t rep[32], bool receive)
{
    memset(b, 0, sizeof *b);
    memcpy(b->account, a->kp.pub, 32);
    memcpy(b->previous, a->frontier, 32);
    memcpy(b->representative, rep, 32);
    b->balance = balance;
    memcpy(b->link, link, 32);
    b->work = receive; /* a marker for finish_worker, replaced by the nonce */
    smn_block_hash(b, a->frontier);
    a->balance = balance;
    memcpy(a->rep, rep, 32);
}

static int save_blocks(FILE *f, const smn_block *blocks, size_t n)
{
    uint8_t wire[SMN_BLOCK_WIRE_BYTES];
    for (size_t i = 0; i < n; i++) {
        smn_block_serialize(&blocks[i], wire);
        if (fwrite(wire, 1, sizeof wire, f) != sizeof wire)
            return -EIO;
    }
    return fflush(f) == 0 ? 0 : -EIO;
}

/* Blocks finished (signed, with work) per chunk appended to the partial
 * cache file: a build interrupted (a 10M build takes hours of a loaded
 * machine) resumes after the last whole chunk. */
#define BUILD_CHUNK 250000

/* Builds the workload of n blocks into path: the sequential pass (hashes,
 * deterministic from a fixed seed) in memory, then signature and work in
 * chunks appended to path.partial, renamed to path when complete. */
static int build_cache(const char *path, size_t n, size_t accounts, unsigned threads,
                       const uint8_t *genesis_rep)
{
    const smn_network *net = smn_network_get(SMN_NET_DEV);
    size_t na = accounts ? accounts : n / 50 < 16 ? 16 : n / 50;
    if (2 * na > n)
        na = n / 2;
    bench_acct *accs = calloc(na + 1, sizeof *accs);
    smn_block *blocks = malloc(n * sizeof *blocks);
    const smn_keypair **signer = malloc(n * sizeof *signer);
    if (!accs || !blocks || !signer)
        abort();
    static const uint8_t seed[32] = {0xbe, 0x4c};
    for (size_t i = 0; i < na; i++) {
        smn_key_from_seed(seed, (uint32_t)i, &accs[i].kp);
        memcpy(accs[i].rep, accs[i % 8].kp.pub, 32);
    }
    bench_acct *g = &accs[na];
    smn_key_expand(smn_network_dev_genesis_key(), &g->kp);
    smn_block_hash(&net->genesis, g->frontier);
    memcpy(g->rep, genesis_rep ? genesis_rep : net->genesis.representative, 32);
    g->balance = net->genesis.balance;
    /* 1000 smn each, or less so that the genesis keeps 80 % of the supply:
     * its representative (the node's demo wallet in the tests and benches)
     * keeps quorum alone, so every block of the ledger can be confirmed. */
    smn_amount_t start = smn_amount_mul_wrap(smn_amount_one_smn(), smn_amount_from_u64(1000));
    smn_amount_t share =
        smn_amount_div(net->genesis.balance, smn_amount_from_u64(5 * (uint64_t)na));
    if (smn_amount_gt(start, share))
        start = share;
    size_t k = 0;
    uint8_t h[32];
    /* One chain: n sends of 1 raw from the genesis to accounts never opened. */
    for (; one_chain && k < n; k++) {
        signer[k] = &g->kp;
        fill(&blocks[k], g, smn_amount_sub_wrap(g->balance, smn_amount_from_u64(1)),
             accs[k % na].kp.pub, g->rep, false);
    }
    for (size_t i = 0; i < na && k + 2 <= n; i++) {
        signer[k] = &g->kp;
        fill(&blocks[k++], g, smn_amount_sub_wrap(g->balance, start), accs[i].kp.pub, g->rep,
             false);
        memcpy(h, g->frontier, 32);
        signer[k] = &accs[i].kp;
        fill(&blocks[k++], &accs[i], start, h, accs[i].rep, true);
    }
    static const uint8_t zero[32];
    for (size_t round = 0; k < n; round++) {
        for (size_t i = 0; i < na && k < n; i++) {
            bench_acct *a = &accs[i], *to = &accs[(i + 1 + round) % na];
            if (to == a || k + 2 > n || (k / 2) % 16 == 7) {
                /* a representative change */
                signer[k] = &a->kp;
                fill(&blocks[k++], a, a->balance, zero, accs[(i + round) % 8].kp.pub, false);
                continue;
            }
            smn_amount_t amt =
                smn_amount_add_wrap(smn_amount_one_smn(), smn_amount_from_u64((uint64_t)round));
            signer[k] = &a->kp;
            fill(&blocks[k++], a, smn_amount_sub_wrap(a->balance, amt), to->kp.pub, a->rep, false);
            memcpy(h, a->frontier, 32);
            signer[k] = &to->kp;
            fill(&blocks[k++], to, smn_amount_add_wrap(to->balance, amt), h, to->rep, true);
        }
    }

    char partial[300];
    snprintf(partial, sizeof partial, "%s.partial", path);
    size_t have = 0;
    FILE *f = fopen(partial, "r+b");
    if (f) {
        char m[8];
        uint64_t nn;
        struct stat st;
        if (fread(m, 1, 8, f) == 8 && memcmp(m, magic, 8) == 0 &&
            fread(&nn, sizeof nn, 1, f) == 1 && nn == cache_key(n, accounts) &&
            fstat(fileno(f), &st) == 0 && st.st_size >= 16) {
            have = (size_t)(st.st_size - 16) / SMN_BLOCK_WIRE_BYTES;
            have -= have % BUILD_CHUNK;
            if (have > n)
                have = n;
        }
        fclose(f);
    }
    f = fopen(partial, have ? "r+b" : "wb");
    if (!f)
        return -errno;
    if (have) {
        if (ftruncate(fileno(f), 16 + (off_t)have * SMN_BLOCK_WIRE_BYTES) != 0 ||
            fseek(f, 0, SEEK_END) != 0) {
            fclose(f);
            return -EIO;
        }
        printf("resuming after %zu blocks already built\n", have);
    } else {
        uint64_t nn = cache_key(n, accounts);
        fwrite(magic, 1, 8, f);
        fwrite(&nn, sizeof nn, 1, f);
    }
    int rc = 0;
    pthread_t *tids = calloc(threads, sizeof *tids);
    for (size_t c = have; c < n && rc == 0; c += BUILD_CHUNK) {
        size_t m = n - c < BUILD_CHUNK ? n - c : BUILD_CHUNK;
        double t0 = now();
        finish_job job = {.blocks = blocks + c, .signer = signer + c, .n = m};
        for (unsigned t = 0; t < threads; t++)
            pthread_create(&tids[t], NULL, finish_worker, &job);
        for (unsigned t = 0; t < threads; t++)
            pthread_join(tids[t], NULL);
        rc = save_blocks(f, blocks + c, m);
        printf("built %zu of %zu (%.0f blocks/s)\n", c + m, n, (double)m / (now() - t0));
        fflush(stdout);
    }
    free(tids);
    if (fclose(f) != 0 && rc == 0)
        rc = -EIO;
    free(signer);
    free(accs);
    free(blocks);
    if (rc == 0 && rename(partial, path) != 0)
        rc = -errno;
    return rc;
}

/* Opens a cache file of exactly n blocks, positioned at the first block. */
static FILE *open_cache(const char *path, size_t n, size_t accounts)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char m[8];
    uint64_t nn;
    if (fread(m, 1, 8, f) != 8 || memcmp(m, magic, 8) != 0 || fread(&nn, sizeof nn, 1, f) != 1 ||
        nn != cache_key(n, accounts)) {
        fclose(f);
        return NULL;
    }
    return f;
}

static size_t read_blocks(FILE *f, smn_block *out, size_t max)
{
    uint8_t wire[SMN_BLOCK_WIRE_BYTES];
    size_t i = 0;
    for (; i < max && fread(wire, 1, sizeof wire, f) == sizeof wire; i++)
        if (smn_block_deserialize(wire, sizeof wire, &out[i]) != SMN_BLOCK_OK)
            break;
    return i;
}

/* ---- verify rates ---- */

static double verify_rate_one(const smn_block *b, size_t n)
{
    uint8_t h[32];
    double t0 = now();
    size_t ok = 0;
    for (size_t i = 0; i < n; i++) {
        smn_block_hash(&b[i], h);
        ok += smn_verify(b[i].account, h, 32, b[i].signature);
    }
    double dt = now() - t0;
    if (ok != n)
        fprintf(stderr, "warning: %zu of %zu signatures failed\n", n - ok, n);
    return (double)n / dt;
}

static double verify_rate_all(const smn_block *b, size_t n, unsigned threads)
{
    ledger_verifier *v = ledger_verifier_create(threads);
    uint8_t(*hashes)[32] = malloc(n * 32);
    bool *ok = malloc(n);
    ledger_verify_job job;
    double t0 = now();
    ledger_verifier_start(v, &job, b, n, hashes, false, ok);
    ledger_verifier_wait(v, &job);
    double dt = now() - t0;
    free(hashes);
    free(ok);
    ledger_verifier_destroy(v);
    return (double)n / dt;
}

/* CPU time of the whole process (all threads). */
static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* rchar, wchar, syscr, syscw of this process (/proc/self/io): bytes and
 * syscalls through read/write, whatever the machine's load. */
static void io_counts(long long out[4])
{
    static const char *const keys[4] = {"rchar:", "wchar:", "syscr:", "syscw:"};
    memset(out, 0, 4 * sizeof *out);
    FILE *f = fopen("/proc/self/io", "r");
    char line[128];
    while (f && fgets(line, sizeof line, f))
        for (int i = 0; i < 4; i++)
            if (strncmp(line, keys[i], strlen(keys[i])) == 0)
                out[i] = atoll(line + strlen(keys[i]));
    if (f)
        fclose(f);
}

static long long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

/* Every account's frontier (read through ledger_ro, as another process
 * would), then each confirmed in slices of `slice` blocks, one transaction
 * each, as the ledger process does. Returns the blocks cemented, or -1. */
static double cpu_seconds(void);

static long long cement_all(ledger_store *s, const char *path, size_t slice, double *secs,
                            double *cpu)
{
    char err[256];
    ledger_ro *ro;
    if (ledger_ro_open(path, smn_network_get(SMN_NET_DEV), &ro, err, sizeof err) !=
        LEDGER_STATUS_OK) {
        fprintf(stderr, "bench_ledger: %s\n", err);
        return -1;
    }
    enum { PAGE = 1024 };
    size_t cap = PAGE, n = 0;
    uint8_t(*fr)[32] = malloc(cap * 32), (*acc)[32] = malloc(PAGE * 32), last[32];
    for (;;) {
        /* a page after the first starts with the last account seen */
        uint8_t pfr[PAGE][32];
        size_t got = 0;
        if (ledger_ro_frontiers(ro, n ? last : NULL, acc, pfr, PAGE, &got) != LEDGER_STATUS_OK) {
            fprintf(stderr, "bench_ledger: %s\n", ledger_ro_errmsg(ro));
            return -1;
        }
        size_t skip = n && got ? 1 : 0;
        if (n + got > cap) {
            cap = (n + got) * 2;
            fr = realloc(fr, cap * 32);
        }
        memcpy(fr + n, pfr + skip, (got - skip) * 32);
        n += got - skip;
        if (got)
            memcpy(last, acc[got - 1], 32);
        if (got < PAGE)
            break;
    }
    ledger_ro_close(ro);
    free(acc);
    printf("cementing the frontiers of %zu accounts ...\n", n);
    fflush(stdout);
    ledger_cemented_list list = {0};
    long long total = 0;
    double t0 = now(), c0 = cpu_seconds();
    for (size_t i = 0; i < n; i++) {
        ledger_confirm_job *j;
        if (ledger_confirm_job_new(fr[i], &j) != LEDGER_STATUS_OK)
            return -1;
        bool finished = false;
        while (!finished) {
            list.n = 0;
            if (ledger_confirm_job_step(s, j, slice, &list, &finished) != LEDGER_STATUS_OK) {
                fprintf(stderr, "bench_ledger: cement: %s\n", ledger_store_errmsg(s));
                return -1;
            }
            total += (long long)list.n;
        }
        ledger_confirm_job_free(j);
    }
    *secs = now() - t0;
    *cpu = cpu_seconds() - c0;
    ledger_cemented_list_free(&list);
    free(fr);
    return total;
}

/* Pages in use per table and index (dbstat), the file's pages less its
 * free list, per stored block and per block ever accepted. */
static void print_tables(const char *path)
{
    sqlite3 *db;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "bench_ledger: %s\n", sqlite3_errmsg(db));
        sqlite3_close(db);
        return;
    }
    sqlite3_stmt *st;
    long long stored = 0, total = 0, used = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT (SELECT COUNT(*) FROM blocks), (SELECT value FROM meta WHERE "
                           "key = 'count_blocks'), (SELECT page_count FROM pragma_page_count) - "
                           "(SELECT freelist_count FROM pragma_freelist_count)",
                           -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        stored = sqlite3_column_int64(st, 0);
        total = sqlite3_column_int64(st, 1);
        used = sqlite3_column_int64(st, 2) * 4096;
    }
    sqlite3_finalize(st);
    printf("tables: %lld blocks stored of %lld; %.1f MiB in use = %.0f bytes per stored block, "
           "%.0f per block\n",
           stored, total, (double)used / 1048576.0, stored ? (double)used / (double)stored : 0,
           total ? (double)used / (double)total : 0);
    if (sqlite3_prepare_v2(db,
                           "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name HAVING "
                           "SUM(pgsize) > 4096 ORDER BY 2 DESC",
                           -1, &st, NULL) == SQLITE_OK)
        while (sqlite3_step(st) == SQLITE_ROW)
            printf("  %-24s %8.1f MiB  %6.1f B per stored block  %6.1f B per block\n",
                   (const char *)sqlite3_column_text(st, 0),
                   (double)sqlite3_column_int64(st, 1) / 1048576.0,
                   stored ? (double)sqlite3_column_int64(st, 1) / (double)stored : 0,
                   total ? (double)sqlite3_column_int64(st, 1) / (double)total : 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* Prunes every account to its last keep blocks; returns the blocks removed
 * or -1. */
static long long prune_all(ledger_store *s, uint64_t keep, double *secs)
{
    long long removed = 0;
    double t0 = now();
    for (;;) {
        ledger_prune_stats st;
        if (ledger_prune(s, keep, 256, &st) != LEDGER_STATUS_OK) {
            fprintf(stderr, "bench_ledger: prune: %s\n", ledger_store_errmsg(s));
            return -1;
        }
        removed += (long long)st.blocks;
        if (st.accounts == 0 && st.wrapped)
            break;
    }
    *secs = now() - t0;
    return removed;
}

static int report_prune(ledger_store *s, uint64_t keep)
{
    if (!keep)
        return 0;
    double secs;
    long long removed = prune_all(s, keep, &secs);
    if (removed < 0)
        return -1;
    printf("pruned: %lld blocks (keep %llu per account) in %.2f s = %.0f blocks/s\n", removed,
           (unsigned long long)keep, secs, (double)removed / secs);
    return 0;
}

typedef struct {
    ledger_result *res; /* indexed by the tag: the block's place in the slice */
} bench_results;

static void on_bench_result(void *user, uint64_t tag, const uint8_t hash[32], ledger_result r)
{
    (void)hash;
    ((bench_results *)user)->res[tag] = r;
}

int main(int argc, char **argv)
{
    size_t n = 1000000, batch = 4096, accounts = 0;
    unsigned threads = 0;
    int cache_mib = 0;
    const char *cache = NULL, *dir_arg = NULL;
    bool keep = false, cement = false, cement_only = false, build_only = false, tables = false;
    uint64_t prune_keep = 0;
    size_t slice_blocks = 256;
    uint8_t genesis_rep[32];
    bool have_rep = false, queued = false;
    size_t group = 0;
    int opt;
    while ((opt = getopt(argc, argv, "n:a:b:t:c:d:m:Cs:xkBP:TLr:qG:")) != -1) {
        switch (opt) {
        case 'n':
            n = strtoull(optarg, NULL, 10);
            break;
        case 'a':
            accounts = strtoull(optarg, NULL, 10);
            break;
        case 'b':
            batch = strtoull(optarg, NULL, 10);
            break;
        case 't':
            threads = (unsigned)strtoul(optarg, NULL, 10);
            break;
        case 'c':
            cache = optarg;
            break;
        case 'd':
            dir_arg = optarg;
            break;
        case 'm':
            cache_mib = atoi(optarg);
            break;
        case 'C':
            cement = true;
            break;
        case 'x':
            cement = cement_only = true;
            break;
        case 's':
            slice_blocks = strtoull(optarg, NULL, 10);
            break;
        case 'k':
            keep = true;
            break;
        case 'B':
            build_only = true;
            break;
        case 'P':
            prune_keep = strtoull(optarg, NULL, 10);
            tables = true;
            break;
        case 'T':
            tables = true;
            break;
        case 'L':
            one_chain = true;
            break;
        case 'q':
            queued = true;
            break;
        case 'G':
            group = strtoull(optarg, NULL, 10);
            break;
        case 'r':
            if (strlen(optarg) != 64 || !smn_hex_decode(optarg, genesis_rep, 32)) {
                fprintf(stderr, "bench_ledger: -r needs 64 hex digits\n");
                return 2;
            }
            have_rep = true;
            break;
        default:
            fprintf(stderr,
                    "usage: %s [-n blocks] [-a accounts] [-b batch] [-t threads] [-c cache] [-d "
                    "dir] [-m MiB] [-C [-s slice]] [-x -d dir] [-k] [-B] [-P keep] [-T] [-L] "
                    "[-r rep] [-q [-G group]]\n",
                    argv[0]);
            return 2;
        }
    }
    if (cement_only && !dir_arg) {
        fprintf(stderr, "bench_ledger: -x needs -d DIR holding a ledger.db\n");
        return 2;
    }
    if (n < 32 || n > UINT32_MAX || batch == 0 || slice_blocks == 0 || accounts > n / 2) {
        fprintf(stderr, "bench_ledger: need 32 <= -n < 2^32, -a <= n/2, -b >= 1 and -s >= 1\n");
        return 2;
    }
    if (smn_crypto_init() != 0)
        return 1;
    if (ledger_store_global_config() != LEDGER_STATUS_OK)
        fprintf(stderr, "bench_ledger: SQLite settings not applied\n");
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (threads == 0)
        threads = cores > 0 ? (unsigned)cores : 1;
    char cache_buf[256];
    if (!cache) {
        /* every option that changes the blocks is in the name, so runs
         * with other options never read (or overwrite) each other's cache */
        char acc[32] = "", rep[24] = "";
        if (accounts)
            snprintf(acc, sizeof acc, "-a%zu", accounts);
        if (have_rep) {
            rep[0] = '-', rep[1] = 'r';
            smn_hex_encode(genesis_rep, 8, rep + 2);
        }
        snprintf(cache_buf, sizeof cache_buf, "/tmp/smn-bench-ledger-%s%zu%s%s.blocks",
                 one_chain ? "chain-" : "", n, acc, rep);
        cache = cache_buf;
    }

    if (cement_only) {
        char path[300], err[256];
        snprintf(path, sizeof path, "%s/%s", dir_arg, LEDGER_DB_FILENAME);
        ledger_store *s;
        ledger_store_config scfg = {.cache_mib = cache_mib};
        double o0 = now();
        if (ledger_store_open(path, smn_network_get(SMN_NET_DEV), &scfg, &s, err, sizeof err) !=
            LEDGER_STATUS_OK) {
            fprintf(stderr, "bench_ledger: %s\n", err);
            return 1;
        }
        /* an older schema is migrated here */
        printf("opened in %.2f s\n", now() - o0);
        ledger_counts c0;
        ledger_store_counts(s, &c0);
        double secs = 0, ccpu = 0;
        long long cemented = cement_all(s, path, slice_blocks, &secs, &ccpu);
        if (cemented < 0 || report_prune(s, prune_keep) != 0)
            return 1;
        ledger_store_close(s);
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        char wal[320];
        snprintf(wal, sizeof wal, "%s-wal", path);
        long long db = file_size(path), walsize = file_size(wal);
        printf("ledger: %llu blocks, %llu cemented before\n", (unsigned long long)c0.blocks,
               (unsigned long long)c0.cemented);
        printf("cemented: %lld blocks in %.2f s = %.0f blocks/s (slices of %zu); "
               "%.1f s CPU = %.0f blocks per CPU-second\n",
               cemented, secs, (double)cemented / secs, slice_blocks, ccpu,
               (double)cemented / ccpu);
        printf("peak RSS: %.1f MiB\n", (double)ru.ru_maxrss / 1024.0);
        printf("database: %.1f MiB (+ %.1f MiB WAL) = %.0f bytes per block\n",
               (double)db / 1048576.0, (double)walsize / 1048576.0,
               (double)(db + walsize) / (double)c0.blocks);
        if (tables)
            print_tables(path);
        return 0;
    }

    FILE *f = open_cache(cache, n, accounts);
    if (!f) {
        printf("building %zu dev blocks into %s ...\n", n, cache);
        fflush(stdout);
        double t0 = now();
        int rc = build_cache(cache, n, accounts, threads, have_rep ? genesis_rep : NULL);
        if (rc != 0) {
            fprintf(stderr, "bench_ledger: cannot write %s: %s\n", cache, strerror(-rc));
            return 1;
        }
        printf("built in %.1f s\n", now() - t0);
        f = open_cache(cache, n, accounts);
        if (!f)
            return 1;
    }
    if (build_only) {
        fclose(f);
        printf("block cache: %s\n", cache);
        return 0;
    }

    /* Verify rates on a sample of the same blocks. */
    size_t sample_n = n < 40000 ? n : 40000;
    smn_block *sample = malloc(sample_n * sizeof *sample);
    if (read_blocks(f, sample, sample_n) != sample_n)
        return 1;
    double one = verify_rate_one(sample, sample_n / 2);
    double all = verify_rate_all(sample, sample_n, threads);
    free(sample);
    fseek(f, 16, SEEK_SET);

    char dir[256], path[300];
    if (dir_arg) {
        snprintf(dir, sizeof dir, "%s", dir_arg);
    } else {
        snprintf(dir, sizeof dir, "/tmp/smn-bench-ledger-XXXXXX");
        if (!mkdtemp(dir))
            return 1;
    }
    snprintf(path, sizeof path, "%s/%s", dir, LEDGER_DB_FILENAME);
    unlink(path);
    char err[256];
    ledger_store *s;
    ledger_store_config scfg = {.cache_mib = cache_mib};
    if (ledger_store_open(path, smn_network_get(SMN_NET_DEV), &scfg, &s, err, sizeof err) !=
        LEDGER_STATUS_OK) {
        fprintf(stderr, "bench_ledger: %s\n", err);
        return 1;
    }
    ledger_processor_config cfg = {
        .batch_max = batch, .verify_threads = threads, .group_max = queued ? group : 0};
    ledger_processor *p;
    if (ledger_processor_create(s, &cfg, &p) != LEDGER_STATUS_OK)
        return 1;
    const size_t slice = 65536;
    smn_block *buf = malloc(slice * sizeof *buf);
    ledger_result *res = malloc(slice * sizeof *res);
    size_t done = 0, accepted = 0, hist[LEDGER_RESULT_COUNT] = {0};
    long long io0[4], io1[4];
    io_counts(io0);
    double io = 0, cpu0 = cpu_seconds(), t0 = now();
    double mark_t = t0, mark_c = cpu0;
    size_t mark_n = 0;
    while (done < n) {
        double r0 = now();
        size_t got = read_blocks(f, buf, slice);
        io += now() - r0;
        if (got == 0)
            break;
        if (queued) {
            /* the queue holds 65536 = slice blocks */
            for (size_t i = 0; i < got; i++) {
                uint8_t h[32];
                smn_block_hash(&buf[i], h);
                if (ledger_processor_enqueue(p, &buf[i], h, i) != LEDGER_QUEUED)
                    return 1;
            }
            bench_results br = {res};
            size_t k;
            do {
                if (ledger_processor_drain(p, on_bench_result, &br, &k) != LEDGER_STATUS_OK) {
                    fprintf(stderr, "bench_ledger: %s\n", ledger_store_errmsg(s));
                    return 1;
                }
            } while (k || ledger_processor_group_open(p));
        } else if (ledger_processor_process(p, buf, got, res) != LEDGER_STATUS_OK) {
            fprintf(stderr, "bench_ledger: %s\n", ledger_store_errmsg(s));
            return 1;
        }
        for (size_t i = 0; i < got; i++)
            hist[res[i] < LEDGER_RESULT_COUNT ? res[i] : LEDGER_ERROR]++;
        done += got;
        if (done / 1000000 != (done - got) / 1000000) {
            /* the rate curve: each million's rate, CPU and the file so far */
            double tn = now() - io, cn = cpu_seconds();
            printf("progress: %zu blocks, %.0f blocks/s, %.1f us CPU per block over the last "
                   "%zu; database %.0f MiB\n",
                   done, (double)(done - mark_n) / (tn - mark_t),
                   (cn - mark_c) * 1e6 / (double)(done - mark_n), done - mark_n,
                   (double)file_size(path) / 1048576.0);
            fflush(stdout);
            mark_n = done;
            mark_t = tn;
            mark_c = cn;
        }
    }
    double dt = now() - t0 - io;
    double cpu = cpu_seconds() - cpu0;
    io_counts(io1);
    /* The machine's load may change during a long run: measure the verify
     * rate again after processing and compare with the mean of the two. */
    fseek(f, 16, SEEK_SET);
    sample = malloc(sample_n * sizeof *sample);
    if (read_blocks(f, sample, sample_n) != sample_n)
        return 1;
    double all_after = verify_rate_all(sample, sample_n, threads);
    free(sample);
    double all_before = all;
    all = (all_before + all_after) / 2;
    accepted = hist[LEDGER_ACCEPTED];
    for (int i = 1; i < LEDGER_RESULT_COUNT; i++)
        if (hist[i])
            printf("result %s: %zu\n", ledger_result_str((ledger_result)i), hist[i]);
    fclose(f);
    ledger_processor_stats pstats;
    ledger_processor_get_stats(p, &pstats);
    ledger_processor_destroy(p);
    double csecs = 0, ccpu = 0;
    long long cemented = 0;
    if (cement && (cemented = cement_all(s, path, slice_blocks, &csecs, &ccpu)) < 0)
        return 1;
    if (cement && report_prune(s, prune_keep) != 0)
        return 1;
    ledger_store_close(s);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    long long dbsize = file_size(path);
    char wal[320];
    snprintf(wal, sizeof wal, "%s-wal", path);
    long long walsize = file_size(wal);

    printf("blocks: %zu processed, %zu accepted, batch %zu, %u verify threads, %ld cores\n", done,
           accepted, batch, threads, cores);
    if (queued) {
        const ledger_processor_stats *ps = &pstats;
        printf("queue: batches of %zu, %llu transactions (group %zu), longest drain %.1f ms "
               "wall, %.1f ms CPU of the loop's thread (longest commit %.1f ms)\n",
               batch, (unsigned long long)ps->groups, group, (double)ps->step_us_max / 1000.0,
               (double)ps->step_cpu_us_max / 1000.0, (double)ps->commit_us_max / 1000.0);
    }
    printf("ed25519 verify: %.0f/s one core, %.0f/s all cores (before %.0f, after %.0f)\n", one,
           all, all_before, all_after);
    printf("processed: %.0f blocks/s (%.2f s, excluding %.2f s reading the cache)\n",
           (double)done / dt, dt, io);
    printf("cpu: %.1f s user+sys while processing = %.1f us per block (verify alone: %.1f us)\n",
           cpu, cpu * 1e6 / (double)done, 1e6 / one);
    printf("ratio to the all-core verify rate: %.2f (goal >= 0.8 at 1M, >= 0.7 at 10M)\n",
           (double)done / dt / all);
    if (cement)
        printf("cemented: %lld blocks in %.2f s = %.0f blocks/s (slices of %zu); "
               "%.1f s CPU = %.0f blocks per CPU-second\n",
               cemented, csecs, (double)cemented / csecs, slice_blocks, ccpu,
               (double)cemented / ccpu);
    /* (the block cache is read through fread: its bytes count in rchar) */
    double nb = (double)done;
    printf("i/o while processing: %.1f KiB written (%.2f write calls), %.1f KiB read "
           "(%.2f read calls) per block\n",
           (double)(io1[1] - io0[1]) / 1024.0 / nb, (double)(io1[3] - io0[3]) / nb,
           (double)(io1[0] - io0[0] - (long long)(done * SMN_BLOCK_WIRE_BYTES)) / 1024.0 / nb,
           (double)(io1[2] - io0[2]) / nb);
    printf("peak RSS: %.1f MiB\n", (double)ru.ru_maxrss / 1024.0);
    printf("database: %.1f MiB (+ %.1f MiB WAL) = %.0f bytes per block\n",
           (double)dbsize / 1048576.0, (double)walsize / 1048576.0,
           (double)(dbsize + walsize) / (double)(done + 1));
    if (tables)
        print_tables(path);
    free(buf);
    free(res);
    if (!keep) {
        unlink(path);
        unlink(wal);
        char shm[320];
        snprintf(shm, sizeof shm, "%s-shm", path);
        unlink(shm);
        if (!dir_arg)
            rmdir(dir);
    }
    return accepted == n ? 0 : 1;
}
