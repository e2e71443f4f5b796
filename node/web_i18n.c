/*
 * web_i18n.c - the pages' languages through GNU gettext (po/fi.po, sv.po,
 * en.po, compiled to LOCALEDIR/LANG/LC_MESSAGES/lasteri.mo).
 *
 * gettext picks a catalogue from the thread's LC_MESSAGES locale and the
 * LANGUAGE variable, both process-wide in spirit; a page must be rendered
 * in the language its reader asked for.  So, on the loop thread only and
 * only while a page is rendered, the thread uses a locale object whose
 * LC_MESSAGES is C.UTF-8 (uselocale(), per thread), under which glibc
 * honours LANGUAGE, and LANGUAGE names the page's language (with
 * _nl_msg_cat_cntr bumped so gettext's cache does not answer from the
 * previous one).  Outside rendering the thread is back on the process's
 * "C" locale, where LANGUAGE is ignored: the node's log lines and every
 * other thread stay untranslated.  LANGUAGE is set to one of three fixed
 * values, so glibc keeps one copy of each and the environment array never
 * grows after the first page.
 */
#include "config.h"

#include <libintl.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vocab.h"
#include "web_internal.h"

extern int	_nl_msg_cat_cntr;

static locale_t		 msg_locale = (locale_t)0;
static enum web_lang	 current = LANG_COUNT;
static const char *const codes[LANG_COUNT] = { "fi", "sv", "en" };

int
web_i18n_init(const char *dir, struct err *e)
{
	if (bindtextdomain("lasteri", dir) == NULL ||
	    bind_textdomain_codeset("lasteri", "UTF-8") == NULL)
		return err_set(e, ERR_NOMEM, "web: cannot bind the message "
		    "catalogues in %s", dir);
	if (msg_locale == (locale_t)0 &&
	    (msg_locale = newlocale(LC_MESSAGES_MASK, "C.UTF-8",
	    (locale_t)0)) == (locale_t)0 &&
	    (msg_locale = newlocale(LC_MESSAGES_MASK, "C.utf8",
	    (locale_t)0)) == (locale_t)0)
		return err_set(e, ERR_INTERNAL, "web: the C.UTF-8 locale is "
		    "missing (glibc's own; the pages' languages need it)");
	/* The variable exists from now on, while no other thread runs:
	 * later changes only replace its value (glibc keeps each value it
	 * was given), so a getenv() elsewhere never sees the array move. */
	if (setenv("LANGUAGE", codes[LANG_FI], 1) == -1)
		return err_set(e, ERR_NOMEM, "web: setenv: out of memory");
	current = LANG_FI;
	return 0;
}

void
web_lang_begin(enum web_lang lang)
{
	if (msg_locale == (locale_t)0)
		return;
	uselocale(msg_locale);
	if (lang != current) {
		setenv("LANGUAGE", codes[lang], 1);
		++_nl_msg_cat_cntr;
		current = lang;
	}
}

void
web_lang_end(void)
{
	uselocale(LC_GLOBAL_LOCALE);
}

const char *
web_lang_code(enum web_lang lang)
{
	return codes[lang < LANG_COUNT ? lang : LANG_FI];
}

int
web_lang_parse(const char *code)
{
	int i;

	for (i = 0; code != NULL && i < LANG_COUNT; i++)
		if (strcmp(code, codes[i]) == 0)
			return i;
	return -1;
}

/* The first language of the header (by q-value, then order) that we have;
 * Finnish when none. */
enum web_lang
web_lang_accept(const char *h)
{
	const char *p = h, *e;
	double best_q = -1, qv;
	int best = LANG_FI, i;

	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		e = p + strcspn(p, ",");
		qv = 1.0;
		for (i = 0; i < LANG_COUNT; i++)
			if (strncasecmp(p, codes[i], 2) == 0 && (p[2] == '-' ||
			    p[2] == ';' || p[2] == ',' || p[2] == ' ' ||
			    p + 2 == e))
				break;
		{
			const char *sq = memchr(p, ';', (size_t)(e - p));

			if (sq != NULL && (sq = strstr(sq, "q=")) != NULL &&
			    sq < e)
				qv = strtod(sq + 2, NULL);
		}
		if (i < LANG_COUNT && qv > best_q) {
			best_q = qv;
			best = i;
		}
		p = e;
	}
	return (enum web_lang)best;
}

const char *
web_vocab(const struct vocab *vocab, int i)
{
	const char *label = vocab_label(vocab, i);

	return label != NULL ? dgettext("lasteri", label) : "-";
}
