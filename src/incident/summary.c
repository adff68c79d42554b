/* 事件总结报告 (seed 000 §七: 应急响应结束后十个工作日内报电信主管部门), built from the incident
 * with the document model of src/report: 事件概况, 发生时间与发现经过, 影响范围, 处置过程与措施,
 * 原因分析, 整改措施, 报告记录. Rendered as DOCX or PDF by the caller. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "incident.h"
#include "internal.h"
#include "json.h"
#include "report/report.h"
#include "sbuf.h"

static const char NONE[] = "（未填写）";

static void chinese_time(json_t *j, const char *key, char *out, size_t n)
{
    incident_time_chinese(json_str(j, key), out, n);
}

/* A stored time as a table shows it: "2026-02-12 09:30". */
static void table_time(json_t *j, const char *key, char *out, size_t n)
{
    const char *iso = json_str(j, key);
    snprintf(out, n, "%.10s %.5s", iso ? iso : "", iso && strlen(iso) >= 16 ? iso + 11 : "");
}

static const char *text_or(json_t *j, const char *key, const char *fallback)
{
    const char *s = json_str(j, key);
    return s && *s ? s : fallback;
}

static void overview(struct doc *d, json_t *inc)
{
    char detected[64];
    chinese_time(inc, "detected_at", detected, sizeof detected);
    doc_heading(d, 1, "一、事件概况");
    struct doc_para *p = doc_para(d);
    doc_runf(p, 0, "%s于%s发现网络安全事件“%s”。该事件属于%s，", json_str(inc, "org_name"),
             detected, json_str(inc, "title"), text_or(inc, "category_name", "其他事件"));
    doc_run(p, "事件级别确定为", 0);
    doc_runf(p, DOC_BOLD, "%s事件", json_str(inc, "grade_name"));
    if (json_str(inc, "suggested_grade_name"))
        doc_runf(p, 0, "（按填报数据建议的级别为%s）", json_str(inc, "suggested_grade_name"));
    doc_runf(p, 0, "，%s涉及关键信息基础设施。",
             json_is_true(json_object_get(inc, "cii")) ? "" : "不");
    doc_text(d, json_str(inc, "description"), NULL);
    doc_kv(d, "事件名称", json_str(inc, "title"));
    doc_kv(d, "事件类别", json_str(inc, "category_name"));
    doc_kv(d, "事件级别", json_str(inc, "grade_name"));
    doc_kv(d, "当前状态", json_str(inc, "status_name"));
}

static void timing(struct doc *d, json_t *inc)
{
    char t[64];
    doc_heading(d, 1, "二、发生时间与发现经过");
    chinese_time(inc, "detected_at", t, sizeof t);
    doc_kv(d, "事件发现时间", t);
    chinese_time(inc, "response_started_at", t, sizeof t);
    doc_kv(d, "应急响应启动时间", t);
    chinese_time(inc, "response_ended_at", t, sizeof t);
    doc_kv(d, "应急响应结束时间", t);
    doc_heading(d, 2, "发现经过");
    doc_text(d, json_str(inc, "discovery"), NONE);
}

static void count_kv(struct doc *d, json_t *inputs, const char *key, const char *label,
                     const char *unit)
{
    char buf[64] = "";
    json_t *v = json_object_get(inputs, key);
    if (json_is_integer(v))
        snprintf(buf, sizeof buf, "%lld %s", (long long)json_integer_value(v), unit);
    doc_kv(d, label, buf);
}

static void impact(struct doc *d, json_t *inc)
{
    doc_heading(d, 1, "三、影响范围");
    struct sbuf units;
    sbuf_init(&units, 0);
    size_t i;
    json_t *u;
    json_array_foreach (json_object_get(inc, "units"), i, u)
        sbuf_addf(&units, "%s%s", i ? "、" : "", json_str(u, "name"));
    doc_kv(d, "受影响的网络单元", units.buf);
    sbuf_release(&units);
    doc_kv(d, "受影响的单位", json_str(inc, "orgs_affected"));
    json_t *in = json_object_get(inc, "grade_inputs");
    count_kv(d, in, "pi_leaked", "个人信息泄露用户数", "户");
    count_kv(d, in, "users_affected", "无法正常上网的用户数", "户");
    enum outage_scope scope;
    const char *sc = json_str(in, "outage_scope");
    doc_kv(d, "大量用户无法正常上网的范围",
           sc && !outage_scope_parse(sc, &scope) ? outage_scope_name(scope) : "");
    count_kv(d, in, "outage_hours", "业务中断时长", "小时");
    doc_heading(d, 2, "影响情况说明");
    doc_text(d, json_str(inc, "impact"), NONE);
}

