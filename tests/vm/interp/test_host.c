/* Host calls through memhost: storage, balances, boxes, events, env,
 * program-to-program calls, view mode, rollback and the call-depth limit. */
#include "vmtest.h"

static const uint8_t SMN_ASSET[VM_ID_LEN] = {0};
static const uint8_t PROG_B[VM_ID_LEN] = {0xBB, 0x02};

static const char *storage_src = ".method 0 put state\n"
                                 ".method 1 get view\n"
                                 ".method 2 get_short view\n"
                                 ".method 3 del state\n"
                                 "put: li r7, 0x6b6579\n" /* "key" */
                                 "     st r7, r15, 0, 3\n"
                                 "     st r1, r15, 16, 16\n"
                                 "     li r1, 0\n"
                                 "     li r2, 3\n"
                                 "     li r3, 16\n"
                                 "     li r4, 16\n"
                                 "     hcall storage_put\n"
                                 "     halt r0\n"
                                 "get: li r7, 0x6b6579\n"
                                 "     st r7, r15, 0, 3\n"
                                 "     li r1, 0\n"
                                 "     li r2, 3\n"
                                 "     li r3, 16\n"
                                 "     li r4, 16\n"
                                 "     hcall storage_get\n"
                                 "     ld r3, r15, 16, 16\n"
                                 "     halt r3\n"
                                 "get_short: li r7, 0x6b6579\n"
                                 "     st r7, r15, 0, 3\n"
                                 "     li r1, 0\n"
                                 "     li r2, 3\n"
                                 "     li r3, 16\n"
                                 "     li r4, 8\n"
                                 "     hcall storage_get\n"
                                 "     ld r3, r15, 16, 16\n"
                                 "     add r3, r3, r1\n"
                                 "     halt r3\n"
                                 "del: li r7, 0x6b6579\n"
                                 "     st r7, r15, 0, 3\n"
                                 "     li r1, 0\n"
                                 "     li r2, 3\n"
                                 "     hcall storage_del\n"
                                 "     halt r0\n";

static void test_storage(void **state)
{
    (void)state;
    memhost *mh = t_host(storage_src);
    const vm_u128 v = smn_amount_make(0x1122334455667788ull, 0x99AABBCCDDEEFF00ull);

    vm_call_outcome o = t_call(mh, T_PROG, 1, 1000, true, 0, NULL);
    assert_int_equal(o.status, VM_OK);
    assert_u128_equal(o.ret, smn_amount_from_u64(0)); /* absent: nothing copied */

    /* li32 1, st 2, st 2, 4 x li 4, storage_put 500 + 2 * (3 + 16), halt 1 */
    o = t_call(mh, T_PROG, 0, 1000, false, 1, &v);
    assert_int_equal(o.status, VM_OK);
    assert_u128_equal(o.ret, smn_amount_from_u64(VM_HOST_OK));
    assert_int_equal(o.gas_used, 1 + 2 + 2 + 4 + 538 + 1);
    const uint8_t *val;
    size_t vlen;
    assert_true(memhost_storage(mh, T_PROG, (const uint8_t *)"key", 3, &val, &vlen));
    assert_int_equal(vlen, 16);
    assert_int_equal(val[0], 0x11);
    assert_int_equal(val[15], 0x00);

    /* li32 1, st 2, 4 x li 4, storage_get 200 + 2 * (3 + 16), ld 2, halt 1 */
    o = t_call(mh, T_PROG, 1, 1000, true, 0, NULL);
    assert_u128_equal(o.ret, v);
    assert_int_equal(o.gas_used, 1 + 2 + 4 + 238 + 2 + 1);

    /* An 8-byte buffer gets the first 8 bytes; r1 still says 16. */
    o = t_call(mh, T_PROG, 2, 1000, true, 0, NULL);
    assert_u128_equal(o.ret, smn_amount_make(0x1122334455667788ull, 16));

    o = t_call(mh, T_PROG, 3, 1000, false, 0, NULL);
    assert_u128_equal(o.ret, smn_amount_from_u64(VM_HOST_OK));
    o = t_call(mh, T_PROG, 3, 1000, false, 0, NULL);
    assert_u128_equal(o.ret, smn_amount_from_u64(VM_HOST_NOT_FOUND));
    assert_int_equal(memhost_storage_count(mh), 0);
    memhost_free(mh);
}

