/* smallnano-cli's HTTP/1.1 client for the node's JSON RPC: one blocking POST
 * over a fresh TCP connection ("Connection: close"), under one deadline that
 * covers connecting, sending and receiving. The response head goes through
 * one decoder (cli_http_parse_head) that checks every length; the body comes
 * back as bytes for the caller's JSON decoder.
 *
 * Nothing here prints: failures come back as a status plus a one-line detail
 * ("Connection refused", "no answer within 15 s") for the caller's message. */
#ifndef SMN_CLI_RPC_CLIENT_H
#define SMN_CLI_RPC_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A response head longer than this is refused (evhttp's are ~150 bytes). */
#define CLI_HTTP_MAX_HEAD 16384u
/* A body longer than this is refused: the largest RPC answers (10,000
 * blocks with contents) stay well below. */
#define CLI_HTTP_MAX_BODY (64u << 20)

typedef enum {
    CLI_RPC_OK = 0,
    CLI_RPC_BAD_ADDRESS, /* the host does not resolve */
    CLI_RPC_CONNECT,     /* no connection (refused, unreachable, ...) */
    CLI_RPC_TIMEOUT,     /* the deadline passed */
    CLI_RPC_IO,          /* send/receive failed or the peer closed too early */
    CLI_RPC_PROTOCOL,    /* the answer is not an HTTP/1.x response we accept */
    CLI_RPC_NOMEM,
} cli_rpc_status;

typedef struct {
    char host[256]; /* a name or an IP literal, IPv6 without brackets */
    char port[6];   /* decimal, 1..65535 */
} cli_rpc_addr;

/* Parses "HOST:PORT": HOST a name, an IPv4 literal or a bracketed IPv6
 * literal ("[::1]:17076"), PORT 1..65535 in decimal. False (out untouched)
 * on anything else. */
bool cli_rpc_addr_parse(const char *s, cli_rpc_addr *out);
/* "host:port" or "[v6]:port" into buf (NUL-terminated, truncated to len). */
void cli_rpc_addr_format(const cli_rpc_addr *a, char *buf, size_t len);

/* ---- the response head decoder ---- */

typedef struct {
    int status;              /* 200..599 */
    bool has_length;         /* Content-Length was given */
    uint64_t content_length; /* <= CLI_HTTP_MAX_BODY */
    size_t head_len;         /* bytes up to and including the blank line */
} cli_http_head;

typedef enum {
    CLI_HTTP_HEAD_BAD = -1,       /* malformed or unsupported; err says why */
    CLI_HTTP_HEAD_INCOMPLETE = 0, /* no blank line yet: read more */
    CLI_HTTP_HEAD_DONE = 1,       /* *out filled */
} cli_http_head_result;

/* Decodes the response head at the start of buf[0..len): status line
 * "HTTP/1.0|1.1 NNN reason", header lines "Name: value" ended by CRLF, a
 * blank line. Refuses a head longer than CLI_HTTP_MAX_HEAD, interim (1xx)
 * answers, malformed or conflicting Content-Length values, lengths above
 * CLI_HTTP_MAX_BODY and any Transfer-Encoding (evhttp sends whole bodies
 * with a Content-Length). err (may be NULL) gets a one-line reason. */
cli_http_head_result cli_http_parse_head(const char *buf, size_t len, cli_http_head *out, char *err,
                                         size_t errlen);

/* ---- the request ---- */

typedef struct {
    int status; /* HTTP status */
    char *body; /* NUL-terminated heap copy of the body (owned) */
    size_t len; /* body length without the NUL */
} cli_rpc_response;

/* POSTs body[0..len) as application/json to http://addr/ and waits for the
 * whole answer, at most timeout_ms in total. On CLI_RPC_OK *out holds the
 * answer (release it with cli_rpc_response_free); otherwise *out is empty
 * and err (may be NULL) says what went wrong in one line. */
cli_rpc_status cli_rpc_post(const cli_rpc_addr *addr, const char *body, size_t len, int timeout_ms,
                            cli_rpc_response *out, char *err, size_t errlen);
void cli_rpc_response_free(cli_rpc_response *r);

#endif
