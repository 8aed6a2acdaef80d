/* Shared message buffers and a client's bounded queue; see outq.h. */
#include "procs/ws/outq.h"

#include <stdlib.h>
#include <string.h>

ws_buf *ws_buf_new(const char *text, size_t len)
{
    ws_buf *b = malloc(sizeof *b + WS_BUF_PRE + len + 1);
    if (!b)
        return NULL;
    b->refs = 1;
    b->len = len;
    memcpy(b->data + WS_BUF_PRE, text, len);
    b->data[WS_BUF_PRE + len] = '\0';
    return b;
}

ws_buf *ws_buf_ref(ws_buf *b)
{
    b->refs++;
    return b;
}

void ws_buf_unref(ws_buf *b)
{
    if (b && --b->refs == 0)
        free(b);
}

void ws_outq_init(ws_outq *q, size_t max_bytes)
{
    memset(q, 0, sizeof *q);
    q->max_bytes = max_bytes;
}

void ws_outq_clear(ws_outq *q)
{
    for (size_t i = 0; i < q->n; i++)
        ws_buf_unref(q->items[(q->head + i) % q->cap].buf);
    q->head = q->n = 0;
    q->bytes = 0;
}

void ws_outq_free(ws_outq *q)
{
    ws_outq_clear(q);
    free(q->items);
    q->items = NULL;
    q->cap = 0;
}

bool ws_outq_fits(const ws_outq *q, size_t len)
{
    return q->n == 0 || q->bytes + len <= q->max_bytes;
}

static bool grow(ws_outq *q)
{
    size_t cap = q->cap ? q->cap * 2 : 16;
    ws_item *it = malloc(cap * sizeof *it);
    if (!it)
        return false;
    for (size_t i = 0; i < q->n; i++)
        it[i] = q->items[(q->head + i) % q->cap];
    free(q->items);
    q->items = it;
    q->cap = cap;
    q->head = 0;
    return true;
}

bool ws_outq_push(ws_outq *q, ws_buf *b, ws_stream stream, uint64_t cursor)
{
    if (!ws_outq_fits(q, b->len))
        return false;
    if (q->n == q->cap && !grow(q))
        return false;
    q->items[(q->head + q->n) % q->cap] =
        (ws_item){.buf = ws_buf_ref(b), .stream = stream, .cursor = cursor};
    q->n++;
    q->bytes += b->len;
    return true;
}

const ws_item *ws_outq_peek(const ws_outq *q)
{
    return q->n ? &q->items[q->head] : NULL;
}

bool ws_outq_pop(ws_outq *q, ws_item *out)
{
    if (!q->n)
        return false;
    *out = q->items[q->head];
    q->head = (q->head + 1) % q->cap;
    q->n--;
    q->bytes -= out->buf->len;
    return true;
}

bool ws_outq_first(const ws_outq *q, ws_stream stream, uint64_t *cursor)
{
    for (size_t i = 0; i < q->n; i++) {
        const ws_item *it = &q->items[(q->head + i) % q->cap];
        if (it->stream == stream) {
            *cursor = it->cursor;
            return true;
        }
    }
    return false;
}
