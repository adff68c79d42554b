/* The 定级报告 of a network unit, section by section and in the wording of seed 000 annex 2
 * (（网络单元名称）定级报告（模板））: 一、基本情况 (概述, 管理情况, 技术情况) and
 * 二、安全等级的确定 (the three grading factors with their values and 赋值理由, then R1's
 * computation and the mapping table). The level is recomputed from I, R and V with the R1 rules, as
 * everywhere. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "json.h"
#include "sbuf.h"
#include "report.h"
#include "unit/rules.h"
#include "unit/unit.h"

/* "2025年8月31日" from a date or from the first ten characters of an ISO time. */
static void chinese_date(struct date d, char *out, size_t n)
{
    snprintf(out, n, "%d年%d月%d日", d.y, d.m, d.d);
}

static int iso_chinese_date(const char *iso, char *out, size_t n)
{
    char day[11];
    struct date d;
    if (!iso || strlen(iso) < 10)
        return -1;
    memcpy(day, iso, 10);
    day[10] = '\0';
    if (date_parse(day, &d))
        return -1;
    chinese_date(d, out, n);
    return 0;
}

static const char *str_or(json_t *obj, const char *key, const char *fallback)
{
    const char *s = json_str(obj, key);
    return s && *s ? s : fallback;
}

/* k10 as the seed writes k: 10 → "1", 15 → "1.5". */
static void k_text(int k10, char *out, size_t n)
{
    if (k10 % 10)
        snprintf(out, n, "%d.%d", k10 / 10, k10 % 10);
    else
        snprintf(out, n, "%d", k10 / 10);
}

/* The range of level n (1..5) in the ruleset, as in the seed's table: "2.5 ≤ k < 4". */
static void level_range(const struct grade_ruleset *rs, int n, char *out, size_t size)
{
    char lo[24], hi[24];
    k_text(rs->k10_min[n - 1], lo, sizeof lo);
    if (n < 5) {
        k_text(rs->k10_min[n], hi, sizeof hi);
        snprintf(out, size, "%s ≤ k < %s", lo, hi);
    } else {
        snprintf(out, size, "%s ≤ k ≤ 5", lo);
    }
}

static void overview(struct doc *d, json_t *u)
{
    doc_heading(d, 2, "（一）概述");
    struct doc_para *p = doc_para(d);
    doc_runf(p, 0, "%s是%s运行的%s网络单元，当前运行状态为%s", json_str(u, "name"),
             json_str(u, "org_name"), str_or(u, "unit_type_name", ""),
             str_or(u, "status_name", "未填写"));
    char online[32];
    if (!iso_chinese_date(json_str(u, "online_date"), online, sizeof online))
        doc_runf(p, 0, "，于%s上线运行", online);
    doc_run(p, "。", 0);
    doc_kv(d, "业务/应用范围", json_str(u, "business_scope"));
    doc_kv(d, "服务范围", json_str(u, "service_scope"));
    doc_kv(d, "用户类型", json_str(u, "user_types"));
}

static void management(struct doc *d, json_t *u)
{
    doc_heading(d, 2, "（二）管理情况");
    doc_kv(d, "所属单位", json_str(u, "org_name"));
    doc_text(d, json_str(u, "management"), "（未填写所属单位基本情况及安全管理架构。）");
}

static void assets_table(struct doc *d, json_t *assets, int *n_table)
{
    static const char *const head[] = {"序号", "资产名称", "类型", "厂商",
                                       "型号", "软件版本", "位置"};
    static const double widths[] = {0.9, 2.0, 1.2, 1.1, 1.6, 1.6, 1.8};
    char caption[64];
    snprintf(caption, sizeof caption, "表%d 硬件设备部署情况和基本信息", ++*n_table);
    doc_caption(d, caption);
    struct doc_table *t = doc_table(d, 7, head, widths);
    doc_table_align(t, 0, DOC_CENTER);
    size_t i;
    json_t *a;
    json_array_foreach (assets, i, a) {
        char no[24];
        snprintf(no, sizeof no, "%zu", i + 1);
        const char *cells[] = {no,
                               json_str(a, "name"),
                               json_str(a, "kind"),
                               json_str(a, "vendor"),
                               json_str(a, "model"),
                               json_str(a, "software_version"),
                               json_str(a, "location")};
        doc_table_row(t, cells, 0);
    }
}

