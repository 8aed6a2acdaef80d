/* The rpc process's proof-of-work threads: a bounded job queue shared by
 * the workers under one mutex, results handed back to the loop through a
 * pipe. No job ever runs on the loop thread. */
#include "procs/rpc/work_pool.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/log.h"
#include "common/work.h"

typedef enum { JOB_QUEUED, JOB_RUNNING, JOB_DONE } job_state;

struct rpc_work_job {
    rpc_work_job *prev, *next; /* every job of the pool, for counts and cancel */
    rpc_work_job *qnext;       /* FIFO of queued jobs, then list of done jobs */
    uint8_t root[32];
    uint64_t difficulty;
    char client[RPC_WORK_CLIENT_MAX];
    atomic_bool cancel;
    bool abandoned; /* done must not run */
    job_state state;
    int status;
    uint64_t nonce;
    rpc_work_done_fn done;
    void *user;
    uint64_t submitted_ms; /* CLOCK_MONOTONIC, for the observer */
};

struct rpc_work_pool {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stopping;
    rpc_work_job *all;
    size_t njobs, nrunning;
    rpc_work_job *qhead, *qtail;
    rpc_work_job *done; /* finished, waiting for the loop */
    unsigned queue_max, per_client_max;
    unsigned nthreads;
    pthread_t tids[RPC_WORK_MAX_THREADS];
    int pipe_rd, pipe_wr;
    struct event *ev;
    rpc_work_observe_fn observe;
    void *observe_ud;
};

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void observed(rpc_work_pool *p, const uint8_t root[32], uint64_t difficulty, int status,
                     uint64_t nonce, uint64_t since_ms)
{
    if (!p->observe)
        return;
    rpc_work_outcome o = {.root = root,
                          .difficulty = difficulty,
                          .status = status,
                          .nonce = nonce,
                          .duration_ms = since_ms ? mono_ms() - since_ms : 0};
    p->observe(p->observe_ud, &o);
}

void rpc_work_pool_observe(rpc_work_pool *p, rpc_work_observe_fn fn, void *ud)
{
    p->observe = fn;
    p->observe_ud = ud;
}

static void unlink_all(rpc_work_pool *p, rpc_work_job *j)
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
static void push_done(rpc_work_pool *p, rpc_work_job *j, int status, uint64_t nonce)
{
    j->state = JOB_DONE;
    j->status = status;
    j->nonce = nonce;
    j->qnext = p->done;
    p->done = j;
    char b = 1;
    /* A full pipe already wakes the loop, which then takes every done job. */
    ssize_t w = write(p->pipe_wr, &b, 1);
    (void)w;
}

static rpc_work_job *queue_pop(rpc_work_pool *p)
{
    rpc_work_job *j = p->qhead;
    if (j) {
        p->qhead = j->qnext;
        if (!p->qhead)
            p->qtail = NULL;
        j->qnext = NULL;
    }
    return j;
}

static void queue_remove(rpc_work_pool *p, rpc_work_job *j)
{
    rpc_work_job *prev = NULL;
    for (rpc_work_job *q = p->qhead; q; prev = q, q = q->qnext) {
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
    rpc_work_pool *p = arg;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->stopping && !p->qhead)
            pthread_cond_wait(&p->wake, &p->lock);
        if (p->stopping)
            break;
        rpc_work_job *j = queue_pop(p);
        j->state = JOB_RUNNING;
        p->nrunning++;
        uint8_t root[32];
        memcpy(root, j->root, 32);
        uint64_t difficulty = j->difficulty;
        pthread_mutex_unlock(&p->lock);

        uint64_t nonce = 0;
        /* j stays valid while running: abandon and cancel only set flags. */
        int rc = smn_work_generate(root, difficulty, 1, &j->cancel, &nonce);

        pthread_mutex_lock(&p->lock);
        p->nrunning--;
        push_done(p, j, rc == 0 ? 0 : -ECANCELED, nonce);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* On the loop: run the callbacks of every finished job. */
static void on_pipe(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    rpc_work_pool *p = arg;
    char buf[256];
    while (read(fd, buf, sizeof buf) > 0) {
    }
    pthread_mutex_lock(&p->lock);
    rpc_work_job *list = p->done;
    p->done = NULL;
    for (rpc_work_job *j = list; j; j = j->qnext)
        unlink_all(p, j);
    pthread_mutex_unlock(&p->lock);
    /* The list was taken oldest-last; deliver oldest first. */
    rpc_work_job *rev = NULL;
    while (list) {
        rpc_work_job *n = list->qnext;
        list->qnext = rev;
        rev = list;
        list = n;
    }
    while (rev) {
        rpc_work_job *j = rev;
        rev = j->qnext;
        observed(p, j->root, j->difficulty, j->status, j->nonce, j->submitted_ms);
        if (!j->abandoned)
            j->done(j->user, j->status, j->nonce);
        free(j);
    }
}

rpc_work_pool *rpc_work_pool_new(struct event_base *base, const rpc_work_pool_opts *o)
{
    rpc_work_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->queue_max = o && o->queue_max ? o->queue_max : 64;
    p->per_client_max = o && o->per_client_max ? o->per_client_max : 8;
    unsigned n = o ? o->threads : 0;
    if (n == 0) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        n = c > 0 ? (unsigned)c : 1;
    }
    if (n > RPC_WORK_MAX_THREADS)
        n = RPC_WORK_MAX_THREADS;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    int fds[2];
    if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
        smn_error("work pool: pipe: %s", strerror(errno));
        p->pipe_rd = p->pipe_wr = -1;
        rpc_work_pool_free(p);
        return NULL;
    }
    p->pipe_rd = fds[0];
    p->pipe_wr = fds[1];
    p->ev = event_new(base, p->pipe_rd, EV_READ | EV_PERSIST, on_pipe, p);
    if (!p->ev || event_add(p->ev, NULL) != 0) {
        rpc_work_pool_free(p);
        return NULL;
    }
    for (unsigned i = 0; i < n; i++) {
        if (pthread_create(&p->tids[i], NULL, worker, p) != 0)
            break;
        p->nthreads++;
    }
    if (p->nthreads == 0) {
        smn_error("work pool: cannot start a thread");
        rpc_work_pool_free(p);
        return NULL;
    }
    return p;
}

