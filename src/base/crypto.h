/* Cryptography used by the platform: random tokens and ids (libsodium), password hashing with
 * argon2id (libsodium), token hashing at rest (BLAKE2b), and SM3 (OpenSSL) for the audit chain. */
#ifndef FANGHU_CRYPTO_H
#define FANGHU_CRYPTO_H
#include <stddef.h>

#include "err.h"

/* Must be called once before any other function here (sodium_init). */
enum err crypto_setup(void);

/* n random bytes as lowercase hex into out (2n+1 bytes). */
void crypto_random_hex(char *out, size_t n_bytes);
/* A random password that meets the policy (20 characters, four classes) into out[32]. */
void crypto_random_password(char out[32]);

/* argon2id hash in libsodium's string form into out[128]. */
enum err crypto_password_hash(const char *password, char out[128]);
/* 1 when password matches the stored hash, 0 otherwise. */
int crypto_password_verify(const char *stored, const char *password);

/* Keyless BLAKE2b-256 of a secret token, hex (65 bytes): tokens are stored only as this. */
void crypto_token_hash(const char *token, char out[65]);

/* SM3 (GB/T 32905) of data, hex into out[65]. */
enum err crypto_sm3_hex(const void *data, size_t len, char out[65]);

/* Constant-time comparison of two NUL-terminated strings. */
int crypto_streq(const char *a, const char *b);

#endif
