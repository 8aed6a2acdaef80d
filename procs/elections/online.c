#include "procs/elections/online.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "procs/elections/weight.h"

typedef struct {
    uint8_t rep[32];
    smn_amount_t weight;
    uint64_t last_tick;
} online_rep;

struct elections_online {
    uint64_t window;
    smn_amount_t minimum;
    size_t max, n, cap;
    online_rep *reps; /* sorted by rep */
    smn_amount_t sum; /* exact unless saturated; recomputed on removals */
};

elections_online *elections_online_new(uint64_t window, smn_amount_t minimum, size_t max_reps)
{
    if (max_reps == 0)
        return NULL;
    elections_online *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->window = window;
    o->minimum = minimum;
    o->max = max_reps;
    return o;
}

void elections_online_free(elections_online *o)
{
    if (!o)
        return;
    free(o->reps);
    free(o);
}

static void resum(elections_online *o)
{
    smn_amount_t s = smn_amount_zero();
    for (size_t i = 0; i < o->n; i++)
        s = elections_weight_add_sat(s, o->reps[i].weight);
    o->sum = s;
}

static size_t lb(const elections_online *o, const uint8_t rep[32])
{
    size_t lo = 0, hi = o->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (memcmp(o->reps[mid].rep, rep, 32) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int elections_online_observe(elections_online *o, const uint8_t rep[32], smn_amount_t weight,
                             uint64_t tick)
{
    if (smn_amount_is_zero(weight))
        return 0;
    size_t i = lb(o, rep);
    if (i < o->n && memcmp(o->reps[i].rep, rep, 32) == 0) {
        if (tick > o->reps[i].last_tick)
            o->reps[i].last_tick = tick;
        o->reps[i].weight = weight;
        resum(o);
        return 0;
    }
    if (o->n == o->max) {
        size_t min = 0;
        for (size_t k = 1; k < o->n; k++)
            if (smn_amount_lt(o->reps[k].weight, o->reps[min].weight))
                min = k;
        if (smn_amount_ge(o->reps[min].weight, weight))
            return 0;
        memmove(&o->reps[min], &o->reps[min + 1], (o->n - min - 1) * sizeof(online_rep));
        o->n--;
        i = lb(o, rep);
    }
    if (o->n == o->cap) {
        size_t ncap = o->cap ? o->cap * 2 : 16;
        if (ncap > o->max)
            ncap = o->max;
        online_rep *nr = realloc(o->reps, ncap * sizeof *nr);
        if (!nr)
            return -ENOMEM;
        o->reps = nr;
        o->cap = ncap;
    }
    memmove(&o->reps[i + 1], &o->reps[i], (o->n - i) * sizeof(online_rep));
    memcpy(o->reps[i].rep, rep, 32);
    o->reps[i].weight = weight;
    o->reps[i].last_tick = tick;
    o->n++;
    resum(o);
    return 0;
}

void elections_online_expire(elections_online *o, uint64_t now)
{
    size_t w = 0;
    for (size_t r = 0; r < o->n; r++) {
        const online_rep *e = &o->reps[r];
        bool keep = now < e->last_tick || now - e->last_tick <= o->window;
        if (keep)
            o->reps[w++] = *e;
    }
    if (w != o->n) {
        o->n = w;
        resum(o);
    }
}

smn_amount_t elections_online_weight(const elections_online *o)
{
    return o->sum;
}

smn_amount_t elections_online_trended(const elections_online *o)
{
    return smn_amount_gt(o->sum, o->minimum) ? o->sum : o->minimum;
}

smn_amount_t elections_online_delta(const elections_online *o, uint32_t percent)
{
    return elections_weight_quorum_delta(o->sum, o->minimum, percent);
}

size_t elections_online_count(const elections_online *o)
{
    return o->n;
}

smn_amount_t elections_online_minimum(const elections_online *o)
{
    return o->minimum;
}

void elections_online_set_minimum(elections_online *o, smn_amount_t minimum)
{
    o->minimum = minimum;
}

bool elections_online_at(const elections_online *o, size_t i, uint8_t rep[32], smn_amount_t *weight)
{
    if (i >= o->n)
        return false;
    memcpy(rep, o->reps[i].rep, 32);
    *weight = o->reps[i].weight;
    return true;
}
