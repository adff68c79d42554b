/* R5 (seed 000 §七; 工信部网安〔2017〕281号): grade suggestion, recipients and deadlines of
 * incident reports, as pure functions over a versioned rule set. */
#include <string.h>

#include "rules.h"

static const struct incident_ruleset defaults = {
    .version = "R5-2025 (工信部网安〔2017〕281号; 工网安函〔2025〕331号 §七)",
    .source = "281号 分级：1亿/1千万/1百万/10万以上用户个人信息泄露，全国/多个省/1个省/1个地市"
              "大量用户无法正常上网 → 特别重大/重大/较大/一般；331号 §七：重大及以上立即报部网络"
              "安全管理局，较大、一般立即报属地通信管理局，应急响应结束后十个工作日内报送总结"
              "报告；网信部门事件报告规定（2025-11-01 施行）：较大及以上 4 小时内（涉及关键信息"
              "基础设施 1 小时内）报省级网信部门",
    .pi_leaked_min = {100000LL, 1000000LL, 10000000LL, 100000000LL},
    .outage_scope_min = {OUTAGE_CITY, OUTAGE_PROVINCE, OUTAGE_MULTI_PROVINCE, OUTAGE_NATIONAL},
    .outage_users_min = 0,
    .outage_hours_min = 0,
    .miit_min_grade = INCIDENT_MAJOR,
    .report_minutes = 60,
    .cac_min_grade = INCIDENT_LARGE,
    .cac_minutes = 240,
    .cac_cii_minutes = 60,
    .cac_from = {2025, 11, 1},
    .summary_workdays = 10,
};

const struct incident_ruleset *incident_ruleset_default(void)
{
    return &defaults;
}

static int grade_ok(enum incident_grade g)
{
    return g >= INCIDENT_GENERAL && g <= INCIDENT_ESPECIALLY_MAJOR;
}

enum err incident_ruleset_check(const struct incident_ruleset *rs)
{
    if (rs->pi_leaked_min[0] <= 0)
        return errf(ERR_VALIDATION, "ruleset", "个人信息泄露阈值应为正数");
    for (int n = 0; n < 4; n++) {
        if (n && rs->pi_leaked_min[n] <= rs->pi_leaked_min[n - 1])
            return errf(ERR_VALIDATION, "ruleset", "个人信息泄露阈值应逐级递增");
        if (rs->outage_scope_min[n] <= OUTAGE_NONE || rs->outage_scope_min[n] > OUTAGE_NATIONAL ||
            (n && rs->outage_scope_min[n] <= rs->outage_scope_min[n - 1]))
            return errf(ERR_VALIDATION, "ruleset", "断网范围阈值应逐级扩大");
    }
    if (rs->outage_users_min < 0 || rs->outage_hours_min < 0)
        return errf(ERR_VALIDATION, "ruleset", "断网用户数和时长阈值不能为负数");
    if (!grade_ok(rs->miit_min_grade) || !grade_ok(rs->cac_min_grade))
        return errf(ERR_VALIDATION, "ruleset", "报告对象的事件级别不合法");
    if (rs->report_minutes <= 0 || rs->cac_minutes <= 0 || rs->cac_cii_minutes <= 0 ||
        rs->summary_workdays <= 0)
        return errf(ERR_VALIDATION, "ruleset", "报告时限应为正数");
    if (!date_valid(rs->cac_from))
        return errf(ERR_VALIDATION, "ruleset", "网信部门报告规定施行日期不合法");
    return ERR_OK;
}

static const char *const GRADES[][2] = {
    [INCIDENT_GRADE_NONE] = {"", ""},
    [INCIDENT_GENERAL] = {"general", "一般"},
    [INCIDENT_LARGE] = {"large", "较大"},
    [INCIDENT_MAJOR] = {"major", "重大"},
    [INCIDENT_ESPECIALLY_MAJOR] = {"especially_major", "特别重大"},
};

const char *incident_grade_code(enum incident_grade g)
{
    return grade_ok(g) ? GRADES[g][0] : "";
}

