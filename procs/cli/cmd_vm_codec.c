/* smallnano-cli vm encode <payload-hex> [--raw] | vm decode [--lenient]:
 * the NanoVM amount codec without a node. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/amount.h"
#include "common/hex.h"
#include "procs/cli/cli.h"
#include "procs/vm/codec/codec.h"

static int usage(void)
{
    fprintf(stderr, "usage: smallnano-cli vm encode <payload-hex> [--raw]\n"
                    "       smallnano-cli vm decode [--lenient]   (one chunk per line on stdin)\n");
    return 2;
}

static int cmd_encode(int argc, char **argv)
{
    const char *hex = NULL;
    bool raw = false;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--raw") == 0)
            raw = true;
        else if (strcmp(argv[i], "--json") == 0)
            continue;
        else if (hex || (argv[i][0] == '-' && argv[i][1]))
            return usage();
        else
            hex = argv[i];
    }
    if (!hex)
        return usage();
    size_t hl = strlen(hex);
    if (hl % 2) {
        cli_err("payload hex has an odd number of digits\n");
        return 2;
    }
    size_t n = hl / 2;
    if (n > VM_CODEC_MAX_PAYLOAD) {
        cli_err("%s\n", vm_codec_strerror(VM_CODEC_ERR_PAYLOAD_LIMIT));
        return 2;
    }
    uint8_t *payload = malloc(n ? n : 1);
    size_t nc = vm_codec_chunks_for_payload(n);
    vm_chunk *chunks = malloc(nc * sizeof *chunks);
    int rc = 0;
    if (!payload || !chunks) {
        cli_err("out of memory\n");
        rc = 1;
    } else if (n && !smn_hex_decode(hex, payload, n)) {
        cli_err("payload is not hex\n");
        rc = 2;
    } else {
        size_t got = 0;
        vm_codec_status st = vm_codec_encode(payload, n, chunks, nc, &got);
        if (st != VM_CODEC_OK) {
            cli_err("%s\n", vm_codec_strerror(st));
            rc = 1;
        }
        for (size_t i = 0; st == VM_CODEC_OK && i < got; i++) {
            char buf[SMN_AMOUNT_RAW_STRLEN];
            puts(raw ? smn_amount_format_raw(chunks[i].raw, buf) : chunks[i].text);
        }
    }
    free(chunks);
    free(payload);
    return rc;
}

static int cmd_decode(int argc, char **argv)
{
    vm_codec_mode mode = VM_CODEC_STRICT;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--lenient") == 0)
            mode = VM_CODEC_LENIENT;
        else if (strcmp(argv[i], "--json") != 0)
            return usage();
    }
    size_t in_len = 0;
    char *in = cli_read_stdin(&in_len);
    if (!in) {
        cli_err("cannot read stdin\n");
        return 1;
    }
    size_t cap = 16, n = 0, line_no = 0;
    vm_chunk *chunks = malloc(cap * sizeof *chunks);
    uint8_t *out = malloc(VM_CODEC_MAX_PAYLOAD);
    int rc = 0;
    if (!chunks || !out) {
        cli_err("out of memory\n");
        rc = 1;
    }
    for (char *p = in; rc == 0 && p < in + in_len;) {
        char *end = memchr(p, '\n', (size_t)(in + in_len - p));
        if (!end)
            end = in + in_len;
        line_no++;
        char *a = p, *b = end;
        p = end + 1;
        while (a < b && (*a == ' ' || *a == '\t' || *a == '\r'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r'))
            b--;
        if (a == b)
            continue;
        if (n == cap) {
            vm_chunk *nc = realloc(chunks, 2 * cap * sizeof *chunks);
            if (!nc) {
                cli_err("out of memory\n");
                rc = 1;
                break;
            }
            chunks = nc;
            cap *= 2;
        }
        vm_codec_status st = vm_chunk_parse(a, (size_t)(b - a), mode, &chunks[n]);
        if (st != VM_CODEC_OK) {
            cli_err("line %zu: %s\n", line_no, vm_codec_strerror(st));
            rc = 1;
            break;
        }
        n++;
    }
    if (rc == 0) {
        size_t len = 0;
        vm_codec_status st = vm_codec_decode(chunks, n, mode, out, VM_CODEC_MAX_PAYLOAD, &len);
        if (st != VM_CODEC_OK) {
            cli_err("%s\n", vm_codec_strerror(st));
            rc = 1;
        } else {
            for (size_t i = 0; i < len; i++)
                printf("%02x", out[i]);
            printf("\n");
        }
    }
    free(out);
    free(chunks);
    free(in);
    return rc;
}

int cli_cmd_vm_codec(const cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    if (argc < 2)
        return usage();
    if (strcmp(argv[1], "encode") == 0)
        return cmd_encode(argc, argv);
    if (strcmp(argv[1], "decode") == 0)
        return cmd_decode(argc, argv);
    return usage();
}
