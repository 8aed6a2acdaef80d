/* Fuzz target for everything that reads IPC bytes: the frame header, the
 * msgpack bound check and the schema decoder of every family (common,
 * control, admin, net, ledger, vmevents, elections, bootstrap). The input is read as a stream of
 * frames (as a socket delivers it) and also decoded whole as one payload.
 *
 * Round trip, asserted for every input that decodes: the message is
 * re-encoded with the production builder (ipc/builder.h), field by field as
 * decoded. The wire admits several encodings of one value (a uint as fixint
 * or uint64, a map header as fixmap or map32, the envelope keys anywhere),
 * so the builder's output is the canonical form. Checked:
 *  - the re-encoding decodes again, to the same kind, id, re and fields
 *    with the same values (nested containers in the same order);
 *  - re-encoding that decodes to identical bytes (the canonical form is a
 *    fixed point), and
 *  - every seed (a real message of each family, built by the builder) is
 *    already canonical: decode + re-encode gives back its exact bytes.
 * A failed check aborts, so the fuzz test fails. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "ipc/ipc.h"

static const ipc_family *const families[] = {
    &ipc_family_common,    &ipc_family_control,   &ipc_family_admin,
    &ipc_family_net,       &ipc_family_ledger,    &ipc_family_vmevents,
    &ipc_family_elections, &ipc_family_bootstrap, &ipc_family_feed};
#define NFAMILIES (sizeof families / sizeof families[0])

static void fail(const char *fam, const char *what)
{
    fprintf(stderr, "fuzz_frame: family %s: %s\n", fam, what);
    abort();
}

static bool is_key(const msgpack_object_kv *kv, const char *name)
{
    size_t n = strlen(name);
    return kv->key.type == MSGPACK_OBJECT_STR && kv->key.via.str.size == n &&
           memcmp(kv->key.via.str.ptr, name, n) == 0;
}

static bool is_envelope(const msgpack_object_kv *kv)
{
    return is_key(kv, "kind") || is_key(kv, "id") || is_key(kv, "re");
}

/* Write one decoded value as field `name` (NULL inside an array). False for
 * a type the builder cannot write (the schema should never accept one). */
static bool put_value(ipc_builder *b, const char *name, const msgpack_object *o);

static bool put_members(ipc_builder *b, const msgpack_object *map, bool top)
{
    for (uint32_t i = 0; i < map->via.map.size; i++) {
        const msgpack_object_kv *kv = &map->via.map.ptr[i];
        if (top && is_envelope(kv))
            continue; /* the builder writes kind first and id, re last */
        char key[256];
        if (kv->key.type != MSGPACK_OBJECT_STR || kv->key.via.str.size >= sizeof key)
            return false;
        memcpy(key, kv->key.via.str.ptr, kv->key.via.str.size);
        key[kv->key.via.str.size] = '\0';
        if (!put_value(b, key, &kv->val))
            return false;
    }
    return true;
}

static bool put_value(ipc_builder *b, const char *name, const msgpack_object *o)
{
    switch (o->type) {
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        ipc_put_uint(b, name, o->via.u64);
        return true;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        ipc_put_int(b, name, o->via.i64);
        return true;
    case MSGPACK_OBJECT_BOOLEAN:
        ipc_put_bool(b, name, o->via.boolean);
        return true;
    case MSGPACK_OBJECT_STR:
        ipc_put_strn(b, name, o->via.str.ptr, o->via.str.size);
        return true;
    case MSGPACK_OBJECT_BIN:
        ipc_put_bin(b, name, o->via.bin.ptr, o->via.bin.size);
        return true;
    case MSGPACK_OBJECT_ARRAY:
        ipc_put_array_begin(b, name);
        for (uint32_t i = 0; i < o->via.array.size; i++)
            if (!put_value(b, NULL, &o->via.array.ptr[i]))
                return false;
        ipc_put_array_end(b);
        return true;
    case MSGPACK_OBJECT_MAP:
        ipc_put_map_begin(b, name);
        if (!put_members(b, o, false))
            return false;
        ipc_put_map_end(b);
        return true;
    default:
        return false;
    }
}

