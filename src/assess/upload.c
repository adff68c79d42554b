/* Uploaded files: checks, content-addressed storage on disk, the per-organisation rows and the
 * links to assessments and risk assessments. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "config.h"
#include "crypto.h"
#include "http/http.h"
#include "rules.h"
#include "store/store.h"
#include "timeutil.h"
#include "upload.h"

int file_id_valid(const char *s)
{
    size_t n = 0;
    for (; s && s[n]; n++)
        if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
            return 0;
    return n == 64;
}

/* The declared type without parameters, compared case-insensitively. */
static int type_is(const char *declared, const char *type)
{
    size_t n = strcspn(declared, ";");
    while (n && declared[n - 1] == ' ')
        n--;
    return n == strlen(type) && !strncasecmp(declared, type, n);
}

enum err file_check_upload(const void *data, size_t len, const char *raw_name,
                           const char *content_type, struct file_meta *m)
{
    memset(m, 0, sizeof *m);
    enum err rc = assess_file_name(raw_name, "name", m->name);
    if (rc)
        return rc;
    if (!len)
        return errf(ERR_VALIDATION, "file", "文件内容为空");
    enum file_kind kind = assess_file_kind(data, len);
    if (kind == FILE_MACRO)
        return errf(ERR_MEDIA_TYPE, "file", "不允许上传含宏的文档");
    const char *media = assess_file_media_type(kind);
    if (!media)
        return errf(ERR_MEDIA_TYPE, "file", "只允许上传 PDF、DOCX、XLSX、PNG、JPEG 文件");
    if (!assess_file_ext_matches(kind, m->name))
        return errf(ERR_MEDIA_TYPE, "name", "文件扩展名与文件内容不符（内容为 %s）", media);
    if (content_type && *content_type && !type_is(content_type, "application/octet-stream") &&
        !type_is(content_type, media))
        return errf(ERR_MEDIA_TYPE, "file", "Content-Type 与文件内容不符（内容为 %s）", media);
    if ((rc = crypto_sm3_hex(data, len, m->sm3)))
        return rc;
    m->size = (long long)len;
    snprintf(m->media_type, sizeof m->media_type, "%s", media);
    return ERR_OK;
}

static void blob_dir(const char *sm3, char *out, size_t size)
{
    snprintf(out, size, "%s/files/%.2s/%.2s", config_str(SET_DATA), sm3, sm3 + 2);
}

static enum err make_dirs(const char *path)
{
    char buf[1024];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return errf(ERR_IO, NULL, "数据目录路径过长");
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0750) && errno != EEXIST)
            return errf(ERR_IO, NULL, "无法创建目录 %s：%s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0750) && errno != EEXIST)
        return errf(ERR_IO, NULL, "无法创建目录 %s：%s", buf, strerror(errno));
    return ERR_OK;
}

static enum err write_all(int fd, const char *p, size_t len)
{
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return errf(ERR_IO, NULL, "写入文件失败：%s", strerror(errno));
        p += n;
        len -= (size_t)n;
    }
    return ERR_OK;
}

enum err file_store_blob(const void *data, size_t len, const char *sm3)
{
    char dir[1024], path[1200], tmp[1300], rnd[17];
    struct stat st;
    blob_dir(sm3, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/%s", dir, sm3);
    /* The same content is stored once: a complete copy is already there. */
    if (!stat(path, &st) && S_ISREG(st.st_mode) && (size_t)st.st_size == len)
        return ERR_OK;
    enum err rc = make_dirs(dir);
    if (rc)
        return rc;
    crypto_random_hex(rnd, 8);
    snprintf(tmp, sizeof tmp, "%s/.%s.%s.tmp", dir, sm3, rnd);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0640);
    if (fd < 0)
        return errf(ERR_IO, NULL, "无法创建文件：%s", strerror(errno));
    rc = write_all(fd, data, len);
    if (!rc && fsync(fd))
        rc = errf(ERR_IO, NULL, "同步文件失败：%s", strerror(errno));
    if (close(fd) && !rc)
        rc = errf(ERR_IO, NULL, "关闭文件失败：%s", strerror(errno));
    if (!rc && rename(tmp, path))
        rc = errf(ERR_IO, NULL, "保存文件失败：%s", strerror(errno));
    if (rc) {
        unlink(tmp);
        return rc;
    }
    /* The rename survives a power cut only once the directory is synced. */
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        if (fsync(dfd))
            rc = errf(ERR_IO, NULL, "同步目录失败：%s", strerror(errno));
        close(dfd);
    }
    return rc;
}

