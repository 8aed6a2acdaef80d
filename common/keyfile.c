#include "common/keyfile.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "SMNREPK1"
#define MAGIC_LEN 8
#define HEADER_LEN (MAGIC_LEN + 4 + 4 + crypto_pwhash_SALTBYTES + crypto_secretbox_NONCEBYTES + 1)
#define MAX_FILE (HEADER_LEN + crypto_secretbox_MACBYTES + 32 * SMN_KEYFILE_MAX_KEYS)
/* Bounds on the cost a file may ask for: a hostile file must not make the
 * reader spend minutes or gigabytes. */
#define MAX_OPS 16u
#define MAX_MEM_KIB (1024u * 1024u)

smn_keyfile_kdf smn_keyfile_kdf_interactive(void)
{
    smn_keyfile_kdf k = {crypto_pwhash_OPSLIMIT_INTERACTIVE,
                         (uint32_t)(crypto_pwhash_MEMLIMIT_INTERACTIVE / 1024)};
    return k;
}

smn_keyfile_kdf smn_keyfile_kdf_min(void)
{
    smn_keyfile_kdf k = {crypto_pwhash_OPSLIMIT_MIN, (uint32_t)(crypto_pwhash_MEMLIMIT_MIN / 1024)};
    return k;
}

static bool kdf_ok(smn_keyfile_kdf k)
{
    return k.opslimit >= crypto_pwhash_OPSLIMIT_MIN && k.opslimit <= MAX_OPS &&
           (uint64_t)k.memlimit_kib * 1024 >= crypto_pwhash_MEMLIMIT_MIN &&
           k.memlimit_kib <= MAX_MEM_KIB;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int derive(uint8_t key[crypto_secretbox_KEYBYTES], const char *password, const uint8_t *salt,
                  smn_keyfile_kdf kdf)
{
    return crypto_pwhash(key, crypto_secretbox_KEYBYTES, password, strlen(password), salt,
                         kdf.opslimit, (size_t)kdf.memlimit_kib * 1024,
                         crypto_pwhash_ALG_ARGON2ID13);
}

smn_keyfile_status smn_keyfile_write(const char *path, const smn_keypair *keys, size_t n,
                                     const char *password, smn_keyfile_kdf kdf)
{
    if (!path || !keys || !password || n == 0 || n > SMN_KEYFILE_MAX_KEYS || !kdf_ok(kdf))
        return SMN_KEYFILE_INVALID;
    uint8_t buf[MAX_FILE];
    uint8_t plain[32 * SMN_KEYFILE_MAX_KEYS];
    uint8_t key[crypto_secretbox_KEYBYTES];
    memcpy(buf, MAGIC, MAGIC_LEN);
    put32(buf + MAGIC_LEN, kdf.opslimit);
    put32(buf + MAGIC_LEN + 4, kdf.memlimit_kib);
    uint8_t *salt = buf + MAGIC_LEN + 8;
    uint8_t *nonce = salt + crypto_pwhash_SALTBYTES;
    randombytes_buf(salt, crypto_pwhash_SALTBYTES);
    randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
    buf[HEADER_LEN - 1] = (uint8_t)n;
    for (size_t i = 0; i < n; i++)
        memcpy(plain + 32 * i, keys[i].priv, 32);
    smn_keyfile_status st = SMN_KEYFILE_OK;
    if (derive(key, password, salt, kdf) != 0) {
        st = SMN_KEYFILE_NOMEM;
        goto out;
    }
    crypto_secretbox_easy(buf + HEADER_LEN, plain, 32 * n, nonce, key);
    size_t len = HEADER_LEN + crypto_secretbox_MACBYTES + 32 * n;
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
        st = SMN_KEYFILE_INVALID;
        goto out;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        st = SMN_KEYFILE_IO;
        goto out;
    }
    bool ok = fchmod(fd, 0600) == 0 && write(fd, buf, len) == (ssize_t)len && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        st = SMN_KEYFILE_IO;
    }
