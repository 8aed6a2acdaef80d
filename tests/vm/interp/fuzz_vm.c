/* Fuzz target: bytes -> verifier -> (if accepted) every method run against
 * memhost with a small gas cap, as a view and as a state call. Inputs with
 * the low bit of the first byte set are first turned into a valid program
 * (structure-aware), the others go to the verifier as they are. The
 * program must never crash, the outcome must be one of the defined
 * statuses, gas must stay within the cap, and a fault must leave memhost's
 * state as it was. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "procs/vm/interp/asm.h"
#include "procs/vm/interp/interp.h"
#include "procs/vm/interp/isa.h"
#include "procs/vm/interp/memhost.h"

#define FUZZ_GAS 20000

static const uint8_t PROG[VM_ID_LEN] = {0xF0};

static void put_be(uint8_t *p, uint64_t v, size_t n)
{
    for (size_t i = n; i-- > 0;) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

/* Structure-aware half: read the input as a list of instruction choices and
 * build bytecode the verifier must accept (operands reduced into range,
 * targets onto instruction starts, a halt at the end), so most inputs reach
 * the interpreter instead of dying in the verifier. Returns the length. */
#define MAX_BUILT 256
static size_t build_program(const uint8_t *d, size_t n, uint8_t *out)
{
    int ids[MAX_BUILT];
    const uint8_t *ops[MAX_BUILT];
    uint32_t offs[MAX_BUILT];
    size_t k = 0, pos = 0;
    uint32_t pc = 0;
    while (k < MAX_BUILT - 1 && pos < n) {
        int id = d[pos] % VM_I__COUNT;
        size_t l = vm_format_len(vm_isa[id].format);
        if (pos + l > n)
            break;
        ids[k] = id;
        ops[k] = d + pos + 1;
        offs[k] = pc;
        pc += (uint32_t)l;
        pos += l;
        k++;
    }
    static const uint8_t halt_ops[1] = {0};
    ids[k] = VM_I_HALT;
    ops[k] = halt_ops;
    offs[k] = pc;
    pc += 2;
    k++;
    uint8_t *o = out;
    memcpy(o, "SVM1\x01\x02", 6);
    /* method 0: state at the first instruction; method 1: view at another */
    uint8_t m1 = n ? d[0] : 0;
    o[6] = 0;
    o[7] = VM_METHOD_STATE;
    put_be(o + 8, 0, 4);
    o[12] = 1;
    o[13] = 0;
    put_be(o + 14, offs[m1 % k], 4);
    put_be(o + 18, pc, 4);
    uint8_t *code = o + 22;
    for (size_t i = 0; i < k; i++) {
        vm_format f = vm_isa[ids[i]].format;
        size_t l = vm_format_len(f);
        uint8_t *c = code + offs[i];
        c[0] = vm_isa[ids[i]].opcode;
        memcpy(c + 1, ops[i], l - 1);
        uint32_t target = offs[(l > 1 ? ops[i][0] : 0) % k];
        switch (f) {
        case VM_F_R:
        case VM_F_RR:
        case VM_F_RRR:
            for (size_t j = 1; j < l; j++)
                c[j] %= VM_NREGS;
            break;
        case VM_F_T:
            put_be(c + 1, target, 4);
            break;
        case VM_F_RT:
            c[1] %= VM_NREGS;
            put_be(c + 2, target, 4);
            break;
        case VM_F_RRT:
            c[1] %= VM_NREGS;
            c[2] %= VM_NREGS;
            put_be(c + 3, target, 4);
            break;
        case VM_F_N:
            c[1] %= VM_HC__COUNT;
            break;
        case VM_F_RI8:
        case VM_F_RI32:
        case VM_F_RI64:
        case VM_F_RI128:
            c[1] %= VM_NREGS;
            break;
        case VM_F_RRI32:
            c[1] %= VM_NREGS;
            c[2] %= VM_NREGS;
            break;
        case VM_F_MEM:
            c[1] %= VM_NREGS;
            c[2] %= VM_NREGS;
            /* mostly small offsets so accesses land inside memory */
            c[3] = (uint8_t)(c[3] % 17);
            c[5] = (uint8_t)(1 + c[5] % 16);
            break;
        case VM_F_NONE:
            break;
        }
    }
    return 22 + pc;
}

static void run_blob(const uint8_t *data, size_t size, bool must_verify);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 0 && (data[0] & 1)) {
        static uint8_t built[22 + MAX_BUILT * 18 + 2];
        size_t n = build_program(data + 1, size - 1, built);
        uint8_t *exact = malloc(n); /* exact size: ASan sees any overread */
        if (!exact)
            return 0;
        memcpy(exact, built, n);
        run_blob(exact, n, true);
        free(exact);
        return 0;
    }
    run_blob(data, size, false);
    return 0;
}

