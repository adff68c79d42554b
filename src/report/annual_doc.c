/* The 安全防护工作报告 of seed 000 annex 5 as a document: 一、已开展工作及成效 (the overall
 * situation, then 一是 to 五是: 定级备案, 符合性评测, 安全风险评估, 互联网暴露面, 应急预案及演练),
 * 二、发现问题及整改情况, 三、下一步保护工作方案 — the template's headings in its order and
 * wording. Each 一是…五是 states the counts of the facts (annual.c) in the template's sentences,
 * then the operator's own text, then the tables behind the counts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "annual.h"
#include "arena.h"
#include "doc.h"
#include "json.h"
#include "report.h"
#include "sbuf.h"

struct builder {
    struct doc *d;
    json_t *report, *facts;
    int n_table;
};

static const char *num(char buf[24], long long v)
{
    snprintf(buf, 24, "%lld", v);
    return buf;
}

static long long fact(json_t *obj, const char *key)
{
    return json_int(obj, key, 0);
}

static const char *str_or(json_t *obj, const char *key, const char *fallback)
{
    const char *s = json_str(obj, key);
    return s && *s ? s : fallback;
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

static const char *section_text(struct builder *b, const char *code)
{
    json_t *e;
    size_t i;
    json_array_foreach (json_object_get(b->report, "sections"), i, e)
        if (!strcmp(str_or(e, "code", ""), code))
            return str_or(e, "text", "");
    return "";
}

static void caption(struct builder *b, const char *text)
{
    char line[256];
    snprintf(line, sizeof line, "表%d %s", ++b->n_table, text);
    doc_caption(b->d, line);
}

/* "每年" / "每两年" / "每3年". */
static void cycle_text(long long years, char out[32])
{
    if (years == 1)
        snprintf(out, 32, "每年");
    else if (years == 2)
        snprintf(out, 32, "每两年");
    else
        snprintf(out, 32, "每%lld年", years);
}

/* A "合计" row: bold, the label then the sums. */
static void total_row(struct doc_table *t, const char *label, const long long *sums, size_t n,
                      size_t first)
{
    char cells[8][24];
    const char *row[8] = {label};
    for (size_t i = 1; i < first; i++)
        row[i] = "";
    for (size_t i = 0; i < n; i++)
        row[first + i] = num(cells[i], sums[i]);
    doc_table_row(t, row, DOC_BOLD);
}

/* ---- 一是 定级备案 ------------------------------------------------------------------------- */

