#include "procs/net/service_config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static bool valid_name(const char *h)
{
    size_t n = strlen(h);
    if (n == 0 || n > NET_PEER_HOST_MAX || h[0] == '-' || h[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)h[i]) && h[i] != '-' && h[i] != '.')
            return false;
    return true;
}

static bool parse_port(const char *p, size_t len, uint16_t *out)
{
    if (len == 0 || len > 5)
        return false;
    unsigned v = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (unsigned)(p[i] - '0');
    }
    if (v == 0 || v > 65535)
        return false;
    *out = (uint16_t)v;
    return true;
}

/* One trimmed item [s, s+len). */
static int parse_item(const char *s, size_t len, net_peer_addr *a, char *err, size_t cap)
{
    const char *colon;
    size_t hlen;
    const char *host = s;
    if (len && s[0] == '[') {
        const char *close = memchr(s, ']', len);
        if (!close || close + 1 >= s + len || close[1] != ':') {
            snprintf(err, cap, "[net] peers: '%.*s': expected [ipv6]:port", (int)len, s);
            return -EINVAL;
        }
        host = s + 1;
        hlen = (size_t)(close - host);
        colon = close + 1;
    } else {
        colon = NULL;
        for (size_t i = 0; i < len; i++)
            if (s[i] == ':')
                colon = s + i;
        if (!colon) {
            snprintf(err, cap, "[net] peers: '%.*s' has no port (host:port)", (int)len, s);
            return -EINVAL;
        }
        hlen = (size_t)(colon - s);
        if (memchr(s, ':', hlen)) {
            snprintf(err, cap, "[net] peers: '%.*s': write an IPv6 address as [addr]:port",
                     (int)len, s);
            return -EINVAL;
        }
    }
    if (hlen == 0 || hlen > NET_PEER_HOST_MAX) {
        snprintf(err, cap, "[net] peers: '%.*s': bad host", (int)len, s);
        return -EINVAL;
    }
    memcpy(a->host, host, hlen);
    a->host[hlen] = '\0';
    if (!parse_port(colon + 1, (size_t)(s + len - colon - 1), &a->port)) {
        snprintf(err, cap, "[net] peers: '%.*s': port must be 1..65535", (int)len, s);
        return -EINVAL;
    }
    uint8_t buf[16];
    if (host != s) { /* bracketed: must be IPv6 */
        if (inet_pton(AF_INET6, a->host, buf) != 1) {
            snprintf(err, cap, "[net] peers: '%.*s': not an IPv6 address", (int)len, s);
            return -EINVAL;
        }
        a->numeric = true;
        return 0;
    }
    a->numeric = inet_pton(AF_INET, a->host, buf) == 1;
    if (!a->numeric && !valid_name(a->host)) {
        snprintf(err, cap, "[net] peers: '%.*s': not an address or host name", (int)len, s);
        return -EINVAL;
    }
    return 0;
}

int net_parse_peers(const char *list, net_peer_addr *out, size_t max, size_t *n, char *err,
                    size_t cap)
{
    *n = 0;
    const char *p = list;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *s = p;
        while (len && isspace((unsigned char)s[0])) {
            s++;
            len--;
        }
        while (len && isspace((unsigned char)s[len - 1]))
            len--;
        if (len == 0) {
            if (end || *n) { /* "a,,b" or a trailing comma */
                snprintf(err, cap, "[net] peers: empty item in '%s'", list);
                return -EINVAL;
            }
        } else {
            if (*n >= max) {
                snprintf(err, cap, "[net] peers: more than %zu peers", max);
                return -E2BIG;
            }
            int r = parse_item(s, len, &out[*n], err, cap);
            if (r != 0)
                return r;
            (*n)++;
        }
        if (!end)
            return 0;
        p = end + 1;
    }
}