const char *incident_grade_name(enum incident_grade g)
{
    return grade_ok(g) ? GRADES[g][1] : "";
}

enum incident_grade incident_grade_parse(const char *code)
{
    for (int g = INCIDENT_GENERAL; code && g <= INCIDENT_ESPECIALLY_MAJOR; g++)
        if (!strcmp(GRADES[g][0], code))
            return (enum incident_grade)g;
    return INCIDENT_GRADE_NONE;
}

static const char *const SCOPES[][2] = {
    [OUTAGE_NONE] = {"none", "无"},
    [OUTAGE_CITY] = {"city", "1 个地市"},
    [OUTAGE_PROVINCE] = {"province", "1 个省"},
    [OUTAGE_MULTI_PROVINCE] = {"multi_province", "多个省"},
    [OUTAGE_NATIONAL] = {"national", "全国"},
};

const char *outage_scope_code(enum outage_scope s)
{
    return s <= OUTAGE_NATIONAL ? SCOPES[s][0] : "";
}

const char *outage_scope_name(enum outage_scope s)
{
    return s <= OUTAGE_NATIONAL ? SCOPES[s][1] : "";
}

int outage_scope_parse(const char *code, enum outage_scope *out)
{
    for (int s = OUTAGE_NONE; code && s <= OUTAGE_NATIONAL; s++)
        if (!strcmp(SCOPES[s][0], code)) {
            *out = (enum outage_scope)s;
            return 0;
        }
    return -1;
}

static const char *const RECIPIENTS[RECIPIENT__COUNT][2] = {
    [RECIPIENT_MIIT] = {"miit", "工业和信息化部网络安全管理局"},
    [RECIPIENT_LOCAL_CA] = {"local_ca", "属地通信管理局"},
    [RECIPIENT_CAC] = {"cac", "省级网信部门"},
    [RECIPIENT_GROUP] = {"group", "集团公司"},
    [RECIPIENT_OTHER] = {"other", "其他"},
};

const char *incident_recipient_code(enum incident_recipient r)
{
    return r < RECIPIENT__COUNT ? RECIPIENTS[r][0] : "";
}

const char *incident_recipient_name(enum incident_recipient r)
{
    return r < RECIPIENT__COUNT ? RECIPIENTS[r][1] : "";
}

int incident_recipient_parse(const char *code, enum incident_recipient *out)
{
    for (int r = 0; code && r < RECIPIENT__COUNT; r++)
        if (!strcmp(RECIPIENTS[r][0], code)) {
            *out = (enum incident_recipient)r;
            return 0;
        }
    return -1;
}

/* GB/T 20986-2023 网络安全事件分类分级指南: the ten categories of incident. */
static const struct incident_category CATEGORIES[] = {
    {"malware", "恶意程序事件"},       {"attack", "网络攻击事件"},
    {"data", "数据安全事件"},          {"content", "信息内容安全事件"},
    {"facility", "设备设施故障事件"},  {"violation", "违规操作事件"},
    {"hazard", "安全隐患事件"},        {"anomaly", "异常行为事件"},
    {"force_majeure", "不可抗力事件"}, {"other", "其他事件"},
};

const struct incident_category *incident_categories(size_t *n)
{
    *n = sizeof CATEGORIES / sizeof CATEGORIES[0];
    return CATEGORIES;
}

static const char *lookup(const char *const (*table)[2], size_t n, const char *code)
{
    for (size_t i = 0; code && i < n; i++)
        if (!strcmp(table[i][0], code))
            return table[i][1];
    return NULL;
}
#define LOOKUP(t, c) lookup(t, sizeof t / sizeof t[0], c)

const char *incident_category_name(const char *code)
{
    for (size_t i = 0; code && i < sizeof CATEGORIES / sizeof CATEGORIES[0]; i++)
        if (!strcmp(CATEGORIES[i].code, code))
            return CATEGORIES[i].name;
    return NULL;
}

