/*
 * conf.h - the node's configuration file (/etc/lasteri/lasterid.conf).
 *
 * (Named conf, not config: "config.h" is autoconf's header, which every C file
 * includes first, and a config.h in node/ would shadow it there.)
 *
 * One typed table of keys (conf_keys()) drives everything: the libinih
 * callback, `lasterid -t`, the file:line error messages, the sample
 * configuration and the key list of lasterid.conf(5).  An unknown key, a
 * bad value, a key given twice or a missing required key stops loading with
 * one message that names the file, the line and the key.  Relative paths are
 * taken from the directory of the configuration file.  A private key file
 * that group or others may read, and a configuration file that group or
 * others may write, are refused.
 */
#ifndef LASTERI_CONF_H
#define LASTERI_CONF_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

#define CONF_FILE_DEFAULT	"/etc/lasteri/lasterid.conf"

enum conf_type {
	CONF_STRING,		/* char * */
	CONF_PATH,		/* char *, made absolute */
	CONF_INT,		/* long */
	CONF_DURATION,		/* long, milliseconds; "30s", "5m", "250ms" */
	CONF_SIZE,		/* long, bytes; "1MiB", "64k", "4096" */
	CONF_BOOL,		/* int; yes/no, true/false, on/off, 1/0 */
	CONF_ADDR		/* struct conf_addr; "127.0.0.1:8443", "[::1]:8443" */
};

#define CONF_REQUIRED	0x1	/* no default: the file must give it */
#define CONF_FILE	0x2	/* a path that must name a regular file */
#define CONF_SECRET	0x4	/* a private key: mode must be 0600 or less */

struct conf_addr {
	char	host[64];	/* numeric IPv4 or IPv6, no brackets */
	int	port;		/* 0: any free port (tests) */
	char	text[80];	/* as written */
};

struct conf {
	char		*file;		/* the configuration file, absolute */
	/* [node] */
	char		*member_id;
	char		*sign_key;
	char		*sign_cert;
	int		 log_debug;
	/* [federation] */
	struct conf_addr listen;
	char		*tls_key;
	char		*tls_cert;
	char		*resolve;	/* NULL when not set */
	/* [trust] */
	char		*trust_anchor;
	char		*trust_list;
	char		*trust_url;	/* NULL when not set */
	long		 trust_refresh;	/* ms */
	/* [admin] */
	char		*admin_socket;
	long		 admin_body_max;
	long		 admin_max_connections;
	long		 admin_header_timeout;	/* ms */
	long		 admin_body_timeout;	/* ms */
	/* [store] */
	char		*database;
	/* [limits] */
	long		 body_max;
	long		 header_max;
	long		 request_timeout;	/* ms */
	long		 idle_timeout;		/* ms */
	long		 max_connections;
	long		 handshake_timeout;	/* ms */
	long		 max_handshakes;
	long		 max_handshakes_per_address;
	long		 suppress_threshold;
	long		 check_threads;		/* workpool.h */
	/* [outbox] */
	long		 outbox_retry_min;	/* ms */
	long		 outbox_retry_max;	/* ms */
	long		 outbox_alarm_age;	/* ms */
	/* [query] */
	long		 fanout_deadline;	/* ms */
	long		 query_work_limit;	/* ms */
	/* [log] */
	long		 checkpoint_interval;	/* ms */
	long		 witness_interval;	/* ms */
	/* [web] */
	struct conf_addr web_listen;	/* text "": no web service */
	int		 web_tls;
	char		*web_tls_cert;
	char		*web_tls_key;
	char		*web_auth;		/* "password" or "proxy" */
	char		*web_proxy_user_header;
	char		*web_proxy_role_header;
	char		*web_proxy_business_id_header;
	char		*web_proxy_addresses;	/* NULL when not set */
	char		*web_proxy_secret;	/* NULL when not set */
	int		 web_cookie_secure;
	long		 web_session_idle;	/* ms */
	long		 web_session_max;	/* ms */
	long		 web_max_connections;
	char		*web_locale_dir;	/* NULL: LOCALEDIR */
};

struct conf_key {
	const char	*section;
	const char	*name;
	enum conf_type	 type;
	const char	*def;		/* default as written, NULL: none */
	int		 flags;		/* CONF_REQUIRED, CONF_FILE, CONF_SECRET */
	size_t		 off;		/* offset in struct conf */
	long		 min, max;	/* int, duration (ms), size (bytes) */
	const char	*example;	/* value shown in the sample */
	const char	*help;		/* one sentence or two */
	/* Extra check of a value; fills why and returns -1 when bad. */
	int		(*check)(const char *value, char *why, size_t len);
};

/* The table, terminated by an entry with name NULL.  Borrowed, static. */
const struct conf_key *conf_keys(void);

/* Loads path into c (zeroed first).  On failure e->msg is one line:
 * "FILE:LINE: [section] key: why" (or "FILE: [section] key: required key is
 * missing").  Whatever the outcome, release c with conf_free(). */
int	 conf_load(const char *path, struct conf *c, struct err *e);
void	 conf_free(struct conf *c);		/* NULL is a no-op */

/* Writes the sample configuration (lasterid.conf.sample) and the mdoc list
 * of keys that lasterid.conf(5) carries. */
void	 conf_write_sample(FILE *f);
void	 conf_write_man(FILE *f);

/* The value parsers behind the table; 0 or -1 with why filled. */
int	 conf_parse_duration(const char *s, long *ms, char *why, size_t len);
int	 conf_parse_size(const char *s, long *bytes, char *why, size_t len);
/* 1 when host (numeric IPv4 or IPv6) is a loopback address. */
int	 conf_addr_is_loopback(const char *host);
int	 conf_parse_addr(const char *s, struct conf_addr *a, char *why,
	    size_t len);

#endif
