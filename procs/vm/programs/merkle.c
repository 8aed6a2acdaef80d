/* The per-program Merkle state root. */
#include "procs/vm/programs/merkle.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static void be32(uint32_t v, uint8_t out[4])
{
    out[0] = (uint8_t)(v >> 24);
    out[1] = (uint8_t)(v >> 16);
    out[2] = (uint8_t)(v >> 8);
    out[3] = (uint8_t)v;
}

void vm_merkle_leaf(uint8_t type, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen,
                    uint8_t out[32])
{
    crypto_generichash_state h;
    uint8_t hdr[2] = {0x00, type}, len[4];
    crypto_generichash_init(&h, NULL, 0, 32);
    crypto_generichash_update(&h, hdr, 2);
    be32((uint32_t)klen, len);
    crypto_generichash_update(&h, len, 4);
    if (klen)
        crypto_generichash_update(&h, key, klen);
    be32((uint32_t)vlen, len);
    crypto_generichash_update(&h, len, 4);
    if (vlen)
        crypto_generichash_update(&h, val, vlen);
    crypto_generichash_final(&h, out, 32);
}

void vm_merkle_reduce(uint8_t (*level)[32], size_t n, uint8_t root[32])
{
    if (n == 0) {
        memset(root, 0, 32);
        return;
    }
    while (n > 1) {
        size_t m = 0;
        for (size_t i = 0; i + 1 < n; i += 2) {
            uint8_t buf[65];
            buf[0] = 0x01;
            memcpy(buf + 1, level[i], 32);
            memcpy(buf + 33, level[i + 1], 32);
            crypto_generichash(level[m++], 32, buf, sizeof buf, NULL, 0);
        }
        if (n & 1)
            memmove(level[m++], level[n - 1], 32);
        n = m;
    }
    memcpy(root, level[0], 32);
}

typedef struct {
    uint8_t (*v)[32];
    size_t n, cap;
} leaves;

static int push(leaves *l, const uint8_t h[32])
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 64;
        void *p = realloc(l->v, nc * 32);
        if (!p)
            return -1;
        l->v = p;
        l->cap = nc;
    }
    memcpy(l->v[l->n++], h, 32);
    return 0;
}

static vm_idx_status scan(vm_store *s, const char *sql, uint8_t type, const uint8_t prog[32],
                          leaves *l)
{
    sqlite3_stmt *st = vm_store_stmt(s, sql);
    if (!st)
        return VM_IDX_ERR_DB;
    sqlite3_bind_blob(st, 1, prog, 32, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint8_t h[32];
        if (type == VM_LEAF_PSTATE) {
            uint8_t key[8];
            be32((uint32_t)sqlite3_column_int64(st, 0), key);
            be32((uint32_t)sqlite3_column_int64(st, 1), key + 4);
            size_t dlen = (size_t)sqlite3_column_bytes(st, 3);
            uint8_t *val = malloc(dlen + 1);
            if (!val) {
                sqlite3_reset(st);
                return VM_IDX_ERR_NOMEM;
            }
            val[0] = (uint8_t)sqlite3_column_int(st, 2);
            if (dlen)
                memcpy(val + 1, sqlite3_column_blob(st, 3), dlen);
            vm_merkle_leaf(type, key, 8, val, dlen + 1, h);
            free(val);
        } else {
            vm_merkle_leaf(type, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0),
                           sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1), h);
        }
        if (push(l, h) != 0) {
            sqlite3_reset(st);
            return VM_IDX_ERR_NOMEM;
        }
    }
    if (rc != SQLITE_DONE)
        return vm_store_fail(s, "scan state");
    sqlite3_reset(st);
    return VM_IDX_OK;
}

vm_idx_status vm_merkle_program_root(vm_store *s, const uint8_t prog[32], uint8_t root[32])
{
    leaves l = {0};
    /* BLOB comparison in SQLite is memcmp, then the shorter first: exactly
     * the canonical order the root is defined over. */
    vm_idx_status rc = scan(s, "SELECT key, amount FROM balances WHERE program=? ORDER BY key",
                            VM_LEAF_BALANCE, prog, &l);
    if (rc == VM_IDX_OK)
        rc = scan(s, "SELECT key, amount FROM boxes WHERE program=? ORDER BY key", VM_LEAF_BOX,
                  prog, &l);
    if (rc == VM_IDX_OK)
        rc = scan(s, "SELECT key, value FROM storage WHERE program=? ORDER BY key", VM_LEAF_STORAGE,
                  prog, &l);
    if (rc == VM_IDX_OK)
        rc = scan(s,
                  "SELECT session, seq, valid, data FROM pstate WHERE program=?"
                  " ORDER BY session, seq",
                  VM_LEAF_PSTATE, prog, &l);
    if (rc == VM_IDX_OK)
        vm_merkle_reduce(l.v, l.n, root);
    free(l.v);
    return rc;
}
