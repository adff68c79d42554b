/* R9 (seed 004): enterprise types, competence, the questionnaire's scoring table and grading,
 * and the deadline numbers. The default scoring table is an example only: the text of 第四条
 * names the factors but no points, so the shipped table says so in its label. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "json.h"
#include "rules.h"
#include "sbuf.h"

static const struct {
    const char *code, *name, *org_kind, *competent, *competent_name;
} types[IIOT__TYPES] = {
    [IIOT_CONNECTED] = {"connected", "联网工业企业", "iiot_connected", "regulator_miit",
                        "省工业和信息化主管部门（省工信厅）"},
    [IIOT_PLATFORM] = {"platform", "平台企业", "iiot_platform", "regulator_ca", "省通信管理局"},
    [IIOT_IDENTIFIER] = {"identifier", "标识解析企业", "iiot_identifier", "regulator_ca",
                         "省通信管理局"},
};

const char *iiot_type_code(enum iiot_type t)
{
    return t < IIOT__TYPES ? types[t].code : "";
}

const char *iiot_type_name(enum iiot_type t)
{
    return t < IIOT__TYPES ? types[t].name : "";
}

int iiot_type_parse(const char *code)
{
    for (int t = 0; code && t < IIOT__TYPES; t++)
        if (!strcmp(types[t].code, code))
            return t;
    return -1;
}

int iiot_type_of_org_kind(const char *kind)
{
    for (int t = 0; kind && t < IIOT__TYPES; t++)
        if (!strcmp(types[t].org_kind, kind))
            return t;
    return -1;
}

const char *iiot_competent_kind(enum iiot_type t)
{
    return t < IIOT__TYPES ? types[t].competent : "";
}

const char *iiot_competent_name(enum iiot_type t)
{
    return t < IIOT__TYPES ? types[t].competent_name : "";
}

int iiot_competent(const char *regulator_kind, enum iiot_type t)
{
    return regulator_kind && t < IIOT__TYPES && !strcmp(regulator_kind, types[t].competent);
}

const char *iiot_level_name(int level)
{
    static const char *const names[] = {"", "一级", "二级", "三级"};
    return level >= 1 && level <= 3 ? names[level] : "";
}

static const char *const factors[IIOT_FACTORS][2] = {
    {"scale", "企业规模"},
    {"business_scope", "业务范围"},
    {"iiot_use", "应用工业互联网的程度"},
    {"important_systems", "运营重要系统的程度"},
    {"important_data", "掌握重要数据的程度"},
    {"industry_importance", "对行业发展和产业链供应链安全的重要程度"},
    {"incident_impact", "发生网络安全事件的影响后果"},
};

const char *iiot_factor_code(int factor)
{
    return factor >= 0 && factor < IIOT_FACTORS ? factors[factor][0] : "";
}

const char *iiot_factor_name(int factor)
{
    return factor >= 0 && factor < IIOT_FACTORS ? factors[factor][1] : "";
}

int iiot_factor_parse(const char *code)
{
    for (int f = 0; code && f < IIOT_FACTORS; f++)
        if (!strcmp(factors[f][0], code))
            return f;
    return -1;
}

static const struct iiot_ruleset default_ruleset = {
    .version = "R9-2025 (云通信局联发〔2025〕6号)",
    .source = "云南省工业互联网安全分类分级管理办法实施细则 第四条、第六条、第七条",
    .verify_workdays = 30,
    .correction_workdays = 20,
    .regrade_months = 3,
    .assess_months = {0, 0, 24, 12},
};

const struct iiot_ruleset *iiot_ruleset_default(void)
{
    return &default_ruleset;
}

struct date iiot_regrade_due(const struct iiot_ruleset *rs, struct date changed)
{
    /* 第四条: 定级要素发生较大变化…应当在发生变化的三个月内重新定级 */
    return date_add_months(changed, rs->regrade_months);
}

enum err iiot_assessment_due(const struct iiot_ruleset *rs, int level, struct date base,
                             struct date *due)
{
    /* 第七条: 三级每年至少一次，二级每两年至少一次；一级可参照二级 (not required) */
    int months = level >= 1 && level <= 3 ? rs->assess_months[level] : 0;
    if (months <= 0)
        return errf(ERR_VALIDATION, "level", "%s工业互联网企业无强制评测频次要求",
                    iiot_level_name(level));
    *due = date_add_months(base, months);
    return ERR_OK;
}

/* ---- the scoring table ---- */

