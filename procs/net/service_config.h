/* Parsing [net] peers: "host:port,host:port", where host is a numeric IPv4
 * address, a bracketed IPv6 address ("[::1]:17075") or a DNS name.
 * Whitespace around items is ignored; an empty list is fine. Pure. */
#ifndef NET_SERVICE_CONFIG_H
#define NET_SERVICE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NET_PEER_HOST_MAX 253 /* the longest DNS name */

typedef struct {
    char host[NET_PEER_HOST_MAX + 1]; /* without brackets */
    uint16_t port;                    /* 1..65535 */
    bool numeric;                     /* host is an IP address (no lookup needed) */
} net_peer_addr;

/* 0 and *n entries, or -EINVAL with err (cap bytes) naming the bad item, or
 * -E2BIG when there are more than max items. */
int net_parse_peers(const char *list, net_peer_addr *out, size_t max, size_t *n, char *err,
                    size_t cap);

#endif
