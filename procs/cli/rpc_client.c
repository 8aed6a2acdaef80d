/* See rpc_client.h. */
#include "procs/cli/rpc_client.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ---- addresses ---- */

static bool parse_port(const char *s, char out[6])
{
    size_t n = strlen(s);
    if (n == 0 || n > 5)
        return false;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v == 0 || v > 65535)
        return false;
    snprintf(out, 6, "%u", v);
    return true;
}

bool cli_rpc_addr_parse(const char *s, cli_rpc_addr *out)
{
    cli_rpc_addr a;
    const char *host = s, *host_end, *port;
    if (s[0] == '[') {
        host = s + 1;
        host_end = strchr(host, ']');
        if (!host_end || host_end[1] != ':')
            return false;
        port = host_end + 2;
    } else {
        host_end = strrchr(s, ':');
        if (!host_end)
            return false;
        port = host_end + 1;
        /* an IPv6 literal must be bracketed: "::1:80" is ambiguous */
        if (memchr(s, ':', (size_t)(host_end - s)))
            return false;
    }
    size_t hl = (size_t)(host_end - host);
    if (hl == 0 || hl >= sizeof a.host)
        return false;
    for (size_t i = 0; i < hl; i++) {
        unsigned char ch = (unsigned char)host[i];
        if (ch <= ' ' || ch >= 0x7f || ch == '/' || ch == '[' || ch == ']')
            return false;
    }
    memcpy(a.host, host, hl);
    a.host[hl] = '\0';
    if (!parse_port(port, a.port))
        return false;
    *out = a;
    return true;
}

void cli_rpc_addr_format(const cli_rpc_addr *a, char *buf, size_t len)
{
    if (len == 0)
        return;
    if (strchr(a->host, ':'))
        snprintf(buf, len, "[%s]:%s", a->host, a->port);
    else
        snprintf(buf, len, "%s:%s", a->host, a->port);
}

/* ---- the response head ---- */

static bool is_tchar(unsigned char c)
{
    /* RFC 9110 token characters */
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static bool name_is(const char *name, size_t n, const char *want)
{
    return strlen(want) == n && strncasecmp(name, want, n) == 0;
}

/* Decimal Content-Length value (already stripped of OWS). */
static bool parse_length(const char *v, size_t n, uint64_t *out)
{
    if (n == 0 || n > 20)
        return false;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return false;
        if (x > (UINT64_MAX - 9) / 10)
            return false;
        x = x * 10 + (uint64_t)(v[i] - '0');
    }
    *out = x;
    return true;
}

