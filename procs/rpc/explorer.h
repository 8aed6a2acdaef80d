/* The built-in explorer: static pages served on GET from the rpc's HTTP
 * port. The files live in procs/rpc/explorer/ and are compiled into the
 * binary (explorer/embed.py); the page reads the node only through the
 * public JSON RPC, like any other client. */
#ifndef SMN_RPC_EXPLORER_H
#define SMN_RPC_EXPLORER_H

#include <stddef.h>

typedef struct {
    const char *name; /* file name, e.g. "app.js"; NULL ends the table */
    const char *mime;
    const unsigned char *data;
    size_t len;
} rpc_explorer_asset;

/* Generated table, ended by a row whose name is NULL. */
extern const rpc_explorer_asset rpc_explorer_assets[];

typedef enum {
    RPC_EXPLORER_ASSET,    /* *out is the file to send (200) */
    RPC_EXPLORER_REDIRECT, /* send 302 to "/explorer/" */
    RPC_EXPLORER_NOT_FOUND /* 404 */
} rpc_explorer_route;

/* Maps a request path (without query) to what to answer. Every page of the
 * explorer is /explorer/<page>/<arg>: all of them get index.html (the page
 * routes itself from location.pathname, so each page has a stable URL);
 * /explorer/assets/<file> are the files; "/" and "/explorer" redirect.
 * Paths are matched exactly: no file system is touched. */
rpc_explorer_route rpc_explorer_resolve(const char *path, const rpc_explorer_asset **out);

#endif
