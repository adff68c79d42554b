/* The 安全风险评估报告 of a risk assessment, section by section in the wording of seed 000 annex 3
 * (（网络单元名称）安全风险评估报告（模板））: 一、概述, 二、被评估对象描述,
 * 三、风险分析及评估方法, 四、风险识别结果 (业务, 资产, 威胁, 脆弱性, 已有安全措施),
 * 五、风险分析结果 (the risk table: asset, threat, vulnerability, likelihood, loss, value, level,
 * treatment), 六、风险评价, 七、风险评估总结. The risks are R7's as computed and stored by the risk
 * module (src/risk); nothing is recomputed here. GET /api/v1/risk-assessments/:id/report.docx|.pdf,
 * in the risk API's scope. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "http/http.h"
#include "json.h"
#include "report.h"
#include "risk/risk.h"

static const char *str_or(json_t *obj, const char *key, const char *fallback)
{
    const char *s = json_str(obj, key);
    return s && *s ? s : fallback;
}

static const char *num(char buf[24], long long v)
{
    snprintf(buf, 24, "%lld", v);
    return buf;
}

static void caption(struct doc *d, int *n_table, const char *text)
{
    char line[256];
    snprintf(line, sizeof line, "表%d %s", ++*n_table, text);
    doc_caption(d, line);
}

/* The name of the row of table whose id is id ("" when not found). */
static const char *name_of(json_t *table, const char *id, const char *key)
{
    json_t *e;
    size_t i;
    json_array_foreach (table, i, e)
        if (id && !strcmp(str_or(e, "id", ""), id))
            return str_or(e, key, "");
    return "";
}

static void chinese_date(const char *iso, char out[32])
{
    struct date d;
    char day[11];
    out[0] = '\0';
    if (!iso || strlen(iso) < 10)
        return;
    memcpy(day, iso, 10);
    day[10] = '\0';
    if (!date_parse(day, &d))
        snprintf(out, 32, "%d年%d月%d日", d.y, d.m, d.d);
    else
        err_clear();
}

static void overview(struct doc *d, json_t *ra)
{
    doc_heading(d, 1, "一、概述");
    struct doc_para *p = doc_para(d);
    char from[32], to[32];
    chinese_date(json_str(ra, "started_on"), from);
    chinese_date(json_str(ra, "ended_on"), to);
    doc_runf(p, 0, "本次评估为%s的%s，评估时间为%s至%s。", str_or(ra, "unit_name", ""),
             json_is_true(json_object_get(ra, "pre_launch")) ? "上线前安全风险评估"
                                                             : "安全风险评估",
             from, *to ? to : "今（评估尚未结束）");
    doc_text(d, json_str(ra, "overview"), "（未填写评估目的、依据、评估过程。）");
}

static void target(struct doc *d, json_t *ra, int *n_table)
{
    doc_heading(d, 1, "二、被评估对象描述");
    doc_kv(d, "被评估网络单元", str_or(ra, "unit_name", ""));
    doc_kv(d, "所属单位", str_or(ra, "org_name", ""));
    doc_kv(d, "评估范围", json_str(ra, "scope"));
    doc_kv(d, "评估内容", json_str(ra, "business"));
    json_t *biz = json_object_get(ra, "business_entries"), *e;
    if (!json_array_size(biz))
        return;
    caption(d, n_table, "评估内容（业务）");
    static const char *const head[] = {"序号", "业务名称", "业务描述", "重要性"};
    static const double widths[] = {32, 100, 233, 50}; /* points of 415 */
    struct doc_table *t = doc_table(d, 4, head, widths);
    doc_table_align(t, 0, DOC_CENTER);
    doc_table_align(t, 3, DOC_CENTER);
    size_t i;
    json_array_foreach (biz, i, e) {
        char no[24], imp[24];
        const char *row[] = {num(no, (long long)i + 1), str_or(e, "name", ""),
                             str_or(e, "description", ""), num(imp, json_int(e, "importance", 0))};
        doc_table_row(t, row, 0);
    }
}

