/* Fixed identities of the NanoVM program layer. */
#include "procs/vm/programs/ids.h"

#include <string.h>

const uint8_t vm_pid_token[VM_PID_LEN] = {'s', 'm', 'n', '.', 't', 'o', 'k', 'e', 'n'};
const uint8_t vm_pid_vsmn[VM_PID_LEN] = {'s', 'm', 'n', '.', 'v', 's', 'm', 'n'};
const uint8_t vm_burn_account[32] = {0};
const uint8_t vm_asset_smn[32] = {0};

void vm_bal_key(const uint8_t asset[32], uint8_t holder_kind, const uint8_t id[32],
                uint8_t out[VM_BAL_KEY_LEN])
{
    memcpy(out, asset, 32);
    out[32] = holder_kind;
    memcpy(out + 33, id, 32);
}

smn_amount_t vm_token_ref(const uint8_t id[32])
{
    return smn_amount_from_be(id);
}

void vm_token_ref_bytes(smn_amount_t ref, uint8_t out[16])
{
    smn_amount_to_be(ref, out);
}

bool vm_pid_has_prefix(const uint8_t id[VM_PID_LEN], const uint8_t prefix[8])
{
    return memcmp(id, prefix, 8) == 0;
}
