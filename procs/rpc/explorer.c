/* Routing of GET paths to the embedded explorer files; see explorer.h. */
#include "procs/rpc/explorer.h"

#include <string.h>

#define PREFIX "/explorer/"
#define ASSETS PREFIX "assets/"

static const rpc_explorer_asset *find(const char *name)
{
    for (const rpc_explorer_asset *a = rpc_explorer_assets; a->name; a++)
        if (strcmp(a->name, name) == 0)
            return a;
    return NULL;
}

/* A page path: letters, digits, '_' and '/' only (addresses, hashes and
 * page names), so nothing odd is echoed into a page's URL handling. */
static int page_path_ok(const char *p)
{
    for (; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '/' || c == '-'))
            return 0;
    }
    return 1;
}

rpc_explorer_route rpc_explorer_resolve(const char *path, const rpc_explorer_asset **out)
{
    *out = NULL;
    if (!path)
        return RPC_EXPLORER_NOT_FOUND;
    if (strcmp(path, "/") == 0 || strcmp(path, "/explorer") == 0)
        return RPC_EXPLORER_REDIRECT;
    if (strncmp(path, ASSETS, strlen(ASSETS)) == 0) {
        const char *name = path + strlen(ASSETS);
        /* index.html is a page, not an asset URL */
        if (strcmp(name, "index.html") == 0)
            return RPC_EXPLORER_NOT_FOUND;
        *out = find(name);
        return *out ? RPC_EXPLORER_ASSET : RPC_EXPLORER_NOT_FOUND;
    }
    if (strncmp(path, PREFIX, strlen(PREFIX)) == 0 && page_path_ok(path + strlen(PREFIX)) &&
        strlen(path) < 256) {
        *out = find("index.html");
        return *out ? RPC_EXPLORER_ASSET : RPC_EXPLORER_NOT_FOUND;
    }
    return RPC_EXPLORER_NOT_FOUND;
}
