/* Fuzz target for the one decoder of WebSocket client messages
 * (procs/ws/wsmsg.h ws_request_parse): any bytes, then the request read
 * back the way the service does. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "procs/ws/wsmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ws_request r;
    char err[200];
    ws_parse_status st = ws_request_parse((const char *)data, size, &r, err, sizeof err);
    if (st == WS_PARSE_OK) {
        ws_accounts a = {0};
        if (ws_accounts_merge(&a, &r.accounts, WS_ACCOUNTS_MAX))
            ws_accounts_remove(&a, &r.accounts_del);
        ws_accounts_free(&a);
        (void)ws_topic_name(r.topic);
        (void)ws_action_name(r.action);
    }
    (void)strlen(err);
    ws_request_free(&r);
    return 0;
}

static const char *const seed_text[] = {
    "{\"action\":\"subscribe\",\"topic\":\"confirmation\",\"ack\":true,\"id\":\"1\",\"options\":"
    "{\"accounts\":[\"smn_1111111111111111111111111111111111111111111111111111hifc8npp\"],"
    "\"include_block\":\"true\",\"confirmation_type\":\"active_quorum\",\"from\":\"7\"}}",
    "{\"action\":\"update\",\"topic\":\"confirmation\",\"options\":{\"accounts_add\":[],"
    "\"accounts_del\":[]}}",
    "{\"action\":\"subscribe\",\"topic\":\"vm\",\"options\":{\"from\":3,\"session\":1,\"type\":"
    "\"token\",\"program\":\"00000000000000000000000000000000000000000000000000000000000000"
    "00\"}}",
    "{\"action\":\"ping\"}",
    "{\"action\":\"unsubscribe\",\"topic\":\"new_unconfirmed_block\"}",
};
#define NSEEDS (sizeof seed_text / sizeof seed_text[0])
static const uint8_t *seeds[NSEEDS];
static size_t lens[NSEEDS];

size_t smn_fuzz_seeds(const uint8_t *const **s, const size_t **l)
{
    for (size_t i = 0; i < NSEEDS; i++) {
        seeds[i] = (const uint8_t *)seed_text[i];
        lens[i] = strlen(seed_text[i]);
    }
    *s = seeds;
    *l = lens;
    return NSEEDS;
}
