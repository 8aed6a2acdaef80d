/* Files are private: the data directory is 0700 and every database, key
 * and state file in it 0600, whatever the umask and however the directory
 * was made. Run by the supervisor before anything else touches the data
 * directory (and after dropping privileges, so new files get the node's
 * user). */
#ifndef SUP_PRIVATE_FILES_H
#define SUP_PRIVATE_FILES_H

#include <stddef.h>
#include <sys/types.h>

/* The files of a data directory that must be private (NULL-terminated):
 * databases with their -wal/-shm/-journal companions, node.key,
 * bootstrap.state. */
extern const char *const sup_private_names[];

/* Create DATA_DIR (0700) if missing; tighten a wider directory to 0700 and
 * every file of sup_private_names present in it to 0600, logging each fix.
 * Refuses (returns -1 and writes why into err) a directory or file owned
 * by another user than `uid`, a symlink in place of a file, or a
 * non-directory. Returns the number of modes fixed (>= 0). */
int sup_private_files(const char *data_dir, uid_t uid, char *err, size_t cap);

#endif
