/* Fuzz target: arbitrary request bodies through the whole RPC core (JSON
 * decoding, dispatch, every action's argument decoders). Any answer is fine;
 * a crash, a leak or a missing answer is not. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/address.h"
#include "common/block_json.h"
#include "common/hex.h"
#include "common/keys.h"
#include "common/network.h"
#include "ipc/ledgerdb/schema.h"
#include "procs/ledger/store.h"
#include "procs/rpc/rpc.h"

#include <unistd.h>

static rpc_ctx *ctx;
static char dir[256];

static void cleanup(void)
{
    rpc_ctx_free(ctx);
    static const char *names[] = {"ledger.db", "ledger.db-wal", "ledger.db-shm"};
    char p[400];
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
}

/* A genesis-only dev ledger, so the read actions run their real paths. */
static void make_ledger(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/smn-fuzz-rpc-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(dir))
        abort();
    char path[400], err[200];
    snprintf(path, sizeof path, "%s/%s", dir, LEDGER_DB_FILENAME);
    ledger_store *s = NULL;
    if (ledger_store_open(path, smn_network_get(SMN_NET_DEV), NULL, &s, err, sizeof err) !=
        LEDGER_STATUS_OK)
        abort();
    ledger_store_close(s);
}

static void submit_cb(void *user, const smn_block *b, rpc_submission *s)
{
    (void)user;
    /* Answer depends on the input so both paths are taken. */
    rpc_submission_done(s, (b->work & 1) ? RPC_PROCESS_PROGRESS : RPC_PROCESS_FORK);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ctx) {
        if (smn_crypto_init() != 0)
            abort();
        make_ledger();
        /* Control actions stay off: work_generate and wallet key stretching
         * would turn a fuzz run into a CPU benchmark. */
        rpc_config cfg = {.net = smn_network_get(SMN_NET_DEV), .data_dir = dir};
        ctx = rpc_ctx_new(&cfg);
        if (!ctx)
            abort();
        rpc_ctx_set_submit(ctx, submit_cb, NULL);
        atexit(cleanup);
    }
    int status = 0;
    char *out = NULL;
    int rc = rpc_handle(ctx, (const char *)data, size, &status, &out);
    if (rc != 0 || !out || status < 200 || status > 599)
        abort();
    if (out[0] != '{')
        abort();
    free(out);
    return 0;
}

static const char *seed_text[] = {
    "{\"action\":\"version\"}",
    "{\"action\":\"key_create\"}",
    "{\"action\":\"key_expand\",\"key\":"
    "\"0000000000000000000000000000000000000000000000000000000000000001\"}",
    "{\"action\":\"account_balance\",\"account\":"
    "\"smn_1111111111111111111111111111111111111111111111111111hifc8npp\"}",
    "{\"action\":\"account_info\",\"account\":\"smn_"
    "3t6k35gi95xu6tergt6p69ck76ogmitsa8mnijtpxm9fkcm736"
    "xtoncuohr3\",\"representative\":\"true\",\"weight\":true,\"receivable\":\"1\"}",
    "{\"action\":\"account_history\",\"account\":\"smn_x\",\"count\":\"5\",\"raw\":true,"
    "\"head\":\"00\",\"offset\":2,\"reverse\":\"true\"}",
    "{\"action\":\"accounts_balances\",\"accounts\":[\"smn_1\",\"smn_2\"]}",
    "{\"action\":\"block_info\",\"json_block\":\"true\",\"hash\":"
    "\"0000000000000000000000000000000000000000000000000000000000000000\"}",
    "{\"action\":\"blocks_info\",\"hashes\":[\"00\",\"11\"],\"include_not_found\":true}",
    "{\"action\":\"chain\",\"block\":\"AB\",\"count\":-1}",
    "{\"action\":\"frontiers\",\"account\":\"smn_1\",\"count\":\"18446744073709551616\"}",
    "{\"action\":\"receivable\",\"account\":\"smn_1\",\"threshold\":\"1\",\"source\":true}",
    "{\"action\":\"representatives\",\"count\":3,\"sorting\":\"true\"}",
    "{\"action\":\"confirmation_quorum\"}",
    "{\"action\":\"telemetry\"}",
    "{\"action\":\"block_count\"}",
    "{\"action\":\"uptime\"}",
    "{\"action\":\"work_validate\",\"hash\":\"00\",\"work\":\"0000000000000000\","
    "\"difficulty\":\"ffffffffffffffff\"}",
    "{\"action\":\"raw_to_smn\",\"amount\":\"340282366920938463463374607431768211455\"}",
    "{\"action\":\"smn_to_raw\",\"amount\":\"0.000000000000000000000000000001\"}",
    "{\"action\":\"process\",\"json_block\":\"true\",\"block\":{\"type\":\"state\",\"account\":"
    "\"smn_1\",\"previous\":\"00\",\"representative\":\"smn_1\",\"balance\":\"1\",\"link\":"
    "\"00\",\"signature\":\"00\",\"work\":\"0000000000000000\"}}",
    "{\"action\":\"send\",\"wallet\":\"00\"}",
    "{\"action\":\"receivable\",\"wallet\":\"00\"}",
    "{\"action\":\"validate_account_number\",\"account\":\"smn_1\"}",
};