/* The example table: one question per factor of 第四条, 100 points in all. */
static const char DEFAULT_TABLE[] =
    "{\"version\":\"default-example-2025\","
    "\"label\":\"默认评分表（示例），须以主管部门正式发布的评分表替换\","
    "\"source\":"
    "\"按云通信局联发〔2025〕6号第四条所列定级要素编制的示例；分值和阈值不是主管部门发布的"
    "标准\","
    "\"thresholds\":{\"level3_min\":60,\"level2_min\":30},"
    "\"questions\":["
    "{\"id\":\"scale\",\"factor\":\"scale\",\"text\":\"企业规模（从业人员、营业收入）\","
    "\"options\":[{\"id\":\"micro\",\"text\":\"小微型企业\",\"points\":0},"
    "{\"id\":\"medium\",\"text\":\"中型企业\",\"points\":4},"
    "{\"id\":\"large\",\"text\":\"大型企业\",\"points\":8},"
    "{\"id\":\"huge\",\"text\":\"特大型企业或集团\",\"points\":12}]},"
    "{\"id\":\"business_scope\",\"factor\":\"business_scope\",\"text\":\"业务范围\","
    "\"options\":[{\"id\":\"local\",\"text\":\"本地（州市内）\",\"points\":0},"
    "{\"id\":\"province\",\"text\":\"省内多个州市\",\"points\":4},"
    "{\"id\":\"multi_province\",\"text\":\"跨省\",\"points\":8},"
    "{\"id\":\"national\",\"text\":\"全国或跨境\",\"points\":12}]},"
    "{\"id\":\"iiot_use\",\"factor\":\"iiot_use\",\"text\":\"应用工业互联网的程度\","
    "\"options\":[{\"id\":\"single\",\"text\":\"单点应用\",\"points\":0},"
    "{\"id\":\"partial\",\"text\":\"部分环节联网\",\"points\":4},"
    "{\"id\":\"main\",\"text\":\"主要生产经营环节联网\",\"points\":8},"
    "{\"id\":\"full\",\"text\":\"全面联网、协同制造或对外提供平台服务\",\"points\":12}]},"
    "{\"id\":\"important_systems\",\"factor\":\"important_systems\","
    "\"text\":\"运营重要系统的程度\","
    "\"options\":[{\"id\":\"none\",\"text\":\"无重要系统\",\"points\":0},"
    "{\"id\":\"general\",\"text\":\"一般业务系统\",\"points\":5},"
    "{\"id\":\"production\",\"text\":\"重要生产控制系统\",\"points\":10},"
    "{\"id\":\"critical\",\"text\":\"涉及关键信息基础设施\",\"points\":15}]},"
    "{\"id\":\"important_data\",\"factor\":\"important_data\",\"text\":\"掌握重要数据的程度\","
    "\"options\":[{\"id\":\"none\",\"text\":\"不掌握重要数据\",\"points\":0},"
    "{\"id\":\"general\",\"text\":\"一般数据\",\"points\":5},"
    "{\"id\":\"important\",\"text\":\"重要数据\",\"points\":10},"
    "{\"id\":\"core\",\"text\":\"核心数据\",\"points\":15}]},"
    "{\"id\":\"industry_importance\",\"factor\":\"industry_importance\","
    "\"text\":\"对行业发展和产业链供应链安全的重要程度\","
    "\"options\":[{\"id\":\"low\",\"text\":\"一般\",\"points\":0},"
    "{\"id\":\"medium\",\"text\":\"较重要\",\"points\":5},"
    "{\"id\":\"high\",\"text\":\"重要\",\"points\":10},"
    "{\"id\":\"very_high\",\"text\":\"非常重要（产业链关键环节）\",\"points\":15}]},"
    "{\"id\":\"incident_impact\",\"factor\":\"incident_impact\","
    "\"text\":\"发生网络安全事件的影响后果\","
    "\"options\":[{\"id\":\"minor\",\"text\":\"轻微\",\"points\":0},"
    "{\"id\":\"general\",\"text\":\"一般\",\"points\":6},"
    "{\"id\":\"serious\",\"text\":\"严重\",\"points\":12},"
    "{\"id\":\"grave\",\"text\":\"特别严重\",\"points\":19}]}"
    "]}";

const char *iiot_table_default_json(void)
{
    return DEFAULT_TABLE;
}

void iiot_table_release(struct iiot_table *t)
{
    for (size_t q = 0; q < t->n_questions; q++) {
        struct iiot_question *qu = &t->questions[q];
        for (size_t o = 0; o < qu->n_options; o++)
            free(qu->options[o].text);
        free(qu->options);
        free(qu->text);
    }
    free(t->questions);
    free(t->label);
    free(t->source);
    memset(t, 0, sizeof *t);
}

