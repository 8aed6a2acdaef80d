/* Splitting a configured command line into argv words, without a shell
 * (used by [supervisor] exec_wrapper). */
#ifndef SMN_ARGV_SPLIT_H
#define SMN_ARGV_SPLIT_H

#include <stddef.h>

/* At most this many words in a configured command line. */
#define SMN_ARGV_SPLIT_MAX 16

typedef enum {
    SMN_ARGV_SPLIT_OK = 0,
    SMN_ARGV_SPLIT_QUOTE = -1,      /* a ' or " without its closing quote */
    SMN_ARGV_SPLIT_CONTROL = -2,    /* a control character (newline, escape...) */
    SMN_ARGV_SPLIT_TOO_MANY = -3,   /* more than max words */
    SMN_ARGV_SPLIT_TOO_LONG = -4,   /* the words do not fit in buf */
    SMN_ARGV_SPLIT_EMPTY_WORD = -5, /* '' or "" (an empty argument) */
} smn_argv_split_status;

/* Splits s into words separated by spaces or tabs; '...' and "..." quote
 * literally (no escapes, no expansion of any kind), and may join a word
 * (a'b c'd is one word "ab cd"). The words are copied NUL-terminated into
 * buf (cap bytes) and pointed to by argv[0..n-1], argv[n] = NULL; argv has
 * room for max + 1 pointers. Returns n >= 0 (0: s is blank) or a negative
 * smn_argv_split_status; on error argv and buf hold nothing usable. */
int smn_argv_split(const char *s, char *buf, size_t cap, char **argv, size_t max);

/* One line of text for a negative status. */
const char *smn_argv_split_strerror(int status);

#endif
