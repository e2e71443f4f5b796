/*
 * account.h - the web service's accounts (issue 12): what an account is
 * and how its password is kept, without the store.
 *
 * An account is a name (1..64 characters of [a-z0-9._-], starting with a
 * letter or a digit), a role (social-worker, supervisor, provider, admin),
 * and for a provider, and only for one, the business ID (Y-tunnus) it acts
 * for.  A password (8..1024 bytes) is kept as an Argon2id encoded string
 * ("$argon2id$v=19$m=19456,t=2,p=1$SALT$HASH") with the OWASP parameters:
 * t=2, m=19 MiB, p=1, a 16-byte salt from OpenSSL's RAND_bytes and a
 * 32-byte hash.  Hashing or verifying costs about 20-80 ms of one core and
 * 19 MiB of memory, by design.
 *
 * Every function here is pure and thread-safe (no store, no globals that
 * change): the web layer verifies in a worker thread.  Nothing here logs.
 */
#ifndef LASTERI_ACCOUNT_H
#define LASTERI_ACCOUNT_H

#include <stddef.h>

#include "err.h"

#define ACCOUNT_NAME_MAX	64	/* characters, without the NUL */
#define ACCOUNT_ROLE_MAX	16	/* "social-worker" with its NUL */
#define ACCOUNT_BID_MAX		10	/* "1234567-8" with its NUL */
#define ACCOUNT_HASH_MAX	128	/* encoded Argon2id, with NUL */
#define ACCOUNT_PW_MIN		8	/* bytes */
#define ACCOUNT_PW_MAX		1024
/* A generated password: six groups of five characters from a 32-letter
 * alphabet without look-alikes (150 bits), "-" between groups. */
#define ACCOUNT_PW_GEN_LEN	36	/* with its NUL */

enum account_role {
	ACCOUNT_SOCIAL_WORKER,
	ACCOUNT_SUPERVISOR,
	ACCOUNT_PROVIDER,
	ACCOUNT_ADMIN
};
#define ACCOUNT_ROLE_TOKENS	"social-worker, supervisor, provider, admin"

/* "supervisor" -> ACCOUNT_SUPERVISOR; -1 when s is not a role. */
int	account_role_parse(const char *s);
/* The role's token ("social-worker"); "" for a value out of range. */
const char *account_role_name(enum account_role r);

/* 1 when name is a valid account name, else 0. */
int	account_name_is_valid(const char *name);

/* Checks an account's name, role and business ID together: ERR_INPUT with
 * a message naming what is wrong (the name's rule, the role tokens, "a
 * provider account needs a business ID", "only a provider account has a
 * business ID", an invalid Y-tunnus).  bid NULL or "" is none.  *role gets
 * the parsed role (may be NULL). */
int	account_check(const char *name, const char *role, const char *bid,
	    enum account_role *rolep, struct err *e);

/* ERR_INPUT unless pw is ACCOUNT_PW_MIN..ACCOUNT_PW_MAX bytes. */
int	account_password_check(const char *pw, struct err *e);

/* Hashes pw (checked with account_password_check) with Argon2id into out
 * (len >= ACCOUNT_HASH_MAX): the encoded string, NUL-terminated.  ERR_INPUT
 * for a bad password, ERR_INTERNAL when no random salt or no memory. */
int	account_hash(const char *pw, char *out, size_t len, struct err *e);

/* 1 when pw matches encoded (argon2id_verify: constant-time comparison),
 * else 0: a wrong password, a password out of bounds, and an encoded
 * string that is not an Argon2id one of sane parameters all give 0
 * without crashing.  encoded NULL (no such account) hashes pw against a
 * fixed dummy hash and gives 0, so that an unknown name costs as long as a
 * wrong password. */
int	account_verify(const char *encoded, const char *pw);

/* A new random password into buf (len >= ACCOUNT_PW_GEN_LEN), readable
 * and at least 128 bits strong.  -1 when len is too small or no random
 * bytes are available. */
int	account_password_generate(char *buf, size_t len);

#endif
