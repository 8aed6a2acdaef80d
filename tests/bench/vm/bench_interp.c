/* Interpreter throughput: instructions per second on tight loops, one core.
 * Not a test: run by hand on a release build, e.g.
 *   meson setup /tmp/b-rel --buildtype=release && ninja -C /tmp/b-rel tests/bench/vm/bench_interp
 *   /tmp/b-rel/tests/bench/vm/bench_interp [iterations]
 * Each figure counts executed instructions exactly (gas is 1 per simple
 * instruction in these loops, so instructions = gas used, checked below). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "procs/vm/interp/asm.h"
#include "procs/vm/interp/interp.h"
#include "procs/vm/interp/memhost.h"

typedef struct {
    const char *name;
    const char *src;
    uint64_t per_iter; /* instructions per loop iteration */
    uint64_t fixed;    /* instructions outside the loop */
} bench;

static const bench benches[] = {
    {"count loop (addi, jlt)",
     ".method 0 m view\nm: li r3, 0\nl: addi r3, r3, 1\njlt r3, r1, l\nhalt r3\n", 2, 2},
    {"alu loop (add, xor, and, shr, addi, jlt)",
     ".method 0 m view\nm: li r3, 0\nli r5, 0x9e3779b97f4a7c15\nli r7, 3\n"
     "l: add r4, r4, r5\nxor r6, r6, r4\nand r8, r6, r5\nshr r9, r8, r7\n"
     "addi r3, r3, 1\njlt r3, r1, l\nhalt r6\n",
     6, 4},
    {"memory loop (ld, add, st, addi, jlt)",
     ".method 0 m view\nm: li r3, 0\nl: ld r4, r15, 64, 16\nadd r4, r4, r3\n"
     "st r4, r15, 64, 16\naddi r3, r3, 1\njlt r3, r1, l\nhalt r4\n",
     5, 2},
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    uint64_t iters = argc > 1 ? strtoull(argv[1], NULL, 10) : 50000000ull;
    if (iters == 0) {
        fprintf(stderr, "usage: %s [iterations > 0]\n", argv[0]);
        return 2;
    }
    for (size_t b = 0; b < sizeof benches / sizeof benches[0]; b++) {
        uint8_t *code;
        size_t len;
        vm_asm_error err;
        if (vm_asm(benches[b].src, strlen(benches[b].src), &code, &len, &err) != VM_ASM_OK) {
            fprintf(stderr, "bench %zu: line %d: %s\n", b, err.line, err.msg);
            return 1;
        }
        memhost *mh = memhost_new();
        static const uint8_t id[VM_ID_LEN] = {1};
        if (!mh || memhost_add_program(mh, id, code, len, NULL) != VM_VERIFY_OK) {
            fprintf(stderr, "setup failed\n");
            return 1;
        }
        free(code);
        vm_call_request req = {
            .method = 0, .nargs = 1, .args = {smn_amount_from_u64(iters)}, .gas_limit = UINT64_MAX};
        vm_call_outcome out;
        double t0 = now();
        memhost_call(mh, id, &req, &out);
        double dt = now() - t0;
        uint64_t insns = benches[b].per_iter * iters + benches[b].fixed;
        uint64_t expect_gas = insns + (b == 2 ? 2 * iters : 0); /* ld and st cost 2 */
        if (out.status != VM_OK || out.gas_used != expect_gas) {
            fprintf(stderr, "%s: status %s, gas %llu (expected %llu)\n", benches[b].name,
                    vm_status_name(out.status), (unsigned long long)out.gas_used,
                    (unsigned long long)expect_gas);
            return 1;
        }
        printf("%-42s %12llu insns in %.3f s = %7.1f M insns/s\n", benches[b].name,
               (unsigned long long)insns, dt, (double)insns / dt / 1e6);
        memhost_free(mh);
    }
    return 0;
}
