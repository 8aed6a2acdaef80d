/* Line protocol over stdin/stdout so ref_converter.py can drive the C codec:
 *   E <hex>            -> chunk texts separated by spaces (or ERR <status>)
 *   D|L <chunk>...     -> strict|lenient decode: OK <hex> or ERR <status>
 *   H <chunk>          -> "<payload length> <chunk count>" or ERR <status>
 *   C <max>            -> digit counts for payload lengths 0..max, one line */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procs/vm/codec/codec.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void put_hex(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        printf("%02x", p[i]);
}

static void encode(const char *hex)
{
    size_t n = strlen(hex) / 2;
    uint8_t *buf = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        buf[i] = (uint8_t)(hexval(hex[2 * i]) << 4 | hexval(hex[2 * i + 1]));
    size_t nc = vm_codec_chunks_for_payload(n);
    vm_chunk *c = malloc((nc + 1) * sizeof *c);
    size_t got = 0;
    vm_codec_status st = vm_codec_encode(buf, n, c, nc, &got);
    if (st != VM_CODEC_OK) {
        printf("ERR %d", (int)st);
    } else {
        for (size_t i = 0; i < got; i++)
            printf("%s%s", i ? " " : "", c[i].text);
    }
    free(c);
    free(buf);
}

/* Copy at most 30 characters; longer tokens are cut (the decoder then sees
 * a malformed chunk, which is what such a token is). */
static void set_text(vm_chunk *c, const char *s)
{
    size_t n = strlen(s);
    if (n > VM_CODEC_CHUNK_CHARS)
        n = VM_CODEC_CHUNK_CHARS;
    memset(c->text, 0, sizeof c->text);
    memcpy(c->text, s, n);
}

static size_t split_chunks(char *line, vm_chunk **out)
{
    size_t cap = 16, n = 0;
    vm_chunk *c = malloc(cap * sizeof *c);
    for (char *tok = strtok(line, " "); tok; tok = strtok(NULL, " ")) {
        if (n == cap)
            c = realloc(c, (cap *= 2) * sizeof *c);
        set_text(&c[n], tok);
        n++;
    }
    *out = c;
    return n;
}

static void decode(char *line, vm_codec_mode mode)
{
    vm_chunk *c;
    size_t n = split_chunks(line, &c);
    uint8_t *out = malloc(VM_CODEC_MAX_PAYLOAD);
    size_t len = 0;
    vm_codec_status st = vm_codec_decode(c, n, mode, out, VM_CODEC_MAX_PAYLOAD, &len);
    if (st == VM_CODEC_OK) {
        printf("OK ");
        put_hex(out, len);
    } else {
        printf("ERR %d", (int)st);
    }
    free(out);
    free(c);
}

int main(void)
{
    static char line[1 << 20];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *arg = line[1] == ' ' ? line + 2 : line + 1;
        switch (line[0]) {
        case 'E':
            encode(arg);
            break;
        case 'D':
            decode(arg, VM_CODEC_STRICT);
            break;
        case 'L':
            decode(arg, VM_CODEC_LENIENT);
            break;
        case 'H': {
            vm_chunk c;
            set_text(&c, arg);
            uint32_t len;
            size_t n;
            vm_codec_status st = vm_codec_read_header(&c, &len, &n);
            if (st == VM_CODEC_OK)
                printf("%u %zu", len, n);
            else
                printf("ERR %d", (int)st);
            break;
        }
        case 'C': {
            unsigned long max = strtoul(arg, NULL, 10);
            for (unsigned long l = 0; l <= max; l++)
                printf("%s%zu", l ? " " : "", vm_codec_digits_for_payload(l));
            break;
        }
        default:
            printf("ERR ?");
            break;
        }
        printf("\n");
        fflush(stdout);
    }
    return 0;
}
