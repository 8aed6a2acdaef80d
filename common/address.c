/* Account addresses, Nano's scheme with the "smn_" prefix. */
#include "common/address.h"

#include <sodium.h>
#include <stdbool.h>
#include <string.h>

static const char alphabet[] = "13456789abcdefghijkmnopqrstuwxyz";
#define PREFIX "smn_"
#define PREFIX_LEN 4
#define KEY_CHARS 52
#define CHECK_CHARS 8

static int alphabet_index(char c)
{
    const char *p = c ? strchr(alphabet, c) : NULL;
    return p ? (int)(p - alphabet) : -1;
}

static void checksum(const uint8_t pub[32], uint8_t out[5])
{
    uint8_t h[5];
    crypto_generichash(h, sizeof h, pub, 32, NULL, 0);
    for (int i = 0; i < 5; i++)
        out[i] = h[4 - i];
}

/* Writes nchars base32 characters of the big-endian bit string in[0..nbytes),
 * left-padded with zero bits to a multiple of 5. */
static void base32_encode(const uint8_t *in, size_t nbytes, size_t nchars, char *out)
{
    size_t pad = nchars * 5 - nbytes * 8;
    for (size_t c = 0; c < nchars; c++) {
        unsigned v = 0;
        for (size_t b = 0; b < 5; b++) {
            size_t bit = c * 5 + b; /* position in the padded string */
            unsigned x = 0;
            if (bit >= pad) {
                size_t k = bit - pad;
                x = (in[k / 8] >> (7 - k % 8)) & 1u;
            }
            v = (v << 1) | x;
        }
        out[c] = alphabet[v];
    }
}

/* Inverse of base32_encode; returns false if a padding bit is set.
 * Characters must already be validated. */
static bool base32_decode(const char *in, size_t nchars, uint8_t *out, size_t nbytes)
{
    size_t pad = nchars * 5 - nbytes * 8;
    memset(out, 0, nbytes);
    for (size_t c = 0; c < nchars; c++) {
        unsigned v = (unsigned)alphabet_index(in[c]);
        for (size_t b = 0; b < 5; b++) {
            size_t bit = c * 5 + b;
            unsigned x = (v >> (4 - b)) & 1u;
            if (bit < pad) {
                if (x)
                    return false;
            } else {
                size_t k = bit - pad;
                out[k / 8] |= (uint8_t)(x << (7 - k % 8));
            }
        }
    }
    return true;
}

void smn_address_encode(const uint8_t pub[32], char *out)
{
    uint8_t check[5];
    checksum(pub, check);
    memcpy(out, PREFIX, PREFIX_LEN);
    base32_encode(pub, 32, KEY_CHARS, out + PREFIX_LEN);
    base32_encode(check, 5, CHECK_CHARS, out + PREFIX_LEN + KEY_CHARS);
    out[SMN_ADDRESS_LEN] = '\0';
}

smn_address_status smn_address_decode(const char *s, uint8_t pub[32])
{
    if (!s || strncmp(s, PREFIX, PREFIX_LEN) != 0)
        return SMN_ADDRESS_BAD_PREFIX;
    if (strlen(s) != SMN_ADDRESS_LEN)
        return SMN_ADDRESS_BAD_LENGTH;
    const char *body = s + PREFIX_LEN;
    for (size_t i = 0; i < KEY_CHARS + CHECK_CHARS; i++)
        if (alphabet_index(body[i]) < 0)
            return SMN_ADDRESS_BAD_CHAR;
    uint8_t key[32], check[5], want[5];
    if (!base32_decode(body, KEY_CHARS, key, 32))
        return SMN_ADDRESS_BAD_PADDING;
    /* 8 characters carry exactly 40 bits: no padding to check. */
    base32_decode(body + KEY_CHARS, CHECK_CHARS, check, 5);
    checksum(key, want);
    if (sodium_memcmp(check, want, 5) != 0)
        return SMN_ADDRESS_BAD_CHECKSUM;
    memcpy(pub, key, 32);
    return SMN_ADDRESS_OK;
}

const char *smn_address_strerror(smn_address_status st)
{
    switch (st) {
    case SMN_ADDRESS_OK:
        return "ok";
    case SMN_ADDRESS_BAD_PREFIX:
        return "address does not start with \"smn_\"";
    case SMN_ADDRESS_BAD_LENGTH:
        return "address is not 64 characters long";
    case SMN_ADDRESS_BAD_CHAR:
        return "address has a character outside 13456789abcdefghijkmnopqrstuwxyz";
    case SMN_ADDRESS_BAD_PADDING:
        return "address key field does not start with 4 zero bits (first character must be "
               "1 or 3)";
    case SMN_ADDRESS_BAD_CHECKSUM:
        return "address checksum does not match";
    }
    return "unknown address error";
}
