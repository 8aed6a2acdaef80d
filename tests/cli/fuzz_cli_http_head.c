/* Fuzz target: arbitrary bytes as the head of an HTTP answer to
 * smallnano-cli's RPC client (procs/cli/rpc_client.h). Any verdict is fine;
 * a crash, an out-of-bounds read or a "done" that breaks the decoder's
 * promises is not. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "procs/cli/rpc_client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-size heap copy, so ASan sees any read past the end */
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    if (size)
        memcpy(buf, data, size);
    cli_http_head h;
    char err[128];
    cli_http_head_result r = cli_http_parse_head(buf, size, &h, err, sizeof err);
    if (r == CLI_HTTP_HEAD_DONE) {
        if (h.head_len > size || h.head_len > CLI_HTTP_MAX_HEAD || h.status < 200 ||
            h.status > 599 || (h.has_length && h.content_length > CLI_HTTP_MAX_BODY) ||
            memcmp(buf + h.head_len - 4, "\r\n\r\n", 4) != 0)
            abort();
    } else if (r == CLI_HTTP_HEAD_BAD) {
        if (strlen(err) == 0)
            abort(); /* every refusal says why */
    } else if (r != CLI_HTTP_HEAD_INCOMPLETE || size >= CLI_HTTP_MAX_HEAD) {
        abort();
    }
    free(buf);
    return 0;
}

static const char seed0[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                            "Content-Length: 17\r\nConnection: close\r\n\r\n{\"wallets\":[]}";
static const char seed1[] = "HTTP/1.0 503 Service Unavailable\r\n\r\n";
static const char seed2[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 5\r\nContent-Length:  5 "
                            "\r\nX-A:\r\n\r\n";
static const char seed3[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
static const uint8_t *const seeds[] = {(const uint8_t *)seed0, (const uint8_t *)seed1,
                                       (const uint8_t *)seed2, (const uint8_t *)seed3};
static const size_t lens[] = {sizeof seed0 - 1, sizeof seed1 - 1, sizeof seed2 - 1,
                              sizeof seed3 - 1};

size_t smn_fuzz_seeds(const uint8_t *const **s, const size_t **l)
{
    *s = seeds;
    *l = lens;
    return sizeof seeds / sizeof seeds[0];
}
