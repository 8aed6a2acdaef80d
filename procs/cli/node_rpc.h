/* The CLI's side of the node's JSON RPC: where the RPC listens, one action
 * call with the CLI's error messages, and checked readers for the fields of
 * an answer (the node is a peer like any other: its answers are decoded,
 * not trusted). Used by the wallet, account and block info commands.
 *
 * Functions that return int return the CLI's exit status: 0 ok, 1 the node
 * said no or could not be reached, 2 bad usage or input; they print their
 * own "error: ..." line on stderr. */
#ifndef SMN_CLI_NODE_RPC_H
#define SMN_CLI_NODE_RPC_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/amount.h"
#include "procs/cli/cli.h"
#include "procs/cli/rpc_client.h"

/* Reads answer quickly; wallet blocks wait for their proof of work. */
#define CLI_NODE_TIMEOUT_MS 15000
#define CLI_NODE_BLOCK_TIMEOUT_MS 120000

/* Where DATA_DIR/run/rpc.addr puts the address the rpc process listens on. */
#define CLI_NODE_RPC_ADDR_FILE "run/rpc.addr"

typedef struct {
    cli_rpc_addr addr;
    char where[300]; /* "127.0.0.1:17076", for messages */
    char hint[600];  /* appended to "cannot reach" errors, or "" */
} cli_node;

/* Finds the RPC: "--rpc HOST:PORT" (after the command, else the global one)
 * wins; else with a data directory ("--data-dir" after the command, else
 * the global one) the line in DIR/run/rpc.addr; else, or when that file does
 * not exist, 127.0.0.1 and the default rpc_port of the network ("--network"
 * after the command, else the global one, else dev). */
int cli_node_find(const cli_ctx *ctx, int argc, char **argv, cli_node *out);

/* POSTs `req` (borrowed) and decodes the answer. 0 with *answer a JSON
 * object without "error" (the caller decrefs it); otherwise prints why
 * (unreachable, timeout, not JSON, the node's "error", with advice for
 * "Wallet is locked" and "RPC control is disabled") and returns 1. */
int cli_node_call(const cli_node *n, const json_t *req, int timeout_ms, json_t **answer);
/* The same, but a JSON object the node answered is handed back whatever
 * it says (its "error" included, any HTTP status): 0 with *answer set; 1
 * after printing why when there is no such answer. */
int cli_node_call_raw(const cli_node *n, const json_t *req, int timeout_ms, json_t **answer);

/* Readers of answer fields: false after printing
 * "error: unexpected answer from the node: ..." (the caller returns 1). */
bool cli_ans_str(const json_t *o, const char *key, const char **out);
bool cli_ans_hash(const json_t *o, const char *key, uint8_t out[32]);
bool cli_ans_account(const json_t *o, const char *key, uint8_t out[32]);
bool cli_ans_amount(const json_t *o, const char *key, smn_amount_t *out);
bool cli_ans_u64(const json_t *o, const char *key, uint64_t *out); /* decimal string */
bool cli_ans_bool(const json_t *o, const char *key, bool *out);    /* "true" / "false" */
/* The named member if it is an array / object, else false after printing. */
bool cli_ans_array(const json_t *o, const char *key, const json_t **out);
bool cli_ans_object(const json_t *o, const char *key, const json_t **out);
/* Prints the complaint for a malformed answer field; returns 1. */
int cli_ans_bad(const char *what);

/* Parsers of the command line, false after printing "error: ..." (the caller
 * returns 2). `what` names the argument in the message. */
bool cli_arg_account(const char *s, const char *what, uint8_t out[32]);
bool cli_arg_hash(const char *s, const char *what, uint8_t out[32]);
/* A wallet id: 64 hex digits. */
bool cli_arg_wallet(const char *s, uint8_t out[32]);
/* An amount in smn ("1.5"), or in raw when `raw`; zero is refused. */
bool cli_arg_amount(const char *s, bool raw, smn_amount_t *out);

/* Output. */
/* "1.5 smn (1500000000000000000000000000000 raw)" into buf. */
#define CLI_AMOUNT_TEXT_LEN (SMN_AMOUNT_SMN_STRLEN + SMN_AMOUNT_RAW_STRLEN + 16)
char *cli_amount_text(smn_amount_t v, char buf[CLI_AMOUNT_TEXT_LEN]);
/* Prints j as one line of compact JSON (keys in insertion order) and
 * releases it; 0, or 1 when j is NULL (out of memory) after saying so. */
int cli_print_json(json_t *j);
/* JSON helpers that build answers for --json: decimal raw, upper-case hex, address. */
json_t *cli_json_amount(smn_amount_t v);
json_t *cli_json_hex32(const uint8_t b[32]);
json_t *cli_json_account(const uint8_t pub[32]);

#endif