/* Every mutating host call faults in a view method before costing gas. */
static void test_view_write(void **state)
{
    (void)state;
    const char *mut[] = {"storage_put", "storage_del", "transfer", "box_create", "emit"};
    for (size_t i = 0; i < sizeof mut / sizeof mut[0]; i++) {
        char src[256];
        snprintf(src, sizeof src, ".method 0 m view\nm: nop\nhcall %s\nhalt r0\n", mut[i]);
        vm_call_outcome o = T_RUN0(src, 0, 1000);
        assert_int_equal(o.status, VM_FAULT_VIEW_WRITE);
        assert_int_equal(o.fault_offset, 1);
        assert_int_equal(o.gas_used, 1);
    }
    /* Read-only host calls are fine in a view. */
    const char *ro[] = {"storage_get", "balance", "caller", "self", "block", "account"};
    for (size_t i = 0; i < sizeof ro / sizeof ro[0]; i++) {
        char src[256];
        snprintf(src, sizeof src, ".method 0 m view\nm: li r2, 40\nhcall %s\nhalt r0\n", ro[i]);
        vm_call_outcome o = T_RUN0(src, 0, 1000);
        assert_int_equal(o.status, VM_OK);
    }
}

static void test_host_args(void **state)
{
    (void)state;
    struct {
        const char *body;
        vm_status st;
    } c[] = {
        {"li r2, 65\nhcall storage_get", VM_FAULT_HOST_ARG},
        {"li r2, 65\nhcall storage_put", VM_FAULT_HOST_ARG},
        {"li r2, 65\nhcall storage_del", VM_FAULT_HOST_ARG},
        {"li r4, 1025\nhcall storage_put", VM_FAULT_HOST_ARG},
        {"li r4, 1025\nhcall storage_get", VM_FAULT_HOST_ARG},
        {"li r1, 4090\nli r2, 10\nhcall storage_put", VM_FAULT_MEM_BOUNDS},
        {"li r3, 4090\nli r4, 10\nhcall storage_get", VM_FAULT_MEM_BOUNDS},
        {"li r1, 0x10000000000000000\nhcall emit", VM_FAULT_HOST_ARG},
        {"li r3, 1025\nhcall emit", VM_FAULT_HOST_ARG},
        {"li r2, 4000\nli r3, 200\nhcall emit", VM_FAULT_MEM_BOUNDS},
        {"li r7, 9\nst r7, r15, 100, 1\nli r2, 100\nhcall balance", VM_FAULT_HOST_ARG},
        {"li r2, 4060\nhcall balance", VM_FAULT_MEM_BOUNDS},
        {"li r1, 4065\nhcall balance", VM_FAULT_MEM_BOUNDS},
        {"li r1, 4065\nhcall caller", VM_FAULT_MEM_BOUNDS},
        {"li r7, 7\nst r7, r15, 100, 1\nli r3, 100\nhcall transfer", VM_FAULT_HOST_ARG},
        {"li r2, 256\nhcall call", VM_FAULT_HOST_ARG},
        {"li r4, 6\nhcall call", VM_FAULT_HOST_ARG},
        {"li r3, 4020\nli r4, 5\nhcall call", VM_FAULT_MEM_BOUNDS},
        /* From an account the program does not control: the host says no. */
        {"li r7, 2\nst r7, r15, 100, 1\nli r2, 100\nli r3, 200\nhcall transfer",
         VM_FAULT_HOST_DENIED},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        char src[256];
        snprintf(src, sizeof src, ".method 0 m state\nm: %s\nhalt r0\n", c[i].body);
        vm_call_outcome o = T_RUN0(src, 0, 100000);
        if (o.status != c[i].st)
            fail_msg("case %zu (%s): %s, expected %s", i, c[i].body, vm_status_name(o.status),
                     vm_status_name(c[i].st));
    }
}