enum err file_load(struct arena *a, const char *sm3, long long size, char **data)
{
    char dir[1024], path[1200];
    blob_dir(sm3, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/%s", dir, sm3);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return errf(ERR_IO, NULL, "文件内容缺失，请联系管理员");
    char *buf = arena_alloc(a, (size_t)size + 1);
    size_t got = 0;
    enum err rc = ERR_OK;
    while (got < (size_t)size) {
        ssize_t n = read(fd, buf + got, (size_t)size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = errf(ERR_IO, NULL, "文件内容不完整，请联系管理员");
            break;
        }
        got += (size_t)n;
    }
    close(fd);
    if (!rc)
        *data = buf;
    return rc;
}

json_t *file_meta_json(const struct file_meta *m)
{
    char org[24];
    snprintf(org, sizeof org, "%lld", m->org_id);
    return json_pack("{s:s,s:s,s:s,s:I,s:s}", "id", m->sm3, "name", m->name, "org_id", org, "size",
                     (json_int_t)m->size, "media_type", m->media_type);
}

#define FILE_COLS                                                                                  \
    "SELECT f.sm3, f.org_id, f.size, f.media_type, f.name, f.uploaded_by, f.created_at "

static void meta_of_row(struct db_stmt *s, struct file_meta *m)
{
    snprintf(m->sm3, sizeof m->sm3, "%s", db_text(s, 0));
    m->org_id = db_int(s, 1);
    m->size = db_int(s, 2);
    snprintf(m->media_type, sizeof m->media_type, "%s", db_text(s, 3));
    snprintf(m->name, sizeof m->name, "%s", db_text(s, 4));
}

static json_t *row_json(struct db_stmt *s)
{
    struct file_meta m;
    meta_of_row(s, &m);
    json_t *j = file_meta_json(&m);
    json_object_set_new(j, "uploaded_by", json_string(db_text(s, 5)));
    json_object_set_new(j, "created_at", json_string(db_text(s, 6)));
    return j;
}

static const char SQL_FILE_ONE[] = FILE_COLS "FROM files f WHERE f.sm3 = $1 AND f.org_id = $2";
static const char SQL_FILE_INSERT[] =
    "INSERT INTO files (sm3, org_id, size, media_type, name, uploaded_by, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (sm3, org_id) DO NOTHING";

static enum err file_row(struct db *db, const char *sm3, long long org, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_FILE_ONE, &s);
    if (rc)
        return rc;
    db_bind_text(s, 1, sm3);
    db_bind_int(s, 2, org);
    int row;
    *out = NULL;
    if (!(rc = db_step(s, &row)) && row)
        *out = row_json(s);
    db_done(s);
    if (!rc && !*out)
        rc = errf(ERR_NOT_FOUND, NULL, "文件不存在");
    return rc;
}

/* Inserts the row of (sm3, org) unless there is one; *inserted tells which. */
static enum err insert_row(struct db *db, const struct file_meta *m, long long org, const char *by,
                           int *inserted)
{
    struct db_stmt *s;
    char now[40];
    time_now_iso(now);
    enum err rc = db_prepare(db, SQL_FILE_INSERT, &s);
    if (rc)
        return rc;
    db_bind_text(s, 1, m->sm3);
    db_bind_int(s, 2, org);
    db_bind_int(s, 3, m->size);
    db_bind_text(s, 4, m->media_type);
    db_bind_text(s, 5, m->name);
    db_bind_text(s, 6, by);
    db_bind_text(s, 7, now);
    int row;
    rc = db_step(s, &row);
    *inserted = db_changes(s) > 0;
    db_done(s);
    return rc;
}