static void filing(struct builder *b)
{
    json_t *u = json_object_get(b->facts, "units");
    struct doc_para *p;
    doc_heading(b->d, 2, "一是定级备案工作开展情况");
    p = doc_para(b->d);
    doc_runf(p, 0, "本单位已正式投入运行的信息通信网络单元共 %lld 个", fact(u, "online"));
    if (fact(u, "planned"))
        doc_runf(p, 0, "，另有规划建设中的网络单元 %lld 个", fact(u, "planned"));
    doc_runf(p, 0,
             "。本单位共有定级备案信息通信网络单元 %lld 个，其中，%lld 个三级及以上网络单元，"
             "%lld 个二级网络单元",
             fact(u, "total"), fact(u, "level3_plus"), fact(u, "level2"));
    if (fact(u, "level1"))
        doc_runf(p, 0, "，%lld 个一级网络单元", fact(u, "level1"));
    if (fact(u, "ungraded"))
        doc_runf(p, 0, "，%lld 个尚未定级", fact(u, "ungraded"));
    doc_run(p, "。", 0);
    long long pending = (long long)json_array_size(json_object_get(u, "pending"));
    int pending_table = b->n_table + 2;
    p = doc_para(b->d);
    if (!fact(u, "not_filed")) {
        doc_run(p, "目前所有网络单元已在通信网络安全防护管理系统中备案。", 0);
    } else {
        json_t *why = json_object_get(u, "not_filed_by_reason");
        static const char *const reasons[][2] = {{"not_graded", "尚未定级"},
                                                 {"not_submitted", "已定级未提交备案"},
                                                 {"under_review", "备案待审核"},
                                                 {"returned", "备案被退回补正"}};
        struct sbuf list;
        sbuf_init(&list, 4096);
        for (size_t i = 0; i < 4; i++)
            if (fact(why, reasons[i][0]))
                sbuf_addf(&list, "%s%s（%lld 个）", list.len ? "、" : "", reasons[i][1],
                          fact(why, reasons[i][0]));
        doc_runf(p, 0,
                 "%lld 个网络单元已在通信网络安全防护管理系统中备案，其他 %lld 个，因为%s等情况"
                 "暂未备案（见表%d）。",
                 fact(u, "filed"), fact(u, "not_filed"), list.buf, pending_table);
        sbuf_release(&list);
    }
    if (fact(u, "change_pending"))
        doc_runf(p, 0, "另有 %lld 个已备案网络单元的备案信息发生变更，尚未完成变更备案（见表%d）。",
                 fact(u, "change_pending"), pending_table);
    p = doc_para(b->d);
    if (json_is_integer(json_object_get(u, "last_filing_month")))
        doc_runf(p, 0,
                 "本单位已于 %lld 月通过通信网络安全防护管理系统完成定级备案信息、资产信息的更新"
                 "工作。",
                 fact(u, "last_filing_month"));
    else
        doc_run(p, "本年度本单位未通过通信网络安全防护管理系统提交定级备案信息、资产信息的更新。",
                0);
    doc_text(b->d, section_text(b, "filing"), NULL);

    caption(b, "网络单元定级备案情况");
    static const char *const head[] = {"安全等级", "网络单元数",     "在网运行",
                                       "已备案",   "其中待变更备案", "未备案"};
    static const double widths[] = {70, 70, 65, 60, 90, 60}; /* points of 415 */
    struct doc_table *t = doc_table(b->d, 6, head, widths);
    for (size_t c = 0; c < 6; c++)
        doc_table_align(t, c, DOC_CENTER);
    static const char *const keys[] = {"units", "online", "filed", "change_pending", "not_filed"};
    long long sums[5] = {0};
    json_t *lv;
    size_t i;
    json_array_foreach (json_object_get(u, "by_level"), i, lv) {
        char cells[5][24];
        const char *row[6] = {str_or(lv, "name", "")};
        for (size_t k = 0; k < 5; k++) {
            row[k + 1] = num(cells[k], fact(lv, keys[k]));
            sums[k] += fact(lv, keys[k]);
        }
        doc_table_row(t, row, 0);
    }
    total_row(t, "合计", sums, 5, 1);

    if (!pending)
        return;
    caption(b, "未备案及备案信息待更新的网络单元");
    static const char *const phead[] = {"序号", "网络单元名称", "安全等级", "备案状态", "原因"};
    static const double pwidths[] = {32, 106, 56, 64, 157};
    t = doc_table(b->d, 5, phead, pwidths);
    doc_table_align(t, 0, DOC_CENTER);
    doc_table_align(t, 2, DOC_CENTER);
    doc_table_align(t, 3, DOC_CENTER);
    json_t *e;
    json_array_foreach (json_object_get(u, "pending"), i, e) {
        char no[24], level[24] = "未定级";
        if (json_is_integer(json_object_get(e, "level")))
            snprintf(level, sizeof level, "第%lld级", fact(e, "level"));
        const char *row[] = {num(no, (long long)i + 1), str_or(e, "name", ""), level,
                             str_or(e, "filing_status_name", ""), str_or(e, "reason", "")};
        doc_table_row(t, row, 0);
    }
}

/* ---- 二是 符合性评测 ------------------------------------------------------------------------ */

