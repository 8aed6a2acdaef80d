/* The representative's voting keys: read once at start from its key file
 * (common/keyfile.h) with the operator's password; see rep_keys.h. Not the
 * voting itself (service.c) nor the key file format (common/keyfile.c). */
#include "procs/elections/rep_keys.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/keyfile.h"
#include "common/log.h"

/* The password for the key file: [elections] representative_password_file,
 * else systemd's credential, else "". 0, or -1 after logging. */
static int rep_password(const ipc_config *cfg, char *pw, size_t cap)
{
    char path[1200] = "";
    const char *creds = getenv("CREDENTIALS_DIRECTORY");
    if (cfg->elections_rep_password_file[0])
        snprintf(path, sizeof path, "%s", cfg->elections_rep_password_file);
    else if (creds && *creds)
        snprintf(path, sizeof path, "%s/representative-password", creds);
    pw[0] = '\0';
    if (!path[0])
        return 0;
    int r = smn_keyfile_read_password(path, pw, cap);
    if (r == -ENOENT && !cfg->elections_rep_password_file[0])
        return 0; /* no credential given: the empty password */
    if (r != 0) {
        smn_error("cannot read the representative password file %s: %s", path, strerror(-r));
        return -1;
    }
    return 0;
}

size_t elections_rep_keys_load(const ipc_config *cfg, const smn_network *net,
                               smn_keypair keys[ELECTIONS_SERVICE_MAX_REPS])
{
    size_t n = 0;
    if (smn_network_dev_genesis_key() && strcmp(net->name, "dev") == 0)
        smn_key_expand(smn_network_dev_genesis_key(), &keys[n++]);
    char path[1200];
    if (cfg->elections_rep_key[0])
        snprintf(path, sizeof path, "%s", cfg->elections_rep_key);
    else
        snprintf(path, sizeof path, "%s/representative.key", cfg->data_dir);
    char pw[1024];
    if (rep_password(cfg, pw, sizeof pw) != 0)
        return n;
    smn_keypair file[SMN_KEYFILE_MAX_KEYS];
    size_t nf = 0;
    smn_keyfile_status st = smn_keyfile_read(path, pw, file, &nf);
    sodium_memzero(pw, sizeof pw);
    if (st == SMN_KEYFILE_NOT_FOUND) {
        smn_info("no representative key file %s%s", path, n ? "" : ": this node does not vote");
        return n;
    }
    if (st != SMN_KEYFILE_OK) {
        smn_error("representative key file %s: %s; not voting with it", path,
                  smn_keyfile_strerror(st));
        return n;
    }
    for (size_t i = 0; i < nf && n < ELECTIONS_SERVICE_MAX_REPS; i++)
        keys[n++] = file[i];
    sodium_memzero(file, sizeof file);
    smn_info("representative key file %s: %zu key%s", path, nf, nf == 1 ? "" : "s");
    return n;
}