static void method(struct doc *d, json_t *ra)
{
    doc_heading(d, 1, "三、风险分析及评估方法");
    doc_run(doc_para(d),
            "本次评估依据 GB/T 20984《信息安全技术 信息安全风险评估方法》，采用“识别—分析—评价—"
            "处置”的风险分析模型：识别被评估对象的业务、资产、威胁、脆弱性和已有安全措施，"
            "由资产价值、威胁频率和脆弱性严重程度计算风险值，按评价准则确定风险等级，并对风险"
            "提出处置措施。",
            0);
    struct doc_para *p = doc_para(d);
    if (!strcmp(str_or(ra, "method", ""), "matrix")) {
        doc_runf(p, 0,
                 "风险计算采用矩阵法（风险矩阵版本 %s）：由威胁频率 T 与脆弱性严重程度 Va 查表"
                 "得到安全事件发生的可能性 L，由资产价值 Ia 与脆弱性严重程度 Va 查表得到安全事件"
                 "造成的损失 F，再由 L 与 F 查表得到风险值 R，按风险值区间划分风险等级。",
                 str_or(ra, "table_version", ""));
        return;
    }
    doc_runf(p, 0,
             "风险计算采用相乘法（版本 %s）。资产价值 Ia 由资产的保密性、完整性、可用性赋值计算，"
             "威胁频率 T、脆弱性严重程度 Va 的赋值均为 1 至 5 的整数。安全事件发生的可能性 ",
             str_or(ra, "table_version", ""));
    doc_run(p, "L = [√(T×Va)]，安全事件造成的损失 F = [√(Ia×Va)]，风险值 R = L×F", 0);
    doc_run(p,
            "（[x] 表示四舍五入取整）。风险值为 1～5 时风险等级为很低，6～10 为低，11～15 为中，"
            "16～20 为高，21～25 为很高。",
            0);
}

