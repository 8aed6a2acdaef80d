#include "procs/elections/rep.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint8_t root[32];
    uint8_t hash[32];
    uint64_t timestamp; /* SMN_VOTE_FINAL once final */
    bool pending;       /* decided, not signed yet (deferred mode) */
} choice;

struct elections_rep {
    smn_keypair kp;
    smn_amount_t weight;
    uint64_t next_ts;
    size_t max, n, cap;
    choice *choices; /* sorted by root */
    bool deferred;
    uint8_t (*pending)[32]; /* roots decided but not signed, in decision order */
    size_t npending, cappending;
};

elections_rep *elections_rep_new(const smn_keypair *kp, smn_amount_t weight, uint64_t ts_base,
                                 size_t max_roots)
{
    if (max_roots == 0)
        return NULL;
    elections_rep *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->kp = *kp;
    r->weight = weight;
    r->next_ts = ts_base ? ts_base : 1;
    if (r->next_ts >= SMN_VOTE_FINAL)
        r->next_ts = SMN_VOTE_FINAL - 1;
    r->max = max_roots;
    return r;
}

void elections_rep_free(elections_rep *r)
{
    if (!r)
        return;
    smn_keypair_wipe(&r->kp);
    free(r->choices);
    free(r->pending);
    free(r);
}

const uint8_t *elections_rep_account(const elections_rep *r)
{
    return r->kp.pub;
}

smn_amount_t elections_rep_weight(const elections_rep *r)
{
    return r->weight;
}

void elections_rep_set_weight(elections_rep *r, smn_amount_t weight)
{
    r->weight = weight;
}

void elections_rep_advance(elections_rep *r, uint64_t now)
{
    if (now >= SMN_VOTE_FINAL)
        now = SMN_VOTE_FINAL - 1;
    if (now > r->next_ts)
        r->next_ts = now;
}

/* The counter stops one below the final marker rather than wrapping. */
static uint64_t take_ts(elections_rep *r)
{
    uint64_t ts = r->next_ts;
    if (r->next_ts < SMN_VOTE_FINAL - 1)
        r->next_ts++;
    return ts;
}

