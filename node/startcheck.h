/*
 * startcheck.h - what `lasterid -t` checks beyond the configuration file:
 * everything that would make the node fail at start, or be refused by its
 * peers right after, found without starting it.
 *
 * The trust list verifies against the anchor and is not expired; member_id
 * is listed; the TLS and signing keys match their certificates; each
 * certificate is valid now, chains to a CA of the trust list, has the key
 * usage its job needs (TLS: digitalSignature, serverAuth and clientAuth;
 * signing: the signer policy of x509_check_signer) and its fingerprint is
 * listed for member_id with a window that holds now.  Every check runs, so
 * that one pass shows every problem.
 */
#ifndef LASTERI_STARTCHECK_H
#define LASTERI_STARTCHECK_H

#include <stdio.h>
#include <time.h>

#include "conf.h"

/* Runs the checks on c at now and writes one line per problem to out
 * ("lasterid: KEY FILE: reason").  Returns the number of problems: 0 when
 * the node would start with c. */
int		 startcheck_run(const struct conf *c, time_t now, FILE *out);

#endif
