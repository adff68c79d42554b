/* R7: risk calculation (风险计算), seed 000 §四 and annex 3, GB/T 20984. Pure functions, no I/O.
 * The default method multiplies (L = [√(T·Va)], F = [√(Ia·Va)], R = L·F); the matrix method
 * reads three 5×5 tables kept as data. Each result names the method and table version used. */
#ifndef FANGHU_RISK_RULES_H
#define FANGHU_RISK_RULES_H

#include "err.h"

struct risk_result {
    int likelihood; /* L, 安全事件发生的可能性, 1..5 */
    int loss;       /* F, 安全事件造成的损失, 1..5 */
    int value;      /* R, 风险值 (1..25 for multiplication; the table's value for a matrix) */
    int level;      /* 1..5 */
    const char *level_name; /* 很低 / 低 / 中 / 高 / 很高 (static) */
    const char *method;     /* "multiply" or "matrix" (static) */
    const char *version;    /* RISK_MULTIPLY_VERSION, or the matrix's version (not copied) */
};

#define RISK_MULTIPLY_VERSION "R7-multiply"

/* R7 matrix method [configurable]. Entries index from 1: likelihood[T-1][Va-1] and
 * loss[Ia-1][Va-1] are levels 1..5; risk[L-1][F-1] is a value >= 1; the level is the highest n
 * with value >= band_min[n-1]. band_min must rise strictly, band_min[0] <= every risk value. */
struct risk_matrix {
    const char *version;
    int likelihood[5][5]; /* [T-1][Va-1] → L 1..5 */
    int loss[5][5];       /* [Ia-1][Va-1] → F 1..5 */
    int risk[5][5];       /* [L-1][F-1] → risk value */
    int band_min[5];
};

/* R7: round half up of √p for p >= 0, exactly: n = isqrt(p); n + 1 when p − n² > n. */
int isqrt_round(int p);

/* R7 level name of a level 1..5 (很低 .. 很高), NULL otherwise. Static strings. */
const char *risk_level_name(int level);

/* R7 default method: ia (资产价值), t (威胁频率), va (脆弱性严重程度) are integers 1..5;
 * L = [√(t·va)], F = [√(ia·va)], R = L·F, level by 1–5 / 6–10 / 11–15 / 16–20 / 21–25.
 * Errors: ERR_VALIDATION with field "asset", "threat" or "vuln"; *out untouched on error. */
enum err risk_calc_multiply(int ia, int t, int va, struct risk_result *out);

/* The default matrix: illustrative tables in the style of GB/T 20984 appendix A, to be replaced
 * by the tables the organisation has approved. Static data. */
const struct risk_matrix *risk_matrix_default(void);

/* Checks a matrix against the constraints above. Errors: ERR_VALIDATION, field "matrix". */
enum err risk_matrix_check(const struct risk_matrix *m);

/* R7 matrix method with m. Errors: as risk_calc_multiply for the inputs, and those of
 * risk_matrix_check; *out untouched on error. out->version points into m. */
enum err risk_calc_matrix(const struct risk_matrix *m, int ia, int t, int va,
                          struct risk_result *out);

/* R7: asset value from the confidentiality, integrity and availability ratings (1..5 each) by R1's
 * S rule with the default R1 bands: S = 2^c + 2^i + 2^a, S <= 8 → 1; 10..16 → 2; 18..46 → 3;
 * 48..64 → 4; >= 66 → 5. Returns 0 when a rating is outside 1..5 (no error is recorded). */
int risk_asset_value(int c, int i, int a);

#endif