enum err file_record(struct db *db, const struct audit_ctx *ax, const struct file_meta *m,
                     json_t **out, int *created)
{
    enum err rc = insert_row(db, m, m->org_id, ax->actor_name, created);
    if (rc || (rc = file_row(db, m->sm3, m->org_id, out)))
        return rc;
    if (*created)
        rc = audit_append(db, ax, "file.upload", "file", m->sm3, m->org_id, NULL, *out);
    return rc;
}

static const char *const SQL_VISIBLE[3] =
    SCOPED(FILE_COLS "FROM files f WHERE f.sm3 = $2 AND ", "f.org_id",
           " ORDER BY f.created_at, f.org_id LIMIT 1");

enum err file_find_visible(struct request *r, const char *sm3, struct file_meta *m)
{
    if (!file_id_valid(sm3))
        return errf(ERR_NOT_FOUND, NULL, "文件不存在");
    struct db_stmt *s;
    enum err rc = db_prepare(r->db, scope_sql(&r->caller, SQL_VISIBLE), &s);
    if (rc)
        return rc;
    scope_bind(s, &r->caller);
    db_bind_text(s, 2, sm3);
    int row, found = 0;
    if (!(rc = db_step(s, &row)) && row) {
        meta_of_row(s, m);
        found = 1;
    }
    db_done(s);
    if (!rc && !found)
        rc = errf(ERR_NOT_FOUND, NULL, "文件不存在");
    return rc;
}

/* The two subjects share every statement but the column naming the subject. */
#define LINK_SQL(col)                                                                              \
    {                                                                                              \
        .insert = "INSERT INTO file_links (sm3, org_id, " col ", role, linked_by, created_at) "    \
                  "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",                                  \
        .dup = "SELECT COUNT(*) FROM file_links WHERE " col " = $1 AND sm3 = $2 AND role = $3",    \
        .drop_report = "DELETE FROM file_links WHERE " col " = $1 AND role = 'report'",            \
        .remove = "DELETE FROM file_links WHERE id = $1 AND " col " = $2",                         \
        .clear = "DELETE FROM file_links WHERE " col " = $1",                                      \
        .list = "SELECT l.id, l.sm3, f.name, f.size, f.media_type, l.role, l.linked_by, "          \
                "l.created_at FROM file_links l JOIN files f ON f.sm3 = l.sm3 AND f.org_id = "     \
                "l.org_id WHERE l." col " = $1 ORDER BY l.id",                                     \
        .one = "SELECT l.sm3, l.role FROM file_links l WHERE l.id = $1 AND l." col " = $2",        \
    }

static const struct link_sql {
    const char *insert, *dup, *drop_report, *remove, *clear, *list, *one;
} LINKS[2] = {
    [FILE_OF_ASSESSMENT] = LINK_SQL("assessment_id"),
    [FILE_OF_RISK] = LINK_SQL("risk_assessment_id"),
};
static const char *const SUBJECT_NAMES[2] = {"assessment", "risk_assessment"};

static enum err run_id(struct db *db, const char *sql, long long id)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, sql, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    int row;
    rc = db_step(s, &row);
    db_done(s);
    return rc;
}

static enum err link_audit(struct db *db, const struct audit_ctx *ax, enum file_subject subj,
                           const char *verb, long long subject_id, long long org, json_t *before,
                           json_t *after)
{
    char action[48], idbuf[24];
    snprintf(action, sizeof action, "%s.%s", SUBJECT_NAMES[subj], verb);
    snprintf(idbuf, sizeof idbuf, "%lld", subject_id);
    return audit_append(db, ax, action, SUBJECT_NAMES[subj], idbuf, org, before, after);
}

