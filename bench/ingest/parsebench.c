/* Reference rates for bench/ingest/run.sh, on the same file in the same run: a plain read and
 * newline split, a full parse of each line with cJSON (a benchmark reference only, never linked
 * into fanghu), with jansson, and with fanghu's EVE scanner. Prints one JSON object:
 *   {"mode":…, "lines":…, "bytes":…, "seconds":…, "lines_per_s":…, "mb_per_s":…, "bad":…}
 * Usage: parsebench split|cjson|jansson|eve FILE */
#include <cjson/cJSON.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "threat/eve.h"

enum { CHUNK = 4 << 20 };

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: parsebench split|cjson|jansson|eve FILE\n");
        return 2;
    }
    const char *mode = argv[1];
    int m = !strcmp(mode, "split")     ? 0
            : !strcmp(mode, "cjson")   ? 1
            : !strcmp(mode, "jansson") ? 2
            : !strcmp(mode, "eve")     ? 3
                                       : -1;
    if (m < 0) {
        fprintf(stderr, "parsebench: unknown mode %s\n", mode);
        return 2;
    }
    int fd = open(argv[2], O_RDONLY);
    if (fd < 0) {
        perror(argv[2]);
        return 1;
    }
    size_t cap = CHUNK * 2, have = 0;
    char *buf = malloc(cap);
    struct eve_scanner sc;
    eve_scanner_init(&sc);
    unsigned long long lines = 0, bytes = 0, bad = 0, sink = 0;
    double t0 = now();
    for (;;) {
        if (cap - have < CHUNK) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
        ssize_t n = read(fd, buf + have, cap - have);
        if (n < 0) {
            perror("read");
            return 1;
        }
        have += (size_t)n;
        char *p = buf, *end = buf + have;
        for (;;) {
            char *nl = memchr(p, '\n', (size_t)(end - p));
            if (!nl) {
                if (n == 0 && p < end)
                    nl = end; /* the last line, without a newline */
                else
                    break;
            }
            size_t len = (size_t)(nl - p);
            lines++;
            bytes += len + 1;
            if (m == 0) {
                sink += len;
            } else if (m == 1) {
                cJSON *j = cJSON_ParseWithLength(p, len);
                bad += !j;
                cJSON_Delete(j);
            } else if (m == 2) {
                json_error_t e;
                json_t *j = json_loadb(p, len, 0, &e);
                bad += !j;
                json_decref(j);
            } else {
                struct eve_event ev;
                bad += eve_scan(&sc, p, len, &ev) == EVE_INVALID;
            }
            p = nl + (nl < end);
            if (p >= end)
                break;
        }
        have = (size_t)(end - p);
        memmove(buf, p, have);
        if (n == 0)
            break;
    }
    double s = now() - t0;
    printf("{\"mode\":\"%s\",\"lines\":%llu,\"bytes\":%llu,\"seconds\":%.3f,\"lines_per_s\":%.0f,"
           "\"mb_per_s\":%.1f,\"bad\":%llu}\n",
           mode, lines, bytes, s, lines / s, bytes / s / 1e6, bad + (sink == 1));
    eve_scanner_release(&sc);
    free(buf);
    close(fd);
    return 0;
}
