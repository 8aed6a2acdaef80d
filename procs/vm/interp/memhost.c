#include "procs/vm/interp/memhost.h"

#include <stdlib.h>
#include <string.h>

#include "procs/vm/interp/interp.h"

/* A sorted byte-key map: binary search, insertion by memmove. Deterministic
 * and plenty for tests and single CLI runs. */
typedef struct {
    uint8_t *key;
    size_t klen;
    uint8_t *val;
    size_t vlen;
} mh_entry;

typedef struct {
    mh_entry *e;
    size_t n, cap;
} mh_map;

enum { MAP_STORAGE, MAP_BALANCE, MAP_BOXES, MAP__COUNT };

/* One undo record: the previous state of one map entry, or an event count. */
typedef struct {
    int map; /* -1: events */
    uint8_t *key;
    size_t klen;
    bool had;
    uint8_t *old;
    size_t old_len;
    size_t events; /* map == -1: event count to truncate to */
} mh_undo;

typedef struct {
    uint8_t id[VM_ID_LEN];
    vm_program prog;
} mh_prog;

struct memhost {
    mh_map maps[MAP__COUNT];
    memhost_event *events;
    size_t nevents, cap_events;
    mh_undo *undo;
    size_t nundo, cap_undo;
    size_t *marks; /* undo position of each open checkpoint */
    size_t nmarks, cap_marks;
    mh_prog *progs;
    size_t nprogs;
    vm_env env;
};

static bool grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    size_t nc = *cap ? *cap * 2 : 16;
    while (nc < need)
        nc *= 2;
    void *np = realloc(*p, nc * elem);
    if (!np)
        return false;
    *p = np;
    *cap = nc;
    return true;
}

static int keycmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
    size_t m = al < bl ? al : bl;
    int c = m ? memcmp(a, b, m) : 0;
    if (c)
        return c;
    return al < bl ? -1 : al > bl;
}

/* Index of key, or of where it would go (*found false). */
static size_t map_find(const mh_map *m, const uint8_t *key, size_t klen, bool *found)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = keycmp(m->e[mid].key, m->e[mid].klen, key, klen);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

static uint8_t *dup(const uint8_t *p, size_t n)
{
    uint8_t *d = malloc(n ? n : 1);
    if (d && n)
        memcpy(d, p, n);
    return d;
}

/* Set (val != NULL) or delete (val == NULL) without journaling. */
static bool map_set_raw(mh_map *m, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    bool found;
    size_t i = map_find(m, key, klen, &found);
    if (!val) {
        if (found) {
            free(m->e[i].key);
            free(m->e[i].val);
            memmove(&m->e[i], &m->e[i + 1], (m->n - i - 1) * sizeof(mh_entry));
            m->n--;
        }
        return true;
    }
    uint8_t *v = dup(val, vlen);
    if (!v)
        return false;
    if (found) {
        free(m->e[i].val);
        m->e[i].val = v;
        m->e[i].vlen = vlen;
        return true;
    }
    uint8_t *k = dup(key, klen);
    if (!k || !grow((void **)&m->e, &m->cap, m->n + 1, sizeof(mh_entry))) {
        free(k);
        free(v);
        return false;
    }
    memmove(&m->e[i + 1], &m->e[i], (m->n - i) * sizeof(mh_entry));
    m->e[i] = (mh_entry){k, klen, v, vlen};
    m->n++;
    return true;
}

static const mh_entry *map_get(const mh_map *m, const uint8_t *key, size_t klen)
{
    bool found;
    size_t i = map_find(m, key, klen, &found);
    return found ? &m->e[i] : NULL;
}

static void undo_free(mh_undo *u)
{
    free(u->key);
    free(u->old);
}

/* Journal the current state of one entry, then change it. */
static bool map_set(memhost *mh, int map, const uint8_t *key, size_t klen, const uint8_t *val,
                    size_t vlen)
{
    mh_map *m = &mh->maps[map];
    if (mh->nmarks > 0) {
        if (!grow((void **)&mh->undo, &mh->cap_undo, mh->nundo + 1, sizeof(mh_undo)))
            return false;
        const mh_entry *cur = map_get(m, key, klen);
        mh_undo u = {.map = map, .key = dup(key, klen), .klen = klen, .had = cur != NULL};
        if (cur) {
            u.old = dup(cur->val, cur->vlen);
            u.old_len = cur->vlen;
        }
        if (!u.key || (cur && !u.old)) {
            undo_free(&u);
            return false;
        }
        mh->undo[mh->nundo++] = u;
    }
    return map_set_raw(m, key, klen, val, vlen);
}

