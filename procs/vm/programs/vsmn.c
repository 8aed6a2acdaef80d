/* Virtual smn (rule 1): real smn sent to the burn account becomes the same
 * raw amount of vSMN of the sender, on the sender's chain at that send,
 * whether or not the send carries a message. Transfers: asset_ledger.c. */
#include "procs/vm/programs/ids.h"
#include "procs/vm/programs/native.h"

vm_idx_status vm_vsmn_burn(vm_apply_ctx *c, smn_amount_t amount)
{
    bool ok = true;
    vm_idx_status rc = VM_IDX_OK;
    if (!smn_amount_is_zero(amount))
        rc = vm_asset_credit(c, vm_pid_vsmn, vm_asset_smn, c->blk->account, amount, &ok);
    if (rc != VM_IDX_OK)
        return rc;
    vm_wbuf w = {0};
    vm_w_u8(&w, ok ? VM_N_OK : VM_N_OVERFLOW);
    vm_w_bytes(&w, c->blk->account, 32);
    vm_w_u128(&w, amount);
    return vm_event(c, vm_pid_vsmn, 0, "vsmn.mint", 0, w.b, w.n);
}