static const char *const STATUSES[][2] = {
    {"open", "待处置"}, {"responding", "应急处置中"}, {"closed", "已结束"}};
static const char *const REPORT_KINDS[][2] = {
    {"immediate", "事件报告"}, {"progress", "续报"}, {"summary", "总结报告"}};
static const char *const METHODS[][2] = {
    {"phone", "电话"}, {"email", "电子邮件"}, {"system", "系统报送"}, {"document", "书面公文"}};

const char *incident_status_name(const char *code)
{
    return LOOKUP(STATUSES, code);
}

const char *incident_report_kind_name(const char *code)
{
    return LOOKUP(REPORT_KINDS, code);
}

const char *incident_method_name(const char *code)
{
    return LOOKUP(METHODS, code);
}

enum err incident_suggest_grade(const struct incident_ruleset *rs, const struct incident_facts *f,
                                struct incident_suggestion *out)
{
    if (f->pi_leaked < 0)
        return errf(ERR_VALIDATION, "pi_leaked", "个人信息泄露用户数不能为负数");
    if (f->users_affected < 0)
        return errf(ERR_VALIDATION, "users_affected", "受影响用户数不能为负数");
    if (f->outage_hours < 0)
        return errf(ERR_VALIDATION, "outage_hours", "中断时长不能为负数");
    enum err rc = incident_ruleset_check(rs);
    if (rc)
        return rc;
    struct incident_suggestion s = {INCIDENT_GRADE_NONE, INCIDENT_GRADE_NONE, INCIDENT_GRADE_NONE};
    /* 281号: N 以上用户的个人信息泄露 ("以上" includes N) */
    for (int n = 0; n < 4; n++)
        if (f->pi_leaked >= rs->pi_leaked_min[n])
            s.by_pi = (enum incident_grade)(n + 1);
    /* 281号: 全国 / 多个省 / 1 个省 / 1 个地市大量用户无法正常上网 */
    int counts = f->outage != OUTAGE_NONE && f->users_affected >= rs->outage_users_min &&
                 f->outage_hours >= rs->outage_hours_min;
    for (int n = 0; counts && n < 4; n++)
        if (f->outage >= rs->outage_scope_min[n])
            s.by_outage = (enum incident_grade)(n + 1);
    s.grade = s.by_pi > s.by_outage ? s.by_pi : s.by_outage;
    *out = s;
    return ERR_OK;
}

enum incident_recipient incident_report_recipient(const struct incident_ruleset *rs,
                                                  enum incident_grade g)
{
    /* 331号 §七: 重大 → 部网络安全管理局；较大或一般 → 属地通信管理局 */
    return g >= rs->miit_min_grade ? RECIPIENT_MIIT : RECIPIENT_LOCAL_CA;
}

time_t incident_report_due(const struct incident_ruleset *rs, time_t detected)
{
    return detected + (time_t)rs->report_minutes * 60;
}

int incident_cac_minutes(const struct incident_ruleset *rs, enum incident_grade g, int cii,
                         struct date detected_day)
{
    if (g < rs->cac_min_grade || date_cmp(detected_day, rs->cac_from) < 0)
        return 0;
    return cii ? rs->cac_cii_minutes : rs->cac_minutes;
}

const char *incident_deadline_state(time_t due, time_t done, time_t now)
{
    if (done)
        return done <= due ? "done" : "done_late";
    return now > due ? "overdue" : "pending";
}

const char *incident_deadline_state_date(struct date due, const struct date *done,
                                         struct date today)
{
    if (done)
        return date_cmp(*done, due) <= 0 ? "done" : "done_late";
    return date_cmp(today, due) > 0 ? "overdue" : "pending";
}

const char *incident_deadline_state_name(const char *state)
{
    static const char *const NAMES[][2] = {
        {"pending", "未到期"},           {"overdue", "已逾期"},         {"done", "已报告"},
        {"done_late", "已报告（逾期）"}, {"waiting", "待应急响应结束"}, {"error", "无法计算"}};
    const char *name = LOOKUP(NAMES, state);
    return name ? name : "";
}
