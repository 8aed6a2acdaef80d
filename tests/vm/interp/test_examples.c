/* The example programs in docs/vm-examples/, assembled and run against
 * memhost. argv[1] = counter.asm, argv[2] = escrow.asm. */
#include "vmtest.h"

static char *counter_src, *escrow_src;

static const uint8_t SMN_ASSET[VM_ID_LEN] = {0};

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(1 << 16);
    size_t n = buf ? fread(buf, 1, (1 << 16) - 1, f) : 0;
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

static vm_u128 be128(const uint8_t *p)
{
    vm_u128 v = smn_amount_from_u64(0);
    for (int i = 0; i < 16; i++)
        v = smn_amount_or(smn_amount_shl(v, 8), smn_amount_from_u64(p[i]));
    return v;
}

static void test_counter(void **state)
{
    (void)state;
    memhost *mh = t_host(counter_src);
    vm_call_outcome o = t_call(mh, T_PROG, 1, 10000, true, 0, NULL);
    assert_int_equal(o.status, VM_OK);
    assert_u128_equal(o.ret, smn_amount_from_u64(0));
    /* get: call 2 + load (li64 1, st 2, 4 li 4, storage_get 200 + 2 * (5 + 16),
     * li 1, jnz 1 taken, ret 2) + halt 1 */
    assert_int_equal(o.gas_used, 2 + (1 + 2 + 4 + 242 + 1 + 1 + 2) + 1);

    o = t_call(mh, T_PROG, 0, 10000, false, 0, NULL);
    assert_int_equal(o.status, VM_OK);
    assert_u128_equal(o.ret, smn_amount_from_u64(1));
    /* increment: call + load as above (253) + addi 1, st 2, 4 li 4,
     * storage_put 500 + 2 * 21, 3 li 3, emit 200 + 2 * 16, halt 1 */
    assert_int_equal(o.gas_used, 2 + 253 + 1 + 2 + 4 + 542 + 3 + 232 + 1);
    assert_int_equal(o.events, 1);
    assert_int_equal(memhost_event_count(mh), 1);
    const memhost_event *e = memhost_event_at(mh, 0);
    assert_int_equal(e->topic, 1);
    assert_int_equal(e->len, 16);
    assert_u128_equal(be128(e->data), smn_amount_from_u64(1));

    for (int i = 0; i < 2; i++)
        assert_int_equal(t_call(mh, T_PROG, 0, 10000, false, 0, NULL).status, VM_OK);
    o = t_call(mh, T_PROG, 1, 10000, true, 0, NULL);
    assert_u128_equal(o.ret, smn_amount_from_u64(3));
    /* Once the value exists the ld runs: 2 more gas than the first get. */
    assert_int_equal(o.gas_used, 256 + 2);

    /* Not as a view; not with one unit of gas short. */
    o = t_call(mh, T_PROG, 0, 10000, true, 0, NULL);
    assert_int_equal(o.status, VM_FAULT_VIEW_STATE);
    o = t_call(mh, T_PROG, 0, 1042, false, 0, NULL);
    assert_int_equal(o.status, VM_OK);
    o = t_call(mh, T_PROG, 0, 1041, false, 0, NULL);
    assert_int_equal(o.status, VM_FAULT_OUT_OF_GAS);
    const uint8_t *val;
    size_t vlen;
    assert_true(memhost_storage(mh, T_PROG, (const uint8_t *)"count", 5, &val, &vlen));
    assert_int_equal(vlen, 16);
    assert_u128_equal(be128(val), smn_amount_from_u64(4));
    assert_int_equal(memhost_event_count(mh), 4);
    memhost_free(mh);
}

static void set_caller(memhost *mh, const uint8_t who[VM_ID_LEN])
{
    vm_env env;
    memset(&env, 0, sizeof env);
    memcpy(env.caller, who, VM_ID_LEN);
    memhost_set_env(mh, &env);
}