static void undo_to(memhost *mh, size_t pos)
{
    while (mh->nundo > pos) {
        mh_undo *u = &mh->undo[--mh->nundo];
        if (u->map < 0) {
            while (mh->nevents > u->events)
                free(mh->events[--mh->nevents].data);
        } else {
            /* Restoring an old value re-uses memory just freed: cannot fail
             * in practice, and a failure here would be an abort-worthy bug. */
            map_set_raw(&mh->maps[u->map], u->key, u->klen, u->had ? u->old : NULL, u->old_len);
        }
        undo_free(u);
    }
}

memhost *memhost_new(void)
{
    return calloc(1, sizeof(memhost));
}

void memhost_free(memhost *mh)
{
    if (!mh)
        return;
    undo_to(mh, 0);
    free(mh->undo);
    free(mh->marks);
    for (int i = 0; i < MAP__COUNT; i++) {
        for (size_t j = 0; j < mh->maps[i].n; j++) {
            free(mh->maps[i].e[j].key);
            free(mh->maps[i].e[j].val);
        }
        free(mh->maps[i].e);
    }
    for (size_t i = 0; i < mh->nevents; i++)
        free(mh->events[i].data);
    free(mh->events);
    for (size_t i = 0; i < mh->nprogs; i++)
        vm_program_free(&mh->progs[i].prog);
    free(mh->progs);
    free(mh);
}

/* ---- keys ---- */

#define BAL_KEY_LEN (VM_ID_LEN + 1 + VM_ID_LEN + 4)

static void bal_key(uint8_t k[BAL_KEY_LEN], const uint8_t asset[VM_ID_LEN], const vm_holder *h,
                    const uint8_t owner[VM_ID_LEN])
{
    memset(k, 0, BAL_KEY_LEN);
    memcpy(k, asset, VM_ID_LEN);
    k[VM_ID_LEN] = h->kind;
    uint8_t *o = k + VM_ID_LEN + 1;
    switch (h->kind) {
    case VM_HOLDER_PROGRAM:
    case VM_HOLDER_ACCOUNT:
        memcpy(o, h->id, VM_ID_LEN);
        break;
    case VM_HOLDER_BOX:
        memcpy(o, owner, VM_ID_LEN);
        o[32] = (uint8_t)(h->box >> 24);
        o[33] = (uint8_t)(h->box >> 16);
        o[34] = (uint8_t)(h->box >> 8);
        o[35] = (uint8_t)h->box;
        break;
    default:
        break; /* INPUT: one pool */
    }
}

static vm_u128 be_to_u128(const uint8_t *p, size_t n)
{
    vm_u128 v = smn_amount_zero();
    for (size_t i = 0; i < n; i++)
        v = smn_amount_or(smn_amount_shl(v, 8), smn_amount_from_u64(p[i]));
    return v;
}

static void u128_to_be(vm_u128 v, uint8_t out[16])
{
    smn_amount_to_be(v, out);
}

uint32_t memhost_box_count(const memhost *mh, const uint8_t program[VM_ID_LEN])
{
    const mh_entry *e = map_get(&mh->maps[MAP_BOXES], program, VM_ID_LEN);
    return e ? (uint32_t)smn_amount_lo64(be_to_u128(e->val, 4)) : 0;
}

static bool box_exists(const memhost *mh, const vm_holder *h, const uint8_t owner[VM_ID_LEN])
{
    return h->kind != VM_HOLDER_BOX || h->box < memhost_box_count(mh, owner);
}

vm_u128 memhost_balance(const memhost *mh, const uint8_t asset[VM_ID_LEN], const vm_holder *h,
                        const uint8_t owner[VM_ID_LEN])
{
    uint8_t k[BAL_KEY_LEN];
    bal_key(k, asset, h, owner);
    const mh_entry *e = map_get(&mh->maps[MAP_BALANCE], k, sizeof k);
    return e ? be_to_u128(e->val, 16) : smn_amount_zero();
}

