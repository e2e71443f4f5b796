/*
 * brief.c - the values search and statistics need of a unit, a procurement
 * and a supervision record, and a unit's supervision summary (brief.h).
 * Every rule of what a record means for a unit (serious, blocking, its date,
 * its findings) is here, once, for the store's summaries and for an index
 * built from parsed records alike.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brief.h"
#include "vocab.h"

static int8_t
clamp8(int v)
{
	return (int8_t)(v < -1 ? -1 : v > 127 ? 127 : v);
}

void
brief_unit_from(const struct unit *u, struct unit_brief *out, char *lots,
    size_t len)
{
	size_t off = 0;
	int j, w;

	memset(out, 0, sizeof(*out));
	snprintf(out->id, sizeof(out->id), "%s", u->id);
	snprintf(out->name, sizeof(out->name), "%s", u->name);
	snprintf(out->region, sizeof(out->region), "%s", u->region);
	out->type = clamp8(u->type);
	out->service_level = clamp8(u->service_level);
	out->gender = clamp8(u->gender);
	out->licence_valid = u->licence_valid ? 1 : 0;
	out->age_min = (int16_t)u->age_min;
	out->age_max = (int16_t)u->age_max;
	out->places = u->places;
	out->free_places = u->free_places;
	out->free_updated = u->free_updated;
	out->price_cents = u->price_cents;
	out->target_groups = u->target_groups;
	out->expertise = u->expertise;
	for (j = 0; j < u->nlanguages && j < UNIT_LANG_MAX; j++)
		snprintf(out->languages[j], 3, "%s", u->languages[j]);
	out->nlanguages = j;
	out->lots = "";
	if (lots == NULL || len == 0)
		return;
	lots[0] = '\0';
	out->lots = lots;
	for (j = 0; j < u->nlots && j < UNIT_LOT_MAX; j++) {
		w = snprintf(lots + off, len - off, "%s%s", j > 0 ? "\n" : "",
		    u->lots[j]);
		if (w < 0 || (size_t)w >= len - off) {
			lots[off] = '\0';
			break;
		}
		off += (size_t)w;
		out->nlots++;
	}
}

void
brief_proc_from(const struct procurement *p, struct proc_brief *out)
{
	int j;

	memset(out, 0, sizeof(*out));
	snprintf(out->id, sizeof(out->id), "%s", p->id);
	snprintf(out->region, sizeof(out->region), "%s", p->region);
	for (j = 0; j < p->njoint && j < PROC_REGION_MAX; j++)
		snprintf(out->joint[j], 3, "%s", p->joint[j]);
	out->njoint = j;
}

/* The worst finding; formal sanctions are serious whatever their findings
 * say. */
static int
record_severity(const struct supervision_record *r)
{
	int i, sev = -1;

	for (i = 0; i < r->nfindings && i < REC_FINDING_MAX; i++)
		if (r->findings[i].severity > sev)
			sev = r->findings[i].severity;
	if (r->kind == RK_ORDER_TO_CORRECT || r->kind == RK_CONDITIONAL_FINE ||
	    r->kind == RK_SUSPENSION || r->kind == RK_SERIOUS_REPRIMAND)
		sev = SEV_HIGH;
	return sev;
}

static time_t
record_time(const struct supervision_record *r)
{
	time_t t;

	if (r->visit_date[0] != '\0' && model_date_parse(r->visit_date, &t) == 0)
		return t;
	if (r->opened[0] != '\0' && model_date_parse(r->opened, &t) == 0)
		return t;
	return r->issued;
}

void
brief_record_from(const struct supervision_record *r,
    struct record_brief *out)
{
	time_t dl;
	int i;

	memset(out, 0, sizeof(*out));
	snprintf(out->id, sizeof(out->id), "%s", r->id);
	snprintf(out->unit_id, sizeof(out->unit_id), "%s", r->unit_id);
	out->kind = clamp8(r->kind);
	out->status = clamp8(r->status);
	out->outcome = clamp8(r->outcome);
	out->open = r->status != RS_CLOSED;
	out->serious_open = model_record_is_serious_open(r) ? 1 : 0;
	out->serious_sev = (int8_t)(out->serious_open ? record_severity(r) : -1);
	out->blocks = model_record_blocks_placement(r) ? 1 : 0;
	for (i = 0; i < r->nfindings && i < REC_FINDING_MAX; i++) {
		switch (r->findings[i].severity) {
		case SEV_HIGH:
			out->n_high++;
			break;
		case SEV_MEDIUM:
			out->n_medium++;
			break;
		default:
			out->n_low++;
			break;
		}
	}
	out->rtime = record_time(r);
	out->deadline = (r->deadline[0] != '\0' &&
	    model_date_parse(r->deadline, &dl) == 0) ? dl : -1;
}

