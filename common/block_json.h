/* JSON form of a state block with Nano's field names (jansson). */
#ifndef SMN_BLOCK_JSON_H
#define SMN_BLOCK_JSON_H

#include <jansson.h>

#include "common/block.h"

/* New reference {"type":"state","account":"smn_...","previous":HEX,
 * "representative":"smn_...","balance":"<raw>","link":HEX,
 * "link_as_account":"smn_...","signature":HEX,"work":"<16 hex>"}; hex upper case. */
json_t *smn_block_to_json(const smn_block *b);
/* Parse; 0 on success. On failure returns -1, leaves *b untouched and writes
 * a one-line reason naming the field into err (truncated to errlen; err may
 * be NULL). Hex is accepted in either case; every field is required except
 * "link_as_account", which, if present, must be an address equal to link.
 * Unknown extra fields are ignored. NULL result from to_json = out of memory. */
int smn_block_from_json(const json_t *j, smn_block *b, char *err, size_t errlen);

#endif
