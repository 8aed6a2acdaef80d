/* Peer endpoints: an IPv6 address (IPv4 as ::ffff:a.b.c.d) and a TCP port,
 * the form keepalive carries and the peer table keys on. */
#ifndef NET_ENDPOINT_H
#define NET_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sockaddr;
struct sockaddr_storage;

#define NET_ENDPOINT_WIRE_BYTES 18 /* address[16] || port u16 BE */
/* "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535" plus NUL fits. */
#define NET_ENDPOINT_STR_BYTES 56

typedef struct {
    uint8_t addr[16]; /* IPv6, network byte order; IPv4 is mapped */
    uint16_t port;    /* host byte order */
} net_endpoint;

/* Fill ep from an AF_INET or AF_INET6 socket address; -EAFNOSUPPORT for
 * any other family, 0 on success. */
int net_endpoint_from_sockaddr(const struct sockaddr *sa, net_endpoint *ep);
/* The socket address to connect to: AF_INET for a mapped IPv4 address,
 * AF_INET6 otherwise. Returns its length. */
size_t net_endpoint_to_sockaddr(const net_endpoint *ep, struct sockaddr_storage *ss);
/* Parse a numeric IPv4 or IPv6 address (no brackets) and a port; false on
 * anything else (names are not resolved here). */
bool net_endpoint_parse(const char *host, uint16_t port, net_endpoint *ep);
/* "1.2.3.4:7075" for mapped IPv4, "[::1]:7075" otherwise. */
void net_endpoint_format(const net_endpoint *ep, char out[NET_ENDPOINT_STR_BYTES]);
bool net_endpoint_is_v4(const net_endpoint *ep);
/* Not worth dialling: port 0, the unspecified address (:: or 0.0.0.0) or a
 * multicast address. Loopback counts as usable (devnets run on one host). */
bool net_endpoint_is_usable(const net_endpoint *ep);
/* Total order: address bytes, then port. */
int net_endpoint_cmp(const net_endpoint *a, const net_endpoint *b);
bool net_endpoint_equal(const net_endpoint *a, const net_endpoint *b);

void net_endpoint_write(const net_endpoint *ep, uint8_t out[NET_ENDPOINT_WIRE_BYTES]);
void net_endpoint_read(const uint8_t in[NET_ENDPOINT_WIRE_BYTES], net_endpoint *ep);

#endif