/* A fault undoes every effect of the call; success keeps them. */
static void test_rollback(void **state)
{
    (void)state;
    const char *src = ".method 0 ok state\n.method 1 bad state\n.method 2 oog state\n"
                      "ok:  call effects\n halt r0\n"
                      "bad: call effects\n fail\n"
                      "oog: call effects\n l: jmp l\n"
                      "effects: li r7, 0x6b\n st r7, r15, 0, 1\n"
                      " li r1, 0\n li r2, 1\n li r3, 0\n li r4, 1\n hcall storage_put\n"
                      " hcall box_create\n"
                      " li r1, 5\n li r2, 0\n li r3, 4\n hcall emit\n"
                      " li r7, 3\n st r7, r15, 32, 1\n li r7, 1\n st r7, r15, 80, 1\n"
                      " li r1, 200\n li r2, 32\n li r3, 80\n li r4, 250\n hcall transfer\n"
                      " ret\n";
    memhost *mh = t_host(src);
    const vm_holder input = {.kind = VM_HOLDER_INPUT};
    const vm_holder box0 = {.kind = VM_HOLDER_BOX, .box = 0};
    assert_true(memhost_credit(mh, SMN_ASSET, &input, NULL, smn_amount_from_u64(1000)));

    for (uint8_t m = 1; m <= 2; m++) {
        vm_call_outcome o = t_call(mh, T_PROG, m, 5000, false, 0, NULL);
        assert_int_equal(o.status, m == 1 ? VM_FAULT_EXPLICIT : VM_FAULT_OUT_OF_GAS);
        assert_int_equal(o.events, 0);
        assert_int_equal(memhost_storage_count(mh), 0);
        assert_int_equal(memhost_event_count(mh), 0);
        assert_int_equal(memhost_box_count(mh, T_PROG), 0);
        assert_true(
            smn_amount_eq(memhost_balance(mh, SMN_ASSET, &input, NULL), smn_amount_from_u64(1000)));
    }
    vm_call_outcome o = t_call(mh, T_PROG, 0, 5000, false, 0, NULL);
    assert_int_equal(o.status, VM_OK);
    assert_u128_equal(o.ret, smn_amount_from_u64(VM_HOST_OK));
    assert_int_equal(o.events, 1);
    assert_int_equal(memhost_storage_count(mh), 1);
    assert_int_equal(memhost_event_count(mh), 1);
    assert_int_equal(memhost_event_at(mh, 0)->topic, 5);
    assert_int_equal(memhost_event_at(mh, 0)->len, 4);
    assert_int_equal(memhost_box_count(mh, T_PROG), 1);
    assert_true(
        smn_amount_eq(memhost_balance(mh, SMN_ASSET, &input, NULL), smn_amount_from_u64(750)));
    assert_true(
        smn_amount_eq(memhost_balance(mh, SMN_ASSET, &box0, T_PROG), smn_amount_from_u64(250)));
    memhost_free(mh);
}

static const char *boxes_src =
    ".method 0 fill state\n.method 1 peek view\n"
    /* r1 = amount: new box, move r1 from INPUT into it; ret = status << 64 | box balance */
    "fill: mov r10, r1\n hcall box_create\n mov r9, r1\n"
    " li r7, 3\n st r7, r15, 32, 1\n li r7, 1\n st r7, r15, 80, 1\n st r9, r15, 81, 4\n"
    " li r1, 0\n li r2, 32\n li r3, 80\n mov r4, r10\n hcall transfer\n mov r11, r0\n"
    " li r1, 0\n li r2, 80\n hcall balance\n"
    " li r7, 64\n shl r11, r11, r7\n add r0, r11, r1\n halt r0\n"
    /* r1 = box number: ret = status << 64 | balance */
    "peek: li r7, 1\n st r7, r15, 80, 1\n st r1, r15, 81, 4\n"
    " li r1, 0\n li r2, 80\n hcall balance\n mov r11, r0\n"
    " li r7, 64\n shl r11, r11, r7\n add r0, r11, r1\n halt r0\n";