/* Only the listed keys; names the first other one. */
static enum err only_keys(json_t *obj, const char *path, const char *const *keys)
{
    const char *key;
    json_t *v;
    json_object_foreach (obj, key, v) {
        int known = 0;
        for (const char *const *k = keys; *k && !known; k++)
            known = !strcmp(*k, key);
        if (!known)
            return errf(ERR_VALIDATION, *path ? path : key, "评分表含有不允许的字段：%s%s%s", path,
                        *path ? "." : "", key);
    }
    return ERR_OK;
}

static enum err text_of(json_t *obj, const char *key, const char *path, size_t max, char **out)
{
    const char *s = json_str(obj, key);
    char field[192];
    snprintf(field, sizeof field, "%.128s%s%.32s", path, *path ? "." : "", key);
    if (!s || !*s)
        return errf(ERR_VALIDATION, field, "评分表字段 %s 应为非空字符串", field);
    if (strlen(s) > max)
        return errf(ERR_VALIDATION, field, "评分表字段 %s 过长（最多 %zu 字节）", field, max);
    *out = xstrdup(s);
    return ERR_OK;
}

static int valid_id(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 1 || n > 32)
        return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return 0;
    return 1;
}

static enum err id_of(json_t *obj, const char *path, char out[33])
{
    const char *s = json_str(obj, "id");
    if (!valid_id(s))
        return errf(ERR_VALIDATION, path, "%s.id 应为 1 至 32 个小写字母、数字或下划线", path);
    snprintf(out, 33, "%s", s);
    return ERR_OK;
}

static enum err parse_options(json_t *arr, const char *qpath, struct iiot_question *q)
{
    static const char *const keys[] = {"id", "text", "points", NULL};
    char path[64];
    snprintf(path, sizeof path, "%s.options", qpath);
    if (!json_is_array(arr) || json_array_size(arr) < 2 || json_array_size(arr) > 20)
        return errf(ERR_VALIDATION, path, "%s 应为 2 至 20 个选项", path);
    q->options = xcalloc(json_array_size(arr), sizeof *q->options);
    size_t i;
    json_t *o;
    enum err rc;
    json_array_foreach (arr, i, o) {
        struct iiot_option *op = &q->options[i];
        char opath[128];
        snprintf(opath, sizeof opath, "%s[%zu]", path, i);
        if (!json_is_object(o))
            return errf(ERR_VALIDATION, opath, "%s 应为对象", opath);
        if ((rc = only_keys(o, opath, keys)) || (rc = id_of(o, opath, op->id)) ||
            (rc = text_of(o, "text", opath, 500, &op->text)))
            return rc;
        q->n_options = i + 1;
        json_t *pts = json_object_get(o, "points");
        if (!json_is_integer(pts) || json_integer_value(pts) < 0 || json_integer_value(pts) > 1000)
            return errf(ERR_VALIDATION, opath, "%s.points 应为 0 至 1000 的整数", opath);
        op->points = (int)json_integer_value(pts);
        for (size_t k = 0; k < i; k++)
            if (!strcmp(q->options[k].id, op->id))
                return errf(ERR_VALIDATION, opath, "%s.id 重复：%s", opath, op->id);
    }
    return ERR_OK;
}

static enum err parse_types(json_t *arr, const char *qpath, unsigned *mask)
{
    char path[64];
    snprintf(path, sizeof path, "%s.types", qpath);
    if (!arr) {
        *mask = (1u << IIOT__TYPES) - 1;
        return ERR_OK;
    }
    if (!json_is_array(arr) || !json_array_size(arr))
        return errf(ERR_VALIDATION, path, "%s 应为非空的企业类型数组", path);
    *mask = 0;
    size_t i;
    json_t *v;
    json_array_foreach (arr, i, v) {
        int t = iiot_type_parse(json_string_value(v));
        if (t < 0)
            return errf(ERR_VALIDATION, path,
                        "%s 含有未知的企业类型（connected、platform、identifier）", path);
        *mask |= 1u << t;
    }
    return ERR_OK;
}

static enum err parse_question(json_t *qj, size_t i, struct iiot_question *q)
{
    static const char *const keys[] = {"id",    "factor",  "factor_name", "text",
                                       "types", "options", NULL};
    char path[48];
    snprintf(path, sizeof path, "questions[%zu]", i);
    if (!json_is_object(qj))
        return errf(ERR_VALIDATION, path, "%s 应为对象", path);
    enum err rc;
    if ((rc = only_keys(qj, path, keys)) || (rc = id_of(qj, path, q->id)) ||
        (rc = text_of(qj, "text", path, 1000, &q->text)) ||
        (rc = parse_types(json_object_get(qj, "types"), path, &q->types)) ||
        (rc = parse_options(json_object_get(qj, "options"), path, q)))
        return rc;
    q->factor = iiot_factor_parse(json_str(qj, "factor"));
    if (q->factor < 0)
        return errf(ERR_VALIDATION, path,
                    "%s.factor 应为第四条所列定级要素之一（scale、business_scope、"
                    "iiot_use、important_systems、important_data、industry_importance、"
                    "incident_impact）",
                    path);
    return ERR_OK;
}

