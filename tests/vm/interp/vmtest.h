/* Shared helpers for the NanoVM interpreter tests (header-only, static). */
#ifndef SMN_TEST_VMTEST_H
#define SMN_TEST_VMTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "procs/vm/interp/asm.h"
#include "procs/vm/interp/interp.h"
#include "procs/vm/interp/memhost.h"

/* Program id used by single-program tests. */
static const uint8_t T_PROG[VM_ID_LEN] = {0xAA, 0x01};

static inline uint8_t *t_assemble(const char *src, size_t *len)
{
    uint8_t *code = NULL;
    vm_asm_error err;
    vm_asm_status st = vm_asm(src, strlen(src), &code, len, &err);
    if (st != VM_ASM_OK)
        fail_msg("assembly failed at line %d: %s\n%s", err.line, err.msg, src);
    return code;
}

/* A memhost with src registered as T_PROG. */
static inline memhost *t_host(const char *src)
{
    memhost *mh = memhost_new();
    assert_non_null(mh);
    size_t len;
    uint8_t *code = t_assemble(src, &len);
    vm_verify_error ve;
    assert_int_equal(memhost_add_program(mh, T_PROG, code, len, &ve), VM_VERIFY_OK);
    free(code);
    return mh;
}

/* Run method of src once on a fresh memhost with args in r1... */
static inline vm_call_outcome t_run_arr(const char *src, uint8_t method, uint64_t gas,
                                        const vm_u128 *args, unsigned nargs)
{
    memhost *mh = t_host(src);
    vm_call_request req;
    memset(&req, 0, sizeof req);
    req.method = method;
    req.gas_limit = gas;
    req.nargs = (uint8_t)nargs;
    for (unsigned i = 0; i < nargs; i++)
        req.args[i] = args[i];
    vm_call_outcome out;
    memhost_call(mh, T_PROG, &req, &out);
    memhost_free(mh);
    return out;
}
/* The same with 64-bit arguments (T_RUN's literals). */
static inline vm_call_outcome t_run_u64(const char *src, uint8_t method, uint64_t gas,
                                        const uint64_t *args, unsigned nargs)
{
    vm_u128 a[VM_MAX_ARGS];
    for (unsigned i = 0; i < nargs && i < VM_MAX_ARGS; i++)
        a[i] = smn_amount_from_u64(args[i]);
    return t_run_arr(src, method, gas, a, nargs);
}
#define T_RUN0(src, method, gas) t_run_arr((src), (method), (gas), NULL, 0)
#define T_RUN(src, method, gas, ...)                                                               \
    t_run_u64((src), (method), (gas), (const uint64_t[]){__VA_ARGS__},                             \
              (unsigned)(sizeof((const uint64_t[]){__VA_ARGS__}) / sizeof(uint64_t)))

static inline vm_call_outcome t_call(memhost *mh, const uint8_t *prog, uint8_t method, uint64_t gas,
                                     bool view, unsigned nargs, const vm_u128 *args)
{
    vm_call_request req;
    memset(&req, 0, sizeof req);
    req.method = method;
    req.gas_limit = gas;
    req.view = view;
    req.nargs = (uint8_t)nargs;
    for (unsigned i = 0; i < nargs; i++)
        req.args[i] = args[i];
    vm_call_outcome out;
    memhost_call(mh, prog, &req, &out);
    return out;
}

/* A vm_u128 constant, usable in static initializers. */
#define T_U128(h, l)                                                                               \
    {                                                                                              \
        .hi = (h), .lo = (l)                                                                       \
    }
#define T_64(v) T_U128(0, (v))

#define assert_u128_equal(a, b)                                                                    \
    do {                                                                                           \
        vm_u128 _a = (a), _b = (b);                                                                \
        if (!smn_amount_eq(_a, _b))                                                                \
            fail_msg(                                                                              \
                "u128 mismatch: 0x%016llx%016llx != 0x%016llx%016llx",                             \
                (unsigned long long)smn_amount_hi64(_a), (unsigned long long)smn_amount_lo64(_a),  \
                (unsigned long long)smn_amount_hi64(_b), (unsigned long long)smn_amount_lo64(_b)); \
    } while (0)

#endif
