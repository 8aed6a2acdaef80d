/* The WebSocket server: libwebsockets on the process's libuv loop
 * (uvpump.h). It accepts at most max_clients connections, reassembles each
 * text message (at most WS_RX_MAX bytes; larger, or binary, closes the
 * connection with 1009 / 1003), writes each client's queue in order and
 * closes a client with a status and a reason. What messages mean is the
 * service's business (callbacks). */
#ifndef WS_SERVER_H
#define WS_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "procs/ws/client.h"
#include "procs/ws/uvpump.h"

#define WS_RX_MAX (256u * 1024) /* one client message */

/* Close statuses (RFC 6455 section 7.4.1). */
#define WS_CLOSE_GOING_AWAY 1001
#define WS_CLOSE_UNACCEPTABLE 1003
#define WS_CLOSE_INVALID_PAYLOAD 1007
#define WS_CLOSE_POLICY 1008
#define WS_CLOSE_TOO_BIG 1009
#define WS_CLOSE_SERVER_ERROR 1011

typedef struct ws_server ws_server;

typedef struct {
    void (*on_open)(void *user, ws_client *c);
    /* One complete text message (NUL-terminated at text[len]). */
    void (*on_message)(void *user, ws_client *c, const char *text, size_t len);
    /* Items left the queue (it has room again). */
    void (*on_sent)(void *user, ws_client *c);
    /* The connection is gone; c is freed after this returns. */
    void (*on_close)(void *user, ws_client *c);
    void *user;
} ws_server_cbs;

/* keepalive_s: a client that sent nothing (no message, no pong) for this
 * long gets a WebSocket ping, and is dropped after twice as long; 0: never. */
ws_server *ws_server_new(ws_uvpump *pump, const char *address, uint16_t port, uint32_t max_clients,
                         size_t client_buffer, uint32_t keepalive_s, const ws_server_cbs *cbs,
                         char *err, size_t errlen);
/* Closes every connection (status 1001, "shutdown") and frees. */
void ws_server_free(ws_server *s);
/* c's queue has something new: write it when the socket can take it. */
void ws_server_want_write(ws_server *s, ws_client *c);
/* Drop c's queue and close it with code and reason (truncated to 123 bytes). */
void ws_server_close(ws_server *s, ws_client *c, int code, const char *reason);
size_t ws_server_clients(const ws_server *s);
/* The clients, newest first (follow ->next); do not close while iterating
 * without taking ->next first. */
ws_client *ws_server_first(ws_server *s);
uint64_t ws_server_refused(const ws_server *s);

#endif