static int max_total(const struct iiot_table *t, enum iiot_type type)
{
    int total = 0;
    for (size_t q = 0; q < t->n_questions; q++) {
        const struct iiot_question *qu = &t->questions[q];
        if (!(qu->types & (1u << type)))
            continue;
        int best = 0;
        for (size_t o = 0; o < qu->n_options; o++)
            if (qu->options[o].points > best)
                best = qu->options[o].points;
        total += best;
    }
    return total;
}

/* Every type covers every factor; thresholds rise and 三级 is reachable. */
static enum err check_table(const struct iiot_table *t)
{
    for (int type = 0; type < IIOT__TYPES; type++)
        for (int f = 0; f < IIOT_FACTORS; f++) {
            int covered = 0;
            for (size_t q = 0; q < t->n_questions && !covered; q++)
                covered = t->questions[q].factor == f && (t->questions[q].types & (1u << type));
            if (!covered)
                return errf(ERR_VALIDATION, "questions", "%s的问卷缺少定级要素「%s」（第四条）",
                            iiot_type_name(type), iiot_factor_name(f));
        }
    if (t->level2_min <= 0 || t->level3_min <= t->level2_min)
        return errf(ERR_VALIDATION, "thresholds",
                    "阈值应满足 0 < level2_min（二级）< level3_min（三级）");
    for (int type = 0; type < IIOT__TYPES; type++)
        if (t->level3_min > max_total(t, type))
            return errf(ERR_VALIDATION, "thresholds.level3_min",
                        "%s的最高总分 %d 达不到三级阈值 %d", iiot_type_name(type),
                        max_total(t, type), t->level3_min);
    return ERR_OK;
}

static enum err parse_thresholds(json_t *th, struct iiot_table *t)
{
    static const char *const keys[] = {"level3_min", "level2_min", NULL};
    if (!json_is_object(th))
        return errf(ERR_VALIDATION, "thresholds", "thresholds 应为 {level3_min, level2_min}");
    enum err rc = only_keys(th, "thresholds", keys);
    if (rc)
        return rc;
    json_t *l3 = json_object_get(th, "level3_min"), *l2 = json_object_get(th, "level2_min");
    if (!json_is_integer(l3) || json_integer_value(l3) < 1 || json_integer_value(l3) > 100000)
        return errf(ERR_VALIDATION, "thresholds.level3_min", "三级阈值应为正整数");
    if (!json_is_integer(l2) || json_integer_value(l2) < 1 || json_integer_value(l2) > 100000)
        return errf(ERR_VALIDATION, "thresholds.level2_min", "二级阈值应为正整数");
    t->level3_min = (int)json_integer_value(l3);
    t->level2_min = (int)json_integer_value(l2);
    return ERR_OK;
}

enum err iiot_table_parse(json_t *in, struct iiot_table *out)
{
    static const char *const keys[] = {"version",    "label",     "source",
                                       "thresholds", "questions", NULL};
    memset(out, 0, sizeof *out);
    if (!json_is_object(in))
        return errf(ERR_VALIDATION, "table", "评分表应为 JSON 对象");
    enum err rc = only_keys(in, "", keys);
    const char *version = json_str(in, "version");
    if (rc)
        return rc;
    if (!version || !*version || strlen(version) > 64)
        return errf(ERR_VALIDATION, "version", "评分表版本应为 1 至 64 字节的字符串");
    snprintf(out->version, sizeof out->version, "%s", version);
    json_t *qs = json_object_get(in, "questions"), *qj;
    if ((rc = text_of(in, "label", "", 500, &out->label)) ||
        (rc = text_of(in, "source", "", 2000, &out->source)) ||
        (rc = parse_thresholds(json_object_get(in, "thresholds"), out)))
        goto fail;
    if (!json_is_array(qs) || !json_array_size(qs) || json_array_size(qs) > 100) {
        rc = errf(ERR_VALIDATION, "questions", "questions 应为 1 至 100 个问题");
        goto fail;
    }
    out->questions = xcalloc(json_array_size(qs), sizeof *out->questions);
    size_t i;
    json_array_foreach (qs, i, qj) {
        rc = parse_question(qj, i, &out->questions[i]);
        out->n_questions = i + 1;
        if (rc)
            goto fail;
        for (size_t k = 0; k < i; k++)
            if (!strcmp(out->questions[k].id, out->questions[i].id)) {
                rc = errf(ERR_VALIDATION, "questions", "问题编号重复：%s", out->questions[i].id);
                goto fail;
            }
    }
    if (!(rc = check_table(out)))
        return ERR_OK;
fail:
    iiot_table_release(out);
    return rc;
}