static void assessment(struct builder *b)
{
    json_t *a = json_object_get(b->facts, "assessments"), *cycle = json_object_get(a, "cycle");
    char l3[32], l2[32];
    cycle_text(fact(cycle, "level3_plus_years"), l3);
    cycle_text(fact(cycle, "level2_years"), l2);
    doc_heading(b->d, 2, "二是符合性评测工作开展情况");
    struct doc_para *p = doc_para(b->d);
    doc_runf(p, 0,
             "按照第3级及以上网络单元%s、第2级网络单元%s开展一次符合性评测的要求，本年度本单位应"
             "开展符合性评测的网络单元 %lld 个，已开展符合性评测的网络单元 %lld 个，应评未评 %lld "
             "个。",
             l3, l2, fact(a, "due"), fact(a, "done"), fact(a, "missed"));
    p = doc_para(b->d);
    if (fact(a, "held"))
        doc_runf(p, 0,
                 "本年度各网络单元对照相应网络安全防护系列标准的防护要求、检测要求，共完成符合性"
                 "评测 %lld 次，涉及网络单元 %lld 个，其中委托专业机构评测 %lld 次；已向电信主管"
                 "部门报送评测结果 %lld 次。",
                 fact(a, "held"), fact(a, "units_assessed"), fact(a, "third_party"),
                 fact(a, "submitted"));
    else
        doc_run(p, "本年度本单位未完成符合性评测。", 0);
    doc_text(b->d, section_text(b, "assessment"), NULL);

    caption(b, "符合性评测开展情况");
    static const char *const head[] = {"安全等级",     "评测频次",     "网络单元数",
                                       "本年度应评测", "本年度已评测", "应评未评"};
    static const double widths[] = {60, 60, 65, 75, 75, 80};
    struct doc_table *t = doc_table(b->d, 6, head, widths);
    for (size_t c = 0; c < 6; c++)
        doc_table_align(t, c, DOC_CENTER);
    static const char *const keys[] = {"units", "due", "done", "missed"};
    long long sums[4] = {0};
    json_t *lv;
    size_t i;
    json_array_foreach (json_object_get(a, "by_level"), i, lv) {
        char cells[4][24], freq[32] = "不作要求";
        if (fact(lv, "cycle_years"))
            cycle_text(fact(lv, "cycle_years"), freq);
        const char *row[6] = {str_or(lv, "name", ""), freq};
        for (size_t k = 0; k < 4; k++) {
            row[k + 2] = num(cells[k], fact(lv, keys[k]));
            sums[k] += fact(lv, keys[k]);
        }
        doc_table_row(t, row, 0);
    }
    total_row(t, "合计", sums, 4, 2);
}

/* ---- 三是 安全风险评估 ---------------------------------------------------------------------- */

static void risk(struct builder *b)
{
    json_t *r = json_object_get(b->facts, "risk");
    doc_heading(b->d, 2, "三是安全风险评估工作开展情况");
    struct doc_para *p = doc_para(b->d);
    if (fact(r, "held")) {
        doc_runf(p, 0,
                 "本年度各信息通信网络单元对照 YD/T 1730-2024《电信网和互联网安全风险评估规范》"
                 "等要求，共完成安全风险评估 %lld 次，涉及网络单元 %lld 个，其中上线前评估 %lld "
                 "次；已向电信主管部门报送评估结果 %lld 次。",
                 fact(r, "held"), fact(r, "units"), fact(r, "pre_launch"), fact(r, "submitted"));
        doc_runf(p, 0,
                 "评估共识别风险 %lld 项，其中高风险及以上 %lld 项；已制定处置计划 %lld 项，已完成"
                 "处置 %lld 项。",
                 fact(r, "risks"), fact(r, "high"), fact(r, "treated"), fact(r, "treatments_done"));
    } else {
        doc_run(p, "本年度本单位未完成安全风险评估。", 0);
    }
    if (fact(r, "in_progress"))
        doc_runf(p, 0, "另有 %lld 次安全风险评估正在进行。", fact(r, "in_progress"));
    doc_text(b->d, section_text(b, "risk"), NULL);
    if (!fact(r, "held"))
        return;

    caption(b, "本年度安全风险评估情况");
    static const char *const head[] = {"序号",     "网络单元",     "评估时间", "评估类型",
                                       "识别风险", "高风险及以上", "报送情况"};
    static const double widths[] = {32, 72, 76, 64, 56, 57, 58};
    struct doc_table *t = doc_table(b->d, 7, head, widths);
    for (size_t c = 0; c < 7; c++)
        if (c != 1)
            doc_table_align(t, c, DOC_CENTER);
    json_t *e;
    size_t i;
    json_array_foreach (json_object_get(r, "items"), i, e) {
        char no[24], n1[24], n2[24], when[64], sent[40] = "未报送";
        snprintf(when, sizeof when, "%s至\n%s", str_or(e, "started_on", ""),
                 str_or(e, "ended_on", ""));
        if (json_str(e, "submitted_at"))
            snprintf(sent, sizeof sent, "%.10s 已报送", json_str(e, "submitted_at"));
        const char *row[] = {num(no, (long long)i + 1),
                             str_or(e, "unit_name", ""),
                             when,
                             json_is_true(json_object_get(e, "pre_launch")) ? "上线前评估"
                                                                            : "常态化评估",
                             num(n1, fact(e, "risks")),
                             num(n2, fact(e, "high")),
                             sent};
        doc_table_row(t, row, 0);
    }
    if (!fact(r, "risks"))
        return;
    caption(b, "风险等级分布及处置情况");
    static const char *const lhead[] = {"风险等级", "风险数", "已制定处置计划", "已完成处置"};
    t = doc_table(b->d, 4, lhead, NULL);
    for (size_t c = 0; c < 4; c++)
        doc_table_align(t, c, DOC_CENTER);
    static const char *const keys[] = {"risks", "treated", "done"};
    long long sums[3] = {0};
    json_array_foreach (json_object_get(r, "by_level"), i, e) {
        char cells[3][24];
        const char *row[4] = {str_or(e, "name", "")};
        for (size_t k = 0; k < 3; k++) {
            row[k + 1] = num(cells[k], fact(e, keys[k]));
            sums[k] += fact(e, keys[k]);
        }
        doc_table_row(t, row, 0);
    }
    total_row(t, "合计", sums, 3, 1);
}

