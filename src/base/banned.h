/* Functions we never call: unbounded copies, non-reentrant time, silent number parsing.
 * Included in every translation unit by the build (-include). */
#ifndef FANGHU_BANNED_H
#define FANGHU_BANNED_H
#define BANNED(fn) sorry_##fn##_is_banned
#undef strcpy
#define strcpy(...) BANNED(strcpy)
#undef strcat
#define strcat(...) BANNED(strcat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(...) BANNED(strtok)
#undef atoi
#define atoi(...) BANNED(atoi)
#undef gmtime
#define gmtime(...) BANNED(gmtime)
#undef localtime
#define localtime(...) BANNED(localtime)
#endif