static void test_balances_and_boxes(void **state)
{
    (void)state;
    memhost *mh = t_host(boxes_src);
    const vm_holder input = {.kind = VM_HOLDER_INPUT};
    assert_true(memhost_credit(mh, SMN_ASSET, &input, NULL, smn_amount_from_u64(1000)));

    vm_u128 a = smn_amount_from_u64(400);
    vm_call_outcome o = t_call(mh, T_PROG, 0, 10000, false, 1, &a);
    assert_int_equal(o.status, VM_OK);
    assert_u128_equal(o.ret, smn_amount_from_u64(400));
    a = smn_amount_from_u64(
        2000); /* more than is left: INSUFFICIENT reaches the program, nothing moves */
    o = t_call(mh, T_PROG, 0, 10000, false, 1, &a);
    assert_int_equal(o.status, VM_OK);
    assert_u128_equal(o.ret, smn_amount_make((uint64_t)VM_HOST_INSUFFICIENT << 0, 0));
    assert_int_equal(memhost_box_count(mh, T_PROG), 2);
    assert_true(
        smn_amount_eq(memhost_balance(mh, SMN_ASSET, &input, NULL), smn_amount_from_u64(600)));

    a = smn_amount_from_u64(0);
    o = t_call(mh, T_PROG, 1, 10000, true, 1, &a);
    assert_u128_equal(o.ret, smn_amount_from_u64(400));
    a = smn_amount_from_u64(1);
    o = t_call(mh, T_PROG, 1, 10000, true, 1, &a);
    assert_u128_equal(o.ret, smn_amount_from_u64(0));
    a = smn_amount_from_u64(7); /* never created */
    o = t_call(mh, T_PROG, 1, 10000, true, 1, &a);
    assert_u128_equal(o.ret, smn_amount_make((uint64_t)VM_HOST_NOT_FOUND << 0, 0));
    memhost_free(mh);
}

static void test_env(void **state)
{
    (void)state;
    const char *src = ".method 0 caller view\n.method 1 height view\n.method 2 amount view\n"
                      ".method 3 self view\n.method 4 account view\n.method 5 block view\n"
                      ".method 6 is_prog view\n"
                      "caller: li r1, 0\n hcall caller\n ld r3, r15, 0, 16\n halt r3\n"
                      "height: li r1, 0\n hcall block\n halt r1\n"
                      "amount: li r1, 0\n hcall block\n halt r2\n"
                      "self: li r1, 0\n hcall self\n ld r3, r15, 0, 16\n halt r3\n"
                      "account: li r1, 0\n hcall account\n ld r3, r15, 16, 16\n halt r3\n"
                      "block: li r1, 0\n hcall block\n ld r3, r15, 0, 16\n halt r3\n"
                      "is_prog: li r1, 0\n hcall caller\n halt r1\n";
    memhost *mh = t_host(src);
    vm_env env;
    memset(&env, 0, sizeof env);
    env.caller[0] = 0xC0;
    env.caller[15] = 0x01;
    env.block_hash[0] = 0xB1;
    env.account[31] = 0x77;
    env.height = 12345;
    env.amount = smn_amount_make((uint64_t)1 << 36, 0);
    memhost_set_env(mh, &env);
    vm_call_outcome o = t_call(mh, T_PROG, 0, 1000, true, 0, NULL);
    assert_u128_equal(o.ret, smn_amount_make((uint64_t)0xC0 << 56, 1));
    assert_int_equal(o.gas_used, 1 + VM_GAS_HC_ENV + 2 + 1);
    assert_u128_equal(t_call(mh, T_PROG, 1, 1000, true, 0, NULL).ret, smn_amount_from_u64(12345));
    assert_u128_equal(t_call(mh, T_PROG, 2, 1000, true, 0, NULL).ret,
                      smn_amount_make((uint64_t)1 << 36, 0));
    assert_u128_equal(t_call(mh, T_PROG, 3, 1000, true, 0, NULL).ret,
                      smn_amount_make(((uint64_t)0xAA << 56) | ((uint64_t)0x01 << 48), 0));
    assert_u128_equal(t_call(mh, T_PROG, 4, 1000, true, 0, NULL).ret, smn_amount_from_u64(0x77));
    assert_u128_equal(t_call(mh, T_PROG, 5, 1000, true, 0, NULL).ret,
                      smn_amount_make((uint64_t)0xB1 << 56, 0));
    assert_u128_equal(t_call(mh, T_PROG, 6, 1000, true, 0, NULL).ret, smn_amount_from_u64(0));
    memhost_free(mh);
}