json_t *iiot_table_json(const struct iiot_table *t)
{
    json_t *qs = json_array();
    for (size_t q = 0; q < t->n_questions; q++) {
        const struct iiot_question *qu = &t->questions[q];
        json_t *opts = json_array(), *tys = json_array();
        for (size_t o = 0; o < qu->n_options; o++)
            json_array_append_new(opts,
                                  json_pack("{s:s,s:s,s:i}", "id", qu->options[o].id, "text",
                                            qu->options[o].text, "points", qu->options[o].points));
        for (int ty = 0; ty < IIOT__TYPES; ty++)
            if (qu->types & (1u << ty))
                json_array_append_new(tys, json_string(iiot_type_code(ty)));
        json_array_append_new(qs, json_pack("{s:s,s:s,s:s,s:s,s:o,s:o}", "id", qu->id, "factor",
                                            iiot_factor_code(qu->factor), "factor_name",
                                            iiot_factor_name(qu->factor), "text", qu->text, "types",
                                            tys, "options", opts));
    }
    return json_pack("{s:s,s:s,s:s,s:{s:i,s:i},s:o}", "version", t->version, "label", t->label,
                     "source", t->source, "thresholds", "level3_min", t->level3_min, "level2_min",
                     t->level2_min, "questions", qs);
}

int iiot_level_of(const struct iiot_table *t, int score)
{
    return score >= t->level3_min ? 3 : score >= t->level2_min ? 2 : 1;
}

static const struct iiot_question *question(const struct iiot_table *t, const char *id)
{
    for (size_t q = 0; q < t->n_questions; q++)
        if (!strcmp(t->questions[q].id, id))
            return &t->questions[q];
    return NULL;
}

enum err iiot_grade(const struct iiot_table *t, enum iiot_type type, json_t *answers,
                    struct iiot_grade_result *out)
{
    if (!json_is_object(answers))
        return errf(ERR_VALIDATION, "answers", "answers 应为 {问题编号: 选项编号} 对象");
    const char *key;
    json_t *v;
    int score = 0;
    json_object_foreach (answers, key, v) {
        const struct iiot_question *q = question(t, key);
        char field[64];
        snprintf(field, sizeof field, "answers.%.40s", key);
        if (!q || !(q->types & (1u << type)))
            return errf(ERR_VALIDATION, field, "评分表 %s 中没有适用于%s的问题「%s」", t->version,
                        iiot_type_name(type), key);
        if (json_is_null(v))
            continue; /* reported below as unanswered */
        const char *choice = json_string_value(v);
        const struct iiot_option *opt = NULL;
        for (size_t o = 0; choice && o < q->n_options && !opt; o++)
            if (!strcmp(q->options[o].id, choice))
                opt = &q->options[o];
        if (!opt)
            return errf(ERR_VALIDATION, field, "问题「%s」没有选项「%s」", q->text,
                        choice ? choice : "");
        score += opt->points;
    }
    /* 第四条: 结合各要素开展自主定级 — a questionnaire with a gap gives no level. */
    struct sbuf fields, names;
    sbuf_init(&fields, 4096);
    sbuf_init(&names, 4096);
    for (size_t q = 0; q < t->n_questions; q++) {
        const struct iiot_question *qu = &t->questions[q];
        json_t *a = json_object_get(answers, qu->id);
        if (!(qu->types & (1u << type)) || (a && !json_is_null(a)))
            continue;
        sbuf_addf(&fields, "%sanswers.%s", fields.len ? "," : "", qu->id);
        sbuf_addf(&names, "%s第 %zu 题「%s」", names.len ? "、" : "", q + 1, qu->text);
    }
    enum err rc = ERR_OK;
    if (fields.len)
        rc = errf(ERR_VALIDATION, fields.buf, "问卷有未作答的问题：%s", names.buf);
    sbuf_release(&fields);
    sbuf_release(&names);
    if (rc)
        return rc;
    out->score = score;
    out->max_score = max_total(t, type);
    out->level = iiot_level_of(t, score);
    return ERR_OK;
}
