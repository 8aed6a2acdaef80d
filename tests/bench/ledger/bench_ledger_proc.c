/* Benchmark: blocks per second through the ledger PROCESS, end to end:
 * msgpack frames over ledger.sock, the bounded queue, batched processing,
 * one process_result per block after its batch committed, and (optionally)
 * a subscriber receiving every block_accepted.
 *
 *   bench_ledger_proc SMALLNANO_LEDGER [N=100000] [subscribe]
 *
 * Starts SMALLNANO_LEDGER by hand (no supervisor) on a fresh data dir under
 * /tmp, pre-builds N dev blocks (genesis sends to account i, account i opens),
 * streams them all on one connection while a second thread reads the
 * replies, and reports blocks/s, result counts and the ledger's peak RSS. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ipc/builder.h"
#include "ipc/msg.h"
#include "ipc/schema_ledger.h"
#include "tests/ledger/helpers.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int connect_to(const char *path)
{
    for (int tries = 0; tries < 500; tries++) {
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        struct sockaddr_un a = {.sun_family = AF_UNIX};
        snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
        if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0)
            return fd;
        close(fd);
        usleep(10000);
    }
    return -1;
}

static int read_full(int fd, uint8_t *p, size_t n)
{
    while (n) {
        ssize_t r = read(fd, p, n);
        if (r <= 0) {
            if (r < 0 && errno == EINTR)
                continue;
            return -1;
        }
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

static int write_full(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t r = write(fd, p, n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

/* Reads frames until `want` of kind `kind` arrived; counts result names. */
typedef struct {
    int fd;
    size_t want;
    ipc_ledger_kind kind;
    size_t got, accepted, busy, other;
    double done_at;
} reader;

static void *read_loop(void *arg)
{
    reader *r = arg;
    uint8_t *buf = malloc(IPC_LEDGER_BLOCK_BYTES * 4 + 4096);
    while (r->got < r->want) {
        uint8_t hdr[4];
        if (read_full(r->fd, hdr, 4) != 0)
            break;
        uint32_t n =
            (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
        if (n > IPC_LEDGER_BLOCK_BYTES * 4 + 4096 || read_full(r->fd, buf, n) != 0)
            break;
        ipc_msg m;
        if (ipc_decode(&ipc_family_ledger, buf, n, &m, NULL) != IPC_OK)
            continue;
        if (ipc_ledger_kind_of(&m) == r->kind) {
            r->got++;
            const char *res;
            size_t len;
            ledger_result v;
            if (ipc_get_str(m.body, "result", &res, &len)) {
                if (!ipc_ledger_result_parse(res, len, &v))
                    r->other++;
                else if (v == LEDGER_ACCEPTED)
                    r->accepted++;
                else if (v == LEDGER_BUSY)
                    r->busy++;
                else
                    r->other++;
            }
        }
        ipc_msg_free(&m);
    }
    r->done_at = now_s();
    free(buf);
    return NULL;
}

static long peak_rss_kib(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    long v = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld", &v) == 1)
            break;
    if (f)
        fclose(f);
    return v;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_ledger_proc SMALLNANO_LEDGER [N] [subscribe]\n");
        return 2;
    }
    size_t n = argc > 2 ? strtoul(argv[2], NULL, 10) : 100000;
    bool subscribe = argc > 3 && strcmp(argv[3], "subscribe") == 0;
    n &= ~(size_t)1;
    if (n == 0 || smn_crypto_init() != 0)
        return 2;

    double t0 = now_s();
    smn_block *blocks = malloc(n * sizeof *blocks);
    tl_pairs_workload(n, blocks);
    /* Every frame pre-built: the benchmark measures the ledger, not us. */
    ipc_builder *frames = calloc(n, sizeof *frames);
    for (size_t i = 0; i < n; i++) {
        uint8_t wire[SMN_BLOCK_WIRE_BYTES];
        smn_block_serialize(&blocks[i], wire);
        ipc_build_begin(&frames[i], "process");
        ipc_put_bin(&frames[i], "block", wire, sizeof wire);
        ipc_put_str(&frames[i], "origin", "net");
        if (ipc_build_finish(&frames[i], &ipc_family_ledger, i + 1, 0, NULL) != IPC_OK)
            return 1;
    }
    printf("built %zu blocks in %.1f s\n", n, now_s() - t0);

    char dir[256], set_dir[300], sock[320];
    tl_tmpdir(dir);
    snprintf(set_dir, sizeof set_dir, "node.data_dir=%s", dir);
    snprintf(sock, sizeof sock, "%s/run/ledger.sock", dir);
    pid_t pid = fork();
    if (pid == 0) {
        execl(argv[1], argv[1], "--set", set_dir, "--set", "node.network=dev", "--set",
              "node.log_level=info", (char *)NULL);
        _exit(127);
    }
    int fd = connect_to(sock);
    int sub_fd = subscribe ? connect_to(sock) : -1;
    if (fd < 0 || (subscribe && sub_fd < 0)) {
        fprintf(stderr, "cannot connect to %s\n", sock);
        kill(pid, SIGKILL);
        return 1;
    }
    reader sub = {.fd = sub_fd, .want = n, .kind = IPC_LEDGER_K_BLOCK_ACCEPTED};
    pthread_t sub_th;
    if (subscribe) {
        ipc_builder b;
        ipc_build_begin(&b, "subscribe");
        ipc_build_finish(&b, &ipc_family_ledger, 1, 0, NULL);
        write_full(sub_fd, b.buf, b.len);
        ipc_build_free(&b);
        pthread_create(&sub_th, NULL, read_loop, &sub);
    }

    reader rd = {.fd = fd, .want = n, .kind = IPC_LEDGER_K_PROCESS_RESULT};
    pthread_t th;
    pthread_create(&th, NULL, read_loop, &rd);
    double start = now_s();
    for (size_t i = 0; i < n; i++)
        if (write_full(fd, frames[i].buf, frames[i].len) != 0)
            break;
    pthread_join(th, NULL);
    if (subscribe)
        pthread_join(sub_th, NULL);
    double secs = rd.done_at - start;
    long rss = peak_rss_kib(pid);

    printf("ledger process: %zu blocks in %.2f s = %.0f blocks/s (accepted %zu, busy %zu, "
           "other %zu)%s\n",
           rd.got, secs, (double)rd.got / secs, rd.accepted, rd.busy, rd.other,
           subscribe ? "" : ", no subscriber");
    if (subscribe)
        printf("subscriber: %zu block_accepted, last %.2f s after the start\n", sub.got,
               sub.done_at - start);
    printf("ledger peak RSS: %ld KiB\n", rss);

    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    close(fd);
    if (sub_fd >= 0)
        close(sub_fd);
    unlink(sock);
    char run[300];
    snprintf(run, sizeof run, "%s/run", dir);
    rmdir(run);
    tl_cleanup(dir);
    for (size_t i = 0; i < n; i++)
        ipc_build_free(&frames[i]);
    free(frames);
    free(blocks);
    return rd.got == n ? 0 : 1;
}