/* ---- 四是 互联网暴露面 ---------------------------------------------------------------------- */

static void exposure(struct builder *b)
{
    json_t *x = json_object_get(b->facts, "exposure"), *inv = json_object_get(x, "inventories");
    json_t *exits = json_object_get(x, "office_exits");
    long long n[3];
    for (size_t i = 0; i < 3; i++)
        n[i] = fact(json_array_get(inv, i), "entries");
    doc_heading(b->d, 2, "四是互联网暴露面管理情况");
    struct doc_para *p = doc_para(b->d);
    doc_runf(p, 0,
             "本单位共梳理互联网暴露面 %lld 项（IP 地址 %lld 个）：办公网互联网出入口 %lld 个，"
             "虚拟专用网络（VPN）出入口 %lld 个，零信任网络出入口 %lld 个。",
             fact(x, "entries"), fact(x, "addresses"), n[0], n[1], n[2]);
    if (json_is_true(json_object_get(exits, "applies"))) {
        doc_runf(p, 0,
                 "按照基础电信企业省级公司办公网互联网出入口数量原则上不超过 %lld 个、有特殊情况的"
                 "需向集团公司报备的要求，本单位办公网互联网出入口 %lld 个，其中已报备 %lld 个",
                 fact(exits, "limit"), fact(exits, "exits"), fact(exits, "reported"));
        if (json_is_true(json_object_get(exits, "violation")))
            doc_runf(p, 0, "，超出限额且未报备 %lld 个（见表%d），须压减出入口或向集团公司报备。",
                     fact(exits, "excess"), b->n_table + 2);
        else
            doc_run(p, "，符合要求。", 0);
    }
    json_t *dup = json_object_get(x, "duplicates");
    if (fact(dup, "same_org") + fact(dup, "other_org"))
        doc_runf(p, 0,
                 "经核对，存在重复申报的地址 %lld 处（本单位内 %lld 处，与其他单位重复 %lld 处）。",
                 fact(dup, "same_org") + fact(dup, "other_org"), fact(dup, "same_org"),
                 fact(dup, "other_org"));
    doc_run(p, "互联网暴露面信息列表作为附件同步提交。", 0);
    doc_text(b->d, section_text(b, "exposure"), NULL);

    caption(b, "互联网暴露面情况");
    static const char *const head[] = {"类别", "出入口数", "IP 地址数"};
    static const double widths[] = {215, 100, 100};
    struct doc_table *t = doc_table(b->d, 3, head, widths);
    doc_table_align(t, 1, DOC_CENTER);
    doc_table_align(t, 2, DOC_CENTER);
    static const char *const names[] = {"办公网互联网出入口", "虚拟专用网络（VPN）出入口",
                                        "零信任网络出入口"};
    long long sums[2] = {0};
    for (size_t i = 0; i < 3; i++) {
        char c1[24], c2[24];
        json_t *o = json_array_get(inv, i);
        const char *row[] = {names[i], num(c1, fact(o, "entries")), num(c2, fact(o, "addresses"))};
        sums[0] += fact(o, "entries");
        sums[1] += fact(o, "addresses");
        doc_table_row(t, row, 0);
    }
    total_row(t, "合计", sums, 2, 1);

    json_t *list = json_object_get(exits, "items"), *e;
    if (!json_array_size(list))
        return;
    caption(b, "办公网互联网出入口及报备情况");
    static const char *const ehead[] = {"序号",     "资产名称", "IP 地址", "状态",
                                        "报备原因", "报备对象", "报备日期"};
    static const double ewidths[] = {32, 62, 76, 58, 62, 58, 67};
    t = doc_table(b->d, 7, ehead, ewidths);
    doc_table_align(t, 0, DOC_CENTER);
    doc_table_align(t, 3, DOC_CENTER);
    doc_table_align(t, 6, DOC_CENTER);
    int applies = json_is_true(json_object_get(exits, "applies"));
    size_t i;
    json_array_foreach (list, i, e) {
        char no[24];
        int reported = json_is_true(json_object_get(e, "reported"));
        const char *state = reported                                     ? "已报备"
                            : json_is_true(json_object_get(e, "excess")) ? "超出限额"
                            : applies                                    ? "限额内"
                                                                         : "—";
        const char *row[] = {num(no, fact(e, "seq")),     str_or(e, "asset_name", ""),
                             str_or(e, "ip", ""),         state,
                             str_or(e, "reason", ""),     str_or(e, "reported_to", ""),
                             str_or(e, "reported_on", "")};
        doc_table_row(t, row, json_is_true(json_object_get(e, "excess")) ? DOC_BOLD : 0);
    }
}

