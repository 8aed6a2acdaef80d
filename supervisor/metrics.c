/* GET /metrics's text, assembled where every process is known: the
 * supervisor's own figures per process, then each running child's registry
 * as its last heartbeat carried it (ipc/metrics.h). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "supervisor/supervisor.h"

/* VmRSS of pid in bytes; 0 if unreadable (the process just exited). */
static unsigned long long rss_bytes(pid_t pid)
{
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    const char *p = strstr(buf, "\nVmRSS:");
    if (!p)
        return 0;
    return strtoull(p + 7, NULL, 10) * 1024ull; /* "VmRSS:   1234 kB" */
}

static void family(ipc_text *t, const char *name, const char *type, const char *help)
{
    ipc_text_printf(t, "# HELP smallnano_process_%s %s\n# TYPE smallnano_process_%s %s\n", name,
                    help, name, type);
}

void sup_metrics_render(const sup *s, ipc_text *t)
{
    family(t, "up", "gauge", "1 while the process runs and answers heartbeats, else 0.");
    for (int i = 0; i < SUP_NCHILDREN; i++) {
        const sup_child *k = &s->kids[i];
        ipc_text_printf(t, "smallnano_process_up{process=\"%s\"} %d\n", k->name,
                        k->state == IPC_ADMIN_RUNNING && k->hb_ok ? 1 : 0);
    }
    family(t, "restarts_total", "counter", "Times the supervisor restarted the process.");
    for (int i = 0; i < SUP_NCHILDREN; i++)
        ipc_text_printf(t, "smallnano_process_restarts_total{process=\"%s\"} %u\n", s->kids[i].name,
                        s->kids[i].restarts);
    family(t, "uptime_seconds", "gauge", "Seconds since the running process started.");
    for (int i = 0; i < SUP_NCHILDREN; i++)
        ipc_text_printf(t, "smallnano_process_uptime_seconds{process=\"%s\"} %llu\n",
                        s->kids[i].name, (unsigned long long)sup_child_uptime_s(&s->kids[i]));
    family(t, "resident_memory_bytes", "gauge", "Resident set size (VmRSS) of the process.");
    ipc_text_printf(t, "smallnano_process_resident_memory_bytes{process=\"supervisor\"} %llu\n",
                    rss_bytes(getpid()));
    for (int i = 0; i < SUP_NCHILDREN; i++) {
        const sup_child *k = &s->kids[i];
        ipc_text_printf(t, "smallnano_process_resident_memory_bytes{process=\"%s\"} %llu\n",
                        k->name, k->pid > 0 ? rss_bytes(k->pid) : 0ull);
    }
    for (int i = 0; i < SUP_NCHILDREN; i++) {
        const sup_child *k = &s->kids[i];
        if (k->pid > 0 && k->metrics && k->metrics->n)
            ipc_metrics_render(t, k->name, k->metrics);
    }
}
