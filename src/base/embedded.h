/* Files compiled into the binary (scripts/embed.py): migrations under
 * "src/store/migrations/NNNN_name.sql" and holiday notices under "data/cn-holidays/YYYY.json".
 * The array ends with a {NULL, NULL, 0} entry; each data is NUL-terminated. */
#ifndef FANGHU_EMBEDDED_H
#define FANGHU_EMBEDDED_H
#include <stddef.h>

struct embedded_file {
    const char *name;
    const char *data;
    size_t len;
};

extern const struct embedded_file embedded_files[];

#endif