static bool set_balance(memhost *mh, const uint8_t asset[VM_ID_LEN], const vm_holder *h,
                        const uint8_t owner[VM_ID_LEN], vm_u128 v)
{
    uint8_t k[BAL_KEY_LEN], b[16];
    bal_key(k, asset, h, owner);
    u128_to_be(v, b);
    /* Zero balances are removed so the map stays canonical. */
    return map_set(mh, MAP_BALANCE, k, sizeof k, !smn_amount_is_zero(v) ? b : NULL, 16);
}

bool memhost_credit(memhost *mh, const uint8_t asset[VM_ID_LEN], const vm_holder *h,
                    const uint8_t owner[VM_ID_LEN], vm_u128 amount)
{
    if (!box_exists(mh, h, owner))
        return false;
    vm_u128 cur = memhost_balance(mh, asset, h, owner), sum;
    if (!smn_amount_add(cur, amount, &sum))
        return false;
    return set_balance(mh, asset, h, owner, sum);
}

static size_t storage_key(uint8_t *k, const uint8_t program[VM_ID_LEN], const uint8_t *key,
                          size_t klen)
{
    memcpy(k, program, VM_ID_LEN);
    if (klen)
        memcpy(k + VM_ID_LEN, key, klen);
    return VM_ID_LEN + klen;
}

bool memhost_storage(const memhost *mh, const uint8_t program[VM_ID_LEN], const uint8_t *key,
                     size_t key_len, const uint8_t **val, size_t *val_len)
{
    if (key_len > VM_STORAGE_KEY_MAX)
        return false;
    uint8_t k[VM_ID_LEN + VM_STORAGE_KEY_MAX];
    size_t kl = storage_key(k, program, key, key_len);
    const mh_entry *e = map_get(&mh->maps[MAP_STORAGE], k, kl);
    if (!e)
        return false;
    *val = e->val;
    *val_len = e->vlen;
    return true;
}

size_t memhost_storage_count(const memhost *mh)
{
    return mh->maps[MAP_STORAGE].n;
}

size_t memhost_event_count(const memhost *mh)
{
    return mh->nevents;
}

const memhost_event *memhost_event_at(const memhost *mh, size_t i)
{
    return i < mh->nevents ? &mh->events[i] : NULL;
}

/* ---- the host callbacks (ctx is a memhost_frame) ---- */

static vm_host_status h_storage_get(void *ctx, const uint8_t *key, size_t key_len, uint8_t *out,
                                    size_t out_cap, size_t *out_len)
{
    memhost_frame *fr = ctx;
    const uint8_t *v;
    size_t vl;
    if (!memhost_storage(fr->mh, fr->env.program, key, key_len, &v, &vl))
        return VM_HOST_NOT_FOUND;
    memcpy(out, v, vl < out_cap ? vl : out_cap);
    *out_len = vl;
    return VM_HOST_OK;
}

static vm_host_status h_storage_put(void *ctx, const uint8_t *key, size_t key_len,
                                    const uint8_t *val, size_t val_len)
{
    memhost_frame *fr = ctx;
    if (key_len > VM_STORAGE_KEY_MAX || val_len > VM_STORAGE_VALUE_MAX)
        return VM_HOST_LIMIT;
    uint8_t k[VM_ID_LEN + VM_STORAGE_KEY_MAX];
    size_t kl = storage_key(k, fr->env.program, key, key_len);
    static const uint8_t empty[1] = {0};
    return map_set(fr->mh, MAP_STORAGE, k, kl, val_len ? val : empty, val_len) ? VM_HOST_OK
                                                                               : VM_HOST_ERROR;
}

static vm_host_status h_storage_del(void *ctx, const uint8_t *key, size_t key_len)
{
    memhost_frame *fr = ctx;
    if (key_len > VM_STORAGE_KEY_MAX)
        return VM_HOST_LIMIT;
    uint8_t k[VM_ID_LEN + VM_STORAGE_KEY_MAX];
    size_t kl = storage_key(k, fr->env.program, key, key_len);
    if (!map_get(&fr->mh->maps[MAP_STORAGE], k, kl))
        return VM_HOST_NOT_FOUND;
    return map_set(fr->mh, MAP_STORAGE, k, kl, NULL, 0) ? VM_HOST_OK : VM_HOST_ERROR;
}

static vm_host_status h_balance_get(void *ctx, const uint8_t asset[VM_ID_LEN], const vm_holder *h,
                                    vm_u128 *out)
{
    memhost_frame *fr = ctx;
    if (!box_exists(fr->mh, h, fr->env.program))
        return VM_HOST_NOT_FOUND;
    *out = memhost_balance(fr->mh, asset, h, fr->env.program);
    return VM_HOST_OK;
}

