/*
 * cmd_trust.h - what cmd_trust.c (create, sign, show, verify),
 * cmd_trust_cert.c (cert-add, cert-retire), cmd_trust_members.c (the
 * operator's members file) and cmd_pki.c (request, sign) of `lasteri trust`
 * and `lasteri pki` share.
 */
#ifndef LASTERI_CMD_TRUST_H
#define LASTERI_CMD_TRUST_H

#include <stddef.h>
#include <time.h>

#include <openssl/x509.h>

#include "trust.h"

extern const char trust_usage_cert_add[];
extern const char trust_usage_cert_retire[];

/* `trust cert-add` (add 1) or `trust cert-retire` (add 0); an exit status. */
int	 trust_cert_edit(int argc, char **argv, int add);

/* One member of a trust list to be written by `trust create`. */
struct tl_member {
	char		code[8];
	char		id[160];
	char		name[128];
	char		region[3];		/* "" when none */
	char		roles[64];		/* "region supervisor" */
	char		endpoint[256];
	char		issuers[TRUST_MAX_ISSUERS][17];
	int		nissuers;
	char		tls[65];		/* SHA-256, lower-case hex */
	char		sign[65];
	int		line;			/* of its section, 0: none */
};

/* The members file (see lasteri(1) "MEMBERS FILE"): every member checked,
 * its certificates against cas at now.  Prints one message naming
 * FILE:LINE and returns -1 at the first error; on success *out (free())
 * holds *count members sorted by code. */
int	 trust_members_load(const char *path, STACK_OF(X509) *cas, time_t now,
	    struct tl_member **out, int *count);

/* `pki request` and `pki sign` (cmd_pki_csr.c); exit statuses. */
extern const char pki_usage_request[];
extern const char pki_usage_sign[];
int	 pki_request(int argc, char **argv);
int	 pki_sign(int argc, char **argv);

/* The federation CA of the PKI directory dir (`pki init`'s DIR, or its
 * pki/ subdirectory): crt and key get the paths of ca.crt and ca.key.
 * -1 with a message when dir holds no ca.crt. */
int	 pki_ca_paths(const char *dir, char *crt, char *key, size_t len);

/* Checks shared by `pki sign` and the members file; 0, or -1 with why. */
/* INSTANCE/CLASS/CODE/SUBSYSTEM; a CODE shaped like a Y-tunnus must have
 * its check digit right. */
int	 pki_member_id_check(const char *id, char *why, size_t len);
/* 1 when s (len bytes) is a DNS host name (no wildcard, no trailing dot). */
int	 pki_host_is_name(const char *s, size_t len);
/* The member ID of urn:lasteri:member:ID in x's subjectAltName: 0, or -1
 * when there is not exactly one. */
int	 pki_cert_member_id(X509 *x, char *id, size_t len);
/* A member's TLS certificate: not a CA, keyUsage digitalSignature,
 * extendedKeyUsage serverAuth and clientAuth. */
int	 pki_tls_profile_check(X509 *x, char *why, size_t len);
/* 1 when x's subjectAltName has DNS:host (case-insensitive) or, for a
 * numeric host, IP:host. */
int	 pki_cert_names_host(X509 *x, const char *host);

#endif
