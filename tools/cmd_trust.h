/*
 * cmd_trust.h - what cmd_trust.c (create, sign, show, verify) and
 * cmd_trust_cert.c (cert-add, cert-retire) of `lasteri trust` share.
 */
#ifndef LASTERI_CMD_TRUST_H
#define LASTERI_CMD_TRUST_H

#include <stddef.h>

extern const char trust_usage_cert_add[];
extern const char trust_usage_cert_retire[];

/* `trust cert-add` (add 1) or `trust cert-retire` (add 0); an exit status. */
int	 trust_cert_edit(int argc, char **argv, int add);

#endif