/* Program A calls B.method r1 with arguments 20 and 22 and gas limit r2;
 * returns B's result, or 1000 + B's status. Own gas: 16 + 700 + 2. */
static const char *caller_src = ".method 0 m state\n.method 5 m view\n.method 6 unknown state\n"
                                "m:  mov r9, r1\n mov r10, r2\n"
                                " li r7, 0xbb020000000000000000000000000000\n"
                                " st r7, r15, 0, 16\n"
                                " li r7, 20\n st r7, r15, 32, 16\n"
                                " li r7, 22\n st r7, r15, 48, 16\n"
                                " li r1, 0\n mov r2, r9\n li r3, 32\n li r4, 2\n mov r5, r10\n"
                                " hcall call\n"
                                " jnz r0, failed\n halt r1\n"
                                "failed: li r7, 1000\n add r0, r0, r7\n halt r0\n"
                                "unknown: li r1, 200\n hcall call\n halt r0\n";
static const char *callee_src =
    ".method 0 sum view\n.method 1 who view\n.method 2 bad state\n.method 3 good state\n"
    ".method 4 spin view\n"
    "sum: add r0, r1, r2\n halt r0\n"
    "who: li r1, 0\n hcall caller\n ld r3, r15, 0, 16\n add r3, r3, r1\n halt r3\n"
    "bad: call effects\n fail\n"
    "good: call effects\n halt r0\n"
    "spin: jmp spin\n"
    "effects: li r1, 0\n li r2, 1\n li r3, 0\n li r4, 1\n hcall storage_put\n"
    " li r1, 9\n hcall emit\n ret\n";

static void test_nested_calls(void **state)
{
    (void)state;
    memhost *mh = t_host(caller_src);
    size_t len;
    uint8_t *code = t_assemble(callee_src, &len);
    assert_int_equal(memhost_add_program(mh, PROG_B, code, len, NULL), VM_VERIFY_OK);
    free(code);
    const uint32_t own = 16 + VM_GAS_HC_CALL + 2; /* ... + jnz, halt */
    const uint32_t own_fail = own + 2;            /* ... + jnz, li, add, halt */

    vm_u128 a[2] = {smn_amount_from_u64(0), smn_amount_from_u64(0)};
    vm_call_outcome o = t_call(mh, T_PROG, 0, 100000, false, 2, a);
    assert_int_equal(o.status, VM_OK);
    assert_u128_equal(o.ret, smn_amount_from_u64(42));
    assert_int_equal(o.gas_used, own + 2);

    /* The callee sees the calling program as its caller. */
    a[0] = smn_amount_from_u64(1);
    o = t_call(mh, T_PROG, 0, 100000, false, 2, a);
    assert_u128_equal(o.ret, smn_amount_make(((uint64_t)0xAA << 56) | ((uint64_t)0x01 << 48), 1));

    /* A failing callee: its effects vanish, the caller carries on. */
    a[0] = smn_amount_from_u64(2);
    o = t_call(mh, T_PROG, 0, 100000, false, 2, a);
    assert_int_equal(o.status, VM_OK);
    assert_u128_equal(o.ret, smn_amount_from_u64(1000 + VM_FAULT_EXPLICIT));
    assert_int_equal(o.events, 0);
    assert_int_equal(memhost_storage_count(mh), 0);
    assert_int_equal(memhost_event_count(mh), 0);

    /* A succeeding callee: its effects and events count for the caller. */
    a[0] = smn_amount_from_u64(3);
    o = t_call(mh, T_PROG, 0, 100000, false, 2, a);
    assert_int_equal(o.status, VM_OK);
    assert_int_equal(o.events, 1);
    assert_int_equal(memhost_storage_count(mh), 1);
    assert_int_equal(memhost_event_count(mh), 1);
    assert_memory_equal(memhost_event_at(mh, 0)->program, PROG_B, VM_ID_LEN);

    /* The gas limit binds the callee; what it burnt is charged to the caller. */
    a[0] = smn_amount_from_u64(4);
    a[1] = smn_amount_from_u64(50);
    o = t_call(mh, T_PROG, 0, 100000, false, 2, a);
    assert_u128_equal(o.ret, smn_amount_from_u64(1000 + VM_FAULT_OUT_OF_GAS));
    assert_int_equal(o.gas_used, own_fail + 50);
    /* Limit 0 gives the callee all that is left: it burns it all and the
     * caller cannot pay for its next instruction (the jnz at 65). */
    a[1] = smn_amount_from_u64(0);
    o = t_call(mh, T_PROG, 0, 5000, false, 2, a);
    assert_int_equal(o.status, VM_FAULT_OUT_OF_GAS);
    assert_int_equal(o.fault_offset, 65);
    assert_int_equal(o.gas_used, 5000);

    /* Unknown method of a known program; unknown program. */
    a[0] = smn_amount_from_u64(9);
    a[1] = smn_amount_from_u64(0);
    o = t_call(mh, T_PROG, 0, 100000, false, 2, a);
    assert_u128_equal(o.ret, smn_amount_from_u64(1000 + VM_FAULT_NO_METHOD));
    assert_int_equal(o.gas_used, own_fail);
    o = t_call(mh, T_PROG, 6, 100000, false, 0, NULL);
    assert_u128_equal(o.ret, smn_amount_from_u64(255));

    /* A view may call views, but a state_changing callee faults. */
    a[0] = smn_amount_from_u64(0);
    o = t_call(mh, T_PROG, 5, 100000, true, 2, a);
    assert_u128_equal(o.ret, smn_amount_from_u64(42));
    a[0] = smn_amount_from_u64(3);
    o = t_call(mh, T_PROG, 5, 100000, true, 2, a);
    assert_u128_equal(o.ret, smn_amount_from_u64(1000 + VM_FAULT_VIEW_STATE));
    memhost_free(mh);
}