/* Seeds naming the real genesis account and block, so mutations reach the
 * ledger-reading paths, not only the argument decoders. */
static const char *live_fmt[] = {
    "{\"action\":\"account_info\",\"account\":\"%1$s\",\"representative\":true,"
    "\"weight\":\"true\",\"receivable\":\"1\",\"pending\":true}",
    "{\"action\":\"account_history\",\"account\":\"%1$s\",\"count\":1,\"head\":\"%2$s\","
    "\"offset\":\"0\",\"raw\":true,\"reverse\":false}",
    "{\"action\":\"account_history\",\"account\":\"%1$s\",\"reverse\":true,\"offset\":1}",
    "{\"action\":\"accounts_balances\",\"accounts\":[\"%1$s\",\"%1$s\"]}",
    "{\"action\":\"block_info\",\"hash\":\"%2$s\",\"json_block\":true}",
    "{\"action\":\"blocks_info\",\"hashes\":[\"%2$s\"],\"include_not_found\":\"true\"}",
    "{\"action\":\"chain\",\"block\":\"%2$s\",\"count\":3,\"offset\":0}",
    "{\"action\":\"successors\",\"block\":\"%2$s\"}",
    "{\"action\":\"frontiers\",\"account\":\"%1$s\",\"count\":2}",
    "{\"action\":\"receivable\",\"account\":\"%1$s\",\"threshold\":\"0\",\"source\":true}",
    "{\"action\":\"account_weight\",\"account\":\"%1$s\"}",
    "{\"action\":\"account_representative\",\"account\":\"%1$s\"}",
    "{\"action\":\"process\",\"block\":%3$s}",
    "{\"action\":\"block_hash\",\"block\":%3$s}",
};

size_t smn_fuzz_seeds(const uint8_t *const **seeds, const size_t **lens)
{
    enum { NS = sizeof seed_text / sizeof seed_text[0], NL = sizeof live_fmt / sizeof live_fmt[0] };
    static const uint8_t *s[NS + NL];
    static size_t l[NS + NL];
    static char *owned[NL];
    for (size_t i = 0; i < NS; i++) {
        s[i] = (const uint8_t *)seed_text[i];
        l[i] = strlen(seed_text[i]);
    }
    if (smn_crypto_init() != 0)
        abort();
    const smn_network *net = smn_network_get(SMN_NET_DEV);
    char addr[SMN_ADDRESS_STRLEN], hash[65];
    uint8_t h[32];
    smn_address_encode(net->genesis.account, addr);
    smn_block_hash(&net->genesis, h);
    smn_hex_encode(h, 32, hash);
    json_t *bj = smn_block_to_json(&net->genesis);
    char *block = json_dumps(bj, JSON_COMPACT);
    json_decref(bj);
    for (size_t i = 0; i < NL; i++) {
        free(owned[i]);
        if (asprintf(&owned[i], live_fmt[i], addr, hash, block) < 0)
            abort();
        s[NS + i] = (const uint8_t *)owned[i];
        l[NS + i] = strlen(owned[i]);
    }
    free(block);
    *seeds = s;
    *lens = l;
    return NS + NL;
}
