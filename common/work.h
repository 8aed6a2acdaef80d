/* Proof of work: value = Blake2b-64(nonce LE || root) read as LE u64. */
#ifndef SMN_WORK_H
#define SMN_WORK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/network.h"

uint64_t smn_work_value(const uint8_t root[32], uint64_t nonce);
bool smn_work_valid(const uint8_t root[32], uint64_t nonce, uint64_t threshold);
/* Threshold for a block subtype on a network. */
uint64_t smn_work_threshold(const smn_network *net, bool receive_or_open);
/* Search with `threads` threads (0 = every core) until a nonce reaches the
 * threshold or *cancel becomes true. Returns 0 and sets *nonce, or
 * -ECANCELED. cancel may be NULL. Each thread searches its own nonce stream
 * from a random start and checks *cancel every 256 hashes. Thread-safe. */
int smn_work_generate(const uint8_t root[32], uint64_t threshold, unsigned threads,
                      atomic_bool *cancel, uint64_t *nonce);
/* "%016" PRIX64 form and its parser (exactly 16 hex digits, either case;
 * false and *nonce untouched otherwise). */
void smn_work_format(uint64_t nonce, char out[17]);
bool smn_work_parse(const char *s, uint64_t *nonce);

#endif
