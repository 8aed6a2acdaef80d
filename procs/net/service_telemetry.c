/* Telemetry: answer a peer's telemetry_req with this node's signed figures
 * (block counts from ledger.db, net_ledger_ro()), at most once per NET_TELEMETRY_MIN_MS per peer so
 * a peer cannot make us sign in a loop; ask each peer every NET_TELEMETRY_EVERY_MS and keep its
 * block count for `peers`. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "ipc/ledgerdb/ro.h"
#include "procs/net/feed.h"
#include "procs/net/service_internal.h"

#define ACCOUNTS_EVERY_MS 30000u /* a count over the accounts table: not every time */

static uint64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void net_telemetry_fill(net_service *s, net_telemetry *t)
{
    uint64_t now = net_now_ms();
    memset(t, 0, sizeof *t);
    ledger_ro *r = net_ledger_ro(s);
    if (r) {
        ledger_counts c;
        ledger_status st = ledger_ro_counts(r, &c);
        if (st == LEDGER_STATUS_OK) {
            t->block_count = c.blocks;
            t->cemented_count = c.cemented;
        } else {
            net_ledger_ro_failed(s, st); /* closes r: no accounts this time */
            r = NULL;
        }
    }
    if (r) {
        if (!s->has_accounts || now - s->accounts_at_ms >= ACCOUNTS_EVERY_MS) {
            s->has_accounts = ledger_ro_account_count(r, &s->accounts) == LEDGER_STATUS_OK;
            s->accounts_at_ms = now;
        }
        t->account_count = s->has_accounts ? s->accounts : 0;
    }
    t->peer_count = (uint32_t)net_channels_ready_count(s->chans);
    t->protocol_version = NET_PROTOCOL_VERSION;
    t->uptime = (now - s->started_ms) / 1000u;
    smn_block_hash(&s->net->genesis, t->genesis);
    t->timestamp = wall_ms();
    net_telemetry_sign(s->net, t, &s->key);
}

void net_telemetry_answer(net_service *s, net_channel *ch)
{
    net_peer_info *info = net_channel_user(ch);
    uint64_t now = net_now_ms();
    if (!info || (info->tele_answered_ms && now - info->tele_answered_ms < NET_TELEMETRY_MIN_MS))
        return;
    info->tele_answered_ms = now;
    net_message m = {.type = NET_MSG_TELEMETRY_ACK};
    net_telemetry_fill(s, &m.u.telemetry_ack);
    net_channel_send(ch, &m);
}

void net_telemetry_request(net_service *s, net_channel *ch, uint64_t now)
{
    (void)s;
    net_peer_info *info = net_channel_user(ch);
    if (info)
        info->tele_asked_ms = now;
    net_message m = {.type = NET_MSG_TELEMETRY_REQ};
    net_channel_send(ch, &m);
}

void net_telemetry_received(net_service *s, net_channel *ch, const net_telemetry *t)
{
    net_peer_info *info = net_channel_user(ch);
    if (memcmp(t->node_id, net_channel_node_id(ch), 32) != 0 || !net_telemetry_verify(s->net, t)) {
        net_service_misbehaved(s, ch, "sent telemetry it did not sign");
        return;
    }
    uint8_t genesis[32];
    smn_block_hash(&s->net->genesis, genesis);
    if (memcmp(genesis, t->genesis, 32) != 0) {
        net_service_misbehaved(s, ch, "follows another genesis");
        return;
    }
    if (info) {
        info->has_block_count = true;
        info->block_count = t->block_count;
        info->tele = *t;
    }
    char ep[NET_ENDPOINT_STR_BYTES];
    net_endpoint_format(net_channel_endpoint(ch), ep);
    net_feed_telemetry(t, ep);
}
