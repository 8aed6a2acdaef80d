/* Outgoing WebSocket messages: a reference-counted text buffer (one
 * rendering shared by every client it goes to) and the bounded queue of
 * one client. Knows nothing of libwebsockets beyond the headroom it leaves
 * in front of each text (WS_BUF_PRE >= LWS_PRE, checked in server.c). */
#ifndef WS_OUTQ_H
#define WS_OUTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WS_BUF_PRE 32

typedef struct {
    uint32_t refs;
    size_t len;           /* text bytes at data + WS_BUF_PRE */
    unsigned char data[]; /* WS_BUF_PRE headroom, text, NUL */
} ws_buf;

/* A copy of text[0..len) with headroom; refs 1. NULL: out of memory. */
ws_buf *ws_buf_new(const char *text, size_t len);
ws_buf *ws_buf_ref(ws_buf *b);
void ws_buf_unref(ws_buf *b); /* NULL is fine */
static inline unsigned char *ws_buf_text(ws_buf *b)
{
    return b->data + WS_BUF_PRE;
}

/* What a queued message is: its topic's stream and position, so that the
 * client's "sent" cursor advances when it leaves. */
typedef enum { WS_STREAM_NONE = 0, WS_STREAM_CONF = 1, WS_STREAM_VM = 2 } ws_stream;

typedef struct {
    ws_buf *buf;
    ws_stream stream;
    uint64_t cursor; /* for WS_STREAM_CONF / _VM */
} ws_item;

typedef struct {
    ws_item *items; /* ring of cap */
    size_t head, n, cap;
    size_t bytes, max_bytes;
} ws_outq;

void ws_outq_init(ws_outq *q, size_t max_bytes);
void ws_outq_clear(ws_outq *q); /* drops (unrefs) everything; q stays usable */
void ws_outq_free(ws_outq *q);
/* Would a message of len bytes fit under the bound? An empty queue takes
 * any one message, so a message larger than the bound still goes out. */
bool ws_outq_fits(const ws_outq *q, size_t len);
/* Takes a new reference to b. false (nothing queued) if it does not fit or
 * memory ran out. */
bool ws_outq_push(ws_outq *q, ws_buf *b, ws_stream stream, uint64_t cursor);
/* The oldest item, or NULL. pop hands its reference to the caller. */
const ws_item *ws_outq_peek(const ws_outq *q);
bool ws_outq_pop(ws_outq *q, ws_item *out);
/* The cursor of the oldest queued item of that stream; false if none. */
bool ws_outq_first(const ws_outq *q, ws_stream stream, uint64_t *cursor);

#endif
