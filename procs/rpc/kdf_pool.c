/* The rpc process's key-derivation threads: a bounded job queue shared by
 * the workers under one mutex, derived keys handed back to the loop through
 * a pipe. No derivation ever runs on the loop thread. */
#include "procs/rpc/kdf_pool.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/log.h"

typedef enum { JOB_QUEUED, JOB_RUNNING, JOB_DONE } job_state;

typedef struct {
    char password[RPC_KDF_PASSWORD_MAX + 1];
    uint8_t key[WALLET_KEY_BYTES];
} job_secret; /* sodium_malloc'd: guarded, wiped by sodium_free */

struct rpc_kdf_job {
    rpc_kdf_job *prev, *next; /* every job of the pool */
    rpc_kdf_job *qnext;       /* FIFO of queued jobs, then list of done jobs */
    job_secret *secret;
    uint8_t salt[WALLET_SALT_BYTES];
    wallet_kdf kdf;
    bool abandoned; /* done must not run */
    job_state state;
    int status;
    rpc_kdf_done_fn done;
    void *user;
};

struct rpc_kdf_pool {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stopping;
    rpc_kdf_job *all;
    size_t njobs, nrunning;
    rpc_kdf_job *qhead, *qtail;
    rpc_kdf_job *done; /* finished, waiting for the loop */
    unsigned queue_max;
    unsigned nthreads;
    pthread_t tids[RPC_KDF_MAX_THREADS];
    int pipe_rd, pipe_wr;
    struct event *ev;
};

static void job_free(rpc_kdf_job *j)
{
    sodium_free(j->secret);
    free(j);
}

static void unlink_all(rpc_kdf_pool *p, rpc_kdf_job *j)
{
    if (j->prev)
        j->prev->next = j->next;
    else
        p->all = j->next;
    if (j->next)
        j->next->prev = j->prev;
    p->njobs--;
}

/* Under the lock: j leaves the queue or a worker and waits for the loop. */
static void push_done(rpc_kdf_pool *p, rpc_kdf_job *j, int status)
{
    j->state = JOB_DONE;
    j->status = status;
    j->qnext = p->done;
    p->done = j;
    char b = 1;
    /* A full pipe already wakes the loop, which then takes every done job. */
    ssize_t w = write(p->pipe_wr, &b, 1);
    (void)w;
}

static void queue_remove(rpc_kdf_pool *p, rpc_kdf_job *j)
{
    rpc_kdf_job *prev = NULL;
    for (rpc_kdf_job *q = p->qhead; q; prev = q, q = q->qnext) {
        if (q != j)
            continue;
        if (prev)
            prev->qnext = q->qnext;
        else
            p->qhead = q->qnext;
        if (p->qtail == q)
            p->qtail = prev;
        q->qnext = NULL;
        return;
    }
}

static void *worker(void *arg)
{
    rpc_kdf_pool *p = arg;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->stopping && !p->qhead)
            pthread_cond_wait(&p->wake, &p->lock);
        if (p->stopping)
            break;
        rpc_kdf_job *j = p->qhead;
        p->qhead = j->qnext;
        if (!p->qhead)
            p->qtail = NULL;
        j->qnext = NULL;
        j->state = JOB_RUNNING;
        p->nrunning++;
        pthread_mutex_unlock(&p->lock);

        /* j stays valid while running: abandon only sets a flag, and the
         * loop frees a job only once it is done. */
        int rc = wallet_crypto_derive(j->secret->password, j->salt, &j->kdf, j->secret->key);
        sodium_memzero(j->secret->password, sizeof j->secret->password);

        pthread_mutex_lock(&p->lock);
        p->nrunning--;
        push_done(p, j, rc);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* On the loop: run the callbacks of every finished job, oldest first. */
static void on_pipe(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    rpc_kdf_pool *p = arg;
    char buf[256];
    while (read(fd, buf, sizeof buf) > 0) {
    }
    pthread_mutex_lock(&p->lock);
    rpc_kdf_job *list = p->done;
    p->done = NULL;
    for (rpc_kdf_job *j = list; j; j = j->qnext)
        unlink_all(p, j);
    pthread_mutex_unlock(&p->lock);
    rpc_kdf_job *rev = NULL;
    while (list) {
        rpc_kdf_job *n = list->qnext;
        list->qnext = rev;
        rev = list;
        list = n;
    }
    while (rev) {
        rpc_kdf_job *j = rev;
        rev = j->qnext;
        if (!j->abandoned)
            j->done(j->user, j->status, j->secret->key);
        job_free(j);
    }
}