static void identification(struct doc *d, json_t *ra, int *n_table)
{
    json_t *assets = json_object_get(ra, "assets"), *threats = json_object_get(ra, "threats");
    json_t *vulns = json_object_get(ra, "vulns"), *controls = json_object_get(ra, "controls");
    json_t *biz = json_object_get(ra, "business_entries"), *e;
    size_t i;
    doc_heading(d, 1, "四、风险识别结果");
    struct doc_para *p = doc_para(d);
    doc_runf(p, 0,
             "本次评估共识别业务 %zu 项、资产 %zu 项、威胁 %zu 项、脆弱性 %zu 项，确认已有安全措施 "
             "%zu 项。",
             json_array_size(biz), json_array_size(assets), json_array_size(threats),
             json_array_size(vulns), json_array_size(controls));

    doc_heading(d, 2, "（一）业务识别");
    if (!json_array_size(biz))
        doc_run(doc_para(d), "（未识别业务。）", 0);
    else
        doc_runf(doc_para(d), 0, "识别的业务见表%d。", *n_table);

    doc_heading(d, 2, "（二）资产识别");
    if (json_array_size(assets)) {
        caption(d, n_table, "资产识别");
        static const char *const head[] = {"序号",   "资产名称", "类型",   "所属业务",
                                           "保密性", "完整性",   "可用性", "资产价值"};
        static const double widths[] = {32, 76, 52, 66, 44, 44, 44, 57};
        struct doc_table *t = doc_table(d, 8, head, widths);
        for (size_t c = 4; c < 8; c++)
            doc_table_align(t, c, DOC_CENTER);
        doc_table_align(t, 0, DOC_CENTER);
        json_array_foreach (assets, i, e) {
            char no[24], c1[24], c2[24], c3[24], v[24];
            const char *row[] = {num(no, (long long)i + 1),
                                 str_or(e, "name", ""),
                                 str_or(e, "kind", ""),
                                 name_of(biz, json_str(e, "business_id"), "name"),
                                 num(c1, json_int(e, "confidentiality", 0)),
                                 num(c2, json_int(e, "integrity", 0)),
                                 num(c3, json_int(e, "availability", 0)),
                                 num(v, json_int(e, "value", 0))};
            doc_table_row(t, row, 0);
        }
    } else {
        doc_run(doc_para(d), "（未识别资产。）", 0);
    }

    doc_heading(d, 2, "（三）威胁识别");
    if (json_array_size(threats)) {
        caption(d, n_table, "威胁识别");
        static const char *const head[] = {"序号", "威胁名称", "威胁分类", "威胁描述", "威胁频率"};
        static const double widths[] = {32, 90, 68, 167, 58};
        struct doc_table *t = doc_table(d, 5, head, widths);
        doc_table_align(t, 0, DOC_CENTER);
        doc_table_align(t, 4, DOC_CENTER);
        json_array_foreach (threats, i, e) {
            char no[24], f[24];
            const char *row[] = {num(no, (long long)i + 1), str_or(e, "name", ""),
                                 str_or(e, "category", ""), str_or(e, "description", ""),
                                 num(f, json_int(e, "frequency", 0))};
            doc_table_row(t, row, 0);
        }
    } else {
        doc_run(doc_para(d), "（未识别威胁。）", 0);
    }

    doc_heading(d, 2, "（四）脆弱性识别");
    if (json_array_size(vulns)) {
        caption(d, n_table, "脆弱性识别");
        static const char *const head[] = {"序号", "脆弱性名称", "所属资产", "可利用的威胁",
                                           "严重程度"};
        static const double widths[] = {32, 118, 93, 114, 58};
        struct doc_table *t = doc_table(d, 5, head, widths);
        doc_table_align(t, 0, DOC_CENTER);
        doc_table_align(t, 4, DOC_CENTER);
        json_array_foreach (vulns, i, e) {
            char no[24], v[24];
            const char *row[] = {num(no, (long long)i + 1), str_or(e, "name", ""),
                                 name_of(assets, json_str(e, "asset_id"), "name"),
                                 name_of(threats, json_str(e, "threat_id"), "name"),
                                 num(v, json_int(e, "severity", 0))};
            doc_table_row(t, row, 0);
        }
    } else {
        doc_run(doc_para(d), "（未识别脆弱性。）", 0);
    }

    doc_heading(d, 2, "（五）已有安全措施确认");
    if (json_array_size(controls)) {
        caption(d, n_table, "已有安全措施");
        static const char *const head[] = {"序号", "已有安全措施", "关联的脆弱性"};
        static const double widths[] = {32, 253, 130};
        struct doc_table *t = doc_table(d, 3, head, widths);
        doc_table_align(t, 0, DOC_CENTER);
        json_array_foreach (controls, i, e) {
            char no[24];
            const char *row[] = {num(no, (long long)i + 1), str_or(e, "description", ""),
                                 name_of(vulns, json_str(e, "vuln_id"), "name")};
            doc_table_row(t, row, 0);
        }
    } else {
        doc_run(doc_para(d), "（未确认已有安全措施。）", 0);
    }
}

/* The treatment column of the risk table: the action and its state, or that there is none. */
static void treatment_cell(json_t *t, char *out, size_t n)
{
    if (!json_is_object(t))
        snprintf(out, n, "未制定");
    else
        snprintf(out, n, "%s\n%s", str_or(t, "action_name", ""), str_or(t, "status_name", ""));
}

