/* Network parameters: dev, test, live. */
#ifndef SMN_NETWORK_H
#define SMN_NETWORK_H

#include <stdint.h>

#include "common/block.h"

typedef enum { SMN_NET_DEV = 0, SMN_NET_TEST = 1, SMN_NET_LIVE = 2 } smn_network_id;

typedef struct {
    smn_network_id id;
    const char *name;      /* "dev", "test", "live" */
    uint8_t magic[2];      /* first bytes of every peer message */
    uint16_t peering_port; /* default TCP port */
    uint16_t rpc_port;     /* default HTTP RPC port */
    uint16_t ws_port;      /* default WebSocket port (Nano's 7078 analogue) */
    uint64_t work_send;    /* send/change threshold */
    uint64_t work_receive; /* receive/open threshold (lower) */
    smn_block genesis;     /* the signed genesis open block */
} smn_network;

/* NULL for an unknown name. */
const smn_network *smn_network_by_name(const char *name);
/* NULL for an id outside the enum. Thread-safe. */
const smn_network *smn_network_get(smn_network_id id);
/* The published dev genesis private key (only dev has one). */
const uint8_t *smn_network_dev_genesis_key(void);
/* 10,000,000 smn in raw. */
smn_amount_t smn_network_supply(void);

#endif