/* Re-encode m with the builder; the frame (header included) is in *b. */
static void reencode(const ipc_family *fam, const ipc_msg *m, ipc_builder *b)
{
    ipc_build_begin(b, m->kind->name);
    if (!put_members(b, m->body, true))
        fail(fam->name, "decoded a value the builder cannot write");
    ipc_error err;
    if (ipc_build_finish(b, fam, m->id, m->re, &err) != IPC_OK) {
        fprintf(stderr, "fuzz_frame: %s\n", err.detail);
        fail(fam->name, "the re-encoding of a decoded message does not build");
    }
}

static const msgpack_object *field(const msgpack_object *map, const msgpack_object_kv *like)
{
    for (uint32_t i = 0; i < map->via.map.size; i++) {
        const msgpack_object_kv *kv = &map->via.map.ptr[i];
        if (kv->key.type == MSGPACK_OBJECT_STR && kv->key.via.str.size == like->key.via.str.size &&
            memcmp(kv->key.via.str.ptr, like->key.via.str.ptr, kv->key.via.str.size) == 0)
            return &kv->val;
    }
    return NULL;
}

/* Same kind, id, re, and the same fields with equal values (the order of
 * the top-level fields may differ: the builder moves the envelope). */
static bool same_message(const ipc_msg *a, const ipc_msg *b)
{
    if (a->kind != b->kind || a->id != b->id || a->re != b->re)
        return false;
    if (a->body->via.map.size != b->body->via.map.size)
        return false;
    for (uint32_t i = 0; i < a->body->via.map.size; i++) {
        const msgpack_object_kv *kv = &a->body->via.map.ptr[i];
        if (is_envelope(kv))
            continue;
        const msgpack_object *o = field(b->body, kv);
        if (!o || !msgpack_object_equal(kv->val, *o))
            return false;
    }
    return true;
}

/* m decoded from fam: check the round trip. With canonical, the input
 * (payload p, n) must come back byte for byte. */
static void round_trip(const ipc_family *fam, const ipc_msg *m, const uint8_t *p, size_t n,
                       bool canonical)
{
    ipc_builder b1, b2;
    reencode(fam, m, &b1);
    const uint8_t *p1 = b1.buf + IPC_FRAME_HDR;
    size_t n1 = b1.len - IPC_FRAME_HDR;
    ipc_msg m1;
    ipc_error err;
    if (ipc_decode(fam, p1, n1, &m1, &err) != IPC_OK)
        fail(fam->name, "the re-encoding does not decode");
    if (!same_message(m, &m1))
        fail(fam->name, "the re-encoding decodes to another message");
    reencode(fam, &m1, &b2);
    if (b2.len != b1.len || memcmp(b2.buf, b1.buf, b1.len) != 0)
        fail(fam->name, "re-encoding the canonical form changes its bytes");
    if (canonical && (n1 != n || memcmp(p1, p, n) != 0))
        fail(fam->name, "a builder-made message does not re-encode to its own bytes");
    ipc_msg_free(&m1);
    ipc_build_free(&b1);
    ipc_build_free(&b2);
}

static size_t decode_all(const uint8_t *p, size_t n, bool canonical)
{
    size_t decoded = 0;
    for (size_t f = 0; f < NFAMILIES; f++) {
        ipc_msg m;
        ipc_error err;
        if (ipc_decode(families[f], p, n, &m, &err) == IPC_OK) {
            round_trip(families[f], &m, p, n, canonical);
            ipc_msg_free(&m);
            decoded++;
        }
    }
    return decoded;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t off = 0;
    while (off < size) {
        uint32_t n;
        if (ipc_frame_header(data + off, size - off, 0, &n) != IPC_OK)
            break;
        if (size - off - IPC_FRAME_HDR < n)
            break;
        decode_all(data + off + IPC_FRAME_HDR, n, false);
        off += IPC_FRAME_HDR + n;
    }
    decode_all(data, size, false);
    return 0;
}

/* ---- seeds: real messages of every family ---- */

#define MAX_SEEDS 32
static uint8_t *seed_buf[MAX_SEEDS];
static const uint8_t *seed_ptrs[MAX_SEEDS];
static size_t seed_lens[MAX_SEEDS];
static size_t nseeds;

/* Keeps the frame b built against fam; a seed that does not build, or
 * that is not canonical, is a bug in this file or the builder: abort. */