static void run_blob(const uint8_t *data, size_t size, bool must_verify)
{
    vm_program p;
    vm_verify_error err;
    if (vm_program_load(data, size, &p, &err) != VM_VERIFY_OK) {
        if (err.status == VM_VERIFY_OK || must_verify)
            abort(); /* a rejection must say why; built programs are valid */
        return;
    }
    uint32_t nmethods = p.nmethods;
    uint8_t ids[VM_MAX_METHODS];
    for (uint32_t i = 0; i < nmethods; i++)
        ids[i] = p.methods[i].id;
    vm_program_free(&p);

    memhost *mh = memhost_new();
    if (!mh)
        return;
    if (memhost_add_program(mh, PROG, data, size, NULL) != VM_VERIFY_OK)
        abort(); /* the same bytes verified a moment ago */
    static const uint8_t asset[VM_ID_LEN] = {0};
    const vm_holder input = {.kind = VM_HOLDER_INPUT};
    memhost_credit(mh, asset, &input, NULL, smn_amount_from_u64(1000));
    for (uint32_t i = 0; i < nmethods; i++) {
        for (int view = 0; view < 2; view++) {
            vm_call_request req = {.method = ids[i],
                                   .gas_limit = FUZZ_GAS,
                                   .nargs = 2,
                                   .args = {smn_amount_from_u64(size),
                                            smn_amount_shl(smn_amount_from_u64(ids[i]), 100)},
                                   .view = view != 0};
            size_t before_storage = memhost_storage_count(mh);
            size_t before_events = memhost_event_count(mh);
            vm_call_outcome out;
            vm_status st = memhost_call(mh, PROG, &req, &out);
            if (st != out.status || st >= VM_FAULT__COUNT || out.gas_used > FUZZ_GAS)
                abort();
            if (st == VM_FAULT_HOST)
                continue; /* allocation failure inside memhost */
            if (st != VM_OK && (memhost_storage_count(mh) != before_storage ||
                                memhost_event_count(mh) != before_events || out.events != 0 ||
                                !smn_amount_is_zero(out.ret)))
                abort();
            if (view && (memhost_storage_count(mh) != before_storage ||
                         memhost_event_count(mh) != before_events))
                abort();
        }
    }
    memhost_free(mh);
}

/* Seeds: small valid programs touching loops, memory, host calls and
 * self-calls, so mutations land near interesting code. */
static const char *seed_src[] = {
    ".method 0 m state\nm: li r3, 0\nl: addi r3, r3, 1\njlt r3, r1, l\nhalt r3\n",
    ".method 0 m state\n.method 1 v view\nm: st r1, r15, 0, 16\nli r1, 0\nli r2, 4\nli r3, 0\n"
    "li r4, 16\nhcall storage_put\nli r1, 3\nli r2, 0\nli r3, 8\nhcall emit\nhalt r0\n"
    "v: li r1, 0\nli r2, 4\nli r3, 32\nli r4, 16\nhcall storage_get\nld r3, r15, 32, 16\n"
    "halt r3\n",
    ".method 0 m state\nm: li r1, 32\nhcall self\nli r1, 32\nli r2, 0\nli r3, 0\nli r4, 0\n"
    "li r5, 0\nhcall call\nhalt r0\n",
    ".method 0 m state\nm: hcall box_create\nli r7, 3\nst r7, r15, 32, 1\nli r7, 1\n"
    "st r7, r15, 80, 1\nli r1, 0\nli r2, 32\nli r3, 80\nli r4, 5\nhcall transfer\nfail\n",
    ".method 0 m state\nm: call f\nmul r3, r1, r2\ndiv r3, r3, r2\nmcopy r1, r2, r3\n"
    "halt r3\nf: call f\nret\n",
};
#define NSEEDS (sizeof seed_src / sizeof seed_src[0])
static uint8_t *seed_bytes[NSEEDS];
static size_t seed_lens[NSEEDS];

size_t smn_fuzz_seeds(const uint8_t *const **seeds, const size_t **lens)
{
    size_t n = 0;
    for (size_t i = 0; i < NSEEDS; i++) {
        uint8_t *b;
        size_t len;
        if (vm_asm(seed_src[i], strlen(seed_src[i]), &b, &len, NULL) != VM_ASM_OK)
            abort(); /* a seed that does not assemble is a bug in this file */
        seed_bytes[n] = b;
        seed_lens[n] = len;
        n++;
    }
    *seeds = (const uint8_t *const *)seed_bytes;
    *lens = seed_lens;
    return n;
}
