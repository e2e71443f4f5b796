/*
 * sample.c - deterministic, realistic sample data (see sample.h).
 *
 * Three passes build the country: units per region (each region from its
 * own PRNG stream), then procurements per region (awards drawn from every
 * region's units, weighted towards the procuring regions), then the lot refs
 * the awards imply are appended to the units in one fixed order.  Supervision
 * history is made per unit on demand, in two steps: events (kind, day, worst
 * severity, links) are drawn year by year, sorted by day, and only then
 * turned into records, so record IDs run in date order and a decision always
 * follows its complaint.  The figures that shape the data (shares, prices,
 * frequencies) are DOMAIN.md's; the tables below say where a value is ours.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sample_internal.h"

/* --- per-region facts (ours, from public sources) ------------------------ */


const struct avi sample_avis[] = {
	{ "AVI-ES", "ESAVI", "Etelä-Suomen aluehallintovirasto" },
	{ "AVI-LS", "LSAVI", "Lounais-Suomen aluehallintovirasto" },
	{ "AVI-LSS", "LSSAVI", "Länsi- ja Sisä-Suomen aluehallintovirasto" },
	{ "AVI-ISA", "ISAVI", "Itä-Suomen aluehallintovirasto" },
	{ "AVI-PSA", "POSAVI", "Pohjois-Suomen aluehallintovirasto" },
	{ "AVI-LA", "LAAVI", "Lapin aluehallintovirasto" },
};


const struct region_info sample_rinfo[REGION_COUNT] = {
	{ "Itä-Uudenmaan hyvinvointialue", 0, 0.35, 0, 1, 0 },
	{ "Keski-Uudenmaan hyvinvointialue", 0, 0.08, 0, 1, 0 },
	{ "Länsi-Uudenmaan hyvinvointialue", 0, 0.25, 0, 1, 1 },
	{ "Vantaan ja Keravan hyvinvointialue", 0, 0.08, 5, 1, 0 },
	{ "Varsinais-Suomen hyvinvointialue", 1, 0.12, 5, 0, 1 },
	{ "Satakunnan hyvinvointialue", 1, 0.02, 0, 0, 0 },
	{ "Kanta-Hämeen hyvinvointialue", 0, 0.02, 0, 0, 0 },
	{ "Pirkanmaan hyvinvointialue", 2, 0.02, 0, 0, 1 },
	{ "Päijät-Hämeen hyvinvointialue", 0, 0.02, 0, 0, 0 },
	{ "Kymenlaakson hyvinvointialue", 0, 0.02, 5, 0, 0 },
	{ "Etelä-Karjalan hyvinvointialue", 0, 0.02, 0, 0, 0 },
	{ "Etelä-Savon hyvinvointialue", 3, 0.02, 4, 0, 0 },
	{ "Pohjois-Savon hyvinvointialue", 3, 0.02, 0, 0, 1 },
	{ "Pohjois-Karjalan hyvinvointialue", 3, 0.02, 0, 0, 0 },
	{ "Keski-Suomen hyvinvointialue", 2, 0.02, 0, 0, 0 },
	{ "Etelä-Pohjanmaan hyvinvointialue", 2, 0.02, 0, 0, 0 },
	{ "Pohjanmaan hyvinvointialue", 2, 0.55, 0, 0, 0 },
	{ "Keski-Pohjanmaan hyvinvointialue", 2, 0.12, 0, 0, 0 },
	{ "Pohjois-Pohjanmaan hyvinvointialue", 4, 0.02, 6, 0, 1 },
	{ "Kainuun hyvinvointialue", 4, 0.02, 0, 0, 0 },
	{ "Lapin hyvinvointialue", 5, 0.02, 0, 0, 0 },
	{ "Helsingin kaupunki", 0, 0.15, 0, 1, 0 },
};

time_t
sample_default_now(void)
{
	return (time_t)days_from_civil(2026, 11, 1) * DAY;
}

int
sample_parse_now(const char *s, time_t *out)
{
	int y, m, d, hh = 0, mm = 0, ss = 0, n = 0;
	size_t len;

	if (s == NULL)
		return -1;
	len = strlen(s);
	if (len == 10) {
		if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10)
			return -1;
	} else if (len == 20) {
		if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &m, &d, &hh,
		    &mm, &ss, &n) != 6 || n != 20)
			return -1;
	} else
		return -1;
	if (s[4] != '-' || s[7] != '-' || y < 2000 || y > 2100 || m < 1 ||
	    m > 12 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 59 ||
	    hh < 0 || mm < 0 || ss < 0)
		return -1;
	if (d > 28) {	/* reject 2026-02-30: the day must round-trip */
		int y2, m2, d2;

		civil_from_days(days_from_civil(y, m, d), &y2, &m2, &d2);
		if (m2 != m)
			return -1;
	}
	*out = (time_t)days_from_civil(y, m, d) * DAY + hh * 3600 + mm * 60 + ss;
	return 0;
}

/* --- public: the base ------------------------------------------------------ */

/* Frees the awards a procurement owns (as model_procurement_clear does). */
static void
proc_clear(struct procurement *p)
{
	int l;

	for (l = 0; l < p->nlots; l++) {
		free(p->lots[l].awards);
		p->lots[l].awards = NULL;
		p->lots[l].nawards = 0;
	}
}