static size_t lb(const elections_rep *r, const uint8_t root[32])
{
    size_t lo = 0, hi = r->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (memcmp(r->choices[mid].root, root, 32) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static choice *find(elections_rep *r, const uint8_t root[32])
{
    size_t i = lb(r, root);
    if (i < r->n && memcmp(r->choices[i].root, root, 32) == 0)
        return &r->choices[i];
    return NULL;
}

static void remove_at(elections_rep *r, size_t i)
{
    memmove(&r->choices[i], &r->choices[i + 1], (r->n - i - 1) * sizeof(choice));
    r->n--;
}

static choice *insert(elections_rep *r, const uint8_t root[32])
{
    if (r->n == r->max) {
        size_t old = 0;
        for (size_t k = 1; k < r->n; k++)
            if (r->choices[k].timestamp < r->choices[old].timestamp)
                old = k;
        remove_at(r, old);
    }
    if (r->n == r->cap) {
        size_t ncap = r->cap ? r->cap * 2 : 16;
        if (ncap > r->max)
            ncap = r->max;
        choice *nc = realloc(r->choices, ncap * sizeof *nc);
        if (!nc)
            return NULL;
        r->choices = nc;
        r->cap = ncap;
    }
    size_t i = lb(r, root);
    memmove(&r->choices[i + 1], &r->choices[i], (r->n - i) * sizeof(choice));
    r->n++;
    memset(&r->choices[i], 0, sizeof(choice));
    memcpy(r->choices[i].root, root, 32);
    return &r->choices[i];
}

static void sign_one(elections_rep *r, const uint8_t hash[32], uint64_t ts, smn_vote *out)
{
    /* One hash, never a duplicate: signing cannot fail. */
    (void)smn_vote_sign(out, &r->kp, ts, (const uint8_t(*)[32])hash, 1);
}

/* The choice c was just made: sign it now, or queue it for the next batch.
 * A queue that cannot grow signs at once instead. */
static elections_rep_status decide(elections_rep *r, choice *c, smn_vote *out)
{
    if (!r->deferred || c->pending) {
        if (c->pending)
            return ELECTIONS_REP_DEFERRED; /* already queued: signed with its new hash */
        sign_one(r, c->hash, c->timestamp, out);
        return ELECTIONS_REP_VOTED;
    }
    if (r->npending == r->cappending) {
        size_t ncap = r->cappending ? r->cappending * 2 : 64;
        uint8_t(*np)[32] = ncap <= r->max ? realloc(r->pending, ncap * 32) : NULL;
        if (!np) {
            sign_one(r, c->hash, c->timestamp, out);
            return ELECTIONS_REP_VOTED;
        }
        r->pending = np;
        r->cappending = ncap;
    }
    memcpy(r->pending[r->npending++], c->root, 32);
    c->pending = true;
    return ELECTIONS_REP_DEFERRED;
}

elections_rep_status elections_rep_vote(elections_rep *r, const uint8_t root[32],
                                        const uint8_t hash[32], smn_vote *out)
{
    if (smn_amount_is_zero(r->weight))
        return ELECTIONS_REP_NO_WEIGHT;
    choice *c = find(r, root);
    if (c) {
        if (c->timestamp == SMN_VOTE_FINAL)
            return ELECTIONS_REP_FINAL_DONE;
        return memcmp(c->hash, hash, 32) == 0 ? ELECTIONS_REP_UNCHANGED : ELECTIONS_REP_DECLINED;
    }
    c = insert(r, root);
    if (!c)
        return ELECTIONS_REP_NOMEM;
    memcpy(c->hash, hash, 32);
    c->timestamp = take_ts(r);
    return decide(r, c, out);
}

elections_rep_status elections_rep_switch(elections_rep *r, const uint8_t root[32],
                                          const uint8_t hash[32], smn_vote *out)
{
    if (smn_amount_is_zero(r->weight))
        return ELECTIONS_REP_NO_WEIGHT;
    choice *c = find(r, root);
    if (c && c->timestamp == SMN_VOTE_FINAL)
        return ELECTIONS_REP_FINAL_DONE;
    if (c && memcmp(c->hash, hash, 32) == 0)
        return ELECTIONS_REP_UNCHANGED;
    if (!c && !(c = insert(r, root)))
        return ELECTIONS_REP_NOMEM;
    memcpy(c->hash, hash, 32);
    c->timestamp = take_ts(r);
    return decide(r, c, out);
}

elections_rep_status elections_rep_final(elections_rep *r, const uint8_t root[32],
                                         const uint8_t hash[32], smn_vote *out)
{
    if (smn_amount_is_zero(r->weight))
        return ELECTIONS_REP_NO_WEIGHT;
    choice *c = find(r, root);
    if (c && c->timestamp == SMN_VOTE_FINAL)
        return ELECTIONS_REP_FINAL_DONE;
    if (!c && !(c = insert(r, root)))
        return ELECTIONS_REP_NOMEM;
    memcpy(c->hash, hash, 32);
    c->timestamp = SMN_VOTE_FINAL;
    return decide(r, c, out);
}

void elections_rep_set_deferred(elections_rep *r, bool deferred)
{
    r->deferred = deferred;
}

size_t elections_rep_pending(const elections_rep *r)
{
    return r->npending;
}

/* Sign one batch: a group of hashes with a timestamp. */
static void sign_group(elections_rep *r, uint64_t ts, uint8_t (*hashes)[32], size_t n,
                       smn_vote *out)
{
    /* distinct roots, so distinct hashes: signing cannot fail */
    (void)smn_vote_sign(out, &r->kp, ts, (const uint8_t(*)[32])hashes, n);
}

size_t elections_rep_take_votes(elections_rep *r, smn_vote *out, size_t max)
{
    if (max < 3)
        return 0;
    uint8_t normal[SMN_VOTE_MAX_HASHES][32], final[SMN_VOTE_MAX_HASHES][32];
    size_t nn = 0, nf = 0, nv = 0, used = 0;
    uint64_t ts = 0;
    while (used < r->npending) {
        choice *c = find(r, r->pending[used]);
        if (!c || !c->pending) { /* forgotten, or signed at once meanwhile */
            used++;
            continue;
        }
        bool fin = c->timestamp == SMN_VOTE_FINAL;
        size_t *cnt = fin ? &nf : &nn;
        if (*cnt == SMN_VOTE_MAX_HASHES) {
            if (nv + 3 > max)
                break; /* keep room for this group and the two partial ones */
            sign_group(r, fin ? SMN_VOTE_FINAL : ts, fin ? final : normal, *cnt, &out[nv++]);
            *cnt = 0;
        }
        if (!fin) {
            if (nn == 0)
                ts = take_ts(r); /* one timestamp per vote, above every earlier one */
            c->timestamp = ts;
            memcpy(normal[nn++], c->hash, 32);
        } else {
            memcpy(final[nf++], c->hash, 32);
        }
        c->pending = false;
        used++;
    }
    if (nn)
        sign_group(r, ts, normal, nn, &out[nv++]);
    if (nf)
        sign_group(r, SMN_VOTE_FINAL, final, nf, &out[nv++]);
    if (used) {
        memmove(r->pending[0], r->pending[used], (r->npending - used) * 32);
        r->npending -= used;
    }
    return nv;
}

elections_rep_status elections_rep_current(elections_rep *r, const uint8_t root[32], smn_vote *out)
{
    if (smn_amount_is_zero(r->weight))
        return ELECTIONS_REP_NO_WEIGHT;
    choice *c = find(r, root);
    if (!c)
        return ELECTIONS_REP_NO_CHOICE;
    sign_one(r, c->hash, c->timestamp, out);
    return ELECTIONS_REP_VOTED;
}

static bool has_hash(const uint8_t (*hashes)[32], size_t n, const uint8_t h[32])
{
    for (size_t i = 0; i < n; i++)
        if (memcmp(hashes[i], h, 32) == 0)
            return true;
    return false;
}

size_t elections_rep_current_many(elections_rep *r, const uint8_t (*roots)[32], size_t n,
                                  smn_vote out[2])
{
    if (smn_amount_is_zero(r->weight))
        return 0;
    uint8_t normal[SMN_VOTE_MAX_HASHES][32], final[SMN_VOTE_MAX_HASHES][32];
    size_t nn = 0, nf = 0, nv = 0;
    uint64_t ts = 0;
    for (size_t i = 0; i < n; i++) {
        const choice *c = find(r, roots[i]);
        if (!c)
            continue;
        if (c->timestamp == SMN_VOTE_FINAL) {
            if (nf < SMN_VOTE_MAX_HASHES && !has_hash((const uint8_t(*)[32]) final, nf, c->hash))
                memcpy(final[nf++], c->hash, 32);
        } else if (nn < SMN_VOTE_MAX_HASHES &&
                   !has_hash((const uint8_t(*)[32])normal, nn, c->hash)) {
            memcpy(normal[nn++], c->hash, 32);
            /* The newest of the choices' timestamps: never above the
             * counter, so a later switch is still newer; for every other
             * root it only restates the choice, with a newer timestamp. */
            if (c->timestamp > ts)
                ts = c->timestamp;
        }
    }
    if (nn)
        sign_group(r, ts, normal, nn, &out[nv++]);
    if (nf)
        sign_group(r, SMN_VOTE_FINAL, final, nf, &out[nv++]);
    return nv;
}

elections_rep_status elections_rep_final_cemented(elections_rep *r, const uint8_t (*hashes)[32],
                                                  size_t n, smn_vote *out)
{
    if (smn_amount_is_zero(r->weight))
        return ELECTIONS_REP_NO_WEIGHT;
    if (smn_vote_sign(out, &r->kp, SMN_VOTE_FINAL, hashes, n) != SMN_VOTE_OK)
        return ELECTIONS_REP_NO_CHOICE; /* bad count or a repeated hash: nothing signed */
    return ELECTIONS_REP_VOTED;
}

void elections_rep_forget(elections_rep *r, const uint8_t root[32], bool keep_final)
{
    size_t i = lb(r, root);
    if (i < r->n && memcmp(r->choices[i].root, root, 32) == 0 &&
        !(keep_final && r->choices[i].timestamp == SMN_VOTE_FINAL))
        remove_at(r, i);
}

size_t elections_rep_roots(const elections_rep *r)
{
    return r->n;
}
