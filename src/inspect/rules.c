/* R10 (seed 003): the 双随机 draw over a deterministic ChaCha20 stream with rejection sampling,
 * the checklist reader, and exact score arithmetic in hundredths of a point. */
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "rules.h"

enum { MAX_POOL = 100000, MAX_INSPECTORS = 10000, MAX_ITEMS = 2000 };

/* ---- the deterministic stream ---- */

/* randombytes_buf_deterministic(seed) is a ChaCha20 key stream: a longer output begins with
 * the shorter one, so the buffer is regenerated twice as long whenever it runs out. */
struct stream {
    const unsigned char *seed;
    unsigned char *buf;
    size_t len, pos;
};

static uint32_t next_word(struct stream *st)
{
    if (st->pos + 4 > st->len) {
        size_t len = st->len ? st->len * 2 : 256;
        st->buf = xrealloc(st->buf, len);
        randombytes_buf_deterministic(st->buf, len, st->seed);
        st->len = len;
    }
    const unsigned char *p = st->buf + st->pos;
    st->pos += 4;
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Uniform in [0, bound) without modulo bias: words at or above the largest multiple of bound
 * below 2^32 are rejected. */
static size_t uniform(struct stream *st, size_t bound)
{
    if (bound < 2)
        return 0;
    uint64_t range = UINT64_C(1) << 32, limit = range - range % bound;
    for (;;) {
        uint32_t x = next_word(st);
        if (x < limit)
            return (size_t)(x % bound);
    }
}

/* Forward Fisher–Yates over idx[0..len), stopped after k steps: idx[0..k) is the draw. */
static void partial_shuffle(struct stream *st, size_t *idx, size_t len, size_t k)
{
    for (size_t i = 0; i < k; i++) {
        size_t j = i + uniform(st, len - i), t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
}

enum err inspect_seed_parse(const char *hex, unsigned char seed[INSPECT_SEED_BYTES])
{
    size_t bin_len;
    if (!hex || strlen(hex) != 2 * INSPECT_SEED_BYTES ||
        sodium_hex2bin(seed, INSPECT_SEED_BYTES, hex, strlen(hex), NULL, &bin_len, NULL) ||
        bin_len != INSPECT_SEED_BYTES)
        return errf(ERR_VALIDATION, "seed", "随机种子应为 64 位十六进制数（32 字节）");
    return ERR_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int blank(const char *s)
{
    return !s || !*s;
}

/* The first id that appears twice, or NULL. */
static const char *duplicate(const char **ids, size_t n)
{
    qsort(ids, n, sizeof *ids, cmp_str);
    for (size_t i = 1; i < n; i++)
        if (!strcmp(ids[i - 1], ids[i]))
            return ids[i];
    return NULL;
}

static enum err check_ids(const struct draw_target *pool, size_t n_pool,
                          const struct draw_inspector *insp, size_t n_insp)
{
    size_t n = n_pool > n_insp ? n_pool : n_insp;
    const char **ids = xmalloc((n ? n : 1) * sizeof *ids), *dup;
    for (size_t i = 0; i < n_pool; i++)
        ids[i] = pool[i].id ? pool[i].id : "";
    dup = duplicate(ids, n_pool);
    enum err rc = ERR_OK;
    if (dup)
        rc = errf(ERR_VALIDATION, "pool", "检查对象库中单位 %s 重复", dup);
    for (size_t i = 0; !rc && i < n_insp; i++)
        ids[i] = insp[i].id ? insp[i].id : "";
    if (!rc && (dup = duplicate(ids, n_insp)))
        rc = errf(ERR_VALIDATION, "inspectors", "检查人员库中人员 %s 重复", dup);
    free(ids);
    return rc;
}

/* R10: an inspector never inspects the group he belongs to. Every target of the pool must be
 * able to get a full team, so that a refusal never depends on which targets the seed draws. */
static enum err check_conflicts(const struct draw_target *pool, size_t n_pool,
                                const struct draw_inspector *insp, size_t n_insp, size_t team_size)
{
    const char **groups = xmalloc((n_insp ? n_insp : 1) * sizeof *groups);
    size_t n_groups = 0;
    for (size_t i = 0; i < n_insp; i++)
        if (!blank(insp[i].group))
            groups[n_groups++] = insp[i].group;
    qsort(groups, n_groups, sizeof *groups, cmp_str);
    enum err rc = ERR_OK;
    for (size_t t = 0; t < n_pool && !rc; t++) {
        size_t same = 0;
        if (!blank(pool[t].group)) {
            size_t lo = 0, hi = n_groups; /* the first group not below the target's */
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (strcmp(groups[mid], pool[t].group) < 0)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            while (lo + same < n_groups && !strcmp(groups[lo + same], pool[t].group))
                same++;
        }
        if (n_insp - same < team_size)
            rc = errf(ERR_VALIDATION, "inspectors",
                      "检查人员库不足以回避：检查对象「%s」回避本单位所属集团的人员后可选 %zu "
                      "人，少于每组 "
                      "%zu 人；请增加检查人员或减少每组人数",
                      pool[t].name ? pool[t].name : pool[t].id, n_insp - same, team_size);
    }
    free(groups);
    return rc;
}

static int conflicts(const struct draw_target *t, const struct draw_inspector *i)
{
    return !blank(t->group) && !blank(i->group) && !strcmp(t->group, i->group);
}

enum err inspect_draw(const unsigned char seed[INSPECT_SEED_BYTES], const struct draw_target *pool,
                      size_t n_pool, const struct draw_inspector *inspectors, size_t n_inspectors,
                      size_t n, size_t team_size, struct draw_result *out)
{
    memset(out, 0, sizeof *out);
    if (n_pool > MAX_POOL || n_inspectors > MAX_INSPECTORS)
        return errf(ERR_VALIDATION, n_pool > MAX_POOL ? "pool" : "inspectors",
                    "检查对象库最多 %d 个单位，检查人员库最多 %d 人", MAX_POOL, MAX_INSPECTORS);
    if (n < 1 || n > n_pool)
        return errf(ERR_VALIDATION, "n",
                    "抽取数量应为 1 至 %zu（检查对象库中的单位数），不能为 %zu", n_pool, n);
    if (team_size < 1 || team_size > n_inspectors)
        return errf(ERR_VALIDATION, "team_size",
                    "每组检查人员数应为 1 至 %zu（检查人员库人数），不能为 %zu", n_inspectors,
                    team_size);
    enum err rc = check_ids(pool, n_pool, inspectors, n_inspectors);
    if (rc || (rc = check_conflicts(pool, n_pool, inspectors, n_inspectors, team_size)))
        return rc;
    struct stream st = {seed, NULL, 0, 0};
    size_t *idx = xmalloc(n_pool * sizeof *idx), *eligible = xmalloc(n_inspectors * sizeof *idx);
    for (size_t i = 0; i < n_pool; i++)
        idx[i] = i;
    partial_shuffle(&st, idx, n_pool, n);
    out->n = n;
    out->team_size = team_size;
    out->targets = xmalloc(n * sizeof *out->targets);
    out->teams = xmalloc(n * team_size * sizeof *out->teams);
    memcpy(out->targets, idx, n * sizeof *idx);
    for (size_t k = 0; k < n; k++) {
        size_t m = 0;
        for (size_t i = 0; i < n_inspectors; i++)
            if (!conflicts(&pool[out->targets[k]], &inspectors[i]))
                eligible[m++] = i;
        partial_shuffle(&st, eligible, m, team_size);
        memcpy(out->teams + k * team_size, eligible, team_size * sizeof *eligible);
    }
    free(idx);
    free(eligible);
    free(st.buf);
    return ERR_OK;
}

void inspect_draw_release(struct draw_result *r)
{
    free(r->targets);
    free(r->teams);
    memset(r, 0, sizeof *r);
}

/* ---- the JSON snapshots ---- */

static const char *group_of(json_t *e, int *ok)
{
    json_t *g = json_object_get(e, "group_id");
    if (!g || json_is_null(g))
        return NULL;
    if (!json_is_string(g))
        *ok = 0;
    return json_string_value(g);
}

static enum err read_pool(json_t *pool, struct draw_target *out)
{
    size_t i;
    json_t *e;
    json_array_foreach (pool, i, e) {
        int ok = json_is_object(e);
        out[i].id = json_str(e, "org_id");
        out[i].name = json_str(e, "name");
        out[i].group = group_of(e, &ok);
        if (!ok || blank(out[i].id) || !out[i].name)
            return errf(
                ERR_VALIDATION, "pool",
                "检查对象库第 %zu 项应为 {org_id, name, group_id}（字符串，group_id 可为 null）",
                i + 1);
    }
    return ERR_OK;
}

static enum err read_inspectors(json_t *arr, struct draw_inspector *out)
{
    size_t i;
    json_t *e;
    json_array_foreach (arr, i, e) {
        int ok = json_is_object(e);
        out[i].id = json_str(e, "id");
        out[i].group = group_of(e, &ok);
        if (!ok || blank(out[i].id) || !json_str(e, "name"))
            return errf(
                ERR_VALIDATION, "inspectors",
                "检查人员库第 %zu 项应为 {id, name, group_id}（字符串，group_id 可为 null）",
                i + 1);
    }
    return ERR_OK;
}

enum err inspect_draw_json(const char *seed_hex, json_t *pool, json_t *inspectors, long long n,
                           long long team_size, json_t **result)
{
    unsigned char seed[INSPECT_SEED_BYTES];
    enum err rc = inspect_seed_parse(seed_hex, seed);
    if (rc)
        return rc;
    if (!json_is_array(pool) || json_array_size(pool) > MAX_POOL)
        return errf(ERR_VALIDATION, "pool", "检查对象库应为至多 %d 项的数组", MAX_POOL);
    if (!json_is_array(inspectors) || json_array_size(inspectors) > MAX_INSPECTORS)
        return errf(ERR_VALIDATION, "inspectors", "检查人员库应为至多 %d 项的数组", MAX_INSPECTORS);
    if (n < 1 || n > MAX_POOL)
        return errf(ERR_VALIDATION, "n", "抽取数量应为正整数");
    if (team_size < 1 || team_size > MAX_INSPECTORS)
        return errf(ERR_VALIDATION, "team_size", "每组检查人员数应为正整数");
    size_t np = json_array_size(pool), ni = json_array_size(inspectors);
    struct draw_target *t = xcalloc(np + 1, sizeof *t);
    struct draw_inspector *in = xcalloc(ni + 1, sizeof *in);
    struct draw_result res;
    if (!(rc = read_pool(pool, t)) && !(rc = read_inspectors(inspectors, in)) &&
        !(rc = inspect_draw(seed, t, np, in, ni, (size_t)n, (size_t)team_size, &res))) {
        json_t *arr = json_array();
        for (size_t k = 0; k < res.n; k++) {
            json_t *team = json_array(), *target = json_array_get(pool, res.targets[k]);
            for (size_t j = 0; j < res.team_size; j++) {
                json_t *ij = json_array_get(inspectors, res.teams[k * res.team_size + j]);
                json_array_append_new(team, json_pack("{s:O,s:O}", "id", json_object_get(ij, "id"),
                                                      "name", json_object_get(ij, "name")));
            }
            json_array_append_new(arr, json_pack("{s:O,s:O,s:o}", "org_id",
                                                 json_object_get(target, "org_id"), "name",
                                                 json_object_get(target, "name"), "team", team));
        }
        inspect_draw_release(&res);
        *result = arr;
    }
    free(t);
    free(in);
    return rc;
}

/* ---- points ---- */

enum err inspect_points_parse(const char *s, const char *field, long long *centi)
{
    const char *p = s ? s : "";
    while (*p == ' ' || *p == '\t')
        p++;
    long long whole = 0, frac = 0;
    int digits = 0, decimals = 0;
    for (; *p >= '0' && *p <= '9' && digits < 9; p++, digits++)
        whole = whole * 10 + (*p - '0');
    if (digits && *p == '.') {
        for (p++; *p >= '0' && *p <= '9' && decimals < 3; p++, decimals++)
            frac = frac * 10 + (*p - '0');
    }
    while (*p == ' ' || *p == '\t')
        p++;
    if (!digits || *p || decimals > 2 || (s && strchr(s, '.') && !decimals))
        return errf(ERR_VALIDATION, field, "分值应为非负数，最多两位小数（如 2、0.5、12.25）");
    if (decimals == 1)
        frac *= 10;
    long long v = whole * 100 + frac;
    if (v > 1000000)
        return errf(ERR_VALIDATION, field, "分值不能超过 10000");
    *centi = v;
    return ERR_OK;
}

void inspect_points_format(long long centi, char out[24])
{
    long long whole = centi / 100, frac = centi % 100;
    if (!frac)
        snprintf(out, 24, "%lld", whole);
    else if (frac % 10 == 0)
        snprintf(out, 24, "%lld.%lld", whole, frac / 10);
    else
        snprintf(out, 24, "%lld.%02lld", whole, frac);
}

long long inspect_percent_centi(long long score, long long max)
{
    if (max <= 0)
        return 0;
    /* 100 × 100 × score / max, rounded half up */
    return (score * 10000 * 2 + max) / (2 * max);
}

/* ---- the checklist ---- */

enum col { COL_AREA, COL_POINT, COL_METHOD, COL_EVIDENCE, COL_SCORE, COL_MAX, COL__COUNT };

static const char *const COL_FIELDS[COL__COUNT] = {"area",     "point", "method",
                                                   "evidence", "score", "max_score"};
static const char *const COL_ALIASES[COL__COUNT][5] = {
    {"area", "检查领域", "检查项", "考核项", "领域"},
    {"point", "检查要点", "考核要点", "要点", "检查内容"},
    {"method", "检查方法", "方法", "检查方式", NULL},
    {"evidence", "佐证材料", "证据", "检查证据", NULL},
    {"score", "评分标准", "评分", "评分细则", NULL},
    {"max score", "max_score", "分值", "满分", "最高分"},
};

static int column_of(const char *header)
{
    char h[128];
    size_t n = 0;
    while (*header == ' ')
        header++;
    for (; *header && n + 1 < sizeof h; header++)
        h[n++] = (*header >= 'A' && *header <= 'Z') ? (char)(*header - 'A' + 'a') : *header;
    while (n && h[n - 1] == ' ')
        n--;
    h[n] = '\0';
    for (int c = 0; c < COL__COUNT; c++)
        for (int k = 0; k < 5 && COL_ALIASES[c][k]; k++)
            if (!strcmp(h, COL_ALIASES[c][k]))
                return c;
    return -1;
}

static void row_error(json_t *errors, int line, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void row_error(json_t *errors, int line, const char *field, const char *fmt, ...)
{
    if (json_array_size(errors) >= 1000)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_array_append_new(errors,
                          json_pack("{s:i,s:s,s:s}", "line", line, "field", field, "message", msg));
}

static const char *trimmed(struct arena *a, const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return arena_strndup(a, s, n);
}

static void read_row(struct arena *a, const struct tab *t, size_t r, const int *map,
                     struct checklist_item *it, json_t *errors)
{
    const char *cell[COL__COUNT];
    int line = t->rows[r].line;
    for (int c = 0; c < COL__COUNT; c++)
        cell[c] = trimmed(a, tab_cell(t, r, (size_t)map[c]));
    static const char *const labels[] = {"检查领域", "检查要点", "检查方法"};
    for (int c = COL_AREA; c <= COL_METHOD; c++)
        if (!*cell[c])
            row_error(errors, line, COL_FIELDS[c], "第 %d 行：%s不能为空", line, labels[c]);
    for (int c = 0; c < COL__COUNT; c++)
        if (strlen(cell[c]) > (c == COL_AREA ? 200u : 4000u))
            row_error(errors, line, COL_FIELDS[c], "第 %d 行：%s 过长", line, COL_FIELDS[c]);
    if (inspect_points_parse(cell[COL_MAX], "max_score", &it->max_centi) || it->max_centi <= 0)
        row_error(errors, line, "max_score", "第 %d 行：分值应为大于 0 的数，最多两位小数（“%s”）",
                  line, cell[COL_MAX]);
    it->area = cell[COL_AREA];
    it->point = cell[COL_POINT];
    it->method = cell[COL_METHOD];
    it->evidence = cell[COL_EVIDENCE];
    it->criteria = cell[COL_SCORE];
    it->line = line;
}

enum err inspect_checklist_read(struct arena *a, const struct tab *t, struct checklist_item **items,
                                size_t *n, json_t *errors)
{
    *items = NULL;
    *n = 0;
    if (t->n_rows < 1) {
        row_error(errors, 1, "file", "文件为空：第一行应为表头");
        return errf(ERR_VALIDATION, "file", "文件为空：第一行应为表头");
    }
    int map[COL__COUNT];
    for (int c = 0; c < COL__COUNT; c++)
        map[c] = -1;
    for (size_t c = 0; c < t->rows[0].n_cells; c++) {
        int k = column_of(tab_cell(t, 0, c));
        if (k >= 0 && map[k] < 0)
            map[k] = (int)c;
    }
    for (int c = 0; c < COL__COUNT; c++)
        if (map[c] < 0)
            row_error(errors, t->rows[0].line, COL_FIELDS[c], "缺少必需的列：%s（%s）",
                      COL_FIELDS[c], COL_ALIASES[c][1]);
    if (json_array_size(errors))
        return errf(ERR_VALIDATION, "file",
                    "表头缺少必需的列（area, point, method, evidence, "
                    "score, max score）");
    struct checklist_item *out = arena_alloc(a, (t->n_rows + 1) * sizeof *out);
    size_t count = 0;
    for (size_t r = 1; r < t->n_rows; r++) {
        int empty = 1;
        for (size_t c = 0; c < t->rows[r].n_cells && empty; c++)
            empty = !*trimmed(a, tab_cell(t, r, c));
        if (empty)
            continue;
        read_row(a, t, r, map, &out[count], errors);
        for (size_t k = 0; k < count; k++)
            if (*out[count].point && !strcmp(out[k].area, out[count].area) &&
                !strcmp(out[k].point, out[count].point))
                row_error(errors, out[count].line, "point", "第 %d 行：与第 %d 行的检查要点重复",
                          out[count].line, out[k].line);
        count++;
    }
    if (!count && !json_array_size(errors))
        row_error(errors, t->rows[0].line, "file", "检查项清单没有检查项");
    if (count > MAX_ITEMS)
        row_error(errors, t->rows[0].line, "file", "检查项最多 %d 项", MAX_ITEMS);
    if (json_array_size(errors))
        return errf(ERR_VALIDATION, "file", "共有 %zu 处错误，未导入任何检查项",
                    json_array_size(errors));
    *items = out;
    *n = count;
    return ERR_OK;
}

const char *inspect_result_name(const char *code)
{
    static const char *const names[][2] = {
        {"conform", "符合"}, {"nonconform", "不符合"}, {"na", "不适用"}};
    for (size_t i = 0; code && i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(names[i][0], code))
            return names[i][1];
    return NULL;
}
