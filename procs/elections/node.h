/* The elections process's state and its child-runtime hooks (node.c). */
#ifndef ELECTIONS_NODE_H
#define ELECTIONS_NODE_H

#include <stdint.h>

#include "ipc/child.h"

typedef struct elections_node elections_node;

/* ipc_child_opts.init / .fini with ud = elections_node_state(). init
 * cleans up after itself when it fails (the runtime calls fini only after
 * a successful init). */
/* elections.sock's requests (`status`, `elect`: status.h). */
void elections_node_message(ipc_conn *c, const ipc_msg *m, void *ud);
int elections_node_init(ipc_child *ch, void *ud);
void elections_node_fini(ipc_child *ch, void *ud);
/* The one instance (static storage). */
elections_node *elections_node_state(void);

#endif
