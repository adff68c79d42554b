/* `fanghu inspect draw`: runs a 双随机 draw (R10) from its recorded seed and pool snapshots, with
 * no database, so that anyone holding a draw record can check it; --verify compares the result
 * with the one recorded. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inspect/rules.h"
#include "json.h"

int cmd_inspect(int argc, char **argv);

static const char USAGE[] =
    "usage: fanghu inspect draw --seed HEX --pool FILE --inspectors FILE --n N [--team-size K]\n"
    "                           [--verify RESULT.json] [--json]\n\n"
    "  Runs the 双随机 draw of a spot check (网络安全检查抽查, algorithm " INSPECT_DRAW_ALGORITHM
    "):\n"
    "  N targets from the pool and a team of K inspectors (default 2) for each, no inspector\n"
    "  in a target's own group. --seed is the 64 hexadecimal characters recorded with the draw.\n"
    "  --pool is a JSON array [{org_id, name, group_id}] and --inspectors a JSON array\n"
    "  [{id, name, group_id}], in the recorded order; each file may also be a draw record as\n"
    "  GET /api/v1/inspect/campaigns/ID/draw returns it (its \"pool\" / \"inspectors\").\n"
    "  Prints the result as JSON. --verify RESULT.json compares it with a recorded result (an\n"
    "  array, or a draw record's \"result\"): exit 0 when they agree, 1 when they do not.\n"
    "  Exit 2 for bad arguments or input.\n";

static int usage_error(const char *what)
{
    fprintf(stderr, "fanghu inspect: %s\n\n%s", what, USAGE);
    return 2;
}

/* A JSON file: the array itself, or an object's member key. NULL (message printed) on error. */
static json_t *load(const char *path, const char *key)
{
    json_error_t jerr;
    json_t *v = json_load_file(path, 0, &jerr);
    if (!v) {
        fprintf(stderr, "fanghu inspect: %s: %s（第 %d 行）\n", path, jerr.text, jerr.line);
        return NULL;
    }
    if (json_is_object(v)) {
        json_t *member = json_incref(json_object_get(v, key));
        json_decref(v);
        v = member;
    }
    if (!json_is_array(v)) {
        fprintf(stderr, "fanghu inspect: %s: 应为 JSON 数组或含 \"%s\" 的抽取记录\n", path, key);
        json_decref(v);
        return NULL;
    }
    return v;
}

static long long number(const char *s)
{
    long long v = id_parse(s);
    return v > 0 ? v : -1;
}

/* The first difference between two results, for the message. */
static void report_mismatch(json_t *got, json_t *want, const char *path)
{
    size_t n =
        json_array_size(got) > json_array_size(want) ? json_array_size(got) : json_array_size(want);
    for (size_t i = 0; i < n; i++) {
        json_t *a = json_array_get(got, i), *b = json_array_get(want, i);
        if (a && b && json_equal(a, b))
            continue;
        char *sa = a ? json_dump(a) : NULL, *sb = b ? json_dump(b) : NULL;
        fprintf(stderr,
                "fanghu inspect: 抽取结果与 %s 不一致：第 %zu 个检查对象\n  重新抽取：%s\n  记录： "
                "   %s\n",
                path, i + 1, sa ? sa : "（无）", sb ? sb : "（无）");
        free(sa);
        free(sb);
        return;
    }
}

/* The options, as --name VALUE or --name=VALUE; the one positional word is the subcommand.
 * (The core library carries no copy of cli.c, so this command parses its own few options.) */
struct opts {
    const char *seed, *pool, *inspectors, *n, *team_size, *verify, *word;
    int help, words;
};

static int parse(int argc, char **argv, struct opts *o)
{
    static const struct {
        const char *name;
        size_t offset;
    } names[] = {
        {"--seed", offsetof(struct opts, seed)},
        {"--pool", offsetof(struct opts, pool)},
        {"--inspectors", offsetof(struct opts, inspectors)},
        {"--n", offsetof(struct opts, n)},
        {"--team-size", offsetof(struct opts, team_size)},
        {"--verify", offsetof(struct opts, verify)},
    };
    memset(o, 0, sizeof *o);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            o->help = 1;
            continue;
        }
        if (!strcmp(a, "--json"))
            continue;
        if (strncmp(a, "--", 2)) {
            o->word = a;
            o->words++;
            continue;
        }
        size_t k = 0, len = strcspn(a, "=");
        while (k < sizeof names / sizeof names[0] &&
               (strlen(names[k].name) != len || strncmp(a, names[k].name, len)))
            k++;
        if (k == sizeof names / sizeof names[0])
            return usage_error("unknown option");
        const char *val = a[len] == '=' ? a + len + 1 : i + 1 < argc ? argv[++i] : NULL;
        if (!val)
            return usage_error("an option is missing its value");
        memcpy((char *)o + names[k].offset, &val, sizeof val);
    }
    return 0;
}

int cmd_inspect(int argc, char **argv)
{
    struct opts o;
    int bad = parse(argc, argv, &o);
    if (bad)
        return bad;
    if (o.help) {
        fputs(USAGE, stdout);
        return 0;
    }
    const char *seed = o.seed, *pool_path = o.pool, *insp_path = o.inspectors, *n_s = o.n,
               *k_s = o.team_size, *verify = o.verify;
    if (o.words != 1 || strcmp(o.word, "draw"))
        return usage_error(o.words ? "unknown subcommand or argument" : "missing subcommand");
    if (!seed || !pool_path || !insp_path || !n_s)
        return usage_error("--seed, --pool, --inspectors and --n are required");
    long long n = number(n_s), k = k_s ? number(k_s) : 2;
    if (n < 0 || k < 0)
        return usage_error("--n and --team-size must be positive integers");
    json_t *pool = load(pool_path, "pool"),
           *inspectors = pool ? load(insp_path, "inspectors") : NULL;
    json_t *want = inspectors && verify ? load(verify, "result") : NULL, *result = NULL;
    int status = 2;
    if (!inspectors || (verify && !want))
        goto out;
    enum err rc = inspect_draw_json(seed, pool, inspectors, n, k, &result);
    if (rc) {
        const struct err_detail *d = err_last();
        fprintf(stderr, "fanghu inspect: %s（%s）\n", d->msg[0] ? d->msg : err_message(rc),
                d->field);
        goto out;
    }
    json_t *out = json_pack("{s:s,s:s,s:I,s:I,s:O}", "algorithm", INSPECT_DRAW_ALGORITHM, "seed",
                            seed, "n", (json_int_t)n, "team_size", (json_int_t)k, "result", result);
    char *text = json_dump(out);
    puts(text);
    free(text);
    json_decref(out);
    status = 0;
    if (want) {
        if (json_equal(result, want)) {
            fprintf(stderr, "fanghu inspect: 抽取结果与 %s 一致（可复现）\n", verify);
        } else {
            report_mismatch(result, want, verify);
            status = 1;
        }
    }
out:
    json_decref(pool);
    json_decref(inspectors);
    json_decref(want);
    json_decref(result);
    return status;
}