static int
grow(void **p, int *cap, int n, size_t size)
{
	void *q;
	int c;

	if (n < *cap)
		return 0;
	c = *cap > 0 ? *cap * 2 : 4;
	if ((q = realloc(*p, (size_t)c * size)) == NULL)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

int
unit_sup_event(struct unit_sup *s, const struct sup_event *ev)
{
	int i;

	if (grow((void **)&s->ev, &s->capev, s->nev, sizeof(*s->ev)) == -1)
		return -1;
	for (i = s->nev; i > 0 && s->ev[i - 1].t > ev->t; i--)
		s->ev[i] = s->ev[i - 1];
	s->ev[i] = *ev;
	s->nev++;
	return 0;
}

int
unit_sup_deadline(struct unit_sup *s, time_t dl)
{
	int i;

	if (grow((void **)&s->deadlines, &s->capdl, s->ndl,
	    sizeof(*s->deadlines)) == -1)
		return -1;
	for (i = s->ndl; i > 0 && s->deadlines[i - 1] > dl; i--)
		s->deadlines[i] = s->deadlines[i - 1];
	s->deadlines[i] = dl;
	s->ndl++;
	return 0;
}

int
unit_sup_add(struct unit_sup *s, const struct record_brief *r, time_t since)
{
	struct sup_event ev;

	s->records++;
	if (r->serious_open) {
		s->open_serious++;
		if (r->serious_sev > s->serious_sev)
			s->serious_sev = r->serious_sev;
	}
	if (r->blocks)
		s->blocks++;
	switch (r->kind) {
	case RK_PRE_INSPECTION:
	case RK_INSPECTION_ANNOUNCED:
	case RK_INSPECTION_UNANNOUNCED:
	case RK_GUIDANCE_VISIT:
		s->visits++;
		break;
	case RK_COMPLAINT:
		s->complaints++;
		break;
	case RK_ORDER_TO_CORRECT:
		if (r->open)
			s->open_orders++;
		break;
	case RK_COMPLAINT_DECISION:
		if (r->outcome >= OC_NO_ACTION && r->outcome <= OC_REPRIMAND)
			s->outcomes[r->outcome]++;
		break;
	default:
		break;
	}
	if (r->n_low + r->n_medium + r->n_high > 0 && r->rtime >= since) {
		ev.t = r->rtime;
		ev.low = r->n_low;
		ev.medium = r->n_medium;
		ev.high = r->n_high;
		if (unit_sup_event(s, &ev) == -1)
			return -1;
	}
	if (r->open && r->deadline != -1 &&
	    unit_sup_deadline(s, r->deadline) == -1)
		return -1;
	return 0;
}

void
unit_sup_merge_counts(struct unit_sup *s, const struct unit_sup *d)
{
	int i;

	s->records += d->records;
	s->open_serious += d->open_serious;
	if (d->serious_sev > s->serious_sev)
		s->serious_sev = d->serious_sev;
	s->blocks += d->blocks;
	s->visits += d->visits;
	s->complaints += d->complaints;
	s->open_orders += d->open_orders;
	for (i = 0; i < 4; i++)
		s->outcomes[i] += d->outcomes[i];
}

void
unit_sup_clear(struct unit_sup *s)
{
	if (s == NULL)
		return;
	free(s->ev);
	free(s->deadlines);
	memset(s, 0, sizeof(*s));
	s->serious_sev = -1;
}

void
unit_sup_move(struct unit_sup *dst, struct unit_sup *src)
{
	unit_sup_clear(dst);
	*dst = *src;
	memset(src, 0, sizeof(*src));
	src->serious_sev = -1;
}

void
brief_languages_format(const struct unit_brief *u, char *buf, size_t len)
{
	size_t off = 0;
	int j, w;

	if (len > 0)
		buf[0] = '\0';
	for (j = 0; j < u->nlanguages && j < UNIT_LANG_MAX; j++) {
		w = snprintf(buf + off, len - off, "%s%s", j > 0 ? " " : "",
		    u->languages[j]);
		if (w < 0 || (size_t)w >= len - off)
			return;
		off += (size_t)w;
	}
}

void
brief_languages_parse(struct unit_brief *u, const char *s)
{
	u->nlanguages = 0;
	while (*s != '\0' && u->nlanguages < UNIT_LANG_MAX) {
		while (*s == ' ')
			s++;
		if (s[0] == '\0' || s[1] == '\0')
			break;
		u->languages[u->nlanguages][0] = s[0];
		u->languages[u->nlanguages][1] = s[1];
		u->languages[u->nlanguages][2] = '\0';
		u->nlanguages++;
		s += 2;
	}
}
