/* Hex encoding of fixed-size byte strings. */
#include "common/hex.h"

static const char hex_digits[] = "0123456789ABCDEF";

void smn_hex_encode(const uint8_t *in, size_t len, char *out)
{
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = hex_digits[in[i] >> 4];
        out[2 * i + 1] = hex_digits[in[i] & 0x0f];
    }
    out[2 * len] = '\0';
}

static int hex_nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

bool smn_hex_decode(const char *in, uint8_t *out, size_t len)
{
    if (!in)
        return false;
    /* Validate the whole string before writing, so out is untouched on failure. */
    for (size_t i = 0; i < 2 * len; i++)
        if (hex_nibble(in[i]) < 0)
            return false; /* also catches a NUL before 2*len characters */
    if (in[2 * len] != '\0')
        return false;
    for (size_t i = 0; i < len; i++)
        out[i] = (uint8_t)((hex_nibble(in[2 * i]) << 4) | hex_nibble(in[2 * i + 1]));
    return true;
}
