/* Account addresses: "smn_" + 52 base32 chars of the key + 8 of a 5-byte
 * Blake2b checksum (bytes reversed), Nano's alphabet. */
#ifndef SMN_ADDRESS_H
#define SMN_ADDRESS_H

#include <stdint.h>

#define SMN_ADDRESS_LEN 64 /* "smn_" + 60 */
#define SMN_ADDRESS_STRLEN (SMN_ADDRESS_LEN + 1)

typedef enum {
    SMN_ADDRESS_OK = 0,
    SMN_ADDRESS_BAD_PREFIX,
    SMN_ADDRESS_BAD_LENGTH,
    SMN_ADDRESS_BAD_CHAR,
    SMN_ADDRESS_BAD_PADDING, /* the 4 leading bits of the key field are not zero */
    SMN_ADDRESS_BAD_CHECKSUM,
} smn_address_status;

/* out must hold SMN_ADDRESS_STRLEN bytes. */
void smn_address_encode(const uint8_t pub[32], char *out);
/* Checks prefix, length, characters, padding, checksum in that order; pub is
 * written only on SMN_ADDRESS_OK. */
smn_address_status smn_address_decode(const char *s, uint8_t pub[32]);
const char *smn_address_strerror(smn_address_status st);

#endif