static void test_escrow(void **state)
{
    (void)state;
    uint8_t alice[VM_ID_LEN], bob[VM_ID_LEN];
    for (int i = 0; i < VM_ID_LEN; i++) {
        alice[i] = (uint8_t)(0xA0 + i);
        bob[i] = (uint8_t)(0xB0 ^ (i * 7));
    }
    const vm_holder input = {.kind = VM_HOLDER_INPUT};
    vm_holder bob_acct = {.kind = VM_HOLDER_ACCOUNT}, alice_acct = {.kind = VM_HOLDER_ACCOUNT};
    memcpy(bob_acct.id, bob, VM_ID_LEN);
    memcpy(alice_acct.id, alice, VM_ID_LEN);
    const vm_holder box0 = {.kind = VM_HOLDER_BOX, .box = 0};
    const vm_u128 bob_args[2] = {be128(bob), be128(bob + 16)};
    const vm_u128 alice_args[2] = {be128(alice), be128(alice + 16)};
    const uint64_t G = 100000;

    memhost *mh = t_host(escrow_src);
    set_caller(mh, alice);
    /* Nothing attached: refused, no box made. */
    vm_call_outcome o = t_call(mh, T_PROG, 0, G, false, 2, bob_args);
    assert_int_equal(o.status, VM_FAULT_EXPLICIT);
    assert_int_equal(memhost_box_count(mh, T_PROG), 0);

    assert_true(memhost_credit(mh, SMN_ASSET, &input, NULL, smn_amount_from_u64(1000)));
    o = t_call(mh, T_PROG, 0, G, false, 2, bob_args);
    assert_int_equal(o.status, VM_OK);
    assert_u128_equal(o.ret, smn_amount_from_u64(0));
    assert_true(
        smn_amount_eq(memhost_balance(mh, SMN_ASSET, &input, NULL), smn_amount_from_u64(0)));
    assert_true(
        smn_amount_eq(memhost_balance(mh, SMN_ASSET, &box0, T_PROG), smn_amount_from_u64(1000)));
    assert_int_equal(memhost_event_count(mh), 1);
    assert_int_equal(memhost_event_at(mh, 0)->topic, 1);
    assert_int_equal(memhost_event_at(mh, 0)->len, 20);
    assert_u128_equal(be128(memhost_event_at(mh, 0)->data + 4), smn_amount_from_u64(1000));

    vm_u128 id = smn_amount_from_u64(0);
    o = t_call(mh, T_PROG, 3, G, true, 1, &id);
    assert_u128_equal(o.ret, smn_amount_from_u64(1000));

    /* Only the depositor may release; only the beneficiary may refund. */
    set_caller(mh, bob);
    o = t_call(mh, T_PROG, 1, G, false, 1, &id);
    assert_int_equal(o.status, VM_FAULT_EXPLICIT);
    set_caller(mh, alice);
    o = t_call(mh, T_PROG, 2, G, false, 1, &id);
    assert_int_equal(o.status, VM_FAULT_EXPLICIT);
    assert_true(
        smn_amount_eq(memhost_balance(mh, SMN_ASSET, &box0, T_PROG), smn_amount_from_u64(1000)));

    o = t_call(mh, T_PROG, 1, G, false, 1, &id);
    assert_int_equal(o.status, VM_OK);
    assert_u128_equal(o.ret, smn_amount_from_u64(1000));
    assert_true(
        smn_amount_eq(memhost_balance(mh, SMN_ASSET, &bob_acct, NULL), smn_amount_from_u64(1000)));
    assert_true(
        smn_amount_eq(memhost_balance(mh, SMN_ASSET, &box0, T_PROG), smn_amount_from_u64(0)));
    assert_int_equal(memhost_event_count(mh), 2);
    assert_int_equal(memhost_event_at(mh, 1)->topic, 2);
    /* Closed: a second release fails, held says 0. */
    o = t_call(mh, T_PROG, 1, G, false, 1, &id);
    assert_int_equal(o.status, VM_FAULT_EXPLICIT);
    o = t_call(mh, T_PROG, 3, G, true, 1, &id);
    assert_u128_equal(o.ret, smn_amount_from_u64(0));

    /* Refund path: Alice deposits for Bob, Bob sends it back. */
    assert_true(memhost_credit(mh, SMN_ASSET, &input, NULL, smn_amount_from_u64(500)));
    o = t_call(mh, T_PROG, 0, G, false, 2, bob_args);
    assert_u128_equal(o.ret, smn_amount_from_u64(1));
    id = smn_amount_from_u64(1);
    set_caller(mh, bob);
    o = t_call(mh, T_PROG, 2, G, false, 1, &id);
    assert_int_equal(o.status, VM_OK);
    assert_u128_equal(o.ret, smn_amount_from_u64(500));
    assert_true(
        smn_amount_eq(memhost_balance(mh, SMN_ASSET, &alice_acct, NULL), smn_amount_from_u64(500)));
    assert_int_equal(memhost_event_at(mh, memhost_event_count(mh) - 1)->topic, 3);

    /* A deposit by Bob naming Alice. */
    assert_true(memhost_credit(mh, SMN_ASSET, &input, NULL, smn_amount_from_u64(7)));
    o = t_call(mh, T_PROG, 0, G, false, 2, alice_args);
    assert_u128_equal(o.ret, smn_amount_from_u64(2));
    id = smn_amount_from_u64(2);
    o = t_call(mh, T_PROG, 1, G, false, 1, &id); /* Bob is the depositor: he may release */
    assert_int_equal(o.status, VM_OK);
    assert_true(
        smn_amount_eq(memhost_balance(mh, SMN_ASSET, &alice_acct, NULL), smn_amount_from_u64(507)));

    /* Unknown ids. */
    id = smn_amount_from_u64(5);
    assert_u128_equal(t_call(mh, T_PROG, 3, G, true, 1, &id).ret, smn_amount_from_u64(0));
    id = smn_amount_from_u64((uint64_t)1 << 32); /* would alias box 0 if truncated */
    assert_u128_equal(t_call(mh, T_PROG, 3, G, true, 1, &id).ret, smn_amount_from_u64(0));
    o = t_call(mh, T_PROG, 1, G, false, 1, &id);
    assert_int_equal(o.status, VM_FAULT_EXPLICIT);
    memhost_free(mh);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s counter.asm escrow.asm\n", argv[0]);
        return 2;
    }
    counter_src = slurp(argv[1]);
    escrow_src = slurp(argv[2]);
    if (!counter_src || !escrow_src) {
        fprintf(stderr, "cannot read the examples\n");
        return 2;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counter),
        cmocka_unit_test(test_escrow),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    free(counter_src);
    free(escrow_src);
    return rc;
}
