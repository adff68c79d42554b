/* Replays a fuzz corpus without libFuzzer: runs the target linked in (LLVMFuzzerTestOneInput)
 * over every file named on the command line or found in a directory named there, so CI checks
 * the committed corpus under gcc + ASan. Fails when nothing was replayed. */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arena.h"
#include "err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = xmalloc(cap);
    for (size_t n; (n = fread(buf + len, 1, cap - len, f)) > 0;) {
        len += n;
        if (len == cap)
            buf = xrealloc(buf, cap *= 2);
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        perror(path);
        free(buf);
        return -1;
    }
    /* A copy of the exact size, so ASan catches a read past the end. */
    uint8_t *exact = xmalloc(len);
    memcpy(exact, buf, len);
    free(buf);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 0;
}

static int replay_path(const char *path, size_t *n_files)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        perror(path);
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        (*n_files)++;
        return replay_file(path);
    }
    struct dirent **names;
    int n = scandir(path, &names, NULL, alphasort);
    if (n < 0) {
        perror(path);
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        char *child = NULL;
        if (name[0] != '.' && asprintf(&child, "%s/%s", path, name) >= 0 && stat(child, &st) == 0 &&
            S_ISREG(st.st_mode)) {
            (*n_files)++;
            if (replay_file(child) < 0)
                rc = -1;
        }
        free(child);
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    size_t n_files = 0;
    int rc = 0;
    for (int i = 1; i < argc; i++)
        if (replay_path(argv[i], &n_files) < 0)
            rc = 1;
    printf("replayed %zu inputs\n", n_files);
    return rc || n_files == 0;
}