/* Each level counts itself in storage and calls itself; level 8 may not
 * call again, faults, and is rolled back: the count stops at 8 (levels
 * 0..7) and the status of the deepest failure comes back up. */
static void test_call_depth(void **state)
{
    (void)state;
    const char *src = ".method 0 m state\n"
                      "m:  li r7, 0x64\n st r7, r15, 0, 1\n"
                      " li r1, 0\n li r2, 1\n li r3, 16\n li r4, 16\n hcall storage_get\n"
                      " ld r6, r15, 16, 16\n addi r6, r6, 1\n st r6, r15, 16, 16\n"
                      " li r1, 0\n li r2, 1\n li r3, 16\n li r4, 16\n hcall storage_put\n"
                      " li r1, 32\n hcall self\n"
                      " li r1, 32\n li r2, 0\n li r3, 0\n li r4, 0\n li r5, 0\n hcall call\n"
                      " jnz r0, nested_failed\n halt r1\n"
                      "nested_failed: halt r0\n";
    memhost *mh = t_host(src);
    vm_call_outcome o = t_call(mh, T_PROG, 0, 1000000, false, 0, NULL);
    assert_int_equal(o.status, VM_OK);
    assert_u128_equal(o.ret, smn_amount_from_u64(VM_FAULT_CALL_DEPTH));
    const uint8_t *val;
    size_t vlen;
    assert_true(memhost_storage(mh, T_PROG, (const uint8_t *)"d", 1, &val, &vlen));
    assert_int_equal(vlen, 16);
    assert_int_equal(val[15], VM_MAX_CALL_DEPTH);

    /* A request already beyond the limit is refused before it starts. */
    vm_program p;
    size_t len;
    uint8_t *code = t_assemble(src, &len);
    assert_int_equal(vm_program_load(code, len, &p, NULL), VM_VERIFY_OK);
    free(code);
    memhost_frame fr;
    vm_host h = memhost_host(mh, &fr, T_PROG);
    vm_call_request req = {.method = 0, .gas_limit = 1000, .depth = VM_MAX_CALL_DEPTH + 1};
    assert_int_equal(vm_run(&p, &h, &req, &o), VM_FAULT_CALL_DEPTH);
    assert_int_equal(o.gas_used, 0);
    vm_program_free(&p);
    memhost_free(mh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_storage),
        cmocka_unit_test(test_view_write),
        cmocka_unit_test(test_host_args),
        cmocka_unit_test(test_rollback),
        cmocka_unit_test(test_balances_and_boxes),
        cmocka_unit_test(test_env),
        cmocka_unit_test(test_nested_calls),
        cmocka_unit_test(test_call_depth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
