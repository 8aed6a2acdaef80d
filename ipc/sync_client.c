#include "ipc/sync_client.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ipc/frame.h"
#include "ipc/schema_common.h"

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

ipc_status ipc_sync_connect(ipc_sync *s, const char *path, const ipc_family *fam, ipc_error *err)
{
    memset(s, 0, sizeof *s);
    s->fd = -1;
    s->fam = fam;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (!path || strlen(path) >= sizeof sa.sun_path) {
        errno = ENAMETOOLONG;
        return ipc_fail(err, IPC_E_IO, "socket path too long");
    }
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return ipc_fail(err, IPC_E_IO, "socket: %s", strerror(errno));
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return ipc_fail(err, IPC_E_IO, "cannot connect to %s: %s", path, strerror(e));
    }
    s->fd = fd;
    return IPC_OK;
}

/* Wait for fd to be ready for ev until deadline: 1 ready, 0 timeout, -1 error. */
static int wait_fd(int fd, short ev, long long deadline)
{
    for (;;) {
        long long left = deadline - now_ms();
        if (left < 0)
            left = 0;
        struct pollfd p = {.fd = fd, .events = ev};
        int r = poll(&p, 1, (int)left);
        if (r > 0)
            return 1;
        if (r == 0)
            return 0;
        if (errno != EINTR)
            return -1;
    }
}

static ipc_status read_full(ipc_sync *s, uint8_t *p, size_t n, long long deadline, ipc_error *err)
{
    while (n) {
        int w = wait_fd(s->fd, POLLIN, deadline);
        if (w == 0)
            return ipc_fail(err, IPC_E_TIMEOUT, "no reply in time");
        if (w < 0)
            return ipc_fail(err, IPC_E_IO, "poll: %s", strerror(errno));
        ssize_t r = read(s->fd, p, n);
        if (r == 0)
            return ipc_fail(err, IPC_E_CLOSED, "peer closed the connection");
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            if (errno == ECONNRESET)
                return ipc_fail(err, IPC_E_CLOSED, "peer reset the connection");
            return ipc_fail(err, IPC_E_IO, "read: %s", strerror(errno));
        }
        p += r;
        n -= (size_t)r;
    }
    return IPC_OK;
}

ipc_status ipc_sync_call(ipc_sync *s, ipc_builder *b, int timeout_ms, ipc_msg *reply,
                         ipc_error *err)
{
    memset(reply, 0, sizeof *reply);
    if (s->fd < 0) {
        ipc_build_free(b);
        return ipc_fail(err, IPC_E_CLOSED, "not connected");
    }
    long long deadline = now_ms() + timeout_ms;
    uint64_t id = ++s->next_id;
    ipc_status st = ipc_build_finish(b, s->fam, id, 0, err);
    if (st != IPC_OK) {
        ipc_build_free(b);
        return st;
    }
    size_t off = 0;
    while (off < b->len) {
        ssize_t w = send(s->fd, b->buf + off, b->len - off, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            ipc_build_free(b);
            if (e == EPIPE || e == ECONNRESET)
                return ipc_fail(err, IPC_E_CLOSED, "peer closed the connection");
            return ipc_fail(err, IPC_E_IO, "send: %s", strerror(e));
        }
        off += (size_t)w;
    }
    ipc_build_free(b);
    for (;;) {
        uint8_t hdr[IPC_FRAME_HDR];
        st = read_full(s, hdr, sizeof hdr, deadline, err);
        if (st != IPC_OK)
            return st;
        uint32_t n;
        st = ipc_frame_header(hdr, sizeof hdr, 0, &n);
        if (st != IPC_OK)
            return ipc_fail(err, st, "bad frame header from peer");
        if (n > s->rcap) {
            uint8_t *nb = realloc(s->rbuf, n);
            if (!nb)
                return ipc_fail(err, IPC_E_NOMEM, "out of memory");
            s->rbuf = nb;
            s->rcap = n;
        }
        st = read_full(s, s->rbuf, n, deadline, err);
        if (st != IPC_OK)
            return st;
        st = ipc_decode(s->fam, s->rbuf, n, reply, err);
        if (st != IPC_OK)
            return st;
        if (reply->re == id)
            return ipc_common_kind_of(reply) == IPC_COMMON_K_ERROR ? IPC_E_REMOTE : IPC_OK;
        ipc_msg_free(reply); /* a notification or a stale reply */
    }
}

ipc_status ipc_sync_wait_close(ipc_sync *s, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    uint8_t buf[512];
    for (;;) {
        int w = wait_fd(s->fd, POLLIN, deadline);
        if (w == 0)
            return IPC_E_TIMEOUT;
        if (w < 0)
            return IPC_E_IO;
        ssize_t r = read(s->fd, buf, sizeof buf);
        if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN))
            return IPC_OK;
    }
}

void ipc_sync_close(ipc_sync *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    free(s->rbuf);
    s->rbuf = NULL;
    s->rcap = 0;
}