/* ---- 五是 应急预案及演练 -------------------------------------------------------------------- */

static void emergency(struct builder *b)
{
    json_t *m = json_object_get(b->facts, "emergency"), *e;
    size_t i;
    doc_heading(b->d, 2, "五是应急预案及演练工作开展情况");
    struct doc_para *p = doc_para(b->d);
    doc_runf(p, 0,
             "本单位现行网络安全应急预案 %lld 项，本年度制修订 %lld 项；本年度开展网络安全事件应急"
             "演练 %lld 次，形成整改项 %lld 项，尚未完成整改 %lld 项。",
             fact(m, "plans"), fact(m, "plans_revised"), fact(m, "drills"), fact(m, "drill_items"),
             fact(m, "drill_items_open"));
    if (fact(m, "incidents")) {
        doc_runf(p, 0, "本年度发生网络安全事件 %lld 起（", fact(m, "incidents"));
        json_array_foreach (json_object_get(m, "by_grade"), i, e)
            doc_runf(p, 0, "%s%s %lld 起", i ? "、" : "", str_or(e, "name", ""), fact(e, "count"));
        doc_runf(p, 0, "），已报告 %lld 起。", fact(m, "incidents_reported"));
    } else {
        doc_run(p, "本年度未发生网络安全事件。", 0);
    }
    json_t *window = json_object_get(m, "major_window");
    char from[32], to[32];
    chinese_date(json_str(window, "from"), from);
    chinese_date(json_str(window, "to"), to);
    p = doc_para(b->d);
    if (json_is_true(json_object_get(m, "major_occurred"))) {
        doc_runf(p, 0, "近三年（%s至%s），本单位", from, to);
        doc_runf(p, DOC_BOLD, "发生重大及以上网络安全事件 %lld 起",
                 fact(m, "major_in_last_3_years"));
        doc_run(p, "。", 0);
    } else {
        doc_runf(p, 0, "近三年（%s至%s），本单位", from, to);
        doc_run(p, "未发生重大及以上网络安全事件", DOC_BOLD);
        doc_run(p, "。", 0);
    }
    doc_text(b->d, section_text(b, "emergency"), NULL);

    json_t *plans = json_object_get(m, "plan_list");
    if (json_array_size(plans)) {
        caption(b, "网络安全应急预案");
        static const char *const head[] = {"序号", "预案名称", "现行版本批准日期", "本年度制修订"};
        static const double widths[] = {32, 203, 100, 80};
        struct doc_table *t = doc_table(b->d, 4, head, widths);
        doc_table_align(t, 0, DOC_CENTER);
        doc_table_align(t, 2, DOC_CENTER);
        doc_table_align(t, 3, DOC_CENTER);
        json_array_foreach (plans, i, e) {
            char no[24];
            const char *row[] = {num(no, (long long)i + 1), str_or(e, "title", ""),
                                 str_or(e, "approved_on", ""),
                                 json_is_true(json_object_get(e, "revised")) ? "是" : "否"};
            doc_table_row(t, row, 0);
        }
    }
    json_t *drills = json_object_get(m, "drill_list");
    if (!json_array_size(drills))
        return;
    caption(b, "本年度网络安全事件应急演练情况");
    static const char *const head[] = {"序号",   "演练日期", "演练场景",
                                       "参与方", "整改项",   "未完成"};
    static const double widths[] = {32, 64, 120, 103, 48, 48};
    struct doc_table *t = doc_table(b->d, 6, head, widths);
    doc_table_align(t, 0, DOC_CENTER);
    doc_table_align(t, 1, DOC_CENTER);
    doc_table_align(t, 4, DOC_CENTER);
    doc_table_align(t, 5, DOC_CENTER);
    json_array_foreach (drills, i, e) {
        char no[24], n1[24], n2[24];
        const char *row[] = {num(no, (long long)i + 1), str_or(e, "date", ""),
                             str_or(e, "scenario", ""), str_or(e, "participants", ""),
                             num(n1, fact(e, "items")), num(n2, fact(e, "items_open"))};
        doc_table_row(t, row, 0);
    }
}

