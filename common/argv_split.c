#include "common/argv_split.h"

int smn_argv_split(const char *s, char *buf, size_t cap, char **argv, size_t max)
{
    size_t n = 0, used = 0;
    const char *p = s;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        if (n == max)
            return SMN_ARGV_SPLIT_TOO_MANY;
        size_t start = used;
        while (*p && *p != ' ' && *p != '\t') {
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                return SMN_ARGV_SPLIT_CONTROL;
            if (*p == '\'' || *p == '"') {
                char q = *p++;
                const char *open = p;
                while (*p && *p != q) {
                    if ((unsigned char)*p < 0x20 || *p == 0x7f)
                        return SMN_ARGV_SPLIT_CONTROL;
                    if (used + 1 >= cap)
                        return SMN_ARGV_SPLIT_TOO_LONG;
                    buf[used++] = *p++;
                }
                if (!*p)
                    return SMN_ARGV_SPLIT_QUOTE;
                if (p == open && used == start && (p[1] == '\0' || p[1] == ' ' || p[1] == '\t'))
                    return SMN_ARGV_SPLIT_EMPTY_WORD;
                p++;
                continue;
            }
            if (used + 1 >= cap)
                return SMN_ARGV_SPLIT_TOO_LONG;
            buf[used++] = *p++;
        }
        if (used + 1 > cap)
            return SMN_ARGV_SPLIT_TOO_LONG;
        buf[used++] = '\0';
        argv[n++] = buf + start;
    }
    argv[n] = NULL;
    return (int)n;
}

const char *smn_argv_split_strerror(int status)
{
    switch (status) {
    case SMN_ARGV_SPLIT_OK:
        return "ok";
    case SMN_ARGV_SPLIT_QUOTE:
        return "a quote is not closed";
    case SMN_ARGV_SPLIT_CONTROL:
        return "a control character";
    case SMN_ARGV_SPLIT_TOO_MANY:
        return "too many words";
    case SMN_ARGV_SPLIT_TOO_LONG:
        return "too long";
    case SMN_ARGV_SPLIT_EMPTY_WORD:
        return "an empty word ('' or \"\")";
    }
    return "invalid";
}