rpc_kdf_pool *rpc_kdf_pool_new(struct event_base *base, const rpc_kdf_pool_opts *o)
{
    rpc_kdf_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->queue_max = o && o->queue_max ? o->queue_max : RPC_KDF_DEFAULT_QUEUE_MAX;
    unsigned n = o && o->threads ? o->threads : RPC_KDF_DEFAULT_THREADS;
    if (n > RPC_KDF_MAX_THREADS)
        n = RPC_KDF_MAX_THREADS;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    int fds[2];
    if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
        smn_error("kdf pool: pipe: %s", strerror(errno));
        p->pipe_rd = p->pipe_wr = -1;
        rpc_kdf_pool_free(p);
        return NULL;
    }
    p->pipe_rd = fds[0];
    p->pipe_wr = fds[1];
    p->ev = event_new(base, p->pipe_rd, EV_READ | EV_PERSIST, on_pipe, p);
    if (!p->ev || event_add(p->ev, NULL) != 0) {
        rpc_kdf_pool_free(p);
        return NULL;
    }
    for (unsigned i = 0; i < n; i++) {
        if (pthread_create(&p->tids[i], NULL, worker, p) != 0)
            break;
        p->nthreads++;
    }
    if (p->nthreads == 0) {
        smn_error("kdf pool: cannot start a thread");
        rpc_kdf_pool_free(p);
        return NULL;
    }
    return p;
}

void rpc_kdf_pool_free(rpc_kdf_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);
    for (unsigned i = 0; i < p->nthreads; i++)
        pthread_join(p->tids[i], NULL);
    while (p->all) {
        rpc_kdf_job *j = p->all;
        unlink_all(p, j);
        job_free(j);
    }
    if (p->ev)
        event_free(p->ev);
    if (p->pipe_rd >= 0)
        close(p->pipe_rd);
    if (p->pipe_wr >= 0)
        close(p->pipe_wr);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

int rpc_kdf_pool_submit(rpc_kdf_pool *p, const char *password,
                        const uint8_t salt[WALLET_SALT_BYTES], const wallet_kdf *kdf,
                        rpc_kdf_done_fn done, void *user, rpc_kdf_job **job)
{
    if (!password || !kdf || !wallet_kdf_valid(kdf))
        return -EINVAL;
    size_t len = strlen(password);
    if (len > RPC_KDF_PASSWORD_MAX)
        return -EINVAL;
    pthread_mutex_lock(&p->lock);
    bool full = p->njobs >= p->queue_max;
    pthread_mutex_unlock(&p->lock);
    if (full)
        return -EBUSY;
    rpc_kdf_job *j = calloc(1, sizeof *j);
    if (!j)
        return -ENOMEM;
    j->secret = sodium_malloc(sizeof *j->secret);
    if (!j->secret) {
        free(j);
        return -ENOMEM;
    }
    memcpy(j->secret->password, password, len + 1);
    memcpy(j->salt, salt, WALLET_SALT_BYTES);
    j->kdf = *kdf;
    j->done = done;
    j->user = user;
    j->state = JOB_QUEUED;
    /* Only the loop thread submits, so the count cannot have grown since. */
    pthread_mutex_lock(&p->lock);
    j->next = p->all;
    if (p->all)
        p->all->prev = j;
    p->all = j;
    p->njobs++;
    if (p->qtail)
        p->qtail->qnext = j;
    else
        p->qhead = j;
    p->qtail = j;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
    if (job)
        *job = j;
    return 0;
}

void rpc_kdf_pool_abandon(rpc_kdf_pool *p, rpc_kdf_job *j)
{
    if (!j)
        return;
    pthread_mutex_lock(&p->lock);
    j->abandoned = true;
    if (j->state == JOB_QUEUED) {
        queue_remove(p, j);
        push_done(p, j, -ECANCELED);
    }
    pthread_mutex_unlock(&p->lock);
}

size_t rpc_kdf_pool_jobs(rpc_kdf_pool *p)
{
    pthread_mutex_lock(&p->lock);
    size_t n = p->njobs;
    pthread_mutex_unlock(&p->lock);
    return n;
}

size_t rpc_kdf_pool_running(rpc_kdf_pool *p)
{
    pthread_mutex_lock(&p->lock);
    size_t n = p->nrunning;
    pthread_mutex_unlock(&p->lock);
    return n;
}

unsigned rpc_kdf_pool_threads(const rpc_kdf_pool *p)
{
    return p->nthreads;
}

unsigned rpc_kdf_pool_queue_max(const rpc_kdf_pool *p)
{
    return p->queue_max;
}
