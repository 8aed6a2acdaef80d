#include "procs/rpc/wallet_blocks.h"

#include <string.h>

#include "common/work.h"

static wallet_status finish(smn_block *b, const smn_keypair *kp, bool receive_or_open,
                            const wallet_work_opts *w, smn_block *out)
{
    memcpy(b->account, kp->pub, 32);
    smn_block_sign(b, kp);
    if (w->no_work) {
        b->work = 0;
        *out = *b;
        return WALLET_OK;
    }
    uint64_t nonce;
    if (smn_work_generate(smn_block_root(b), smn_work_threshold(w->net, receive_or_open),
                          w->threads, w->cancel, &nonce) != 0)
        return WALLET_ERR_WORK_CANCELLED;
    b->work = nonce; /* work is outside the signed hash */
    *out = *b;
    return WALLET_OK;
}

static bool args_ok(const smn_keypair *kp, const wallet_account_state *st,
                    const wallet_work_opts *w)
{
    return kp && st && w && w->net;
}

wallet_status wallet_build_send(const smn_keypair *kp, const wallet_account_state *st,
                                const uint8_t destination[32], smn_amount_t amount,
                                const wallet_work_opts *w, smn_block *out)
{
    if (!args_ok(kp, st, w) || !destination)
        return WALLET_ERR_BAD_ARGUMENT;
    if (smn_is_zero32(st->frontier))
        return WALLET_ERR_NOT_OPENED;
    if (smn_amount_is_zero(amount))
        return WALLET_ERR_ZERO_AMOUNT;
    smn_block b;
    memset(&b, 0, sizeof b);
    if (!smn_amount_sub(st->balance, amount, &b.balance))
        return WALLET_ERR_INSUFFICIENT_BALANCE;
    memcpy(b.previous, st->frontier, 32);
    memcpy(b.representative, st->representative, 32);
    memcpy(b.link, destination, 32);
    return finish(&b, kp, false, w, out);
}

wallet_status wallet_build_receive(const smn_keypair *kp, const wallet_account_state *st,
                                   const uint8_t source_hash[32], smn_amount_t amount,
                                   const uint8_t open_rep[32], const wallet_work_opts *w,
                                   smn_block *out)
{
    if (!args_ok(kp, st, w) || !source_hash || smn_is_zero32(source_hash))
        return WALLET_ERR_BAD_ARGUMENT;
    if (smn_amount_is_zero(amount))
        return WALLET_ERR_ZERO_AMOUNT;
    smn_block b;
    memset(&b, 0, sizeof b);
    if (smn_is_zero32(st->frontier)) {
        if (!open_rep || smn_is_zero32(open_rep))
            return WALLET_ERR_BAD_ARGUMENT;
        b.balance = amount;
        memcpy(b.representative, open_rep, 32);
    } else {
        if (!smn_amount_add(st->balance, amount, &b.balance))
            return WALLET_ERR_BALANCE_OVERFLOW;
        memcpy(b.previous, st->frontier, 32);
        memcpy(b.representative, st->representative, 32);
    }
    memcpy(b.link, source_hash, 32);
    return finish(&b, kp, true, w, out);
}

wallet_status wallet_build_change(const smn_keypair *kp, const wallet_account_state *st,
                                  const uint8_t representative[32], const wallet_work_opts *w,
                                  smn_block *out)
{
    if (!args_ok(kp, st, w) || !representative || smn_is_zero32(representative))
        return WALLET_ERR_BAD_ARGUMENT;
    if (smn_is_zero32(st->frontier))
        return WALLET_ERR_NOT_OPENED;
    smn_block b;
    memset(&b, 0, sizeof b);
    memcpy(b.previous, st->frontier, 32);
    b.balance = st->balance;
    memcpy(b.representative, representative, 32);
    return finish(&b, kp, false, w, out);
}

wallet_status wallet_sign_send(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                               const uint8_t account[32], const wallet_account_state *st,
                               const uint8_t destination[32], smn_amount_t amount,
                               const wallet_work_opts *w, smn_block *out)
{
    smn_keypair kp;
    wallet_status res = wallet_keypair(ws, id, account, &kp);
    if (res != WALLET_OK)
        return res;
    res = wallet_build_send(&kp, st, destination, amount, w, out);
    smn_keypair_wipe(&kp);
    return res;
}

wallet_status wallet_sign_receive(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                                  const uint8_t account[32], const wallet_account_state *st,
                                  const uint8_t source_hash[32], smn_amount_t amount,
                                  const wallet_work_opts *w, smn_block *out)
{
    uint8_t rep[32];
    wallet_status res = wallet_representative(ws, id, rep);
    if (res != WALLET_OK)
        return res;
    if (smn_is_zero32(rep))
        memcpy(rep, account, 32);
    smn_keypair kp;
    res = wallet_keypair(ws, id, account, &kp);
    if (res != WALLET_OK)
        return res;
    res = wallet_build_receive(&kp, st, source_hash, amount, rep, w, out);
    smn_keypair_wipe(&kp);
    return res;
}

wallet_status wallet_sign_change(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                                 const uint8_t account[32], const wallet_account_state *st,
                                 const uint8_t representative[32], const wallet_work_opts *w,
                                 smn_block *out)
{
    smn_keypair kp;
    wallet_status res = wallet_keypair(ws, id, account, &kp);
    if (res != WALLET_OK)
        return res;
    res = wallet_build_change(&kp, st, representative, w, out);
    smn_keypair_wipe(&kp);
    return res;
}