cli_http_head_result cli_http_parse_head(const char *buf, size_t len, cli_http_head *out, char *err,
                                         size_t errlen)
{
    /* Find the blank line first, so a partial head is never half-judged. */
    size_t scan = len < CLI_HTTP_MAX_HEAD ? len : CLI_HTTP_MAX_HEAD;
    size_t end = 0;
    for (size_t i = 0; i + 3 < scan; i++) {
        if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
            end = i + 4;
            break;
        }
    }
    if (end == 0) {
        if (len >= CLI_HTTP_MAX_HEAD) {
            set_err(err, errlen, "response head longer than %u bytes", CLI_HTTP_MAX_HEAD);
            return CLI_HTTP_HEAD_BAD;
        }
        /* Reject a status line that can never become valid, without waiting. */
        static const char proto[] = "HTTP/1.";
        size_t k = len < sizeof proto - 1 ? len : sizeof proto - 1;
        if (memcmp(buf, proto, k) != 0) {
            set_err(err, errlen, "not an HTTP/1.x response");
            return CLI_HTTP_HEAD_BAD;
        }
        return CLI_HTTP_HEAD_INCOMPLETE;
    }

    cli_http_head h = {.head_len = end};
    /* status line: HTTP/1.x SP 3DIGIT [SP reason] CRLF */
    const char *p = buf;
    const char *line_end = memchr(p, '\r', end);
    size_t ll = (size_t)(line_end - p);
    if (ll < 12 || memcmp(p, "HTTP/1.", 7) != 0 || (p[7] != '0' && p[7] != '1') || p[8] != ' ' ||
        p[9] < '1' || p[9] > '5' || p[10] < '0' || p[10] > '9' || p[11] < '0' || p[11] > '9' ||
        (ll > 12 && p[12] != ' ')) {
        if (ll >= 7 && memcmp(p, "HTTP/1.", 7) == 0)
            set_err(err, errlen, "malformed HTTP status line");
        else
            set_err(err, errlen, "not an HTTP/1.x response");
        return CLI_HTTP_HEAD_BAD;
    }
    for (size_t i = 12; i < ll; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < ' ' && c != '\t') {
            set_err(err, errlen, "control character in the HTTP status line");
            return CLI_HTTP_HEAD_BAD;
        }
    }
    h.status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
    if (h.status < 200) {
        set_err(err, errlen, "unexpected interim HTTP response %d", h.status);
        return CLI_HTTP_HEAD_BAD;
    }
    if (line_end[1] != '\n') {
        set_err(err, errlen, "bare CR in the HTTP head");
        return CLI_HTTP_HEAD_BAD;
    }
    p = line_end + 2;

    /* header lines, up to the blank line at end - 2 */
    const char *stop = buf + end - 2;
    while (p < stop) {
        const char *e = memchr(p, '\r', (size_t)(stop - p) + 1);
        if (!e || e[1] != '\n') {
            set_err(err, errlen, "bare CR in the HTTP head");
            return CLI_HTTP_HEAD_BAD;
        }
        const char *colon = memchr(p, ':', (size_t)(e - p));
        if (!colon || colon == p) {
            set_err(err, errlen, "malformed HTTP header line");
            return CLI_HTTP_HEAD_BAD;
        }
        for (const char *q = p; q < colon; q++) {
            if (!is_tchar((unsigned char)*q)) {
                set_err(err, errlen, "malformed HTTP header name");
                return CLI_HTTP_HEAD_BAD;
            }
        }
        const char *v = colon + 1, *ve = e;
        for (const char *q = v; q < ve; q++) {
            unsigned char c = (unsigned char)*q;
            if ((c < ' ' && c != '\t') || c == 0x7f) {
                set_err(err, errlen, "control character in an HTTP header value");
                return CLI_HTTP_HEAD_BAD;
            }
        }
        while (v < ve && (*v == ' ' || *v == '\t'))
            v++;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        size_t nl = (size_t)(colon - p), vl = (size_t)(ve - v);
        if (name_is(p, nl, "Content-Length")) {
            uint64_t cl;
            if (!parse_length(v, vl, &cl)) {
                set_err(err, errlen, "malformed Content-Length");
                return CLI_HTTP_HEAD_BAD;
            }
            if (h.has_length && cl != h.content_length) {
                set_err(err, errlen, "conflicting Content-Length headers");
                return CLI_HTTP_HEAD_BAD;
            }
            if (cl > CLI_HTTP_MAX_BODY) {
                set_err(err, errlen, "answer of %llu bytes is above the %u-byte limit",
                        (unsigned long long)cl, CLI_HTTP_MAX_BODY);
                return CLI_HTTP_HEAD_BAD;
            }
            h.has_length = true;
            h.content_length = cl;
        } else if (name_is(p, nl, "Transfer-Encoding")) {
            set_err(err, errlen, "unsupported Transfer-Encoding '%.*s'", (int)(vl > 40 ? 40 : vl),
                    v);
            return CLI_HTTP_HEAD_BAD;
        }
        p = e + 2;
    }
    /* these carry no body whatever the headers say */
    if (h.status == 204 || h.status == 304) {
        h.has_length = true;
        h.content_length = 0;
    }
    *out = h;
    return CLI_HTTP_HEAD_DONE;
}

/* ---- the connection ---- */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for `events` on fd until the deadline: 1 ready, 0 timed out, -1 error. */
static int wait_fd(int fd, short events, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - now_ms();
        if (left <= 0)
            return 0;
        struct pollfd pfd = {.fd = fd, .events = events};
        int r = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
        if (r > 0)
            return 1;
        if (r < 0 && errno != EINTR)
            return -1;
    }
}

static void timeout_text(char *err, size_t errlen, int timeout_ms)
{
    if (timeout_ms >= 1000 && timeout_ms % 1000 == 0)
        set_err(err, errlen, "no answer within %d s", timeout_ms / 1000);
    else
        set_err(err, errlen, "no answer within %d ms", timeout_ms);
}

/* One non-blocking connect attempt: 0 connected, else the status (errno kept). */
static cli_rpc_status connect_one(const struct addrinfo *ai, int64_t deadline, int *fd_out)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0)
        return CLI_RPC_CONNECT;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
        *fd_out = fd;
        return CLI_RPC_OK;
    }
    if (errno != EINPROGRESS) {
        int e = errno;
        close(fd);
        errno = e;
        return CLI_RPC_CONNECT;
    }
    int w = wait_fd(fd, POLLOUT, deadline);
    if (w <= 0) {
        int e = errno;
        close(fd);
        errno = e;
        return w == 0 ? CLI_RPC_TIMEOUT : CLI_RPC_CONNECT;
    }
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
        soerr = errno;
    if (soerr != 0) {
        close(fd);
        errno = soerr;
        return CLI_RPC_CONNECT;
    }
    *fd_out = fd;
    return CLI_RPC_OK;
}

static cli_rpc_status open_conn(const cli_rpc_addr *a, int64_t deadline, int timeout_ms, int *fd,
                                char *err, size_t errlen)
{
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    int g = getaddrinfo(a->host, a->port, &hints, &res);
    if (g != 0) {
        set_err(err, errlen, "%s", g == EAI_SYSTEM ? strerror(errno) : gai_strerror(g));
        return CLI_RPC_BAD_ADDRESS;
    }
    cli_rpc_status st = CLI_RPC_CONNECT;
    int last_errno = ECONNREFUSED;
    for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        st = connect_one(ai, deadline, fd);
        if (st == CLI_RPC_OK || st == CLI_RPC_TIMEOUT)
            break;
        last_errno = errno;
    }
    freeaddrinfo(res);
    if (st == CLI_RPC_TIMEOUT)
        timeout_text(err, errlen, timeout_ms);
    else if (st != CLI_RPC_OK)
        set_err(err, errlen, "%s", strerror(last_errno));
    return st;
}

