/* Online weight: the representatives seen voting within the last `window`
 * ticks, and the sum of their weights. The quorum is taken over
 * max(online weight, minimum): the floor keeps a node that has heard from
 * only a few representatives (just started, or partitioned) from confirming
 * on their say alone. Ticks are logical and advanced by the caller. */
#ifndef ELECTIONS_ONLINE_H
#define ELECTIONS_ONLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/amount.h"

typedef struct elections_online elections_online;

/* max_reps bounds memory: when full, a heavier newcomer displaces the
 * lightest entry. NULL on OOM or max_reps == 0. */
elections_online *elections_online_new(uint64_t window, smn_amount_t minimum, size_t max_reps);
void elections_online_free(elections_online *o);

/* A representative voted at `tick` with `weight` (its latest weight replaces
 * the stored one). Weight 0 is ignored. Returns 0, or -ENOMEM. */
int elections_online_observe(elections_online *o, const uint8_t rep[32], smn_amount_t weight,
                             uint64_t tick);
/* Forget representatives whose last vote is more than `window` ticks before now. */
void elections_online_expire(elections_online *o, uint64_t now);

/* Sum of the tracked weights (saturating). */
smn_amount_t elections_online_weight(const elections_online *o);
/* max(online weight, minimum). */
smn_amount_t elections_online_trended(const elections_online *o);
/* floor(trended * percent / 100), overflow-safe. */
smn_amount_t elections_online_delta(const elections_online *o, uint32_t percent);
size_t elections_online_count(const elections_online *o);
/* The i-th tracked representative (account order) and its weight; false
 * when i >= count. */
bool elections_online_at(const elections_online *o, size_t i, uint8_t rep[32],
                         smn_amount_t *weight);
smn_amount_t elections_online_minimum(const elections_online *o);
void elections_online_set_minimum(elections_online *o, smn_amount_t minimum);

#endif