static vm_host_status h_transfer(void *ctx, const uint8_t asset[VM_ID_LEN], const vm_holder *from,
                                 const vm_holder *to, vm_u128 amount)
{
    memhost_frame *fr = ctx;
    memhost *mh = fr->mh;
    const uint8_t *self = fr->env.program;
    bool may_debit = from->kind == VM_HOLDER_BOX || from->kind == VM_HOLDER_INPUT ||
                     (from->kind == VM_HOLDER_PROGRAM && memcmp(from->id, self, VM_ID_LEN) == 0);
    if (!may_debit)
        return VM_HOST_DENIED;
    if (!box_exists(mh, from, self) || !box_exists(mh, to, self))
        return VM_HOST_NOT_FOUND;
    vm_u128 fb = memhost_balance(mh, asset, from, self);
    if (smn_amount_lt(fb, amount))
        return VM_HOST_INSUFFICIENT;
    uint8_t kf[BAL_KEY_LEN], kt[BAL_KEY_LEN];
    bal_key(kf, asset, from, self);
    bal_key(kt, asset, to, self);
    if (memcmp(kf, kt, BAL_KEY_LEN) == 0)
        return VM_HOST_OK; /* to itself: nothing moves */
    vm_u128 tb = memhost_balance(mh, asset, to, self), sum;
    if (!smn_amount_add(tb, amount, &sum))
        return VM_HOST_INSUFFICIENT;
    if (!set_balance(mh, asset, from, self, smn_amount_sub_wrap(fb, amount)) ||
        !set_balance(mh, asset, to, self, sum))
        return VM_HOST_ERROR;
    return VM_HOST_OK;
}

#define MEMHOST_MAX_BOXES 1024

static vm_host_status h_box_create(void *ctx, uint32_t *box)
{
    memhost_frame *fr = ctx;
    uint32_t n = memhost_box_count(fr->mh, fr->env.program);
    if (n >= MEMHOST_MAX_BOXES)
        return VM_HOST_LIMIT;
    uint8_t v[4] = {(uint8_t)((n + 1) >> 24), (uint8_t)((n + 1) >> 16), (uint8_t)((n + 1) >> 8),
                    (uint8_t)(n + 1)};
    if (!map_set(fr->mh, MAP_BOXES, fr->env.program, VM_ID_LEN, v, 4))
        return VM_HOST_ERROR;
    *box = n;
    return VM_HOST_OK;
}

#define MEMHOST_MAX_EVENTS 100000

static vm_host_status h_emit(void *ctx, uint64_t topic, const uint8_t *data, size_t len)
{
    memhost_frame *fr = ctx;
    memhost *mh = fr->mh;
    if (mh->nevents >= MEMHOST_MAX_EVENTS)
        return VM_HOST_LIMIT;
    if (!grow((void **)&mh->events, &mh->cap_events, mh->nevents + 1, sizeof(memhost_event)))
        return VM_HOST_ERROR;
    if (mh->nmarks > 0) {
        if (!grow((void **)&mh->undo, &mh->cap_undo, mh->nundo + 1, sizeof(mh_undo)))
            return VM_HOST_ERROR;
        mh->undo[mh->nundo++] = (mh_undo){.map = -1, .events = mh->nevents};
    }
    memhost_event *e = &mh->events[mh->nevents];
    memcpy(e->program, fr->env.program, VM_ID_LEN);
    e->topic = topic;
    e->len = len;
    e->data = dup(data, len);
    if (!e->data)
        return VM_HOST_ERROR;
    mh->nevents++;
    return VM_HOST_OK;
}

static vm_host_status h_get_env(void *ctx, vm_env *out)
{
    memhost_frame *fr = ctx;
    *out = fr->env;
    return VM_HOST_OK;
}

static const mh_prog *find_prog(const memhost *mh, const uint8_t id[VM_ID_LEN])
{
    for (size_t i = 0; i < mh->nprogs; i++)
        if (memcmp(mh->progs[i].id, id, VM_ID_LEN) == 0)
            return &mh->progs[i];
    return NULL;
}

static vm_host_status h_call(void *ctx, const vm_call_request *req, vm_call_outcome *out);

