/*
 * account.c - account names, roles and passwords (account.h).  The only
 * file that calls libargon2.  Pure functions: safe from any thread.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "account.h"
#include "ytunnus.h"

/* OWASP's Argon2id minimum: 19 MiB, two passes, one lane. */
#define ARGON_T		2
#define ARGON_M		19456	/* KiB */
#define ARGON_P		1
#define SALT_LEN	16
#define HASH_LEN	32
/* What a stored hash may ask of verify: a corrupted or hand-edited row
 * must not make a sign-in allocate gigabytes or run for minutes. */
#define VERIFY_M_MAX	(256UL * 1024)	/* KiB */
#define VERIFY_T_MAX	16UL
#define VERIFY_P_MAX	8UL

static const char *const roles[] = {
	[ACCOUNT_SOCIAL_WORKER] = "social-worker",
	[ACCOUNT_SUPERVISOR] = "supervisor",
	[ACCOUNT_PROVIDER] = "provider",
	[ACCOUNT_ADMIN] = "admin",
};
#define NROLES	(sizeof(roles) / sizeof(roles[0]))

int
account_role_parse(const char *s)
{
	size_t i;

	for (i = 0; s != NULL && i < NROLES; i++)
		if (strcmp(s, roles[i]) == 0)
			return (int)i;
	return -1;
}

const char *
account_role_name(enum account_role r)
{
	return (unsigned)r < NROLES ? roles[r] : "";
}

static int
name_char(char c, int first)
{
	if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		return 1;
	return !first && (c == '.' || c == '_' || c == '-');
}

int
account_name_is_valid(const char *name)
{
	size_t i;

	if (name == NULL || name[0] == '\0')
		return 0;
	for (i = 0; name[i] != '\0'; i++)
		if (i >= ACCOUNT_NAME_MAX || !name_char(name[i], i == 0))
			return 0;
	return 1;
}

int
account_check(const char *name, const char *role, const char *bid,
    enum account_role *rolep, struct err *e)
{
	int r;

	if (!account_name_is_valid(name))
		return err_set(e, ERR_INPUT, "account name '%.80s': 1 to %d "
		    "characters of a-z, 0-9, '.', '_' and '-', starting with a "
		    "letter or a digit", name != NULL ? name : "",
		    ACCOUNT_NAME_MAX);
	if ((r = account_role_parse(role)) == -1)
		return err_set(e, ERR_INPUT, "role '%.40s': not one of "
		    ACCOUNT_ROLE_TOKENS, role != NULL ? role : "");
	if (bid != NULL && bid[0] == '\0')
		bid = NULL;
	if (r == ACCOUNT_PROVIDER && bid == NULL)
		return err_set(e, ERR_INPUT, "account %s: a provider account "
		    "needs a business ID (Y-tunnus) of the provider it acts "
		    "for", name);
	if (r != ACCOUNT_PROVIDER && bid != NULL)
		return err_set(e, ERR_INPUT, "account %s: only a provider "
		    "account has a business ID, not a %s one", name, roles[r]);
	if (bid != NULL && !ytunnus_is_valid(bid))
		return err_set(e, ERR_INPUT, "business ID '%.40s': not a valid "
		    "Y-tunnus (seven digits, a hyphen and the check digit)",
		    bid);
	if (rolep != NULL)
		*rolep = (enum account_role)r;
	return 0;
}

int
account_password_check(const char *pw, struct err *e)
{
	size_t n;

	if (pw == NULL)
		return err_set(e, ERR_INPUT, "no password");
	n = strnlen(pw, ACCOUNT_PW_MAX + 1);
	if (n < ACCOUNT_PW_MIN)
		return err_set(e, ERR_INPUT, "password: at least %d bytes",
		    ACCOUNT_PW_MIN);
	if (n > ACCOUNT_PW_MAX)
		return err_set(e, ERR_INPUT, "password: at most %d bytes",
		    ACCOUNT_PW_MAX);
	return 0;
}

