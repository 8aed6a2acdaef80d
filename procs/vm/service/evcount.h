/* VM events counted per type, for the metrics: read from the event log in
 * bounded steps (the rows after the last one counted), so counting never
 * holds the loop however far behind it starts (a node with a long log
 * counts it over its first heartbeats). */
#ifndef VM_EVCOUNT_H
#define VM_EVCOUNT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#define VM_EVCOUNT_TYPES 40    /* distinct types kept; more are counted as "other" */
#define VM_EVCOUNT_TYPE_MAX 32 /* an event type's longest name (docs/vm.md) */

typedef struct vm_evcount {
    uint64_t cursor; /* the last event counted */
    size_t n;
    char type[VM_EVCOUNT_TYPES][VM_EVCOUNT_TYPE_MAX + 1];
    uint64_t count[VM_EVCOUNT_TYPES];
    uint64_t other; /* events of a type beyond the table, or with a bad name */
} vm_evcount;

/* Counts at most max_rows events after ec->cursor, in cursor order.
 * Returns SQLITE_OK (also when nothing was new) or the SQLite error; on an
 * error nothing of the step is counted. */
int vm_evcount_step(vm_evcount *ec, sqlite3 *db, size_t max_rows);

#endif