static vm_host_status h_checkpoint(void *ctx, uint32_t *id)
{
    memhost *mh = ((memhost_frame *)ctx)->mh;
    if (!grow((void **)&mh->marks, &mh->cap_marks, mh->nmarks + 1, sizeof(size_t)))
        return VM_HOST_ERROR;
    mh->marks[mh->nmarks] = mh->nundo;
    *id = (uint32_t)mh->nmarks++;
    return VM_HOST_OK;
}

static vm_host_status h_rollback(void *ctx, uint32_t id)
{
    memhost *mh = ((memhost_frame *)ctx)->mh;
    if (mh->nmarks == 0 || id != mh->nmarks - 1)
        return VM_HOST_ERROR; /* checkpoints nest strictly */
    undo_to(mh, mh->marks[id]);
    mh->nmarks--;
    return VM_HOST_OK;
}

static vm_host_status h_release(void *ctx, uint32_t id)
{
    memhost *mh = ((memhost_frame *)ctx)->mh;
    if (mh->nmarks == 0 || id != mh->nmarks - 1)
        return VM_HOST_ERROR;
    mh->nmarks--;
    if (mh->nmarks == 0) {
        /* Outermost release: the changes are final, drop their undo data. */
        for (size_t i = 0; i < mh->nundo; i++)
            undo_free(&mh->undo[i]);
        mh->nundo = 0;
    }
    return VM_HOST_OK;
}

static const vm_host_ops memhost_ops = {
    .storage_get = h_storage_get,
    .storage_put = h_storage_put,
    .storage_del = h_storage_del,
    .balance_get = h_balance_get,
    .transfer = h_transfer,
    .box_create = h_box_create,
    .emit_event = h_emit,
    .get_env = h_get_env,
    .call = h_call,
    .checkpoint = h_checkpoint,
    .rollback = h_rollback,
    .release = h_release,
};

static vm_host_status h_call(void *ctx, const vm_call_request *req, vm_call_outcome *out)
{
    memhost_frame *fr = ctx;
    const mh_prog *p = find_prog(fr->mh, req->program);
    if (!p)
        return VM_HOST_NOT_FOUND;
    memhost_frame child = {.mh = fr->mh, .env = fr->env};
    memcpy(child.env.program, req->program, VM_ID_LEN);
    memcpy(child.env.caller, fr->env.program, VM_ID_LEN);
    child.env.caller_is_program = true;
    vm_host h = {&memhost_ops, &child};
    vm_run(&p->prog, &h, req, out);
    return VM_HOST_OK;
}

vm_host memhost_host(memhost *mh, memhost_frame *frame, const uint8_t program[VM_ID_LEN])
{
    frame->mh = mh;
    frame->env = mh->env;
    memcpy(frame->env.program, program, VM_ID_LEN);
    return (vm_host){&memhost_ops, frame};
}

vm_verify_status memhost_add_program(memhost *mh, const uint8_t id[VM_ID_LEN], const uint8_t *code,
                                     size_t len, vm_verify_error *err)
{
    vm_program prog;
    vm_verify_status st = vm_program_load(code, len, &prog, err);
    if (st != VM_VERIFY_OK)
        return st;
    mh_prog *old = (mh_prog *)find_prog(mh, id);
    if (old) {
        vm_program_free(&old->prog);
        old->prog = prog;
        return VM_VERIFY_OK;
    }
    mh_prog *np = realloc(mh->progs, (mh->nprogs + 1) * sizeof(mh_prog));
    if (!np) {
        vm_program_free(&prog);
        return VM_VERIFY_NOMEM;
    }
    mh->progs = np;
    memcpy(np[mh->nprogs].id, id, VM_ID_LEN);
    np[mh->nprogs].prog = prog;
    mh->nprogs++;
    return VM_VERIFY_OK;
}

void memhost_set_env(memhost *mh, const vm_env *env)
{
    mh->env = *env;
}

vm_status memhost_call(memhost *mh, const uint8_t program[VM_ID_LEN], const vm_call_request *req,
                       vm_call_outcome *out)
{
    const mh_prog *p = find_prog(mh, program);
    if (!p) {
        memset(out, 0, sizeof *out);
        return out->status = VM_FAULT_NO_METHOD;
    }
    memhost_frame fr;
    vm_host h = memhost_host(mh, &fr, program);
    return vm_run(&p->prog, &h, req, out);
}