static cli_rpc_status send_all(int fd, const char *p, size_t n, int64_t deadline, int timeout_ms,
                               char *err, size_t errlen)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            int r = wait_fd(fd, POLLOUT, deadline);
            if (r == 0) {
                timeout_text(err, errlen, timeout_ms);
                return CLI_RPC_TIMEOUT;
            }
            if (r > 0)
                continue;
        }
        set_err(err, errlen, "sending the request failed: %s", strerror(errno));
        return CLI_RPC_IO;
    }
    return CLI_RPC_OK;
}

/* Reads the answer: the head, then Content-Length bytes or up to EOF. */
static cli_rpc_status read_answer(int fd, int64_t deadline, int timeout_ms, cli_rpc_response *out,
                                  char *err, size_t errlen)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        return CLI_RPC_NOMEM;
    cli_http_head h;
    bool have_head = false;
    cli_rpc_status st = CLI_RPC_OK;
    for (;;) {
        if (have_head && h.has_length && n >= h.head_len + h.content_length)
            break;
        if (n + 1 >= cap) {
            size_t limit = (size_t)CLI_HTTP_MAX_HEAD + CLI_HTTP_MAX_BODY + 1;
            if (cap >= limit) {
                set_err(err, errlen, "answer above the %u-byte limit", CLI_HTTP_MAX_BODY);
                st = CLI_RPC_PROTOCOL;
                break;
            }
            size_t ncap = cap * 2 > limit ? limit : cap * 2;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                st = CLI_RPC_NOMEM;
                break;
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t r = recv(fd, buf + n, cap - n - 1, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                int w = wait_fd(fd, POLLIN, deadline);
                if (w > 0)
                    continue;
                if (w == 0) {
                    timeout_text(err, errlen, timeout_ms);
                    st = CLI_RPC_TIMEOUT;
                    break;
                }
            }
            set_err(err, errlen, "receiving the answer failed: %s", strerror(errno));
            st = CLI_RPC_IO;
            break;
        }
        if (r == 0) { /* EOF */
            if (have_head && !h.has_length)
                break; /* the body ends with the connection */
            set_err(err, errlen,
                    n == 0 ? "connection closed without an answer"
                           : "connection closed before the answer was complete");
            st = CLI_RPC_IO;
            break;
        }
        n += (size_t)r;
        if (!have_head) {
            cli_http_head_result hr = cli_http_parse_head(buf, n, &h, err, errlen);
            if (hr == CLI_HTTP_HEAD_BAD) {
                st = CLI_RPC_PROTOCOL;
                break;
            }
            have_head = hr == CLI_HTTP_HEAD_DONE;
        }
        if (have_head && !h.has_length && n - h.head_len > CLI_HTTP_MAX_BODY) {
            set_err(err, errlen, "answer above the %u-byte limit", CLI_HTTP_MAX_BODY);
            st = CLI_RPC_PROTOCOL;
            break;
        }
    }
    if (st != CLI_RPC_OK) {
        free(buf);
        return st;
    }
    size_t blen = h.has_length ? (size_t)h.content_length : n - h.head_len;
    char *body = malloc(blen + 1);
    if (!body) {
        free(buf);
        return CLI_RPC_NOMEM;
    }
    memcpy(body, buf + h.head_len, blen);
    body[blen] = '\0';
    free(buf);
    out->status = h.status;
    out->body = body;
    out->len = blen;
    return CLI_RPC_OK;
}

cli_rpc_status cli_rpc_post(const cli_rpc_addr *addr, const char *body, size_t len, int timeout_ms,
                            cli_rpc_response *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    set_err(err, errlen, "%s", "");
    if (timeout_ms <= 0)
        timeout_ms = 1;
    int64_t deadline = now_ms() + timeout_ms;
    char hostport[300];
    cli_rpc_addr_format(addr, hostport, sizeof hostport);
    char head[512];
    int hl =
        snprintf(head, sizeof head,
                 "POST / HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
                 "Accept: application/json\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
                 hostport, len);
    if (hl < 0 || (size_t)hl >= sizeof head) {
        set_err(err, errlen, "host name too long");
        return CLI_RPC_BAD_ADDRESS;
    }
    int fd = -1;
    cli_rpc_status st = open_conn(addr, deadline, timeout_ms, &fd, err, errlen);
    if (st != CLI_RPC_OK)
        return st;
    st = send_all(fd, head, (size_t)hl, deadline, timeout_ms, err, errlen);
    if (st == CLI_RPC_OK)
        st = send_all(fd, body, len, deadline, timeout_ms, err, errlen);
    if (st == CLI_RPC_OK)
        st = read_answer(fd, deadline, timeout_ms, out, err, errlen);
    close(fd);
    if (st == CLI_RPC_NOMEM)
        set_err(err, errlen, "out of memory");
    return st;
}

void cli_rpc_response_free(cli_rpc_response *r)
{
    if (!r)
        return;
    free(r->body);
    r->body = NULL;
    r->len = 0;
}
