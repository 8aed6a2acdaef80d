/* vm.db schema migrations (v1 -> v2: the indexes the RPC's reads need).
 *
 * vm_store_open accepts a v1 file and leaves it at v1; the owner (the vm
 * process) then calls vm_migrate_step from its event loop until *done,
 * one index per step and one transaction per step, so the loop polls its
 * sockets between steps. Reads give the same answers at v1 and v2; only
 * their speed differs. Internal to procs/vm/programs/. */
#ifndef VM_PROGRAMS_MIGRATE_H
#define VM_PROGRAMS_MIGRATE_H

#include <stdbool.h>

#include "procs/vm/programs/store.h"

/* The v2 indexes, each a complete CREATE INDEX IF NOT EXISTS statement;
 * NULL-terminated. A fresh DB gets them all with the schema. */
extern const char *const vm_migrate_v2_indexes[];

/* Run one migration step outside any open transaction: create the next
 * missing v2 index, or, when all exist, record schema_version 2. *done is
 * true once the DB is at VM_SCHEMA_VERSION (a no-op then). */
vm_idx_status vm_migrate_step(vm_store *s, bool *done);

#endif
