/* R8 threat notices and sharing (src/threat/notice.c, src/threat/stix.c), the pure parts: every
 * (status, action) pair of a recipient's workflow — only the four transitions of 第十条(三)(四)
 * are allowed, the others answer 409 naming the current status; 逾期未整改 after the deadline;
 * STIX 2.1 ids (UUIDv5 known answers, the SCO rule of §2.9), timestamps in UTC with
 * milliseconds, patterns and the indicator types of the 202号 categories. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"
#include "threat/notice.h"

static void test_status_codes(void **state)
{
    (void)state;
    static const char *const codes[] = {"issued", "acknowledged", "feedback_submitted", "closed"};
    for (int i = 0; i < NOTICE__STATUS_COUNT; i++) {
        assert_string_equal(notice_status_code((enum notice_status)i), codes[i]);
        assert_int_equal(notice_status_parse(codes[i]), i);
        assert_true(strlen(notice_status_name((enum notice_status)i)) > 0);
    }
    assert_int_equal(notice_status_parse("reopened"), -1);
    assert_int_equal(notice_status_parse("overdue"), -1);
    assert_int_equal(notice_status_parse(NULL), -1);
    assert_string_equal(notice_status_name(NOTICE_CLOSED), "已核验关闭");
}

/* The whole table: allowed[from][action] is the status reached, or -1. */
static void test_transition_table(void **state)
{
    (void)state;
    static const int allowed[NOTICE__STATUS_COUNT][4] = {
        [NOTICE_ISSUED] = {NOTICE_ACKNOWLEDGED, -1, -1, -1},
        [NOTICE_ACKNOWLEDGED] = {-1, NOTICE_FEEDBACK_SUBMITTED, -1, -1},
        [NOTICE_FEEDBACK_SUBMITTED] = {-1, -1, NOTICE_CLOSED, NOTICE_ACKNOWLEDGED},
        [NOTICE_CLOSED] = {-1, -1, -1, -1},
    };
    for (int from = 0; from < NOTICE__STATUS_COUNT; from++)
        for (int a = NOTICE_ACKNOWLEDGE; a <= NOTICE_REOPEN; a++) {
            enum notice_status to = NOTICE__STATUS_COUNT;
            enum err rc = notice_transition((enum notice_status)from, (enum notice_action)a, &to);
            if (allowed[from][a] >= 0) {
                assert_int_equal(rc, ERR_OK);
                assert_int_equal(to, allowed[from][a]);
                continue;
            }
            assert_int_equal(rc, ERR_CONFLICT);
            assert_int_equal(err_status(rc), 409);
            assert_string_equal(err_last()->field, "status");
            /* the message names the current status and the refused action */
            assert_non_null(strstr(err_last()->msg, notice_status_name((enum notice_status)from)));
            assert_non_null(strstr(err_last()->msg, notice_action_name((enum notice_action)a)));
            assert_int_equal(to, NOTICE__STATUS_COUNT);
        }
}

/* issue → acknowledge → feedback → reopen → feedback → close; a second close is refused. */
static void test_walk(void **state)
{
    (void)state;
    static const enum notice_action steps[] = {NOTICE_ACKNOWLEDGE, NOTICE_FEEDBACK, NOTICE_REOPEN,
                                               NOTICE_FEEDBACK, NOTICE_CLOSE};
    static const enum notice_status seen[] = {NOTICE_ACKNOWLEDGED, NOTICE_FEEDBACK_SUBMITTED,
                                              NOTICE_ACKNOWLEDGED, NOTICE_FEEDBACK_SUBMITTED,
                                              NOTICE_CLOSED};
    enum notice_status s = NOTICE_ISSUED;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        assert_int_equal(notice_transition(s, steps[i], &s), ERR_OK);
        assert_int_equal(s, seen[i]);
    }
    assert_int_equal(notice_transition(s, NOTICE_CLOSE, &s), ERR_CONFLICT);
    assert_int_equal(notice_transition(s, NOTICE_REOPEN, &s), ERR_CONFLICT);
    assert_int_equal(s, NOTICE_CLOSED);
}

static void test_overdue(void **state)
{
    (void)state;
    struct date deadline = {2026, 3, 10};
    assert_false(notice_overdue(NOTICE_ISSUED, deadline, (struct date){2026, 3, 10}));
    assert_true(notice_overdue(NOTICE_ISSUED, deadline, (struct date){2026, 3, 11}));
    assert_true(notice_overdue(NOTICE_FEEDBACK_SUBMITTED, deadline, (struct date){2027, 1, 1}));
    assert_false(notice_overdue(NOTICE_CLOSED, deadline, (struct date){2027, 1, 1}));
    assert_false(notice_overdue(NOTICE_ACKNOWLEDGED, deadline, (struct date){2026, 2, 28}));
}