static void handling(struct doc *d, json_t *inc, json_t *timeline, int *n_table)
{
    doc_heading(d, 1, "四、处置过程与措施");
    doc_text(d, json_str(inc, "measures"), NONE);
    char caption[64];
    snprintf(caption, sizeof caption, "表%d 事件处置时间线", ++*n_table);
    doc_caption(d, caption);
    static const char *const head[] = {"时间", "事项"};
    static const double widths[] = {2.4, 7.6};
    struct doc_table *t = doc_table(d, 2, head, widths);
    size_t i;
    json_t *e;
    json_array_foreach (timeline, i, e) {
        /* the incident's own course; edits of the record are in the audit log */
        static const char *const kinds[] = {"detected", "response_started", "response_ended",
                                            "report"};
        int shown = 0;
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
            shown |= !strcmp(json_str(e, "kind"), kinds[k]);
        if (!shown)
            continue;
        char at[64];
        table_time(e, "at", at, sizeof at);
        const char *cells[] = {at, json_str(e, "title")};
        doc_table_row(t, cells, 0);
    }
}

static void reports(struct doc *d, json_t *inc, int *n_table)
{
    doc_heading(d, 1, "七、报告记录");
    size_t i;
    json_t *dl;
    json_array_foreach (json_object_get(inc, "deadlines"), i, dl) {
        struct doc_para *p = doc_para(d);
        const char *due =
            json_str(dl, "due_at") ? json_str(dl, "due_at") : json_str(dl, "due_date");
        char due_text[64] = "";
        struct date day;
        if (json_str(dl, "due_at"))
            incident_time_chinese(due, due_text, sizeof due_text);
        else if (due && !date_parse(due, &day))
            snprintf(due_text, sizeof due_text, "%d年%d月%d日", day.y, day.m, day.d);
        doc_runf(p, 0, "%s：报%s，时限为%s", json_str(dl, "title"), json_str(dl, "recipient_name"),
                 json_str(dl, "within"));
        if (*due_text)
            doc_runf(p, 0, "（%s前）", due_text);
        doc_runf(p, 0, "，状态：%s。", json_str(dl, "state_name"));
    }
    char caption[64];
    snprintf(caption, sizeof caption, "表%d 报告记录", ++*n_table);
    doc_caption(d, caption);
    static const char *const head[] = {"序号",     "报告类型", "报告对象",
                                       "报告时间", "报告方式", "说明"};
    static const double widths[] = {0.6, 1.5, 3.2, 2.4, 1.5, 1.6};
    struct doc_table *t = doc_table(d, 6, head, widths);
    doc_table_align(t, 0, DOC_CENTER);
    json_t *r;
    json_array_foreach (json_object_get(inc, "reports"), i, r) {
        char no[24], at[64];
        snprintf(no, sizeof no, "%zu", i + 1);
        table_time(r, "sent_at", at, sizeof at);
        const char *cells[] = {no, json_str(r, "kind_name"),   json_str(r, "recipient_name"),
                               at, json_str(r, "method_name"), json_str(r, "note")};
        doc_table_row(t, cells, 0);
    }
    if (!json_array_size(json_object_get(inc, "reports")))
        doc_text(d, "（尚无报告记录。）", NULL);
}

static struct doc *build(json_t *inc, json_t *timeline, const char *title)
{
    char today[32], detected[64];
    struct date t = date_today_shanghai();
    snprintf(today, sizeof today, "%d年%d月%d日", t.y, t.m, t.d);
    chinese_time(inc, "detected_at", detected, sizeof detected);
    struct doc *d = doc_new(title);
    struct doc_cover *c = doc_cover(d, "网络安全事件总结报告", json_str(inc, "title"));
    doc_cover_line(c, "报告单位", json_str(inc, "org_name"));
    doc_cover_line(c, "事件级别", json_str(inc, "grade_name"));
    doc_cover_line(c, "事件类别", json_str(inc, "category_name"));
    doc_cover_line(c, "发现时间", detected);
    doc_cover_bottom(c, json_str(inc, "org_name"));
    doc_cover_bottom(c, today);

    int n_table = 0;
    doc_title(d, title);
    overview(d, inc);
    timing(d, inc);
    impact(d, inc);
    handling(d, inc, timeline, &n_table);
    doc_heading(d, 1, "五、原因分析");
    doc_text(d, json_str(inc, "cause"), NONE);
    doc_heading(d, 1, "六、整改措施");
    doc_text(d, json_str(inc, "rectification"), NONE);
    reports(d, inc, &n_table);
    return d;
}

enum err incident_summary_doc(struct db *db, long long id, struct doc **out, char **name)
{
    json_t *inc = NULL, *timeline = NULL;
    *out = NULL;
    *name = NULL;
    enum err rc = incident_json(db, id, time(NULL), &inc);
    if (rc || (rc = incident_timeline(db, id, &timeline)))
        goto done;
    if (asprintf(name, "%s总结报告", json_str(inc, "title")) < 0)
        die_oom();
    *out = build(inc, timeline, *name);
done:
    json_decref(timeline);
    json_decref(inc);
    return rc;
}
