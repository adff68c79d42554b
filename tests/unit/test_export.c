/* List exports (src/http/export.c): how a list item's member becomes a cell — nested members,
 * codes by their names, booleans 是/否, numbers as number cells, arrays joined with 、, objects
 * by their name, and blanks for what is missing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "http/export.h"
#include "sbuf.h"

static json_t *item;

static int setup(void **state)
{
    (void)state;
    json_error_t e;
    item = json_loads("{\"title\":\"定级备案\",\"kind\":\"filing\",\"days_left\":-3,\"k\":2.5,"
                      "\"cii\":true,\"online\":false,\"done_at\":null,"
                      "\"org\":{\"id\":\"7\",\"name\":\"甲公司\",\"parent\":{\"name\":\"甲集团\"}},"
                      "\"tags\":[\"a\",\"\",2,null,{\"name\":\"乙\"}],\"empty\":[],"
                      "\"zip\":\"00123\",\"states\":[\"open\",\"closed\"],"
                      "\"warnings\":[{\"code\":\"dup\",\"message\":\"地址重复\"},{\"code\":\"x\"},"
                      "{\"code\":\"limit\",\"message\":\"超过 2 个\"}]}",
                      0, &e);
    return item ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    json_decref(item);
    return 0;
}

static void want(const char *key, const char *labels, const char *text, int numeric)
{
    struct sbuf out;
    sbuf_init(&out, 0);
    struct export_col col = {key, "列", labels};
    int num = -1;
    export_cell(item, &col, &out, &num);
    if (strcmp(out.buf, text) || num != numeric)
        print_message("%s: got \"%s\" (%d), want \"%s\" (%d)\n", key, out.buf, num, text, numeric);
    assert_string_equal(out.buf, text);
    assert_int_equal(num, numeric);
    sbuf_release(&out);
}

static void test_scalars(void **state)
{
    (void)state;
    want("title", NULL, "定级备案", 0);
    want("days_left", NULL, "-3", 1);
    want("k", NULL, "2.5", 1);
    want("zip", NULL, "00123", 0); /* a string stays text, leading zeros and all */
    want("cii", NULL, "是", 0);
    want("online", NULL, "否", 0);
    want("done_at", NULL, "", 0);
    want("missing", NULL, "", 0);
}

static void test_labels(void **state)
{
    (void)state;
    want("kind", "change_filing=变更备案|filing=定级备案", "定级备案", 0);
    want("kind", "filings=x|fil=y", "filing", 0); /* no exact code: as it is */
    want("cii", "true=关基|false=非关基", "关基", 0);
    want("states", "open=待处理|closed=已关闭", "待处理、已关闭", 0);
    want("days_left", "-3=三天前", "三天前", 0);
    want("done_at", "=未完成|x=y", "未完成", 0); /* null by the name of "" */
    want("missing", "a=b|=无", "无", 0);
    want("title", "=无", "定级备案", 0);
}

static void test_nested_and_arrays(void **state)
{
    (void)state;
    want("org.name", NULL, "甲公司", 0);
    want("org.parent.name", NULL, "甲集团", 0);
    want("org.nothing.name", NULL, "", 0);
    want("org", NULL, "甲公司", 0); /* an object by its name */
    want("tags", NULL, "a、2、乙", 0);
    want("empty", NULL, "", 0);
    want("warnings[].message", NULL, "地址重复、超过 2 个", 0);
    want("warnings[].code", "dup=重复|limit=超限", "重复、x、超限", 0);
    want("warnings#", NULL, "3", 1);
    want("empty#", NULL, "0", 1);
    want("missing#", NULL, "0", 1);
    want("title[].x", NULL, "", 0); /* not a list: the member of the value itself */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars),
        cmocka_unit_test(test_labels),
        cmocka_unit_test(test_nested_and_arrays),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
