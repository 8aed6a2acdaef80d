/* Proof of work: value = Blake2b-64(nonce LE || root) read as LE u64. */
#include "common/work.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/hex.h"

/* in[0..8) = nonce little-endian, in[8..40) = root. */
static inline void put_nonce(uint8_t in[40], uint64_t nonce)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(in, &nonce, 8);
#else
    for (int i = 0; i < 8; i++)
        in[i] = (uint8_t)(nonce >> (8 * i));
#endif
}

static inline uint64_t work_hash(const uint8_t in[40])
{
    uint8_t out[8];
    crypto_generichash(out, sizeof out, in, 40, NULL, 0);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t v;
    memcpy(&v, out, 8);
#else
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | out[i];
#endif
    return v;
}

uint64_t smn_work_value(const uint8_t root[32], uint64_t nonce)
{
    uint8_t in[40];
    put_nonce(in, nonce);
    memcpy(in + 8, root, 32);
    return work_hash(in);
}

bool smn_work_valid(const uint8_t root[32], uint64_t nonce, uint64_t threshold)
{
    return smn_work_value(root, nonce) >= threshold;
}

uint64_t smn_work_threshold(const smn_network *net, bool receive_or_open)
{
    return receive_or_open ? net->work_receive : net->work_send;
}

typedef struct {
    const uint8_t *root;
    uint64_t threshold;
    uint64_t start;
    atomic_bool *cancel; /* caller's flag, may be NULL */
    atomic_bool *found;  /* set by the winning thread */
    pthread_mutex_t *lock;
    uint64_t *result;
} work_job;

/* How many nonces a thread tries between checks of the stop flags: large
 * enough to keep the atomics off the hot path, small enough to stop in ~1 ms. */
#define WORK_BATCH 256

static void *work_thread(void *arg)
{
    work_job *job = arg;
    uint64_t nonce = job->start;
    /* The root is copied once; each try rewrites only the nonce. */
    uint8_t in[40];
    memcpy(in + 8, job->root, 32);
    for (;;) {
        if (atomic_load_explicit(job->found, memory_order_relaxed))
            return NULL;
        if (job->cancel && atomic_load_explicit(job->cancel, memory_order_relaxed))
            return NULL;
        for (int i = 0; i < WORK_BATCH; i++, nonce++) {
            put_nonce(in, nonce);
            if (work_hash(in) >= job->threshold) {
                pthread_mutex_lock(job->lock);
                if (!atomic_load(job->found)) {
                    *job->result = nonce;
                    atomic_store(job->found, true);
                }
                pthread_mutex_unlock(job->lock);
                return NULL;
            }
        }
    }
}

#define WORK_MAX_THREADS 256

int smn_work_generate(const uint8_t root[32], uint64_t threshold, unsigned threads,
                      atomic_bool *cancel, uint64_t *nonce)
{
    if (threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned)n : 1;
    }
    if (threads > WORK_MAX_THREADS)
        threads = WORK_MAX_THREADS;
    /* A random starting point per call, then disjoint streams per thread:
     * thread t starts 2^64/threads apart, so streams never overlap in any
     * realistic search, and two nodes racing on the same root rarely
     * duplicate effort. */
    uint64_t base;
    randombytes_buf(&base, sizeof base);
    uint64_t stride = UINT64_MAX / threads;

    atomic_bool found = false;
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    uint64_t result = 0;
    work_job jobs[WORK_MAX_THREADS];
    pthread_t tids[WORK_MAX_THREADS];
    unsigned started = 0;
    for (unsigned t = 0; t < threads; t++) {
        jobs[t] = (work_job){.root = root,
                             .threshold = threshold,
                             .start = base + stride * t,
                             .cancel = cancel,
                             .found = &found,
                             .lock = &lock,
                             .result = &result};
        if (t > 0 && pthread_create(&tids[t], NULL, work_thread, &jobs[t]) != 0)
            break; /* fewer threads is still correct */
        started = t + 1;
    }
    /* The calling thread searches too (stream 0). */
    work_thread(&jobs[0]);
    for (unsigned t = 1; t < started; t++)
        pthread_join(tids[t], NULL);
    pthread_mutex_destroy(&lock);
    if (!atomic_load(&found))
        return -ECANCELED;
    *nonce = result;
    return 0;
}

void smn_work_format(uint64_t nonce, char out[17])
{
    snprintf(out, 17, "%016" PRIX64, nonce);
}

bool smn_work_parse(const char *s, uint64_t *nonce)
{
    uint8_t b[8];
    if (!smn_hex_decode(s, b, 8))
        return false;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | b[i];
    *nonce = v;
    return true;
}