static void test_uuid5(void **state)
{
    (void)state;
    /* RFC 4122 namespace DNS, "python.org" (the known answer of Python's uuid module) */
    static const unsigned char dns[16] = {0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
                                          0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
    char out[37];
    stix_uuid5(dns, "python.org", 10, out);
    assert_string_equal(out, "886313e1-3b8a-5372-9b90-0c9aee199e5d");

    char id[80];
    stix_sco_id("ipv4-addr", "198.51.100.3", id);
    assert_string_equal(id, "ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4");
    stix_sco_id("ipv6-addr", "2001:db8::1", id);
    assert_string_equal(id, "ipv6-addr--6469e3a9-b053-5e34-a025-9396ae051d26");

    /* ours: uuid5(78a3696b-e0fe-58cd-88de-fd3f13b7021b, "type|name"), stable across runs */
    stix_object_id("indicator", "threat:1:2:3:1.1.1.1", id);
    assert_string_equal(id, "indicator--44bbdf2b-5408-5978-81c7-09b0182f645f");
    stix_object_id("identity", "platform:fanghu", id);
    assert_string_equal(id, "identity--3fe18175-6161-5120-ae06-4ea2527d1d88");
    char other[80];
    stix_object_id("sighting", "threat:1:2:3:1.1.1.1", other);
    assert_string_not_equal(id + strlen("identity--"), other + strlen("sighting--"));
    /* version 5, RFC 4122 variant */
    const char *u = other + strlen("sighting--");
    assert_int_equal(strlen(u), 36);
    assert_int_equal(u[14], '5');
    assert_non_null(strchr("89ab", u[19]));
}

static void test_time(void **state)
{
    (void)state;
    char out[32];
    stix_time_us(0, out);
    assert_string_equal(out, "1970-01-01T00:00:00.000Z");
    stix_time_us(1643146701448899LL, out);
    assert_string_equal(out, "2022-01-25T21:38:21.448Z");
    stix_time_us(-1, out);
    assert_string_equal(out, "1969-12-31T23:59:59.999Z");
    stix_time_us(1709251199999999LL, out);
    assert_string_equal(out, "2024-02-29T23:59:59.999Z");

    assert_int_equal(stix_time_iso("2026-11-21T10:35:00+08:00", out), 0);
    assert_string_equal(out, "2026-11-21T02:35:00.000Z");
    assert_int_equal(stix_time_iso("2022-01-26T05:38:21.448899+08:00", out), 0);
    assert_string_equal(out, "2022-01-25T21:38:21.448Z");
    assert_int_equal(stix_time_iso("2026-01-01T07:00:00.5+08:00", out), 0);
    assert_string_equal(out, "2025-12-31T23:00:00.500Z");
    assert_int_equal(stix_time_iso("2026-03-01T00:00:00Z", out), 0);
    assert_string_equal(out, "2026-03-01T00:00:00.000Z");
    assert_int_equal(stix_time_iso("yesterday", out), -1);
    assert_int_equal(stix_time_iso(NULL, out), -1);
}

static void test_patterns(void **state)
{
    (void)state;
    char p[128];
    const char *type = NULL;
    assert_int_equal(stix_pattern("1.1.1.1", p, sizeof p, &type), 0);
    assert_string_equal(p, "[ipv4-addr:value = '1.1.1.1']");
    assert_string_equal(type, "ipv4-addr");
    assert_int_equal(stix_pattern("2001:db8:1::2", p, sizeof p, &type), 0);
    assert_string_equal(p, "[ipv6-addr:value = '2001:db8:1::2']");
    assert_string_equal(type, "ipv6-addr");
    assert_int_equal(stix_pattern("", p, sizeof p, &type), -1);
    assert_int_equal(stix_pattern("1.1.1.1']", p, sizeof p, &type), -1);
    assert_int_equal(stix_pattern("1.1.1.1", p, 8, &type), -1);

    static const char *const malicious[] = {"c2", "phishing", "malware", "vulnerability",
                                            "weak_password"};
    for (size_t i = 0; i < sizeof malicious / sizeof malicious[0]; i++)
        assert_string_equal(stix_indicator_type(malicious[i]), "malicious-activity");
    static const char *const compromised[] = {"backdoor", "compromised", "data_leak", "defacement"};
    for (size_t i = 0; i < sizeof compromised / sizeof compromised[0]; i++)
        assert_string_equal(stix_indicator_type(compromised[i]), "compromised");
    assert_string_equal(stix_indicator_type("other"), "anomalous-activity");
    assert_string_equal(stix_indicator_type("nonsense"), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_codes), cmocka_unit_test(test_transition_table),
        cmocka_unit_test(test_walk),         cmocka_unit_test(test_overdue),
        cmocka_unit_test(test_uuid5),        cmocka_unit_test(test_time),
        cmocka_unit_test(test_patterns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
