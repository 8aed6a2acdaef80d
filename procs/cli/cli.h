/* smallnano-cli: one file per command family; each returns the process
 * exit status (0 ok, 1 a "no" answer such as an invalid address, 2 bad usage
 * or input) and prints its own error on stderr. */
#ifndef SMN_CLI_H
#define SMN_CLI_H

#include <stdbool.h>

typedef struct {
    const char *data_dir; /* --data-dir, NULL if not given */
    const char *network;  /* --network, NULL if not given */
    const char *rpc;      /* --rpc HOST:PORT, NULL if not given */
    bool json;            /* --json given anywhere */
} cli_ctx;

/* argv[0] is the command family's name ("key", "vm", ...). */
int cli_cmd_key(const cli_ctx *ctx, int argc, char **argv);
/* rep-key create|add|list: the representative key file */
int cli_cmd_rep_key(const cli_ctx *ctx, int argc, char **argv);
int cli_cmd_address(const cli_ctx *ctx, int argc, char **argv);
int cli_cmd_amount(const cli_ctx *ctx, int argc, char **argv);
int cli_cmd_block(const cli_ctx *ctx, int argc, char **argv);
int cli_cmd_genesis(const cli_ctx *ctx, int argc, char **argv);
int cli_cmd_work(const cli_ctx *ctx, int argc, char **argv);
/* vm encode|decode */
int cli_cmd_vm_codec(const cli_ctx *ctx, int argc, char **argv);
/* vm asm|disasm|run */
int cli_cmd_vm_exec(const cli_ctx *ctx, int argc, char **argv);
/* vm verify|events|root (a running node's vm indexer) */
int cli_cmd_vm_node(const cli_ctx *ctx, int argc, char **argv);
/* vm programs|program|storage|boxes|balances|token|state|view (cmd_vm_state.c) */
int cli_cmd_vm_state(const cli_ctx *ctx, int argc, char **argv);
/* vm send|call|deploy|etch|mint|transfer|... (cmd_vm_send.c) */
int cli_cmd_vm_send(const cli_ctx *ctx, int argc, char **argv);
/* wallet create|list|balance|send|receive (JSON RPC) */
int cli_cmd_wallet(const cli_ctx *ctx, int argc, char **argv);
/* account info <address> (JSON RPC) */
int cli_cmd_account(const cli_ctx *ctx, int argc, char **argv);
/* rpc ACTION key=value... (any JSON RPC action) */
int cli_cmd_rpc(const cli_ctx *ctx, int argc, char **argv);
/* node status|restart|stop (control socket) */
int cli_cmd_node(const cli_ctx *ctx, int argc, char **argv);

/* Shared helpers (cli_util.c). */
/* Read all of stdin into a NUL-terminated heap buffer; NULL on error. */
char *cli_read_stdin(size_t *len);
/* Find "--name value" in argv; NULL if absent. */
const char *cli_opt(int argc, char **argv, const char *name);
bool cli_flag(int argc, char **argv, const char *name);
/* With --json (cli_set_json_errors), errors are also one JSON line on
 * stdout, {"error":"<message>"}, as the RPC writes them. */
void cli_set_json_errors(bool on);
/* Prints "error: <message>" on stderr (a trailing newline in fmt is
 * dropped and one added), and the JSON line too in --json mode. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