static void technical(struct doc *d, json_t *u, int *n_table)
{
    doc_heading(d, 2, "（三）技术情况");
    doc_text(d, json_str(u, "technical"), "（未填写网络拓扑结构等技术情况。）");
    doc_kv(d, "网络边界划分", json_str(u, "boundary"));
    char devices[32] = "";
    json_t *count = json_object_get(u, "device_count");
    if (json_is_integer(count))
        snprintf(devices, sizeof devices, "%lld 台", (long long)json_integer_value(count));
    doc_kv(d, "设备数量", devices);
    json_t *ranges = json_object_get(u, "ip_ranges"), *r;
    struct sbuf list;
    sbuf_init(&list, 0);
    size_t i;
    json_array_foreach (ranges, i, r) {
        if (i)
            sbuf_adds(&list, "、");
        sbuf_adds(&list, json_string_value(r) ? json_string_value(r) : "");
    }
    doc_kv(d, "IP 地址段", list.buf);
    sbuf_release(&list);
    json_t *assets = json_object_get(u, "assets");
    if (json_array_size(assets))
        assets_table(d, assets, n_table);
}

struct factor {
    const char *name, *symbol, *just_key;
    int value;
};

static void factors(struct doc *d, json_t *g, const struct factor *f, int *n_table)
{
    doc_heading(d, 2, "（一）定级要素的赋值过程和理由");
    doc_run(doc_para(d),
            "网络单元的定级要素包括社会影响力、规模和服务范围、所提供的服务的重要性三个，每一个"
            "定级要素的赋值范围是从1至5的整数。本网络单元三个定级要素的赋值过程和理由如下。",
            0);
    for (int n = 0; n < 3; n++) {
        char title[96], value[24];
        snprintf(title, sizeof title, "%d．%s（%s）", n + 1, f[n].name, f[n].symbol);
        snprintf(value, sizeof value, "%d", f[n].value);
        doc_heading(d, 3, title);
        doc_kv(d, "赋值", value);
        doc_kv(d, "赋值理由", json_str(g, f[n].just_key));
    }
    char caption[64];
    snprintf(caption, sizeof caption, "表%d 定级要素赋值汇总", ++*n_table);
    doc_caption(d, caption);
    static const char *const head[] = {"定级要素", "符号", "赋值", "赋值理由"};
    static const double widths[] = {2.6, 0.9, 0.9, 5.6};
    struct doc_table *t = doc_table(d, 4, head, widths);
    doc_table_align(t, 1, DOC_CENTER);
    doc_table_align(t, 2, DOC_CENTER);
    for (int n = 0; n < 3; n++) {
        char value[24];
        snprintf(value, sizeof value, "%d", f[n].value);
        const char *cells[] = {f[n].name, f[n].symbol, value, json_str(g, f[n].just_key)};
        doc_table_row(t, cells, 0);
    }
}

/* "2^a + 2^b + 2^c" with the exponents as superscripts. */
static void powers(struct doc_para *p, const char *a, const char *b, const char *c)
{
    const char *e[] = {a, b, c};
    for (int n = 0; n < 3; n++) {
        doc_run(p, n ? " + 2" : "2", 0);
        doc_run(p, e[n], DOC_SUPER);
    }
}

static void computation(struct doc *d, const struct factor *f, const struct unit_grade_result *res,
                        int *n_table)
{
    const struct grade_ruleset *rs = grade_ruleset_default();
    doc_heading(d, 2, "（二）安全等级的计算");
    doc_run(doc_para(d), "根据三个定级要素的赋值计算得出安全等级。", 0);
    doc_run(doc_para(d),
            "根据网络单元的社会影响力I、规模和服务范围R、所提供服务重要性V三个定级要素的赋值，"
            "采用以下公式来计算网络单元的安全等级值：",
            0);
    struct doc_para *p = doc_para(d);
    doc_para_align(p, DOC_CENTER, 0);
    doc_run(p, "k = Round1{log", 0);
    doc_run(p, "2", DOC_SUB);
    doc_run(p, "[α×2", 0);
    doc_run(p, "I", DOC_SUPER);
    doc_run(p, " + β×2", 0);
    doc_run(p, "R", DOC_SUPER);
    doc_run(p, " + γ×2", 0);
    doc_run(p, "V", DOC_SUPER);
    doc_run(p, "]}", 0);
    p = doc_para(d);
    doc_run(p,
            "其中，k代表安全等级值，I代表社会影响力赋值、R代表规模和服务范围赋值、V代表所提供的"
            "服务的重要性赋值，Round1{ }表示四舍五入处理，保留1位小数，log",
            0);
    doc_run(p, "2", DOC_SUB);
    doc_run(p,
            "[ ]表示取以2为底的对数，α、β、γ分别表示网络单元的社会影响力、规模和服务范围、所提供"
            "的服务的重要性赋值所占的权重，分别为1/3、1/3、1/3。",
            0);

    char v[3][24], pw[3][24], k[24];
    for (int n = 0; n < 3; n++) {
        snprintf(v[n], sizeof v[n], "%d", f[n].value);
        snprintf(pw[n], sizeof pw[n], "%d", 1 << f[n].value);
    }
    k_text(res->k10, k, sizeof k);
    p = doc_para(d);
    doc_runf(p, 0, "本网络单元的定级要素赋值为 I = %s，R = %s，V = %s，代入公式：", v[0], v[1],
             v[2]);
    p = doc_para(d);
    doc_para_align(p, DOC_CENTER, 0);
    doc_run(p, "2", 0);
    doc_run(p, "I", DOC_SUPER);
    doc_run(p, " + 2", 0);
    doc_run(p, "R", DOC_SUPER);
    doc_run(p, " + 2", 0);
    doc_run(p, "V", DOC_SUPER);
    doc_run(p, " = ", 0);
    powers(p, v[0], v[1], v[2]);
    doc_runf(p, 0, " = %s + %s + %s = %d", pw[0], pw[1], pw[2], res->s);
    p = doc_para(d);
    doc_para_align(p, DOC_CENTER, 0);
    doc_run(p, "k = Round1{log", 0);
    doc_run(p, "2", DOC_SUB);
    doc_runf(p, 0, "[%d/3]} = Round1{%.3f} = %s", res->s, log2(res->s / 3.0), k);

    doc_run(doc_para(d), "计算所得网络单元的安全等级值与安全等级的映射关系如下表所示：", 0);
    char caption[64];
    snprintf(caption, sizeof caption, "表%d 安全等级值与安全等级的映射关系", ++*n_table);
    doc_caption(d, caption);
    static const char *const head[] = {"安全等级值 k", "安全等级"};
    static const double widths[] = {1, 1};
    struct doc_table *t = doc_table(d, 2, head, widths);
    doc_table_align(t, 0, DOC_CENTER);
    doc_table_align(t, 1, DOC_CENTER);
    char range[5][80];
    for (int n = 1; n <= 5; n++) {
        char level[32];
        level_range(rs, n, range[n - 1], sizeof range[n - 1]);
        snprintf(level, sizeof level, "第%d级", n);
        const char *cells[] = {range[n - 1], level};
        doc_table_row(t, cells, n == res->level ? DOC_BOLD : 0);
    }
    p = doc_para(d);
    doc_runf(p, 0, "本网络单元的安全等级值 k = %s，位于“%s”区间，", k, range[res->level - 1]);
    doc_runf(p, DOC_BOLD, "安全等级确定为第%d级", res->level);
    doc_run(p, "。", 0);
}