static void analysis(struct doc *d, json_t *ra, int *n_table)
{
    json_t *risks = json_object_get(ra, "risks"), *e;
    doc_heading(d, 1, "五、风险分析结果");
    if (!json_array_size(risks)) {
        doc_run(doc_para(d), "本次评估未形成风险（未识别可被威胁利用的脆弱性）。", 0);
        return;
    }
    doc_runf(doc_para(d), 0,
             "依据第三章的方法，对每一项可被威胁利用的脆弱性计算风险值，共得到风险 %zu 项，风险值"
             "计算过程和分析结果见表%d（按风险值由高到低排列；Ia 为资产价值，T 为威胁频率，Va 为"
             "脆弱性严重程度，L 为可能性，F 为损失，R 为风险值）。",
             json_array_size(risks), *n_table + 1);
    caption(d, n_table, "风险值计算及分析结果");
    static const char *const head[] = {"序号", "资产",   "威胁",     "脆弱性",  "可能性",
                                       "损失", "风险值", "风险等级", "处置措施"};
    /* In points of the 415 pt text width: three CJK characters fit a number column. */
    static const double widths[] = {32, 58, 54, 58, 42, 32, 42, 33, 64};
    struct doc_table *t = doc_table(d, 9, head, widths);
    for (size_t c = 4; c < 9; c++)
        doc_table_align(t, c, DOC_CENTER);
    doc_table_align(t, 0, DOC_CENTER);
    size_t i;
    json_array_foreach (risks, i, e) {
        char no[24], asset[300], threat[300], vuln[300], l[24], f[24], v[24], treat[128];
        snprintf(asset, sizeof asset, "%s（Ia=%lld）", str_or(e, "asset_name", ""),
                 json_int(e, "asset_value", 0));
        snprintf(threat, sizeof threat, "%s（T=%lld）", str_or(e, "threat_name", ""),
                 json_int(e, "threat_frequency", 0));
        snprintf(vuln, sizeof vuln, "%s（Va=%lld）", str_or(e, "vuln_name", ""),
                 json_int(e, "severity", 0));
        treatment_cell(json_object_get(e, "treatment"), treat, sizeof treat);
        const char *row[] = {num(no, (long long)i + 1),
                             asset,
                             threat,
                             vuln,
                             num(l, json_int(e, "likelihood", 0)),
                             num(f, json_int(e, "loss", 0)),
                             num(v, json_int(e, "value", 0)),
                             str_or(e, "level_name", ""),
                             treat};
        doc_table_row(t, row, json_int(e, "level", 0) >= 4 ? DOC_BOLD : 0);
    }
}

static void evaluation(struct doc *d, json_t *ra, int *n_table)
{
    json_t *summary = json_object_get(ra, "summary"), *e;
    doc_heading(d, 1, "六、风险评价");
    doc_text(d, json_str(ra, "criteria"),
             "评价准则：风险等级为高、很高的风险须优先处置并制定处置计划；中等风险须制定处置计划；"
             "低、很低的风险可在评估后接受或择机处置。");
    struct doc_para *p = doc_para(d);
    doc_runf(p, 0, "评价结果：本次评估共有风险 %lld 项，其中", json_int(summary, "total", 0));
    size_t i;
    json_t *levels = json_object_get(summary, "by_level");
    for (size_t k = json_array_size(levels); k-- > 0;) {
        e = json_array_get(levels, k);
        doc_runf(p, 0, "%s%s %lld 项", k + 1 < json_array_size(levels) ? "、" : "",
                 str_or(e, "name", ""), json_int(e, "count", 0));
    }
    doc_runf(p, 0, "；中及以上风险尚未制定处置计划的 %lld 项。", json_int(summary, "untreated", 0));
    caption(d, n_table, "风险等级分布");
    static const char *const head[] = {"风险等级", "风险值区间", "风险数"};
    static const char *const bands[] = {"1～5", "6～10", "11～15", "16～20", "21～25"};
    struct doc_table *t = doc_table(d, 3, head, NULL);
    for (size_t c = 0; c < 3; c++)
        doc_table_align(t, c, DOC_CENTER);
    int multiply = strcmp(str_or(ra, "method", ""), "matrix") != 0;
    for (i = json_array_size(levels); i-- > 0;) {
        char n[24];
        e = json_array_get(levels, i);
        const char *row[] = {str_or(e, "name", ""), multiply && i < 5 ? bands[i] : "按风险矩阵",
                             num(n, json_int(e, "count", 0))};
        doc_table_row(t, row, 0);
    }
}

