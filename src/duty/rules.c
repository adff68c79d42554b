/* R3 deadlines. "N 日内" counts calendar days; "每年" is the same date a year later. */
#include "rules.h"

static const struct duty_ruleset defaults = {
    .version = "R3-2025 (工网安函〔2025〕331号; 部令第11号)",
    .filing_days = 30,
    .change_filing_days = 30,
    .assess_years_l3 = 1,
    .assess_years_l2 = 2,
    .reassess_days = 90,
    .submit_days = 30,
    .correction_days = 30,
    .report_month = 11,
    .report_day = 30,
};

const struct duty_ruleset *duty_ruleset_default(void)
{
    return &defaults;
}

static const struct {
    const char *code, *name, *source;
} kinds[DUTY__COUNT] = {
    [DUTY_FILING] = {"filing", "定级备案", "部令第11号；331号 §二"},
    [DUTY_CHANGE_FILING] = {"change_filing", "变更备案", "部令第11号；331号 §二"},
    [DUTY_CORRECTION] = {"correction", "备案退回补正", "电信主管部门审核意见"},
    [DUTY_ASSESSMENT] = {"assessment", "符合性评测", "331号 §三"},
    [DUTY_REASSESSMENT] = {"reassessment", "调整后重新评测", "331号 §三"},
    [DUTY_ASSESSMENT_SUBMIT] = {"assessment_submit", "报送评测结果", "331号 §三"},
    [DUTY_RISK_ASSESSMENT] = {"risk_assessment", "安全风险评估", "331号 §四"},
    [DUTY_RISK_SUBMIT] = {"risk_submit", "报送风险评估结果", "331号 §四"},
    [DUTY_ANNUAL_REPORT] = {"annual_report", "年度安全防护工作报告", "331号 §八"},
    [DUTY_CAMPAIGN] = {"campaign", "专项工作", "电信主管部门通知"},
    [DUTY_MLPS_POLICE_FILING] = {"mlps_police_filing", "等级保护公安机关备案",
                                 "GB/T 22240-2020；等级保护备案"},
    [DUTY_INCIDENT_REPORT] = {"incident_report", "网络安全事件报告", "331号 §七"},
    [DUTY_INCIDENT_CAC_REPORT] = {"incident_cac_report", "向网信部门报告事件",
                                  "国家网络安全事件报告管理办法"},
    [DUTY_INCIDENT_SUMMARY] = {"incident_summary", "事件总结报告", "331号 §七"},
    [DUTY_DRILL_RECTIFICATION] = {"drill_rectification", "演练问题整改", "331号 §七"},
    [DUTY_NOTICE] = {"notice", "威胁通报处置", "331号 §六；实施细则第十条"},
    [DUTY_INSPECTION] = {"inspection", "网络安全检查", "工信厅网安函〔2018〕261号"},
};

const char *duty_kind_code(enum duty_kind k)
{
    return k < DUTY__COUNT ? kinds[k].code : "";
}
const char *duty_kind_name(enum duty_kind k)
{
    return k < DUTY__COUNT ? kinds[k].name : "";
}
const char *duty_kind_source(enum duty_kind k)
{
    return k < DUTY__COUNT ? kinds[k].source : "";
}

struct date duty_filing_due(const struct duty_ruleset *rs, struct date graded)
{
    return date_add_days(graded, rs->filing_days);
}

struct date duty_change_filing_due(const struct duty_ruleset *rs, struct date changed)
{
    return date_add_days(changed, rs->change_filing_days);
}

int duty_assessment_years(const struct duty_ruleset *rs, int level)
{
    /* 331号 §三: 第3级及以上每年一次，第2级每两年一次 */
    if (level >= 3)
        return rs->assess_years_l3;
    if (level == 2)
        return rs->assess_years_l2;
    return 0;
}

enum err duty_assessment_due(const struct duty_ruleset *rs, int level, const struct date *last_end,
                             struct date filed, struct date *due)
{
    int years = duty_assessment_years(rs, level);
    if (!years)
        return errf(ERR_VALIDATION, "level", "第%d级网络单元无符合性评测频次要求", level);
    *due = date_add_months(last_end ? *last_end : filed, 12 * years);
    return ERR_OK;
}

const char *duty_status(struct date due, struct date today)
{
    long days = date_to_days(due) - date_to_days(today);
    if (days < 0)
        return "overdue";
    return days <= 30 ? "due_soon" : "upcoming";
}
