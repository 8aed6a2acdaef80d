/* One WebSocket client: what the server (server.c) and the process
 * (service.c) both keep about it. */
#ifndef WS_CLIENT_H
#define WS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "procs/ws/cursor.h"
#include "procs/ws/outq.h"
#include "procs/ws/wsmsg.h"

struct lws;
struct ws_vm_sub;

#define WS_CLOSE_REASON_MAX 123 /* RFC 6455: a close frame's payload is at most 125 bytes */

typedef struct ws_client {
    struct lws *wsi;
    uint64_t id; /* for log lines */
    ws_outq q;
    /* a message arriving in fragments */
    char *rx;
    size_t rx_len;
    /* subscriptions */
    bool topics[WS_TOPIC_COUNT];
    ws_conf_sub conf;
    uint64_t conf_sent;   /* the cursor of the last confirmation written out */
    bool conf_live_start; /* subscribed live before the log's head was known */
    struct ws_vm_sub *vm;
    uint64_t vm_sent;
    /* slow consumer: when its queue was last seen full (0: not full) */
    uint64_t full_since_ms;
    bool stepping; /* on the service's list of clients with work to do */
    /* a close requested outside lws's callback, sent on the next writeable */
    bool closing;
    bool close_issued; /* handed to lws (lws_close_reason), which sends it */
    int close_code;
    char close_reason[WS_CLOSE_REASON_MAX + 1];
    struct ws_client *prev, *next;
} ws_client;

#endif
