/* The console's built files (web/dist): hashed assets cached for a year, index.html never
 * cached, and any other path without a file answered with index.html (the SPA routes). */
#include <fcntl.h>
#include <microhttpd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http.h"

static const char *mime(const char *path)
{
    static const char *const types[][2] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".woff", "font/woff"},
        {".ttf", "font/ttf"},
        {".json", "application/json"},
        {".txt", "text/plain; charset=utf-8"},
        {".map", "application/json"},
    };
    const char *dot = strrchr(path, '.');
    if (dot)
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (!strcmp(dot, types[i][0]))
                return types[i][1];
    return "application/octet-stream";
}

static int open_file(const char *root, const char *rel, struct stat *st)
{
    char full[2048];
    if ((size_t)snprintf(full, sizeof full, "%s%s", root, rel) >= sizeof full)
        return -1;
    int fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -1;
    if (fstat(fd, st) || !S_ISREG(st->st_mode)) {
        close(fd);
        return -1;
    }
    return fd;
}

enum err static_serve(struct request *r, struct MHD_Connection *conn, const char *root, int *queued)
{
    *queued = 0;
    if (strcmp(r->method, "GET") && strcmp(r->method, "HEAD"))
        return errf(ERR_METHOD, NULL, NULL);
    const char *path = r->path;
    if (strstr(path, "..") || strchr(path, '\\') || path[0] != '/')
        return errf(ERR_NOT_FOUND, NULL, NULL);
    struct stat st;
    int fd = strcmp(path, "/") ? open_file(root, path, &st) : -1;
    int is_index = 0;
    if (fd < 0) {
        if (!strncmp(path, "/assets/", 8))
            return errf(ERR_NOT_FOUND, NULL, NULL);
        fd = open_file(root, "/index.html", &st);
        if (fd < 0)
            return errf(ERR_NOT_FOUND, NULL, "控制台文件未构建（web/dist 不存在）");
        path = "/index.html";
        is_index = 1;
    }
    struct MHD_Response *resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
    MHD_add_response_header(resp, "Content-Type", mime(path));
    MHD_add_response_header(resp, "Cache-Control",
                            !strncmp(path, "/assets/", 8) ? "public, max-age=31536000, immutable"
                            : is_index || !strcmp(path, "/index.html") ? "no-cache"
                                                                       : "public, max-age=3600");
    http_add_security_headers(resp, r);
    r->status = 200;
    MHD_queue_response(conn, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    *queued = 1;
    return ERR_OK;
}
