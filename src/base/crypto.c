/* libsodium for randomness and argon2id, OpenSSL's EVP for SM3. */
#include <openssl/evp.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "crypto.h"

enum err crypto_setup(void)
{
    if (sodium_init() < 0)
        return errf(ERR_INTERNAL, NULL, "libsodium 初始化失败");
    return ERR_OK;
}

void crypto_random_hex(char *out, size_t n_bytes)
{
    unsigned char buf[64];
    if (n_bytes > sizeof buf)
        n_bytes = sizeof buf;
    randombytes_buf(buf, n_bytes);
    sodium_bin2hex(out, 2 * n_bytes + 1, buf, n_bytes);
    sodium_memzero(buf, sizeof buf);
}

void crypto_random_password(char out[32])
{
    static const char *const classes[] = {"abcdefghijkmnopqrstuvwxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ",
                                          "23456789", "-_.+=@%"};
    enum { LEN = 20 };
    for (int i = 0; i < LEN; i++) {
        const char *set = classes[i < 4 ? (uint32_t)i : randombytes_uniform(4)];
        out[i] = set[randombytes_uniform((uint32_t)strlen(set))];
    }
    /* Shuffle so the first four characters do not reveal the class order. */
    for (int i = LEN - 1; i > 0; i--) {
        int j = (int)randombytes_uniform((uint32_t)i + 1);
        char c = out[i];
        out[i] = out[j];
        out[j] = c;
    }
    out[LEN] = '\0';
}

enum err crypto_password_hash(const char *password, char out[128])
{
    if (crypto_pwhash_str_alg(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13))
        return errf(ERR_INTERNAL, NULL, "密码哈希计算失败（内存不足）");
    return ERR_OK;
}

int crypto_password_verify(const char *stored, const char *password)
{
    return crypto_pwhash_str_verify(stored, password, strlen(password)) == 0;
}

void crypto_token_hash(const char *token, char out[65])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(out, 65, h, sizeof h);
}

enum err crypto_sm3_hex(const void *data, size_t len, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    const EVP_MD *sm3 = EVP_sm3();
    if (!sm3 || !EVP_Digest(data, len, md, &n, sm3, NULL) || n != 32)
        return errf(ERR_INTERNAL, NULL, "SM3 不可用");
    sodium_bin2hex(out, 65, md, n);
    return ERR_OK;
}

int crypto_streq(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb)
        return 0;
    return sodium_memcmp(a, b, la) == 0;
}
