/* Wall-clock time in Asia/Shanghai (UTC+8, no daylight saving): ISO 8601 with +08:00. */
#ifndef FANGHU_TIMEUTIL_H
#define FANGHU_TIMEUTIL_H
#include <stdint.h>
#include <time.h>

/* Writes e.g. "2026-11-21T10:35:00+08:00" (26 bytes with NUL) into out[40]. */
void time_iso(time_t t, char out[40]);
void time_now_iso(char out[40]);
/* Parses an ISO 8601 time with an offset (or Z), or a civil date taken as 00:00 +08:00. */
int time_parse_iso(const char *s, time_t *out);
int64_t time_now_ms(void);
/* Monotonic milliseconds, for durations. */
int64_t time_mono_ms(void);

#endif
