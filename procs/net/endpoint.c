#include "procs/net/endpoint.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static const uint8_t v4_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

int net_endpoint_from_sockaddr(const struct sockaddr *sa, net_endpoint *ep)
{
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        memcpy(ep->addr, v4_prefix, 12);
        memcpy(ep->addr + 12, &in->sin_addr, 4);
        ep->port = ntohs(in->sin_port);
        return 0;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        memcpy(ep->addr, &in6->sin6_addr, 16);
        ep->port = ntohs(in6->sin6_port);
        return 0;
    }
    return -EAFNOSUPPORT;
}

bool net_endpoint_is_v4(const net_endpoint *ep)
{
    return memcmp(ep->addr, v4_prefix, 12) == 0;
}

size_t net_endpoint_to_sockaddr(const net_endpoint *ep, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    if (net_endpoint_is_v4(ep)) {
        struct sockaddr_in *in = (struct sockaddr_in *)ss;
        in->sin_family = AF_INET;
        in->sin_port = htons(ep->port);
        memcpy(&in->sin_addr, ep->addr + 12, 4);
        return sizeof *in;
    }
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(ep->port);
    memcpy(&in6->sin6_addr, ep->addr, 16);
    return sizeof *in6;
}

bool net_endpoint_parse(const char *host, uint16_t port, net_endpoint *ep)
{
    uint8_t v4[4];
    if (inet_pton(AF_INET, host, v4) == 1) {
        memcpy(ep->addr, v4_prefix, 12);
        memcpy(ep->addr + 12, v4, 4);
        ep->port = port;
        return true;
    }
    if (inet_pton(AF_INET6, host, ep->addr) == 1) {
        ep->port = port;
        return true;
    }
    return false;
}

void net_endpoint_format(const net_endpoint *ep, char out[NET_ENDPOINT_STR_BYTES])
{
    char a[INET6_ADDRSTRLEN];
    if (net_endpoint_is_v4(ep)) {
        inet_ntop(AF_INET, ep->addr + 12, a, sizeof a);
        snprintf(out, NET_ENDPOINT_STR_BYTES, "%s:%u", a, (unsigned)ep->port);
    } else {
        inet_ntop(AF_INET6, ep->addr, a, sizeof a);
        snprintf(out, NET_ENDPOINT_STR_BYTES, "[%s]:%u", a, (unsigned)ep->port);
    }
}

bool net_endpoint_is_usable(const net_endpoint *ep)
{
    static const uint8_t zero[16];
    if (ep->port == 0 || memcmp(ep->addr, zero, 16) == 0)
        return false;
    if (net_endpoint_is_v4(ep)) {
        const uint8_t *v4 = ep->addr + 12;
        return !(v4[0] == 0 && v4[1] == 0 && v4[2] == 0 && v4[3] == 0) && (v4[0] & 0xf0) != 0xe0;
    }
    return ep->addr[0] != 0xff;
}

int net_endpoint_cmp(const net_endpoint *a, const net_endpoint *b)
{
    int c = memcmp(a->addr, b->addr, 16);
    if (c)
        return c;
    return (a->port > b->port) - (a->port < b->port);
}

bool net_endpoint_equal(const net_endpoint *a, const net_endpoint *b)
{
    return net_endpoint_cmp(a, b) == 0;
}

void net_endpoint_write(const net_endpoint *ep, uint8_t out[NET_ENDPOINT_WIRE_BYTES])
{
    memcpy(out, ep->addr, 16);
    out[16] = (uint8_t)(ep->port >> 8);
    out[17] = (uint8_t)ep->port;
}

void net_endpoint_read(const uint8_t in[NET_ENDPOINT_WIRE_BYTES], net_endpoint *ep)
{
    memcpy(ep->addr, in, 16);
    ep->port = (uint16_t)((in[16] << 8) | in[17]);
}
