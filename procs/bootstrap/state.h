/* The bootstrap process's progress, persisted in
 * DATA_DIR/bootstrap/bootstrap.state (a directory of its own: the only one
 * its sandbox may write, ipc/sandbox.c) so
 * a restarted process resumes its frontier scan where it stopped: one line,
 * the 64 hex digits of the next account to ask frontiers from (all zero: a
 * new scan from the first account). Written atomically (temp file +
 * rename). */
#ifndef BOOTSTRAP_STATE_H
#define BOOTSTRAP_STATE_H

#include <stdint.h>

#define BOOTSTRAP_STATE_DIR "bootstrap"
#define BOOTSTRAP_STATE_FILENAME BOOTSTRAP_STATE_DIR "/bootstrap.state"

/* Reads the cursor. 0 with *cursor set; 0 with a zero cursor when the file
 * does not exist; -EINVAL when it is malformed (*cursor zeroed: the caller
 * restarts the scan); another negative errno on a read failure. */
int bootstrap_state_load(const char *data_dir, uint8_t cursor[32]);
/* 0, or a negative errno. */
int bootstrap_state_save(const char *data_dir, const uint8_t cursor[32]);

#endif
