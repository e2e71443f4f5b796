/*
 * sample_internal.h - what the parts of the sample generator share: the
 * PRNG (xoshiro256** seeded by splitmix64), day arithmetic, the per-region
 * facts, and the national base.  Only tools/sample*.c include it.
 *
 *   sample.c          public API: the base, regions, --now parsing
 *   sample_unit.c     units: types, capacity, prices, providers, names
 *   sample_proc.c     procurement definitions, lots and awards
 *   sample_history.c  ten years of supervision records per unit
 */
#ifndef LASTERI_SAMPLE_INTERNAL_H
#define LASTERI_SAMPLE_INTERNAL_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "model.h"
#include "sample.h"
#include "vocab.h"

#define NATIONAL_UNITS	1250	/* DOMAIN.md: about 1,250 units */
#define DAY		86400L
#define HISTORY_DAYS	3652	/* ten years */
#define LVV_DAY		20454	/* 2026-01-01: LVV replaces the AVIs and Valvira */
#define NELEM(a)	((int)(sizeof(a) / sizeof((a)[0])))

/* --- PRNG: xoshiro256** seeded by splitmix64 ------------------------------- */

struct rng {
	uint64_t	s[4];
};

static inline uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t
fnv(uint64_t h, const char *s)
{
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* A stream keyed by (seed, tag, key): independent of every other stream. */
static inline void
rng_init(struct rng *r, uint64_t seed, const char *tag, const char *key)
{
	uint64_t x = fnv(fnv(0xcbf29ce484222325ULL, tag), key);
	int i;

	x ^= seed * 0x9e3779b97f4a7c15ULL;
	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t
rng_next(struct rng *r)
{
	uint64_t *s = r->s, res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

/* Uniform in [lo, hi]. */
static inline int
rng_int(struct rng *r, int lo, int hi)
{
	uint64_t n = (uint64_t)(hi - lo) + 1;

	return lo + (int)(((rng_next(r) >> 32) * n) >> 32);
}

static inline double
rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

static inline int
rng_chance(struct rng *r, double p)
{
	return rng_unit(r) < p;
}

/* Index drawn with the given integer weights. */
static inline int
rng_weighted(struct rng *r, const int *w, int n)
{
	int i, total = 0, x;

	for (i = 0; i < n; i++)
		total += w[i];
	x = rng_int(r, 0, total - 1);
	for (i = 0; i < n - 1; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;
}

#define PICK(r, tbl)	((tbl)[rng_int((r), 0, NELEM(tbl) - 1)])

/* --- dates: days since 1970-01-01 (H. Hinnant's civil algorithms) ---------- */

static inline long
days_from_civil(int y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static inline void
civil_from_days(long z, int *y, int *m, int *d)
{
	long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static inline void
fmt_date(char out[DATE_LEN + 1], long day)
{
	int y, m, d;

	civil_from_days(day, &y, &m, &d);
	snprintf(out, DATE_LEN + 1, "%04u-%02u-%02u", (unsigned)y % 10000u,
	    (unsigned)m % 100u, (unsigned)d % 100u);
}

/* "YYYY-MM-DD" -> day number; -1 when malformed. */
static inline int
date_days(const char *s, long *out)
{
	int y, m, d, n = 0;

	if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10)
		return -1;
	*out = days_from_civil(y, m, d);
	return 0;
}

static inline int
year_of(long day)
{
	int y, m, d;

	civil_from_days(day, &y, &m, &d);
	return y;
}

static inline long
floor_day(time_t t)
{
	long d = (long)(t / DAY);

	return (t < 0 && t % DAY != 0) ? d - 1 : d;
}

/* The historical state supervisors (AVIs, until 2025). */
struct avi {
	const char	*code;		/* AuthorityCode */
	const char	*case_prefix;
	const char	*name;
};

extern const struct avi sample_avis[6];

/* Per region, in regions[] order: the wellbeing area as a provider, its AVI,
 * the share of units offering Swedish (bilingual areas), the state school
 * homes' residential units located there, and whether it is in the joint
 * Uusimaa procurement. */
struct region_info {
	const char	*provider;
	int		 avi;
	double		 sv;
	int		 school_homes;
	int		 uusimaa;
	int		 sos;		/* has SOS-style children's villages */
};

extern const struct region_info sample_rinfo[REGION_COUNT];

/* The national base: every region's units and procurements. */
struct sample {
	struct sample_opts	 opts;
	uint64_t		 yt_off;
	struct unit		*units[REGION_COUNT];
	int			 nunits[REGION_COUNT];
	struct procurement	*procs[REGION_COUNT];
	int			 nprocs[REGION_COUNT];
};

#define TG(x)	(1u << (x))
enum {	/* bit indexes of vocab_target_group / vocab_expertise */
	TG_CONDUCT, TG_PSYCH, TG_SUBST, TG_ANTISOC, TG_NEURO, TG_DISAB,
	TG_UNACC, TG_INFANT, TG_SIBLINGS, TG_EMERG
};
enum {
	EX_TRAUMA, EX_NEPSY, EX_SUBST, EX_PSYNURSE, EX_FAMILY, EX_SPECED,
	EX_VIOLENCE, EX_MULTI, EX_DISAB, EX_AFTER, EX_SAMI, EX_SEXHEALTH
};

/* Y-tunnus blocks: 0..21 regional providers, then these. */
#define YT_CHAIN	22
#define YT_WELLBEING	23
#define YT_STATE	24
#define YT_NGO		25
#define YT_SPAN		2900000L	/* bases 0500000..3399999 */

/* sample_unit.c: region ri's units into s->units[ri].  ERR_NOMEM. */
int	sample_build_units(struct sample *s, int ri, struct err *e);
/* sample_proc.c: every region's procurements, awards and the units' lot
 * refs (after all units exist).  ERR_NOMEM. */
int	sample_build_procurements(struct sample *s, struct err *e);

#endif
