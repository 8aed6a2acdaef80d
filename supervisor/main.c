/* smallnanod: the node's supervisor. Reads the configuration (file, then
 * flags on top), starts the seven processes and keeps them running. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "ipc/config.h"
#include "ipc/evlog.h"
#include "supervisor/supervisor.h"

static void usage(FILE *f)
{
    fputs("usage: smallnanod [options]\n"
          "  --network NET        dev, test or live (default dev)\n"
          "  --data-dir DIR       databases and DIR/run sockets (required here or in the config)\n"
          "  --config FILE        ini-style config: [section] key = value (see "
          "config/smallnano.conf)\n"
          "  --config S.KEY=VAL   one key, Nano's style (e.g. rpc.enable_control=true); "
          "repeatable,\n"
          "                       applied after the file\n"
          "  --rpc-port PORT      HTTP RPC port (default: the network's)\n"
          "  --peering-port PORT  p2p TCP port (default: the network's)\n"
          "  --ws-port PORT       WebSocket port (default: the network's)\n"
          "  --integrity-check quick|full|off\n"
          "                       check ledger.db and vm.db at start (default quick)\n"
          "  --help               this text\n"
          "Flags override the config file. Stop with SIGTERM, SIGINT or\n"
          "`smallnano-cli --data-dir DIR node stop`.\n",
          f);
}

int main(int argc, char **argv)
{
    enum {
        OPT_NETWORK = 1,
        OPT_DATA_DIR,
        OPT_CONFIG,
        OPT_RPC_PORT,
        OPT_PEER_PORT,
        OPT_WS_PORT,
        OPT_INTEGRITY,
        OPT_HELP
    };
    static const struct option opts[] = {
        {"network", required_argument, NULL, OPT_NETWORK},
        {"data-dir", required_argument, NULL, OPT_DATA_DIR},
        {"config", required_argument, NULL, OPT_CONFIG},
        {"rpc-port", required_argument, NULL, OPT_RPC_PORT},
        {"peering-port", required_argument, NULL, OPT_PEER_PORT},
        {"ws-port", required_argument, NULL, OPT_WS_PORT},
        {"integrity-check", required_argument, NULL, OPT_INTEGRITY},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    smn_log_init("supervisor", SMN_LOG_INFO);
    ipc_evlog_route();
    const char *network = NULL, *data_dir = NULL, *config = NULL, *rpc_port = NULL,
               *peer_port = NULL, *ws_port = NULL, *integrity = NULL;
    /* --config holding '=' overrides one key; otherwise it names the file */
    enum { MAX_OVERRIDES = 64 };
    const char *overrides[MAX_OVERRIDES];
    size_t noverrides = 0;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case OPT_NETWORK:
            network = optarg;
            break;
        case OPT_DATA_DIR:
            data_dir = optarg;
            break;
        case OPT_CONFIG:
            if (!strchr(optarg, '=')) {
                config = optarg;
            } else if (noverrides < MAX_OVERRIDES) {
                overrides[noverrides++] = optarg;
            } else {
                fprintf(stderr, "error supervisor: more than %d --config overrides\n",
                        MAX_OVERRIDES);
                return 2;
            }
            break;
        case OPT_RPC_PORT:
            rpc_port = optarg;
            break;
        case OPT_PEER_PORT:
            peer_port = optarg;
            break;
        case OPT_WS_PORT:
            ws_port = optarg;
            break;
        case OPT_INTEGRITY:
            integrity = optarg;
            break;
        case OPT_HELP:
            usage(stdout);
            return 0;
        default:
            fprintf(stderr, "error supervisor: unknown or incomplete option '%s'\n",
                    argv[optind - 1]);
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "error supervisor: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    ipc_config cfg;
    ipc_config_defaults(&cfg);
    char msg[512];
    if (config && ipc_config_load(&cfg, config, msg, sizeof msg) != 0) {
        smn_error("config: %s", msg);
        return 2;
    }
    for (size_t i = 0; i < noverrides; i++)
        if (ipc_config_set_pair(&cfg, overrides[i], msg, sizeof msg) != 0) {
            smn_error("--config %s: %s", overrides[i], msg);
            return 2;
        }
    struct {
        const char *val, *section, *key, *flag;
    } flags[] = {
        /* one flag per line */
        /* clang-format off */
        {network, "node", "network", "--network"},
        {data_dir, "node", "data_dir", "--data-dir"},
        {rpc_port, "rpc", "port", "--rpc-port"},
        {peer_port, "net", "port", "--peering-port"},
        {integrity, "node", "integrity_check", "--integrity-check"},
        {ws_port, "ws", "port", "--ws-port"},
        /* clang-format on */
    };
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (flags[i].val &&
            ipc_config_set(&cfg, flags[i].section, flags[i].key, flags[i].val, msg, sizeof msg)) {
            smn_error("%s: %s", flags[i].flag, msg);
            return 2;
        }
    if (ipc_config_check(&cfg, msg, sizeof msg) != 0) {
        smn_error("%s", msg);
        return 2;
    }
    if (strcmp(cfg.log_level, "debug") == 0)
        smn_log_init("supervisor", SMN_LOG_DEBUG);
    else if (strcmp(cfg.log_level, "warn") == 0)
        smn_log_init("supervisor", SMN_LOG_WARN);
    else if (strcmp(cfg.log_level, "error") == 0)
        smn_log_init("supervisor", SMN_LOG_ERROR);
    sup s;
    int rc = 1;
    if (sup_init(&s, &cfg) == 0)
        rc = sup_run(&s);
    sup_free(&s);
    smn_log_flush();
    return rc;
}
