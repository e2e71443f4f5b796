/*
 * brief.h - what placement search and statistics need of a unit, a
 * procurement definition and a supervision record, and a unit's supervision
 * summary: the values the store keeps beside each document (store.c, at the
 * moment the document is stored) so that the search data is built from SQL
 * rows instead of re-parsing XML.
 *
 * A unit's supervision summary (struct unit_sup) is the sum of its records'
 * briefs: counts that never change with time (open serious records, blocking
 * records, visits, open orders, complaint decisions by outcome) are kept as
 * counters; what depends on the time of a query (recent findings within
 * SEARCH_RECENT_DAYS, overdue deadlines) is kept as the dated events a query
 * counts itself, so that nothing in a summary expires.  Records are never
 * replaced or deleted, so a summary only ever grows by unit_sup_add().
 *
 * Enumerated values are vocab.h indexes (a vocabulary only grows).
 */
#ifndef LASTERI_BRIEF_H
#define LASTERI_BRIEF_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "err.h"
#include "model.h"

/* Room for the lots of a unit as one string: "PROC/LOT" references
 * separated by '\n' (at most UNIT_LOT_MAX). */
#define BRIEF_LOTS_MAX	(UNIT_LOT_MAX * (2 * ID_MAX + 2))

struct unit_brief {
	char		id[ID_MAX + 1];
	char		name[NAME_MAX_ + 1];
	char		region[3];
	int8_t		type;			/* vocab_unit_type, -1 none */
	int8_t		service_level;		/* vocab_service_level, -1 none */
	int8_t		gender;			/* vocab_gender */
	int8_t		licence_valid;
	int16_t		age_min, age_max;
	int32_t		places, free_places;
	time_t		free_updated;
	long		price_cents;
	uint32_t	target_groups, expertise;
	char		languages[UNIT_LANG_MAX][3];
	int		nlanguages;
	const char	*lots;		/* '\n'-separated, borrowed; "" none */
	int		nlots;
	/* Retired (store_retire.h): out of search and of the statistics of
	 * places and prices.  Set by the loaders, never stored here. */
	int8_t		retired;
};

struct proc_brief {
	char	id[ID_MAX + 1];
	char	region[3];
	char	joint[PROC_REGION_MAX][3];
	int	njoint;
};

struct record_brief {
	char	id[ID_MAX + 1];
	char	unit_id[ID_MAX + 1];
	int8_t	kind;			/* vocab_record_kind */
	int8_t	status;			/* vocab_record_status */
	int8_t	outcome;		/* vocab_outcome, -1 none */
	int8_t	serious_open;		/* model_record_is_serious_open */
	int8_t	serious_sev;		/* worst severity when serious_open, -1 */
	int8_t	blocks;			/* model_record_blocks_placement */
	int8_t	open;			/* status is not closed */
	int16_t	n_low, n_medium, n_high;	/* findings by severity */
	time_t	rtime;			/* visit date, else opened, else issued */
	time_t	deadline;		/* -1 none */
};

/* Findings of one record at one time (a "recent findings" candidate). */
struct sup_event {
	time_t	t;
	int16_t	low, medium, high;
};

struct unit_sup {
	char		 unit_id[ID_MAX + 1];
	int32_t		 records;
	int32_t		 open_serious;
	int32_t		 serious_sev;		/* worst open serious, -1 none */
	int32_t		 blocks;		/* open blocking records */
	int32_t		 visits, complaints, open_orders;
	int32_t		 outcomes[4];		/* complaint decisions, vocab_outcome */
	/* Owned arrays (unit_sup_clear): records with findings dated at or
	 * after the summary's "since", sorted by time; deadlines of open
	 * records, sorted. */
	struct sup_event *ev;
	int		 nev, capev;
	time_t		*deadlines;
	int		 ndl, capdl;
	/* The newest record (record_brief.seq) the summary holds, when read
	 * on its own (store_unit_sup_get) or added to (query.c); 0: as of
	 * the data set it is in (query_data_seq). */
	int64_t		 seq;
};

/* lots (len bytes, BRIEF_LOTS_MAX is enough) receives the lots string
 * that out->lots points at; NULL: the lots are left out. */
void	brief_unit_from(const struct unit *u, struct unit_brief *out,
	    char *lots, size_t len);
void	brief_proc_from(const struct procurement *p, struct proc_brief *out);
void	brief_record_from(const struct supervision_record *r,
	    struct record_brief *out);

/* Adds r to s (whose unit_id the caller has set): the counters, and the
 * events when r->rtime >= since and r has findings, the deadline when r is
 * open and has one.  Keeps ev and deadlines sorted.  -1 only on ENOMEM. */
int	unit_sup_add(struct unit_sup *s, const struct record_brief *r,
	    time_t since);
/* The counters of s and d added (events and deadlines not touched). */
void	unit_sup_merge_counts(struct unit_sup *s, const struct unit_sup *d);
/* Appends an event or a deadline, kept sorted.  -1 on ENOMEM. */
int	unit_sup_event(struct unit_sup *s, const struct sup_event *ev);
int	unit_sup_deadline(struct unit_sup *s, time_t dl);
/* Frees the arrays and zeroes s.  NULL is a no-op. */
void	unit_sup_clear(struct unit_sup *s);
/* Moves src into dst (dst cleared first); src is left empty. */
void	unit_sup_move(struct unit_sup *dst, struct unit_sup *src);

/* The languages as stored: "fi sv en"; parse back with
 * brief_languages_parse().  buf has room for UNIT_LANG_MAX * 3. */
void	brief_languages_format(const struct unit_brief *u, char *buf,
	    size_t len);
void	brief_languages_parse(struct unit_brief *u, const char *s);

#endif
