/*
 * store_brief_internal.h - what the two files of the briefs' readers share:
 * store_brief.c (the briefs written with each document, the search
 * worker's loads, migration 6) and store_brief_query.c (the offline CLI's
 * loads of what one query reads).  Not for other modules.
 */
#ifndef LASTERI_STORE_BRIEF_INTERNAL_H
#define LASTERI_STORE_BRIEF_INTERNAL_H

#include <stddef.h>
#include <time.h>

#include <sqlite3.h>

#include "brief.h"
#include "err.h"

struct store;

/* The lots of the briefs loaded so far: one arena, each brief's string at
 * an offset (the arena moves as it grows; pointers are set at the end). */
struct lots_arena {
	char	*p;
	size_t	 cap, len;
	size_t	*at;		/* offset per brief */
	size_t	 acap;
};

/* Column i into dst (size bytes, truncated, NUL-terminated). */
void	brief_col_copy(sqlite3_stmt *st, int i, char *dst, size_t size);
/* Grows *p (n items of size) to room for one more; -1 on ENOMEM. */
int	brief_room(void **p, size_t *cap, size_t n, size_t size);
/* Columns base..base+16 of st into b, its lots into a's slot k; -1 on
 * ENOMEM. */
int	brief_unit_row(sqlite3_stmt *st, int base, struct unit_brief *b,
	    struct lots_arena *a, size_t k);
/* Points the k briefs' lots into the arena, hands it to *lots. */
void	brief_lots_finish(struct lots_arena *a, struct unit_brief *v, size_t k,
	    char **lots);
/* Columns base..base+11 of st into a unit's supervision summary. */
void	brief_sup_row(sqlite3_stmt *st, int base, struct unit_sup *u);
/* Events (rtime >= since) and open deadlines into the summaries v[n]
 * (sorted by unit ID); unit_id NULL: every unit, else that one. */
int	brief_sup_dated(struct store *s, struct unit_sup *v, size_t n,
	    const char *unit_id, time_t since, struct err *e);

#endif