static void keep(ipc_builder *b, const ipc_family *fam, uint64_t id, uint64_t re)
{
    ipc_error err;
    if (ipc_build_finish(b, fam, id, re, &err) != IPC_OK) {
        fprintf(stderr, "fuzz_frame: seed %zu: %s\n", nseeds, err.detail);
        abort();
    }
    if (nseeds >= MAX_SEEDS || !(seed_buf[nseeds] = malloc(b->len)))
        abort();
    memcpy(seed_buf[nseeds], b->buf, b->len);
    seed_ptrs[nseeds] = seed_buf[nseeds];
    seed_lens[nseeds] = b->len;
    size_t fams = decode_all(b->buf + IPC_FRAME_HDR, b->len - IPC_FRAME_HDR, true);
    if (fams == 0)
        fail(fam->name, "a seed decodes in no family");
    nseeds++;
    ipc_build_free(b);
}

static uint8_t bytes[512];

static void seeds_common_control_admin(void)
{
    ipc_builder b;
    ipc_build_begin(&b, "ping");
    ipc_put_uint(&b, "seq", 1ull << 40);
    ipc_put_bin(&b, "echo", "abc", 3);
    keep(&b, &ipc_family_common, 1, 0);
    ipc_build_begin(&b, "error");
    ipc_put_str(&b, "message", "nope");
    ipc_put_uint(&b, "code", 4);
    keep(&b, &ipc_family_common, 0, 2);
    ipc_build_begin(&b, "status_r");
    ipc_put_str(&b, "name", "ledger");
    ipc_put_uint(&b, "pid", 1234);
    ipc_put_uint(&b, "uptime_ms", 99);
    ipc_put_str(&b, "detail", "ok");
    keep(&b, &ipc_family_control, 0, 3);
    ipc_build_begin(&b, "hello");
    ipc_put_str(&b, "name", "vm");
    ipc_put_uint(&b, "pid", 77);
    keep(&b, &ipc_family_control, 0, 0);
    ipc_build_begin(&b, "node_status_r");
    ipc_put_array_begin(&b, "processes");
    for (int i = 0; i < 2; i++) {
        ipc_put_map_begin(&b, NULL);
        ipc_put_str(&b, "name", "net");
        if (i == 0)
            ipc_put_uint(&b, "pid", 5);
        ipc_put_str(&b, "state", i ? "failing" : "running");
        ipc_put_uint(&b, "restarts", 1);
        ipc_put_uint(&b, "uptime_s", 2);
        if (i == 1)
            ipc_put_uint(&b, "retry_in_ms", 400);
        ipc_put_map_end(&b);
    }
    ipc_put_array_end(&b);
    keep(&b, &ipc_family_admin, 0, 9);
}

static void seeds_net(void)
{
    ipc_builder b;
    ipc_build_begin(&b, "vote");
    ipc_put_bin(&b, "vote", bytes, IPC_NET_VOTE_MIN_BYTES);
    keep(&b, &ipc_family_net, 0, 0);
    ipc_build_begin(&b, "send_vote");
    ipc_put_bin(&b, "vote", bytes, IPC_NET_VOTE_MIN_BYTES + 32);
    ipc_put_bin(&b, "peer", bytes + 3, 32);
    keep(&b, &ipc_family_net, 0, 0);
    ipc_build_begin(&b, "request_votes");
    ipc_put_array_begin(&b, "pairs");
    for (int i = 0; i < 2; i++) {
        ipc_put_map_begin(&b, NULL);
        ipc_put_bin(&b, "hash", bytes + i, 32);
        ipc_put_bin(&b, "root", bytes + 40 + i, 32);
        ipc_put_map_end(&b);
    }
    ipc_put_array_end(&b);
    keep(&b, &ipc_family_net, 0, 0);
    ipc_build_begin(&b, "peers_r");
    ipc_put_array_begin(&b, "peers");
    ipc_put_map_begin(&b, NULL);
    ipc_put_str(&b, "endpoint", "[::ffff:127.0.0.1]:7075");
    ipc_put_bin(&b, "node_id", bytes, 32);
    ipc_put_bool(&b, "inbound", true);
    ipc_put_uint(&b, "block_count", 300);
    ipc_put_map_end(&b);
    ipc_put_array_end(&b);
    ipc_put_uint(&b, "known", 3);
    ipc_put_uint(&b, "banned", 0);
    ipc_put_uint(&b, "port", 7075);
    ipc_put_bin(&b, "node_id", bytes + 1, 32);
    ipc_put_uint(&b, "blocks_in", 70000);
    ipc_put_uint(&b, "blocks_out", 1);
    ipc_put_uint(&b, "votes_in", 2);
    ipc_put_uint(&b, "votes_out", 0);
    keep(&b, &ipc_family_net, 0, 4);
    ipc_build_begin(&b, "frontiers");
    ipc_put_uint(&b, "count", 128);
    ipc_put_bin(&b, "start", bytes, 32);
    keep(&b, &ipc_family_net, 12, 0);
    ipc_build_begin(&b, "pull_r");
    ipc_put_array_begin(&b, "blocks");
    ipc_put_bin(&b, NULL, bytes, 216);
    ipc_put_array_end(&b);
    keep(&b, &ipc_family_net, 0, 13);
}

