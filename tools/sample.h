/*
 * sample.h - deterministic, realistic sample data at DOMAIN.md's scale.
 *
 * A generator, not a program: it never prints or exits.  From a seed it
 * builds the national base (every region's units and procurement
 * definitions, about 1,250 units at scale 1, K times that at scale K) and,
 * per unit on demand, ten years of supervision history (about 30,000-50,000
 * records nationally at scale 1).  Everything comes from our own PRNG
 * (xoshiro256** seeded through splitmix64): region r's units come from a
 * stream keyed by (seed, region code), a unit's records from a stream keyed
 * by (seed, unit ID), so the same seed gives the same bytes whatever order
 * regions or units are asked for.  "now" is an input, never the clock.
 *
 * Procurements award units of other regions too, and a unit carries the
 * refs of the lots it is awarded under, so the whole country is built once
 * (sample_new) and regions are read from it.
 */
#ifndef LASTERI_SAMPLE_H
#define LASTERI_SAMPLE_H

#include <stdint.h>
#include <time.h>

#include "err.h"
#include "model.h"

#define SAMPLE_SCALE_MAX		64
/* Enough for ten years of one unit's history; generation stops there. */
#define SAMPLE_UNIT_RECORDS_MAX		256

struct sample_opts {
	uint64_t	seed;
	int		scale;		/* 1..SAMPLE_SCALE_MAX: units x scale */
	time_t		now;		/* the present: history ends here */
};

/* The national base (opaque, immutable once built). */
struct sample;

/* One region's data, owned by the caller: sample_region_free(). */
struct sample_region {
	int				 region;	/* index into regions[] */
	struct unit			*units;
	int				 nunits;
	struct procurement		*procs;		/* awards deep-copied */
	int				 nprocs;
	struct supervision_record	*records;	/* NULL unless asked for */
	int				 nrecords;
};

/* 2026-11-01T00:00:00Z: the default present of the sample data. */
time_t	sample_default_now(void);

/* "YYYY-MM-DD" or "YYYY-MM-DDThh:mm:ssZ" (UTC) -> time_t; -1 when malformed. */
int	sample_parse_now(const char *s, time_t *out);

/* Builds the national base.  ERR_USAGE on a bad scale or now; ERR_NOMEM.
 * The caller frees *out with sample_free(). */
int	sample_new(const struct sample_opts *o, struct sample **out,
	    struct err *e);
void	sample_free(struct sample *s);			/* NULL is a no-op */

/* Borrowed views of region ri (index into regions[]); valid until
 * sample_free().  *n gets the count. */
const struct unit *
	sample_units(const struct sample *s, int ri, int *n);
const struct procurement *
	sample_procurements(const struct sample *s, int ri, int *n);

/* The supervision history of unit u (one of s's units), oldest first, into
 * buf (max entries; SAMPLE_UNIT_RECORDS_MAX is always enough).  Returns
 * the count.  Depends only on the seed, now and u. */
int	sample_unit_records(const struct sample *s, const struct unit *u,
	    struct supervision_record *buf, int max);

/* Copies region ri out of s, with every unit's records when with_records. */
int	sample_region_get(const struct sample *s, int ri, int with_records,
	    struct sample_region *out, struct err *e);

/* One-shot: builds the base, copies region ri with its records, frees the
 * base.  Same data as sample_new() + sample_region_get(). */
int	sample_region(const struct sample_opts *o, int ri,
	    struct sample_region *out, struct err *e);

/* Releases what out owns (not the struct); NULL-safe, idempotent. */
void	sample_region_free(struct sample_region *out);

#endif