out:
    sodium_memzero(plain, sizeof plain);
    sodium_memzero(key, sizeof key);
    return st;
}

smn_keyfile_status smn_keyfile_read(const char *path, const char *password,
                                    smn_keypair keys[SMN_KEYFILE_MAX_KEYS], size_t *n)
{
    *n = 0;
    if (!path || !password)
        return SMN_KEYFILE_INVALID;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? SMN_KEYFILE_NOT_FOUND : SMN_KEYFILE_IO;
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        close(fd);
        return SMN_KEYFILE_IO;
    }
    if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
        close(fd);
        return SMN_KEYFILE_PERMISSIONS;
    }
    uint8_t buf[MAX_FILE + 1];
    ssize_t len = read(fd, buf, sizeof buf);
    close(fd);
    if (len < 0)
        return SMN_KEYFILE_IO;
    if ((size_t)len < HEADER_LEN || memcmp(buf, MAGIC, MAGIC_LEN) != 0)
        return SMN_KEYFILE_MALFORMED;
    smn_keyfile_kdf kdf = {get32(buf + MAGIC_LEN), get32(buf + MAGIC_LEN + 4)};
    size_t count = buf[HEADER_LEN - 1];
    if (!kdf_ok(kdf) || count == 0 || count > SMN_KEYFILE_MAX_KEYS ||
        (size_t)len != HEADER_LEN + crypto_secretbox_MACBYTES + 32 * count)
        return SMN_KEYFILE_MALFORMED;
    const uint8_t *salt = buf + MAGIC_LEN + 8;
    const uint8_t *nonce = salt + crypto_pwhash_SALTBYTES;
    uint8_t key[crypto_secretbox_KEYBYTES];
    uint8_t plain[32 * SMN_KEYFILE_MAX_KEYS];
    smn_keyfile_status st = SMN_KEYFILE_OK;
    if (derive(key, password, salt, kdf) != 0) {
        st = SMN_KEYFILE_NOMEM;
    } else if (crypto_secretbox_open_easy(plain, buf + HEADER_LEN,
                                          crypto_secretbox_MACBYTES + 32 * count, nonce,
                                          key) != 0) {
        st = SMN_KEYFILE_WRONG_PASSWORD;
    } else {
        for (size_t i = 0; i < count; i++)
            smn_key_expand(plain + 32 * i, &keys[i]);
        *n = count;
    }
    sodium_memzero(plain, sizeof plain);
    sodium_memzero(key, sizeof key);
    return st;
}

int smn_keyfile_read_password(const char *path, char *out, size_t cap)
{
    if (cap == 0)
        return -EINVAL;
    FILE *f = fopen(path, "re");
    if (!f)
        return -errno;
    size_t len = fread(out, 1, cap, f);
    int err = ferror(f) ? -EIO : 0;
    fclose(f);
    if (err) {
        sodium_memzero(out, cap);
        return err;
    }
    size_t line = 0;
    while (line < len && out[line] != '\n' && out[line] != '\r')
        line++;
    if (line == len && len == cap) { /* no end of line within cap bytes */
        sodium_memzero(out, cap);
        return -EFBIG;
    }
    sodium_memzero(out + line, cap - line);
    out[line] = '\0';
    return 0;
}

const char *smn_keyfile_strerror(smn_keyfile_status st)
{
    switch (st) {
    case SMN_KEYFILE_OK:
        return "ok";
    case SMN_KEYFILE_NOT_FOUND:
        return "no such key file";
    case SMN_KEYFILE_IO:
        return "cannot read or write the key file";
    case SMN_KEYFILE_PERMISSIONS:
        return "the key file is readable by group or others (chmod 600 it)";
    case SMN_KEYFILE_MALFORMED:
        return "not a representative key file, or damaged";
    case SMN_KEYFILE_WRONG_PASSWORD:
        return "wrong password for the key file";
    case SMN_KEYFILE_INVALID:
        return "invalid arguments";
    case SMN_KEYFILE_NOMEM:
        return "out of memory deriving the key";
    }
    return "unknown key file status";
}