void rpc_work_pool_free(rpc_work_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    for (rpc_work_job *j = p->all; j; j = j->next)
        atomic_store(&j->cancel, true);
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);
    for (unsigned i = 0; i < p->nthreads; i++)
        pthread_join(p->tids[i], NULL);
    while (p->all) {
        rpc_work_job *j = p->all;
        unlink_all(p, j);
        free(j);
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

int rpc_work_pool_submit(rpc_work_pool *p, const uint8_t root[32], uint64_t difficulty,
                         const char *client, rpc_work_done_fn done, void *user, rpc_work_job **job)
{
    char name[RPC_WORK_CLIENT_MAX];
    snprintf(name, sizeof name, "%s", client ? client : "");
    pthread_mutex_lock(&p->lock);
    if (p->njobs >= p->queue_max) {
        pthread_mutex_unlock(&p->lock);
        observed(p, root, difficulty, -EBUSY, 0, 0);
        return -EBUSY;
    }
    unsigned mine = 0;
    for (rpc_work_job *j = p->all; j; j = j->next)
        if (!j->abandoned && strcmp(j->client, name) == 0)
            mine++;
    if (mine >= p->per_client_max) {
        pthread_mutex_unlock(&p->lock);
        observed(p, root, difficulty, -EAGAIN, 0, 0);
        return -EAGAIN;
    }
    rpc_work_job *j = calloc(1, sizeof *j);
    if (!j) {
        pthread_mutex_unlock(&p->lock);
        return -ENOMEM;
    }
    memcpy(j->root, root, 32);
    j->difficulty = difficulty;
    memcpy(j->client, name, sizeof name);
    atomic_init(&j->cancel, false);
    j->done = done;
    j->user = user;
    j->submitted_ms = mono_ms();
    j->state = JOB_QUEUED;
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

/* Under the lock: stop j. A queued job is done at once (cancelled); a
 * running one sees its flag within one batch of hashes. */
static void cancel_locked(rpc_work_pool *p, rpc_work_job *j)
{
    atomic_store(&j->cancel, true);
    if (j->state == JOB_QUEUED) {
        queue_remove(p, j);
        push_done(p, j, -ECANCELED, 0);
    }
}

size_t rpc_work_pool_cancel_root(rpc_work_pool *p, const uint8_t root[32])
{
    size_t n = 0;
    pthread_mutex_lock(&p->lock);
    for (rpc_work_job *j = p->all; j; j = j->next) {
        if (j->state == JOB_DONE || j->abandoned || atomic_load(&j->cancel) ||
            memcmp(j->root, root, 32) != 0)
            continue;
        cancel_locked(p, j);
        n++;
    }
    pthread_mutex_unlock(&p->lock);
    return n;
}

void rpc_work_pool_abandon(rpc_work_pool *p, rpc_work_job *j)
{
    if (!j)
        return;
    pthread_mutex_lock(&p->lock);
    j->abandoned = true;
    if (j->state != JOB_DONE)
        cancel_locked(p, j);
    pthread_mutex_unlock(&p->lock);
}

size_t rpc_work_pool_jobs(rpc_work_pool *p)
{
    pthread_mutex_lock(&p->lock);
    size_t n = p->njobs;
    pthread_mutex_unlock(&p->lock);
    return n;
}

size_t rpc_work_pool_running(rpc_work_pool *p)
{
    pthread_mutex_lock(&p->lock);
    size_t n = p->nrunning;
    pthread_mutex_unlock(&p->lock);
    return n;
}

unsigned rpc_work_pool_threads(const rpc_work_pool *p)
{
    return p->nthreads;
}
