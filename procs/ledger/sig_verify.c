/* The verification pool: workers wait for a job, take slices of it through
 * an atomic cursor, and leave it; see sig_verify.h. */
#include "procs/ledger/sig_verify.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/keys.h"

/* Blocks per grab: big enough to keep the cursor cold, small enough to
 * balance two threads over a few thousand blocks. */
#define SLICE 16

struct ledger_verifier {
    pthread_mutex_t mu;
    pthread_cond_t work_cv, done_cv;
    pthread_t *threads;
    unsigned nthreads;
    ledger_verify_job *job; /* current job, NULL when idle */
    uint64_t generation;
    bool stop;
};

static void run(ledger_verify_job *j)
{
    for (;;) {
        size_t i = atomic_fetch_add(&j->next, SLICE);
        if (i >= j->n)
            return;
        size_t end = i + SLICE < j->n ? i + SLICE : j->n;
        for (size_t k = i; k < end; k++) {
            const smn_block *b = &j->blocks[k];
            if (!j->hashed)
                smn_block_hash(b, j->hashes[k]);
            j->ok[k] = smn_verify(b->account, j->hashes[k], 32, b->signature);
        }
        atomic_fetch_add(&j->completed, end - i);
    }
}

static void *worker(void *arg)
{
    ledger_verifier *v = arg;
    uint64_t seen = 0;
    pthread_mutex_lock(&v->mu);
    for (;;) {
        while (!v->stop && (!v->job || v->generation == seen))
            pthread_cond_wait(&v->work_cv, &v->mu);
        if (v->stop)
            break;
        seen = v->generation;
        ledger_verify_job *j = v->job;
        j->refs++;
        pthread_mutex_unlock(&v->mu);
        run(j);
        pthread_mutex_lock(&v->mu);
        j->refs--;
        pthread_cond_broadcast(&v->done_cv);
    }
    pthread_mutex_unlock(&v->mu);
    return NULL;
}

ledger_verifier *ledger_verifier_create(unsigned threads)
{
    if (threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned)n : 1;
    }
    ledger_verifier *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->threads = calloc(threads, sizeof *v->threads);
    if (!v->threads) {
        free(v);
        return NULL;
    }
    pthread_mutex_init(&v->mu, NULL);
    pthread_cond_init(&v->work_cv, NULL);
    pthread_cond_init(&v->done_cv, NULL);
    for (unsigned i = 0; i < threads; i++) {
        if (pthread_create(&v->threads[i], NULL, worker, v) != 0)
            break; /* fewer workers is still correct: the caller verifies too */
        v->nthreads++;
    }
    return v;
}

void ledger_verifier_destroy(ledger_verifier *v)
{
    if (!v)
        return;
    pthread_mutex_lock(&v->mu);
    v->stop = true;
    pthread_cond_broadcast(&v->work_cv);
    pthread_mutex_unlock(&v->mu);
    for (unsigned i = 0; i < v->nthreads; i++)
        pthread_join(v->threads[i], NULL);
    pthread_cond_destroy(&v->work_cv);
    pthread_cond_destroy(&v->done_cv);
    pthread_mutex_destroy(&v->mu);
    free(v->threads);
    free(v);
}

unsigned ledger_verifier_threads(const ledger_verifier *v)
{
    return v->nthreads;
}

void ledger_verifier_start(ledger_verifier *v, ledger_verify_job *job, const smn_block *blocks,
                           size_t n, uint8_t (*hashes)[32], bool hashed, bool *ok)
{
    job->blocks = blocks;
    job->n = n;
    job->hashes = hashes;
    job->hashed = hashed;
    job->ok = ok;
    atomic_store(&job->next, 0);
    atomic_store(&job->completed, 0);
    job->refs = 0;
    if (n == 0)
        return;
    pthread_mutex_lock(&v->mu);
    v->job = job;
    v->generation++;
    pthread_cond_broadcast(&v->work_cv);
    pthread_mutex_unlock(&v->mu);
}

void ledger_verifier_wait(ledger_verifier *v, ledger_verify_job *job)
{
    if (job->n == 0)
        return;
    run(job);
    pthread_mutex_lock(&v->mu);
    while (atomic_load(&job->completed) < job->n || job->refs > 0)
        pthread_cond_wait(&v->done_cv, &v->mu);
    if (v->job == job)
        v->job = NULL;
    pthread_mutex_unlock(&v->mu);
}