enum err report_grading_doc(json_t *u, struct date today, struct doc **out)
{
    *out = NULL;
    json_t *g = json_object_get(u, "grading");
    if (!json_is_object(g))
        return errf(ERR_VALIDATION, "grading", "网络单元尚未定级，无法生成定级报告");
    struct factor f[3] = {
        {"社会影响力", "I", "just_i", (int)json_int(g, "i", 0)},
        {"规模和服务范围", "R", "just_r", (int)json_int(g, "r", 0)},
        {"所提供的服务的重要性", "V", "just_v", (int)json_int(g, "v", 0)},
    };
    struct unit_grade_result res;
    enum err rc = unit_grade(f[0].value, f[1].value, f[2].value, &res);
    if (rc)
        return errf(ERR_VALIDATION, "grading", "网络单元的定级要素赋值不完整，无法生成定级报告");

    const char *name = json_str(u, "name") ? json_str(u, "name") : "";
    char *title = NULL, level[32], today_text[32], graded[32] = "";
    if (asprintf(&title, "%s定级报告", name) < 0)
        die_oom();
    snprintf(level, sizeof level, "第%d级", res.level);
    chinese_date(today, today_text, sizeof today_text);
    iso_chinese_date(json_str(g, "graded_at"), graded, sizeof graded);

    struct doc *d = doc_new(title);
    struct doc_cover *c = doc_cover(d, title, NULL);
    doc_cover_line(c, "网络单元名称", name);
    doc_cover_line(c, "网络单元类型", str_or(u, "unit_type_name", ""));
    doc_cover_line(c, "所属单位", json_str(u, "org_name"));
    doc_cover_line(c, "安全等级", level);
    doc_cover_line(c, "定级日期", graded);
    doc_cover_bottom(c, json_str(u, "org_name"));
    doc_cover_bottom(c, today_text);

    int n_table = 0;
    doc_title(d, title);
    doc_heading(d, 1, "一、基本情况");
    overview(d, u);
    management(d, u);
    technical(d, u, &n_table);
    doc_heading(d, 1, "二、安全等级的确定");
    factors(d, g, f, &n_table);
    computation(d, f, &res, &n_table);
    free(title);
    *out = d;
    return ERR_OK;
}

enum err report_grading(struct db *db, long long unit_id, struct doc **out, char **name)
{
    *out = NULL;
    *name = NULL;
    json_t *u;
    struct date today = date_today_shanghai();
    enum err rc = unit_json(db, unit_id, today, &u);
    if (rc)
        return rc;
    if (!(rc = report_grading_doc(u, today, out)) &&
        asprintf(name, "%s定级报告", json_str(u, "name") ? json_str(u, "name") : "") < 0)
        die_oom();
    json_decref(u);
    return rc;
}