void
sample_free(struct sample *s)
{
	int ri, i;

	if (s == NULL)
		return;
	for (ri = 0; ri < REGION_COUNT; ri++) {
		for (i = 0; i < s->nprocs[ri]; i++)
			proc_clear(&s->procs[ri][i]);
		free(s->procs[ri]);
		free(s->units[ri]);
	}
	free(s);
}

int
sample_new(const struct sample_opts *o, struct sample **out, struct err *e)
{
	struct sample *s = NULL;
	uint64_t x;
	int ri, rc = -1;

	if (o->scale < 1 || o->scale > SAMPLE_SCALE_MAX) {
		err_set(e, ERR_USAGE, "sample: scale %d is out of range 1..%d",
		    o->scale, SAMPLE_SCALE_MAX);
		goto done;
	}
	if (o->now < (time_t)days_from_civil(2000, 1, 1) * DAY ||
	    o->now > (time_t)days_from_civil(2100, 1, 1) * DAY) {
		err_set(e, ERR_USAGE, "sample: now must be between 2000 and 2100");
		goto done;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		err_set(e, ERR_NOMEM, "sample: out of memory");
		goto done;
	}
	s->opts = *o;
	x = o->seed;
	s->yt_off = splitmix64(&x) % (uint64_t)YT_SPAN;
	for (ri = 0; ri < REGION_COUNT; ri++)
		if (sample_build_units(s, ri, e) == -1)
			goto done;
	if (sample_build_procurements(s, e) == -1)
		goto done;
	*out = s;
	s = NULL;
	rc = 0;
done:
	sample_free(s);
	return rc;
}

const struct unit *
sample_units(const struct sample *s, int ri, int *n)
{
	if (ri < 0 || ri >= REGION_COUNT) {
		*n = 0;
		return NULL;
	}
	*n = s->nunits[ri];
	return s->units[ri];
}

const struct procurement *
sample_procurements(const struct sample *s, int ri, int *n)
{
	if (ri < 0 || ri >= REGION_COUNT) {
		*n = 0;
		return NULL;
	}
	*n = s->nprocs[ri];
	return s->procs[ri];
}

/* --- public: regions ------------------------------------------------------- */

void
sample_region_free(struct sample_region *out)
{
	int i;

	if (out == NULL)
		return;
	for (i = 0; i < out->nprocs; i++)
		proc_clear(&out->procs[i]);
	free(out->procs);
	free(out->units);
	free(out->records);
	memset(out, 0, sizeof(*out));
}

int
sample_region_get(const struct sample *s, int ri, int with_records,
    struct sample_region *out, struct err *e)
{
	struct supervision_record *tmp = NULL, *grown;
	size_t cap = 0;
	int i, l, n, rc = -1;

	memset(out, 0, sizeof(*out));
	if (ri < 0 || ri >= REGION_COUNT)
		return err_set(e, ERR_USAGE, "sample: no region with index %d", ri);
	out->region = ri;
	out->units = calloc((size_t)s->nunits[ri] + 1, sizeof(struct unit));
	out->procs = calloc((size_t)s->nprocs[ri] + 1, sizeof(struct procurement));
	if (out->units == NULL || out->procs == NULL)
		goto nomem;
	memcpy(out->units, s->units[ri], (size_t)s->nunits[ri] * sizeof(struct unit));
	out->nunits = s->nunits[ri];
	for (i = 0; i < s->nprocs[ri]; i++) {
		struct procurement *p = &out->procs[i];

		*p = s->procs[ri][i];
		for (l = 0; l < p->nlots; l++)
			p->lots[l].awards = NULL;
		out->nprocs++;
		for (l = 0; l < p->nlots; l++) {
			const struct lot *src = &s->procs[ri][i].lots[l];

			if (src->nawards == 0)
				continue;
			if ((p->lots[l].awards = malloc((size_t)src->nawards *
			    sizeof(struct award))) == NULL)
				goto nomem;
			memcpy(p->lots[l].awards, src->awards,
			    (size_t)src->nawards * sizeof(struct award));
		}
	}
	if (with_records) {
		if ((tmp = malloc(SAMPLE_UNIT_RECORDS_MAX * sizeof(*tmp))) == NULL)
			goto nomem;
		for (i = 0; i < out->nunits; i++) {
			n = sample_unit_records(s, &out->units[i], tmp,
			    SAMPLE_UNIT_RECORDS_MAX);
			while ((size_t)(out->nrecords + n) > cap) {
				cap = cap ? cap * 2 : 1024;
				if ((grown = realloc(out->records, cap *
				    sizeof(*grown))) == NULL)
					goto nomem;
				out->records = grown;
			}
			memcpy(out->records + out->nrecords, tmp,
			    (size_t)n * sizeof(*tmp));
			out->nrecords += n;
		}
	}
	rc = 0;
	goto done;
nomem:
	err_set(e, ERR_NOMEM, "sample: out of memory (region %s)",
	    regions[ri].code);
	sample_region_free(out);
done:
	free(tmp);
	return rc;
}

int
sample_region(const struct sample_opts *o, int ri, struct sample_region *out,
    struct err *e)
{
	struct sample *s = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (sample_new(o, &s, e) == -1)
		return -1;
	rc = sample_region_get(s, ri, 1, out, e);
	sample_free(s);
	return rc;
}
