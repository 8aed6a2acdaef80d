/* Fuzz target: [net] peers parsing (procs/net/service_config.h). Any text
 * must parse or be rejected with a message; every accepted entry has a
 * non-empty host within bounds and a port in 1..65535, and writing the
 * entries back out parses to the same entries. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procs/net/service_config.h"

#define MAX 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static net_peer_addr a[MAX], b[MAX];
    static char text[4096], again[MAX * (NET_PEER_HOST_MAX + 10)];
    if (size >= sizeof text)
        size = sizeof text - 1;
    memcpy(text, data, size);
    text[size] = '\0';
    size_t n = 0, m = 0;
    char err[512] = "";
    if (net_parse_peers(text, a, MAX, &n, err, sizeof err) != 0) {
        if (!err[0])
            abort(); /* a rejection always says why */
        return 0;
    }
    size_t off = 0;
    again[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t hl = strlen(a[i].host);
        if (hl == 0 || hl > NET_PEER_HOST_MAX || a[i].port == 0)
            abort();
        bool v6 = strchr(a[i].host, ':') != NULL;
        off += (size_t)snprintf(again + off, sizeof again - off, v6 ? "%s[%s]:%u" : "%s%s:%u",
                                i ? "," : "", a[i].host, (unsigned)a[i].port);
    }
    if (net_parse_peers(again, b, MAX, &m, err, sizeof err) != 0 || m != n)
        abort();
    for (size_t i = 0; i < n; i++)
        if (strcmp(a[i].host, b[i].host) != 0 || a[i].port != b[i].port ||
            a[i].numeric != b[i].numeric)
            abort();
    return 0;
}

static const uint8_t *const seed_ptrs[] = {
    (const uint8_t *)"127.0.0.1:17075,[::1]:17075, node.example.org:7075",
    (const uint8_t *)"[fe80::1]:1",
    (const uint8_t *)"a:1,,b:2",
};
static size_t seed_lens[3];

size_t smn_fuzz_seeds(const uint8_t *const **seeds, const size_t **lens)
{
    for (size_t i = 0; i < 3; i++)
        seed_lens[i] = strlen((const char *)seed_ptrs[i]);
    *seeds = seed_ptrs;
    *lens = seed_lens;
    return 3;
}