static void seeds_ledger(void)
{
    ipc_builder b;
    ipc_build_begin(&b, "process");
    ipc_put_bin(&b, "block", bytes, IPC_LEDGER_BLOCK_BYTES);
    ipc_put_str(&b, "origin", ipc_ledger_origin_name(LEDGER_ORIGIN_NET));
    keep(&b, &ipc_family_ledger, 5, 0);
    ipc_build_begin(&b, "process_result");
    ipc_put_bin(&b, "hash", bytes, 32);
    ipc_put_str(&b, "result", ipc_ledger_result_name(LEDGER_GAP_PREVIOUS));
    keep(&b, &ipc_family_ledger, 0, 5);
    ipc_build_begin(&b, "subscribe");
    ipc_put_array_begin(&b, "topics");
    ipc_put_str(&b, NULL, "block_accepted");
    ipc_put_str(&b, NULL, "block_cemented");
    ipc_put_array_end(&b);
    keep(&b, &ipc_family_ledger, 6, 0);
    ipc_build_begin(&b, "block_cemented");
    ipc_put_bin(&b, "hash", bytes, 32);
    ipc_put_bin(&b, "account", bytes + 1, 32);
    ipc_put_uint(&b, "height", 2);
    ipc_put_str(&b, "subtype", ipc_ledger_subtype_name(LEDGER_SUBTYPE_SEND));
    ipc_put_bin(&b, "amount", bytes + 2, 16);
    ipc_put_bin(&b, "prev_balance", bytes + 3, 16);
    ipc_put_bin(&b, "balance", bytes + 4, 16);
    ipc_put_bin(&b, "link", bytes + 5, 32);
    ipc_put_bin(&b, "source_account", bytes + 6, 32);
    ipc_put_uint(&b, "seq", 9);
    keep(&b, &ipc_family_ledger, 0, 0);
    ipc_build_begin(&b, "confirm_result");
    ipc_put_uint(&b, "cemented", 3);
    ipc_put_uint(&b, "rolled_back", 1);
    keep(&b, &ipc_family_ledger, 0, 8);
}

static void seeds_vmevents(void)
{
    ipc_builder b;
    ipc_build_begin(&b, "subscribe");
    ipc_put_uint(&b, "from", 10);
    ipc_put_bin(&b, "program", bytes, 32);
    ipc_put_str(&b, "type", "vsmn.transfer");
    ipc_put_uint(&b, "buffer", IPC_VMEV_BUFFER_MIN);
    keep(&b, &ipc_family_vmevents, 2, 0);
    ipc_build_begin(&b, "event");
    ipc_put_uint(&b, "cursor", 11);
    ipc_put_bin(&b, "block_hash", bytes, 32);
    ipc_put_uint(&b, "height", 4);
    ipc_put_bin(&b, "account", bytes + 1, 32);
    ipc_put_uint(&b, "index", 0);
    ipc_put_bin(&b, "program", bytes + 2, 32);
    ipc_put_uint(&b, "session", 1);
    ipc_put_str(&b, "type", "vsmn.transfer");
    ipc_put_uint(&b, "topic", 7);
    ipc_put_bin(&b, "data", bytes, 40);
    keep(&b, &ipc_family_vmevents, 0, 0);
    ipc_build_begin(&b, "disconnect");
    ipc_put_str(&b, "reason", "slow_consumer");
    ipc_put_uint(&b, "cursor", 12);
    keep(&b, &ipc_family_vmevents, 0, 0);
}

