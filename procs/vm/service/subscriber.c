#include "procs/vm/service/subscriber.h"
#include "procs/vm/service/msgfield.h"

#include <stdio.h>
#include <string.h>

#include "ipc/schema_vmevents.h"
#include "procs/vm/programs/evlayout.h"

bool vm_sub_parse(const ipc_msg *m, vm_evfilter *f, uint64_t *from, size_t *buffer)
{
    memset(f, 0, sizeof *f);
    *from = 0;
    *buffer = IPC_VMEV_BUFFER_DEFAULT;
    if (ipc_vmev_kind_of(m) != IPC_VMEV_K_SUBSCRIBE)
        return false;
    uint64_t v;
    ipc_get_uint(m->body, "from", from);
    /* The schema bounds it; a hand-made message is clamped all the same. */
    if (ipc_get_uint(m->body, "buffer", &v))
        *buffer = v < IPC_VMEV_BUFFER_MIN   ? IPC_VMEV_BUFFER_MIN
                  : v > IPC_VMEV_BUFFER_MAX ? IPC_VMEV_BUFFER_MAX
                                            : (size_t)v;
    f->has_program = vm_msg_get32(m, "program", f->program);
    f->has_account = vm_msg_get32(m, "account", f->account);
    if (ipc_get_uint(m->body, "session", &v) && v <= UINT32_MAX) {
        f->has_session = true;
        f->session = (uint32_t)v;
    }
    f->has_kind = ipc_get_strz(m->body, "type", f->kind, sizeof f->kind) && f->kind[0];
    return true;
}

bool vm_sub_check(const vm_evfilter *f, uint64_t from, uint64_t head, char *why, size_t len)
{
    if (f->has_kind && !vm_evlayout_known_family(f->kind)) {
        snprintf(why, len, "unknown event type '%s'", f->kind);
        return false;
    }
    if (from > head) {
        snprintf(why, len, "from %llu is beyond the newest event %llu", (unsigned long long)from,
                 (unsigned long long)head);
        return false;
    }
    return true;
}

void vm_sub_init(vm_sub *s, const vm_evfilter *f, uint64_t from, size_t max_buffer)
{
    memset(s, 0, sizeof *s);
    if (f)
        s->filter = *f;
    s->cursor = from;
    s->max_buffer = max_buffer;
    s->phase = VM_SUB_BACKLOG;
}

bool vm_sub_wants(vm_sub *s, const vm_evrow *e)
{
    if (s->phase == VM_SUB_CLOSED || e->cursor <= s->cursor)
        return false;
    if (!vm_evfilter_match(&s->filter, e)) {
        s->cursor = e->cursor;
        return false;
    }
    return true;
}

vm_sub_verdict vm_sub_admit(vm_sub *s, const vm_evrow *e, size_t queued, size_t frame_len)
{
    if (s->phase == VM_SUB_CLOSED)
        return VM_SUB_OVERFLOW;
    bool fits = queued == 0 || (frame_len <= s->max_buffer && queued <= s->max_buffer - frame_len);
    if (!fits) {
        if (s->phase == VM_SUB_BACKLOG)
            return VM_SUB_WAIT;
        s->phase = VM_SUB_CLOSED;
        return VM_SUB_OVERFLOW;
    }
    s->cursor = e->cursor;
    return VM_SUB_SEND;
}

bool vm_sub_wants_backlog(const vm_sub *s, size_t queued)
{
    return s->phase == VM_SUB_BACKLOG && queued <= s->max_buffer / 2;
}

bool vm_sub_backlog_done(vm_sub *s, uint64_t head)
{
    if (s->phase != VM_SUB_BACKLOG)
        return false;
    if (s->cursor < head)
        s->cursor = head;
    s->phase = VM_SUB_LIVE;
    return true;
}
