/* One line per event on stderr: "<level> <process>: message", with a rate
 * limit per call site and per process so a message logged in a loop costs
 * a few lines a second, not the disk. Not a log router: no files, no syslog
 * (systemd's journal takes stderr). */
#include "common/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define WINDOW_MS 1000
#define PROBES 8 /* slots looked at for one key before one is reused */
#define LAST_MAX 80

typedef struct {
    uint64_t key;        /* 0: free */
    uint64_t window;     /* start of this key's current one-second window */
    uint32_t shown;      /* lines written in the window */
    uint32_t suppressed; /* lines dropped since the last report */
    smn_log_level lvl;   /* level of the dropped lines */
    char last[LAST_MAX]; /* the message of the last line written, cut */
} log_slot;

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static char log_process[32] = "smallnano";
static smn_log_level log_min = SMN_LOG_INFO;
static uint64_t (*log_clock)(void);
static log_slot slots[SMN_LOG_SLOTS];
static uint64_t g_window, g_last_sweep;
static uint32_t g_shown, g_suppressed;

static uint64_t clock_ms(void)
{
    if (log_clock)
        return log_clock();
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void reset_locked(void)
{
    memset(slots, 0, sizeof slots);
    g_window = g_last_sweep = clock_ms();
    g_shown = g_suppressed = 0;
}

void smn_log_init(const char *process, smn_log_level min)
{
    pthread_mutex_lock(&log_mu);
    if (process) {
        strncpy(log_process, process, sizeof log_process - 1);
        log_process[sizeof log_process - 1] = '\0';
    }
    log_min = min;
    reset_locked();
    pthread_mutex_unlock(&log_mu);
}

void smn_log_set_clock(uint64_t (*now_ms)(void))
{
    pthread_mutex_lock(&log_mu);
    log_clock = now_ms;
    reset_locked();
    pthread_mutex_unlock(&log_mu);
}

static const char *level_name(smn_log_level lvl)
{
    switch (lvl) {
    case SMN_LOG_DEBUG:
        return "debug";
    case SMN_LOG_INFO:
        return "info";
    case SMN_LOG_WARN:
        return "warn";
    case SMN_LOG_ERROR:
        return "error";
    }
    return "?";
}

/* Format "<level> <process>: <fmt...>\n" into line (1 KiB, cut), keep it
 * one line and write it with one call, so concurrent processes sharing
 * stderr never interleave mid-line. Returns where the message starts. */
static size_t emit_v(smn_log_level lvl, char *line, size_t cap, const char *fmt, va_list ap)
{
    int n = snprintf(line, cap, "%s %s: ", level_name(lvl), log_process);
    if (n < 0)
        return 0;
    size_t head = (size_t)n < cap ? (size_t)n : cap - 1;
    size_t off = head;
    int m = vsnprintf(line + off, cap - off, fmt, ap);
    if (m < 0)
        return 0;
    off += (size_t)m < cap - off ? (size_t)m : cap - off - 1;
    /* A newline inside the message would forge a new entry. */
    for (size_t i = 0; i < off; i++)
        if (line[i] == '\n' || line[i] == '\r')
            line[i] = ' ';
    if (off > cap - 2)
        off = cap - 2;
    line[off++] = '\n';
    fwrite(line, 1, off, stderr);
    line[off - 1] = '\0';
    return head;
}

static void emit(smn_log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(smn_log_level lvl, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    emit_v(lvl, line, sizeof line, fmt, ap);
    va_end(ap);
}

static void report_slot(log_slot *s)
{
    if (!s->suppressed)
        return;
    emit(s->lvl, "... suppressed %u similar messages (last shown: \"%s\")", s->suppressed, s->last);
    s->suppressed = 0;
}

static void report_global(void)
{
    if (!g_suppressed)
        return;
    emit(SMN_LOG_WARN, "... suppressed %u messages (more than %d lines a second)", g_suppressed,
         SMN_LOG_MAX_PER_S);
    g_suppressed = 0;
}

/* Once a second at most: report what finished windows dropped, so a burst
 * that stopped is still accounted for by the next line of any kind. */
static void sweep(uint64_t now)
{
    if (now - g_last_sweep < WINDOW_MS)
        return;
    g_last_sweep = now;
    for (size_t i = 0; i < SMN_LOG_SLOTS; i++)
        if (slots[i].suppressed && now - slots[i].window >= WINDOW_MS)
            report_slot(&slots[i]);
    if (now - g_window >= WINDOW_MS) {
        report_global();
        g_window = now;
        g_shown = 0;
    }
}

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x ? x : 1;
}

/* The slot of key: found, free, or the one idle longest among PROBES
 * (reported first if it dropped lines). */
static log_slot *slot_for(uint64_t key, uint64_t now)
{
    size_t start = (size_t)(key % SMN_LOG_SLOTS);
    log_slot *victim = NULL;
    for (size_t i = 0; i < PROBES; i++) {
        log_slot *s = &slots[(start + i) % SMN_LOG_SLOTS];
        if (s->key == key)
            return s;
        if (!s->key) {
            if (!victim || victim->key)
                victim = s;
        } else if (!victim || (victim->key && s->window < victim->window)) {
            victim = s;
        }
    }
    if (victim->key)
        report_slot(victim);
    memset(victim, 0, sizeof *victim);
    victim->key = key;
    victim->window = now;
    return victim;
}

static void log_keyed_v(smn_log_level lvl, uint64_t key, const char *fmt, va_list ap)
{
    pthread_mutex_lock(&log_mu);
    if (lvl < log_min) {
        pthread_mutex_unlock(&log_mu);
        return;
    }
    uint64_t now = clock_ms();
    sweep(now);
    log_slot *s = slot_for(key, now);
    if (now - s->window >= WINDOW_MS) {
        report_slot(s);
        s->window = now;
        s->shown = 0;
    }
    if (now - g_window >= WINDOW_MS) {
        report_global();
        g_window = now;
        g_shown = 0;
    }
    if (s->shown >= SMN_LOG_BURST) {
        s->suppressed++;
        s->lvl = lvl;
    } else if (g_shown >= SMN_LOG_MAX_PER_S) {
        g_suppressed++;
    } else {
        s->shown++;
        g_shown++;
        char line[1024];
        size_t head = emit_v(lvl, line, sizeof line, fmt, ap);
        snprintf(s->last, sizeof s->last, "%s", line + head);
    }
    pthread_mutex_unlock(&log_mu);
}

void smn_log(smn_log_level lvl, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    /* The format string's address names the call site. */
    log_keyed_v(lvl, mix((uint64_t)(uintptr_t)fmt), fmt, ap);
    va_end(ap);
}

static void log_keyed(smn_log_level lvl, uint64_t key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void log_keyed(smn_log_level lvl, uint64_t key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_keyed_v(lvl, key, fmt, ap);
    va_end(ap);
}

void smn_log_text(smn_log_level lvl, const char *msg)
{
    /* FNV-1a over the first 256 bytes: the same text is the same key. */
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; msg[i] && i < 256; i++) {
        h ^= (unsigned char)msg[i];
        h *= 0x100000001b3ULL;
    }
    log_keyed(lvl, mix(h), "%s", msg);
}

void smn_log_flush(void)
{
    pthread_mutex_lock(&log_mu);
    for (size_t i = 0; i < SMN_LOG_SLOTS; i++)
        report_slot(&slots[i]);
    report_global();
    pthread_mutex_unlock(&log_mu);
}
