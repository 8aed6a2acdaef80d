#include "procs/bootstrap/state.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "common/hex.h"

static int path_of(const char *data_dir, const char *suffix, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s/%s%s", data_dir, BOOTSTRAP_STATE_FILENAME, suffix);
    return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

int bootstrap_state_load(const char *data_dir, uint8_t cursor[32])
{
    memset(cursor, 0, 32);
    char path[512];
    int rc = path_of(data_dir, "", path, sizeof path);
    if (rc)
        return rc;
    FILE *f = fopen(path, "r");
    if (!f)
        return errno == ENOENT ? 0 : -errno;
    char line[80] = {0};
    bool got = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    size_t len = got ? strcspn(line, "\r\n") : 0;
    line[len] = '\0';
    if (len != 64 || !smn_hex_decode(line, cursor, 32)) {
        memset(cursor, 0, 32);
        return -EINVAL;
    }
    return 0;
}

int bootstrap_state_save(const char *data_dir, const uint8_t cursor[32])
{
    char path[512], tmp[512];
    int rc = path_of(data_dir, "", path, sizeof path);
    if (!rc)
        rc = path_of(data_dir, ".tmp", tmp, sizeof tmp);
    if (rc)
        return rc;
    char dir[512];
    snprintf(dir, sizeof dir, "%s/%s", data_dir, BOOTSTRAP_STATE_DIR);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return -errno;
    char hex[65];
    smn_hex_encode(cursor, 32, hex);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -errno;
    bool ok = fprintf(f, "%s\n", hex) == 65;
    ok = fflush(f) == 0 && ok;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        int e = errno ? errno : EIO;
        remove(tmp);
        return -e;
    }
    return 0;
}