enum err file_link_add(struct db *db, const struct audit_ctx *ax, enum file_subject subj,
                       long long subject_id, long long org_id, const struct file_meta *m,
                       const char *role, long long *link_id)
{
    const struct link_sql *q = &LINKS[subj];
    if (!role || (strcmp(role, "report") && strcmp(role, "evidence")))
        return errf(ERR_VALIDATION, "role", "用途应为 report（报告）或 evidence（证明材料）");
    struct db_stmt *s;
    long long n;
    int inserted, row;
    enum err rc = db_prepare(db, q->dup, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, subject_id);
    db_bind_text(s, 2, m->sm3);
    db_bind_text(s, 3, role);
    if ((rc = db_scalar_int(s, 0, &n)))
        return rc;
    if (n)
        return errf(ERR_CONFLICT, "file_id", "该文件已按此用途关联");
    if ((rc = insert_row(db, m, org_id, ax->actor_name, &inserted)))
        return rc;
    if (!strcmp(role, "report") && (rc = run_id(db, q->drop_report, subject_id)))
        return rc;
    char now[40];
    time_now_iso(now);
    if ((rc = db_prepare(db, q->insert, &s)))
        return rc;
    db_bind_text(s, 1, m->sm3);
    db_bind_int(s, 2, org_id);
    db_bind_int(s, 3, subject_id);
    db_bind_text(s, 4, role);
    db_bind_text(s, 5, ax->actor_name);
    db_bind_text(s, 6, now);
    if (!(rc = db_step(s, &row)) && row)
        *link_id = db_int(s, 0);
    db_done(s);
    if (rc)
        return rc;
    json_t *after = json_pack("{s:I,s:s,s:s,s:s}", "link_id", (json_int_t)*link_id, "file_id",
                              m->sm3, "name", m->name, "role", role);
    rc = link_audit(db, ax, subj, "file_link", subject_id, org_id, NULL, after);
    json_decref(after);
    return rc;
}

enum err file_link_delete(struct db *db, const struct audit_ctx *ax, enum file_subject subj,
                          long long subject_id, long long org_id, long long link_id)
{
    const struct link_sql *q = &LINKS[subj];
    struct db_stmt *s;
    json_t *before = NULL;
    enum err rc = db_prepare(db, q->one, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, link_id);
    db_bind_int(s, 2, subject_id);
    int row;
    if (!(rc = db_step(s, &row)) && row)
        before = json_pack("{s:I,s:s,s:s}", "link_id", (json_int_t)link_id, "file_id",
                           db_text(s, 0), "role", db_text(s, 1));
    db_done(s);
    if (!rc && !before)
        return errf(ERR_NOT_FOUND, NULL, "文件关联不存在");
    if (!rc && !(rc = db_prepare(db, q->remove, &s))) {
        db_bind_int(s, 1, link_id);
        db_bind_int(s, 2, subject_id);
        rc = db_step(s, &row);
        db_done(s);
    }
    if (!rc)
        rc = link_audit(db, ax, subj, "file_unlink", subject_id, org_id, before, NULL);
    json_decref(before);
    return rc;
}

enum err file_links_json(struct db *db, enum file_subject subj, long long subject_id, json_t **out,
                         int *has_report)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, LINKS[subj].list, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, subject_id);
    json_t *arr = json_array();
    int row, report = 0;
    while (!(rc = db_step(s, &row)) && row) {
        char link[24];
        snprintf(link, sizeof link, "%lld", db_int(s, 0));
        if (!strcmp(db_text(s, 5), "report"))
            report = 1;
        json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:I,s:s,s:s,s:s,s:s}", "link_id", link,
                                             "file_id", db_text(s, 1), "name", db_text(s, 2),
                                             "size", (json_int_t)db_int(s, 3), "media_type",
                                             db_text(s, 4), "role", db_text(s, 5), "linked_by",
                                             db_text(s, 6), "linked_at", db_text(s, 7)));
    }
    db_done(s);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    if (has_report)
        *has_report = report;
    *out = arr;
    return ERR_OK;
}

enum err file_links_clear(struct db *db, enum file_subject subj, long long subject_id)
{
    return run_id(db, LINKS[subj].clear, subject_id);
}
