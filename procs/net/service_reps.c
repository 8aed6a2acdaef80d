/* The principal-representative table (service_reps.h). */
#include "procs/net/service_reps.h"

#include <stdlib.h>
#include <string.h>

static int cmp_key(const void *a, const void *b)
{
    return memcmp(a, b, 32);
}

void net_reps_init(net_reps *r)
{
    memset(r, 0, sizeof *r);
}

size_t net_reps_set(net_reps *r, const uint8_t (*accounts)[32], size_t n)
{
    if (n > IPC_NET_MAX_REPS)
        n = IPC_NET_MAX_REPS;
    if (n == 0) {
        r->n = 0;
        return 0;
    }
    memcpy(r->keys, accounts, n * 32);
    qsort(r->keys, n, 32, cmp_key);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || memcmp(r->keys[k - 1], r->keys[i], 32) != 0)
            memmove(r->keys[k++], r->keys[i], 32);
    r->n = k;
    return k;
}

size_t net_reps_load(net_reps *r, const ipc_obj *body)
{
    const ipc_obj *arr = body ? ipc_get_array(body, "reps") : NULL;
    if (!arr)
        return r->n;
    uint8_t keys[IPC_NET_MAX_REPS][32];
    size_t n = 0;
    for (size_t i = 0; i < ipc_array_len(arr) && n < IPC_NET_MAX_REPS; i++) {
        const ipc_obj *e = ipc_array_at(arr, i);
        const uint8_t *a;
        size_t len;
        if (e && ipc_get_bin(e, "account", &a, &len) && len == 32)
            memcpy(keys[n++], a, 32);
    }
    return net_reps_set(r, (const uint8_t(*)[32])keys, n);
}

bool net_reps_contains(const net_reps *r, const uint8_t account[32])
{
    return r->n && bsearch(account, r->keys, r->n, 32, cmp_key) != NULL;
}

size_t net_reps_count(const net_reps *r)
{
    return r->n;
}

bool net_reps_admits(const net_reps *r, const uint8_t account[32])
{
    return r->n == 0 || net_reps_contains(r, account);
}
