/* Hex encoding of fixed-size byte strings. */
#ifndef SMN_HEX_H
#define SMN_HEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Upper-case hex of len bytes into out (2*len+1 bytes, NUL-terminated). */
void smn_hex_encode(const uint8_t *in, size_t len, char *out);
/* Decode exactly 2*len hex characters (either case) from a NUL-terminated
 * string; false (out untouched) on any other length or non-hex character. */
bool smn_hex_decode(const char *in, uint8_t *out, size_t len);

#endif
