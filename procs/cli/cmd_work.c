/* smallnano-cli work generate --root <hex> --network <net> [--receive] [--threads N]
 *               work validate --root <hex> --work <hex> --network <net> [--receive] */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "common/work.h"
#include "procs/cli/cli.h"
#include "procs/cli/cli_args.h"

static int work_usage(void)
{
    fputs("usage: smallnano-cli work generate --root <hex> --network <net> [--receive]"
          " [--threads N]\n"
          "       smallnano-cli work validate --root <hex> --work <hex> --network <net>"
          " [--receive]\n",
          stderr);
    return 2;
}

static atomic_bool work_cancel;

static void on_signal(int sig)
{
    (void)sig;
    atomic_store(&work_cancel, true); /* lock-free atomics are signal-safe */
}

static int work_generate(const uint8_t root[32], uint64_t threshold, const char *threads_s)
{
    unsigned threads = 0;
    if (threads_s) {
        char *end;
        unsigned long t = strtoul(threads_s, &end, 10);
        if (!*threads_s || *end || threads_s[0] == '-' || t == 0 || t > 256) {
            cli_err("%s", "--threads must be a number from 1 to 256\n");
            return 2;
        }
        threads = (unsigned)t;
    }
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    uint64_t nonce;
    if (smn_work_generate(root, threshold, threads, &work_cancel, &nonce) != 0) {
        cli_err("%s", "cancelled\n");
        return 1;
    }
    char out[17];
    smn_work_format(nonce, out);
    puts(out);
    return 0;
}

int cli_cmd_work(const cli_ctx *ctx, int argc, char **argv)
{
    static const char *const valued[] = {"--root", "--work", "--threads", NULL};
    static const char *const flags[] = {"--receive", NULL};
    cli_args a;
    if (argc < 2 || !cli_args_scan(argc, argv, 2, valued, flags, 0, &a))
        return work_usage();
    const char *sub = argv[1];
    bool gen = strcmp(sub, "generate") == 0;
    if (!gen && strcmp(sub, "validate") != 0) {
        cli_err("unknown work command '%s'\n", sub);
        return work_usage();
    }
    const char *root_s = cli_opt(argc, argv, "--root");
    const char *work_s = cli_opt(argc, argv, "--work");
    if (!root_s || (!gen && !work_s) || (gen && work_s) ||
        (!gen && cli_opt(argc, argv, "--threads")))
        return work_usage();
    uint8_t root[32];
    if (!smn_hex_decode(root_s, root, sizeof root)) {
        cli_err("%s", "--root must be 64 hex characters\n");
        return 2;
    }
    const smn_network *net = cli_args_network(ctx, argc, argv);
    if (!net)
        return 2;
    uint64_t threshold = smn_work_threshold(net, cli_flag(argc, argv, "--receive"));
    if (gen)
        return work_generate(root, threshold, cli_opt(argc, argv, "--threads"));
    uint64_t nonce;
    if (!smn_work_parse(work_s, &nonce)) {
        cli_err("%s", "--work must be 16 hex characters\n");
        return 2;
    }
    uint64_t value = smn_work_value(root, nonce);
    bool ok = value >= threshold;
    printf("%s: value %016" PRIX64 " %s threshold %016" PRIX64 "\n", ok ? "valid" : "invalid",
           value, ok ? ">=" : "<", threshold);
    return ok ? 0 : 1;
}