int
account_hash(const char *pw, char *out, size_t len, struct err *e)
{
	unsigned char salt[SALT_LEN];
	int r;

	if (len > 0)
		out[0] = '\0';
	if (account_password_check(pw, e) == -1)
		return -1;
	if (len < ACCOUNT_HASH_MAX ||
	    argon2_encodedlen(ARGON_T, ARGON_M, ARGON_P, SALT_LEN, HASH_LEN,
	    Argon2_id) > len)
		return err_set(e, ERR_INTERNAL, "account_hash: buffer of %zu "
		    "bytes too small", len);
	if (RAND_bytes(salt, sizeof(salt)) != 1)
		return err_set(e, ERR_INTERNAL, "no random bytes for a salt");
	r = argon2id_hash_encoded(ARGON_T, ARGON_M, ARGON_P, pw, strlen(pw),
	    salt, sizeof(salt), HASH_LEN, out, len);
	OPENSSL_cleanse(salt, sizeof(salt));
	if (r != ARGON2_OK) {
		out[0] = '\0';
		return err_set(e, ERR_INTERNAL, "Argon2id: %s",
		    argon2_error_message(r));
	}
	return 0;
}

/* Reads "KEY=NUMBER" at *p, NUMBER 1..max; advances past it. */
static int
param(const char **p, const char *key, unsigned long max)
{
	size_t k = strlen(key);
	unsigned long v = 0;
	const char *s = *p;

	if (strncmp(s, key, k) != 0 || s[k] != '=')
		return -1;
	s += k + 1;
	if (*s < '1' || *s > '9')
		return -1;
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (unsigned long)(*s++ - '0');
		if (v > max)
			return -1;
	}
	*p = s;
	return 0;
}

/* 1 when encoded is "$argon2id$v=19$m=M,t=T,p=P$..." with M, T, P within
 * what verify accepts to spend. */
static int
encoded_is_sane(const char *encoded)
{
	static const char prefix[] = "$argon2id$v=19$";
	const char *p = encoded;

	if (strnlen(encoded, ACCOUNT_HASH_MAX) >= ACCOUNT_HASH_MAX ||
	    strncmp(p, prefix, sizeof(prefix) - 1) != 0)
		return 0;
	p += sizeof(prefix) - 1;
	if (param(&p, "m", VERIFY_M_MAX) == -1 || *p++ != ',' ||
	    param(&p, "t", VERIFY_T_MAX) == -1 || *p++ != ',' ||
	    param(&p, "p", VERIFY_P_MAX) == -1 || *p != '$')
		return 0;
	return 1;
}

int
account_verify(const char *encoded, const char *pw)
{
	static const unsigned char salt[SALT_LEN];
	unsigned char h[HASH_LEN];

	if (pw == NULL || account_password_check(pw, NULL) == -1)
		return 0;
	if (encoded == NULL || !encoded_is_sane(encoded)) {
		/* The same work as a verify, so that the time of the
		 * answer does not tell an unknown name from a known one. */
		(void)argon2id_hash_raw(ARGON_T, ARGON_M, ARGON_P, pw,
		    strlen(pw), salt, sizeof(salt), h, sizeof(h));
		OPENSSL_cleanse(h, sizeof(h));
		return 0;
	}
	return argon2id_verify(encoded, pw, strlen(pw)) == ARGON2_OK;
}

int
account_password_generate(char *buf, size_t len)
{
	/* 32 characters, none mistaken for another (no o/0, l/1): a byte
	 * modulo 32 is uniform, 5 bits each. */
	static const char alpha[] = "abcdefghijkmnpqrstuvwxyz23456789";
	unsigned char rnd[30];
	size_t i, o = 0;

	if (buf == NULL || len < ACCOUNT_PW_GEN_LEN)
		return -1;
	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		buf[0] = '\0';
		return -1;
	}
	for (i = 0; i < sizeof(rnd); i++) {
		if (i > 0 && i % 5 == 0)
			buf[o++] = '-';
		buf[o++] = alpha[rnd[i] & 31];
	}
	buf[o] = '\0';
	OPENSSL_cleanse(rnd, sizeof(rnd));
	return 0;
}
