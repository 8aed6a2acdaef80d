/* The bootstrap's hold: pulled chain pages waiting to be handed to the
 * ledger in dependency order. Socket-free and clock-free
 * (tests/bootstrap/test_hold.c).
 *
 * Pulls bring each account's chain a page at a time, oldest first, in
 * whatever order the accounts were asked. A receive whose send is not in
 * our ledger yet would wait in the ledger's `unchecked` (a disk table with
 * a bound) with the rest of its chain behind it. Instead the page waits
 * here, in memory, as one segment per account: boot_hold_take hands out
 * the blocks of ready segments, in chain order, up to the first receive
 * whose source is neither known (in our ledger) nor handed out before it;
 * that segment is blocked on the source until the send is handed out
 * (boot_hold_wake, called for every block handed out and for every block
 * the ledger accepted), so a batch is in an order the ledger applies
 * directly. The hold is bounded (BOOT_HOLD_BLOCKS blocks, BOOT_HOLD_SEGS
 * accounts); when it cannot move (every segment blocked on a source that
 * nothing held or in flight brings) boot_hold_spill releases blocked
 * segments anyway, and their receives wait in the ledger's unchecked. */
#ifndef BOOTSTRAP_HOLD_H
#define BOOTSTRAP_HOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/amount.h"
#include "common/block.h"
#include "procs/bootstrap/sched.h"

#define BOOT_HOLD_BLOCKS 131072u /* blocks held at most (224 bytes each: 28 MiB) */
#define BOOT_HOLD_SEGS 32768u    /* accounts with blocks held at most (a power of two) */

typedef struct {
    bool used;
    bool ready;     /* in the ready ring (not blocked, blocks left) */
    bool blocked;   /* its next block is a receive of need, not known yet */
    bool met;       /* woken: need was handed out, its receive may follow */
    bool force;     /* spilled: handed out without waiting for sources */
    bool more;      /* the page was full: the peer has more above it */
    bool needed;    /* handing it out woke a blocked segment: its chain is in demand */
    uint32_t sends; /* sends among the blocks handed out */
    int peer;       /* who served it */
    uint8_t need[32];
    /* account; hint, hint_height, hint_balance: the last block handed out
     * (the first block left hangs from it) */
    boot_item item;
    smn_block *b;
    uint32_t n, pos;
} boot_seg;

typedef struct {
    boot_seg *segs;       /* BOOT_HOLD_SEGS */
    uint32_t *by_account; /* index + 1 by account, 2 x BOOT_HOLD_SEGS slots, linear probing */
    uint32_t *by_need;    /* index + 1 by the source a blocked segment needs */
    uint32_t *freel;      /* free segment indexes */
    size_t nfree;
    uint32_t *ring; /* ready segment indexes, 2 x BOOT_HOLD_SEGS */
    size_t rhead, rn;
    size_t nsegs, blocks, nblocked;
    size_t sweep; /* the next segment boot_hold_sweep looks at */
} boot_hold;

/* known(ud, hash): the block is in our ledger. done(ud, item, more,
 * needed, funds): a segment was handed out to its end (item carries the
 * new hint; needed: one of its blocks woke a blocked segment, or it held
 * sends only; funds: it held sends only, as a chain opening accounts
 * does, so others wait for this chain alone and its next page should come
 * first, whole). */
typedef struct {
    bool (*known)(void *ud, const uint8_t hash[32]);
    void (*done)(void *ud, const boot_item *item, bool more, bool needed, bool funds);
    void *ud;
} boot_hold_cb;

/* 0, or -ENOMEM. */
int boot_hold_init(boot_hold *h);
void boot_hold_free(boot_hold *h);

/* Blocks that still fit. */
size_t boot_hold_room(const boot_hold *h);
size_t boot_hold_blocks(const boot_hold *h);
size_t boot_hold_accounts(const boot_hold *h);
size_t boot_hold_blocked(const boot_hold *h);
bool boot_hold_has(const boot_hold *h, const uint8_t account[32]);

/* Holds b[0..n) (copied), a page of item->account hanging from item->hint
 * (zero: an open) at item->hint_balance. false: the account is held
 * already, or no room. */
bool boot_hold_add(boot_hold *h, const boot_item *item, const smn_block *b, size_t n, int peer,
                   bool more);

/* Up to max ready blocks into out, in an order the ledger applies (a
 * segment's blocks in chain order, a send before the receive that needs
 * it); peers[i] (if not NULL) is the peer that served out[i]. Returns how
 * many. */
size_t boot_hold_take(boot_hold *h, smn_block *out, int8_t *peers, size_t max,
                      const boot_hold_cb *cb);

/* hash is handed out or in the ledger: the segment blocked on it is ready. */
bool boot_hold_wake(boot_hold *h, const uint8_t hash[32]);

/* Looks at the next max segments (round robin) and wakes those blocked on
 * a source known now. Returns how many woke. */
size_t boot_hold_sweep(boot_hold *h, size_t max, const boot_hold_cb *cb);

/* The source some blocked segment needs (round robin); false if none. */
bool boot_hold_some_need(boot_hold *h, uint8_t out[32]);

/* Releases blocked segments holding about max blocks in all: their blocks
 * are handed out without waiting for sources. Returns the blocks released. */
size_t boot_hold_spill(boot_hold *h, size_t max);

/* Trims blocked segments (round robin) until about max blocks are freed:
 * each keeps only the receive it is blocked on, its tail is freed and it
 * counts as a full page (`more`), so its chain is pulled again from there
 * only once what it still holds was handed out (never while it is held:
 * a pull of a held account would be thrown away). Returns the blocks
 * freed. */
size_t boot_hold_trim_blocked(boot_hold *h, size_t max);

/* Forgets one blocked segment (round robin) to make room: *item gets what
 * it carried (its hint: the last block handed out). false: none blocked. */
bool boot_hold_evict_blocked(boot_hold *h, boot_item *item);

/* Forgets account's segment (its blocks were refused): *item (if not
 * NULL) gets what it carried. false: not held. */
bool boot_hold_drop(boot_hold *h, const uint8_t account[32], boot_item *item);

#endif