static void conclusion(struct doc *d, json_t *ra, int *n_table)
{
    json_t *summary = json_object_get(ra, "summary"), *risks = json_object_get(ra, "risks"), *e;
    doc_heading(d, 1, "七、风险评估总结");
    long long high = 0, planned = 0, done = 0;
    size_t i;
    json_array_foreach (risks, i, e) {
        json_t *t = json_object_get(e, "treatment");
        high += json_int(e, "level", 0) >= 4;
        planned += json_is_object(t);
        done += json_is_object(t) && !strcmp(str_or(t, "status", ""), "done");
    }
    doc_runf(doc_para(d), 0,
             "评估结果：共识别风险 %lld 项，其中高风险及以上 %lld 项；已制定处置计划 %lld 项，其中"
             "已完成处置 %lld 项。",
             json_int(summary, "total", 0), high, planned, done);
    doc_text(d, json_str(ra, "conclusion"), "（未填写处置建议。）");
    if (!planned)
        return;
    caption(d, n_table, "风险处置计划");
    static const char *const head[] = {"序号",   "风险（脆弱性）", "风险等级", "处置方式",
                                       "责任人", "完成期限",       "处置状态"};
    static const double widths[] = {32, 88, 56, 74, 45, 64, 56};
    struct doc_table *t = doc_table(d, 7, head, widths);
    for (size_t c = 0; c < 7; c++)
        if (c != 1)
            doc_table_align(t, c, DOC_CENTER);
    long long n = 0;
    json_array_foreach (risks, i, e) {
        json_t *tr = json_object_get(e, "treatment");
        if (!json_is_object(tr))
            continue;
        char no[24];
        const char *row[] = {num(no, ++n),
                             str_or(e, "vuln_name", ""),
                             str_or(e, "level_name", ""),
                             str_or(tr, "action_name", ""),
                             str_or(tr, "owner", ""),
                             str_or(tr, "due_date", "—"),
                             str_or(tr, "status_name", "")};
        doc_table_row(t, row, 0);
    }
}

/* The document of a risk assessment's full JSON (risk_assessment_json with full = 1). */
static enum err risk_report_doc(json_t *ra, struct doc **out, char **name)
{
    const char *unit = str_or(ra, "unit_name", "");
    if (asprintf(name, "%s安全风险评估报告", unit) < 0)
        die_oom();
    struct doc *d = doc_new(*name);
    char from[32], to[32], today[32], period[80];
    struct date now = date_today_shanghai();
    chinese_date(json_str(ra, "started_on"), from);
    chinese_date(json_str(ra, "ended_on"), to);
    snprintf(period, sizeof period, "%s至%s", from, *to ? to : "今");
    snprintf(today, sizeof today, "%d年%d月%d日", now.y, now.m, now.d);
    struct doc_cover *c = doc_cover(d, *name, NULL);
    doc_cover_line(c, "网络单元名称", unit);
    doc_cover_line(c, "所属单位", str_or(ra, "org_name", ""));
    doc_cover_line(c, "评估类型",
                   json_is_true(json_object_get(ra, "pre_launch")) ? "上线前评估" : "常态化评估");
    doc_cover_line(c, "评估时间", period);
    doc_cover_line(c, "风险计算方法", str_or(ra, "method_name", ""));
    doc_cover_bottom(c, str_or(ra, "org_name", ""));
    doc_cover_bottom(c, *to ? to : today);

    int n_table = 0;
    doc_title(d, *name);
    overview(d, ra);
    target(d, ra, &n_table);
    method(d, ra);
    identification(d, ra, &n_table);
    analysis(d, ra, &n_table);
    evaluation(d, ra, &n_table);
    conclusion(d, ra, &n_table);
    *out = d;
    return ERR_OK;
}

static enum err risk_report(struct request *r, int pdf)
{
    long long id, org;
    json_t *ra;
    struct doc *d = NULL;
    char *name = NULL;
    enum err rc = req_param_id(r, 0, &id);
    if (rc || (rc = risk_assessment_org(r->db, id, &org)) || (rc = scope_check_org(r, org)))
        return rc == ERR_NOT_FOUND ? errf(ERR_NOT_FOUND, NULL, "风险评估记录不存在") : rc;
    if ((rc = risk_assessment_json(r->db, id, 1, &ra)))
        return rc;
    if (!(rc = risk_report_doc(ra, &d, &name)))
        rc = report_reply_doc(r, d, name, pdf);
    doc_free(d);
    free(name);
    json_decref(ra);
    return rc;
}

enum err risk_report_docx_h(struct request *r)
{
    return risk_report(r, 0);
}

enum err risk_report_pdf_h(struct request *r)
{
    return risk_report(r, 1);
}