static void seeds_elections_bootstrap(void)
{
    ipc_builder b;
    ipc_build_begin(&b, "status_r");
    ipc_put_uint(&b, "reps", 1);
    ipc_put_uint(&b, "online_reps", 2);
    ipc_put_array_begin(&b, "online");
    for (int i = 0; i < 2; i++) {
        ipc_put_map_begin(&b, NULL);
        ipc_put_bin(&b, "rep", bytes + i, 32);
        ipc_put_bin(&b, "weight", bytes + 40 + i, IPC_ELECTIONS_AMOUNT_BYTES);
        ipc_put_map_end(&b);
    }
    ipc_put_array_end(&b);
    ipc_put_bin(&b, "online_weight", bytes, IPC_ELECTIONS_AMOUNT_BYTES);
    ipc_put_bin(&b, "trended_weight", bytes + 1, IPC_ELECTIONS_AMOUNT_BYTES);
    ipc_put_bin(&b, "online_minimum", bytes + 2, IPC_ELECTIONS_AMOUNT_BYTES);
    ipc_put_bin(&b, "quorum_delta", bytes + 3, IPC_ELECTIONS_AMOUNT_BYTES);
    ipc_put_uint(&b, "quorum_percent", 67);
    ipc_put_uint(&b, "active", 3);
    ipc_put_uint(&b, "max_active", 5000);
    ipc_put_uint(&b, "backlog", 0);
    ipc_put_uint(&b, "confirmed", 9);
    keep(&b, &ipc_family_elections, 0, 6);
    ipc_build_begin(&b, "elect");
    ipc_put_bin(&b, "block", bytes, IPC_ELECTIONS_BLOCK_BYTES);
    keep(&b, &ipc_family_elections, 7, 0);
    ipc_build_begin(&b, "elect_r");
    ipc_put_str(&b, "status", ipc_elect_status_name(IPC_ELECT_FORKS_FULL));
    keep(&b, &ipc_family_elections, 0, 7);
    ipc_build_begin(&b, "status_r");
    ipc_put_str(&b, "phase", ipc_bootstrap_phase_name(IPC_BOOTSTRAP_FRONTIERS));
    ipc_put_uint(&b, "rounds", 2);
    ipc_put_uint(&b, "pulled", 300);
    ipc_put_uint(&b, "accepted", 280);
    ipc_put_uint(&b, "chains", 4);
    ipc_put_bin(&b, "cursor", bytes + 5, 32);
    ipc_put_uint(&b, "missing", 1);
    ipc_put_uint(&b, "waiting", 6);
    keep(&b, &ipc_family_bootstrap, 0, 8);
    ipc_build_begin(&b, "started");
    ipc_put_bool(&b, "started", true);
    keep(&b, &ipc_family_bootstrap, 0, 9);
}

/* Whole frames (header included) of real messages, for the mutator. */
size_t smn_fuzz_seeds(const uint8_t *const **seeds, const size_t **lens)
{
    for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] = (uint8_t)(i * 37u + 11u);
    seeds_common_control_admin();
    seeds_net();
    seeds_ledger();
    seeds_vmevents();
    seeds_elections_bootstrap();
    /* Every family has a seed that decodes in it (checked by keep above
     * per seed; here: none was forgotten). */
    const ipc_family *const *seen = families;
    for (size_t f = 0; f < NFAMILIES; f++) {
        bool any = false;
        for (size_t i = 0; i < nseeds && !any; i++) {
            ipc_msg m;
            if (ipc_decode(seen[f], seed_ptrs[i] + IPC_FRAME_HDR, seed_lens[i] - IPC_FRAME_HDR, &m,
                           NULL) == IPC_OK) {
                any = true;
                ipc_msg_free(&m);
            }
        }
        if (!any)
            fail(seen[f]->name, "no seed");
    }
    *seeds = seed_ptrs;
    *lens = seed_lens;
    return nseeds;
}