/* ---- the document ------------------------------------------------------------------------ */

static void cover(struct builder *b, const char *title, const char *year_text)
{
    json_t *r = b->report, *e;
    struct doc_cover *c = doc_cover(b->d, title, year_text);
    struct sbuf to;
    sbuf_init(&to, 4096);
    size_t i;
    json_array_foreach (json_object_get(r, "routing"), i, e)
        sbuf_addf(&to, "%s%s", i ? "、" : "", str_or(e, "org_name", ""));
    char due[32], when[32];
    chinese_date(json_str(r, "due_date"), due);
    doc_cover_line(c, "运行单位", str_or(r, "org_name", ""));
    doc_cover_line(c, "单位类型", str_or(r, "org_kind_name", ""));
    doc_cover_line(c, "报送对象", to.len ? to.buf : "（未确定）");
    doc_cover_line(c, "报送期限", due);
    sbuf_release(&to);
    doc_cover_bottom(c, str_or(r, "org_name", ""));
    if (json_str(r, "submitted_at"))
        chinese_date(json_str(r, "submitted_at"), when);
    else
        chinese_date(json_str(b->facts, "as_of"), when);
    doc_cover_bottom(c, when);
}

enum err annual_report_doc(json_t *report, struct doc **out, char **name)
{
    *out = NULL;
    *name = NULL;
    json_t *facts = json_object_get(report, "facts");
    if (!json_is_object(facts))
        return errf(ERR_INTERNAL, NULL, "报告缺少数据");
    const char *org = str_or(report, "org_name", "");
    long long year = json_int(report, "year", 0);
    char *title = NULL, year_text[32];
    if (asprintf(&title, "%s安全防护工作报告", org) < 0 ||
        asprintf(name, "%s安全防护工作报告（%lld年度）", org, year) < 0)
        die_oom();
    snprintf(year_text, sizeof year_text, "（%lld年度）", year);
    struct builder b = {.d = doc_new(*name), .report = report, .facts = facts};
    cover(&b, title, year_text);

    doc_title(b.d, title);
    struct doc_para *p = doc_para(b.d);
    doc_para_align(p, DOC_CENTER, 0);
    doc_run(p, year_text, 0);
    if (!strcmp(str_or(report, "status", ""), "draft")) {
        p = doc_para(b.d);
        doc_para_align(p, DOC_CENTER, 0);
        doc_run(p, "（草稿，尚未报送）", DOC_BOLD);
    }

    doc_heading(b.d, 1, "一、已开展工作及成效");
    const char *overview = section_text(&b, "overview");
    if (*overview) {
        doc_text(b.d, overview, NULL);
    } else {
        p = doc_para(b.d);
        doc_runf(p, 0,
                 "%lld 年度，本单位按照信息通信网络安全防护工作有关要求，开展了定级备案、符合性"
                 "评测、安全风险评估、互联网暴露面管理、应急预案及演练等网络安全防护工作。有关"
                 "情况报告如下。",
                 year);
    }
    filing(&b);
    assessment(&b);
    risk(&b);
    exposure(&b);
    emergency(&b);

    doc_heading(b.d, 1, "二、发现问题及整改情况");
    doc_text(b.d, section_text(&b, "problems"), "（尚未填写。）");
    doc_heading(b.d, 1, "三、下一步保护工作方案");
    doc_text(b.d, section_text(&b, "plan"), "（尚未填写。）");

    p = doc_para(b.d);
    doc_para_align(p, DOC_LEFT, 0);
    p->space_before = 18;
    doc_run(p, "附件：", DOC_BOLD);
    doc_runf(p, 0, "%s互联网暴露面信息（%lld年度）", org, year);
    free(title);
    *out = b.d;
    return ERR_OK;
}
