/*
 * sample_history.c - ten years of supervision records per unit.
 *
 * Events (kind, day, worst severity, links) are drawn year by year with
 * DOMAIN.md's frequencies: region guidance visits 1-2 a year, a yearly
 * self-supervision plan, state inspections, complaints and their decisions,
 * a few whistle-blower reports, orders, fines, serious reprimands and
 * suspensions.  They are sorted by day and only then turned into records,
 * so record IDs run in date order and a decision follows its complaint.
 * Issuers are as they were: the AVIs and Valvira until 2025, LVV from 2026.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sample_internal.h"

struct ev {
	long		day;
	int		kind;
	int		maxsev;		/* worst finding, -1 none */
	int		nfind;
	int		announced;
	int		outcome;
	int		open;		/* a complaint still waiting for its decision */
	char		issuer[17];
	int		fol[REC_FOLLOW_MAX];	/* event indexes */
	int		nfol;
	uint64_t	seed;
};

struct hist {
	const struct sample	*s;
	const struct unit	*u;
	struct rng		 rng;
	struct ev		 ev[SAMPLE_UNIT_RECORDS_MAX];
	int			 n, max;
	int			 ri;
	long			 now_day;
	int			 inst;		/* an institution, not a family home */
	int			 last_order;	/* event index, -1 none */
	int			 last_high;
};

static struct ev *
ev_add(struct hist *h, int kind, long day)
{
	struct ev *v;

	if (h->n >= h->max || day >= h->now_day)
		return NULL;
	v = &h->ev[h->n++];
	memset(v, 0, sizeof(*v));
	v->day = day;
	v->kind = kind;
	v->maxsev = -1;
	v->announced = -1;
	v->outcome = -1;
	v->seed = rng_next(&h->rng);
	return v;
}

static void
state_issuer(struct hist *h, long day, char out[17])
{
	if (day >= LVV_DAY)
		snprintf(out, 17, "LVV");
	else if (rng_chance(&h->rng, h->u->sector == SEC_STATE ? 0.8 : 0.15))
		snprintf(out, 17, "VALVIRA");
	else
		snprintf(out, 17, "%s", sample_avis[sample_rinfo[h->ri].avi].code);
}

/* The worst severity of an event with findings, by the unit's level. */
static int
severity(struct hist *h, int floor)
{
	double x = rng_unit(&h->rng), hi = h->u->service_level == SL_DEMANDING ?
	    0.15 : 0.08;
	int sev = x < hi ? SEV_HIGH : x < hi + 0.3 ? SEV_MEDIUM : SEV_LOW;

	return sev < floor ? floor : sev;
}

static void
ev_findings(struct hist *h, struct ev *v, int nmin, int nmax, int floor)
{
	v->nfind = rng_int(&h->rng, nmin, nmax);
	if (v->nfind > 0)
		v->maxsev = severity(h, floor);
}

static void
ev_follow(struct ev *v, int idx)
{
	if (idx >= 0 && v->nfol < REC_FOLLOW_MAX)
		v->fol[v->nfol++] = idx;
}

static void
hist_year(struct hist *h, long from, int len)
{
	struct rng *r = &h->rng;
	double f = len / 365.0, lvl = h->u->service_level;
	struct ev *v;
	int i, nvis, idx;

	nvis = rng_chance(r, 0.6) ? 2 : 1;	/* region visits: 1-2 a year */
	if (len < 180)
		nvis = rng_chance(r, f * 1.6) ? 1 : 0;
	for (i = 0; i < nvis; i++) {
		long day = from + rng_int(r, 0, len - 1);

		if ((v = ev_add(h, RK_GUIDANCE_VISIT, day)) == NULL)
			return;
		idx = h->n - 1;
		if (rng_chance(r, 0.8))
			snprintf(v->issuer, sizeof(v->issuer), "HVA-%s",
			    regions[h->ri].code);
		else	/* a region that has placed a child there */
			snprintf(v->issuer, sizeof(v->issuer), "HVA-%s",
			    regions[rng_int(r, 0, REGION_COUNT - 1)].code);
		v->announced = rng_chance(r, 0.8);
		ev_findings(h, v, 0, rng_chance(r, 0.3) ? 3 : 1, SEV_LOW);
		if (h->last_high >= 0 && h->ev[h->last_high].day < day) {
			ev_follow(v, h->last_high);
			h->last_high = -1;
		}
		if (v->maxsev == SEV_HIGH)
			h->last_high = idx;
	}
	if (rng_chance(r, f))	/* self-supervision plan: yearly */
		if ((v = ev_add(h, RK_SELF_SUPERVISION_PLAN,
		    from + rng_int(r, 0, len - 1))) != NULL)
			snprintf(v->issuer, sizeof(v->issuer), "HVA-%s",
			    regions[h->ri].code);
	if (rng_chance(r, f * (h->inst ? 0.16 : 0.05))) {	/* state inspection */
		long day = from + rng_int(r, 0, len - 1);
		int ann = rng_chance(r, 0.4);

		if ((v = ev_add(h, ann ? RK_INSPECTION_ANNOUNCED :
		    RK_INSPECTION_UNANNOUNCED, day)) == NULL)
			return;
		state_issuer(h, day, v->issuer);
		v->announced = ann;
		ev_findings(h, v, 0, 4, SEV_LOW);
		if (v->maxsev == SEV_HIGH)
			h->last_high = h->n - 1;
	}
	if (rng_chance(r, f * (h->inst ? 0.16 + 0.14 * lvl : 0.10))) {	/* complaint */
		long day = from + rng_int(r, 0, len - 1), dday;
		double x = rng_unit(r);
		struct ev *c;

		if ((c = ev_add(h, RK_COMPLAINT, day)) == NULL)
			return;
		idx = h->n - 1;
		if (x < 0.85)
			state_issuer(h, day, c->issuer);
		else
			snprintf(c->issuer, sizeof(c->issuer), x < 0.97 ? "EOA" : "OKV");
		dday = day + rng_int(r, 60, 540);
		if ((v = ev_add(h, RK_COMPLAINT_DECISION, dday)) == NULL)
			c->open = 1;
		else {
			static const int ow[] = { 45, 20, 25, 10 };

			snprintf(v->issuer, sizeof(v->issuer), "%s",
			    dday >= LVV_DAY && c->issuer[0] != 'E' &&
			    c->issuer[0] != 'O' ? "LVV" : c->issuer);
			v->outcome = rng_weighted(r, ow, 4);
			if (v->outcome >= OC_DRAWING_ATTENTION)
				ev_findings(h, v, 1, 2, v->outcome ==
				    OC_REPRIMAND ? SEV_HIGH : SEV_MEDIUM);
			ev_follow(v, idx);
		}
	}
	if (h->inst && rng_chance(r, f * 0.04)) {	/* whistle-blower */
		long day = from + rng_int(r, 0, len - 1);

		if ((v = ev_add(h, RK_WHISTLEBLOWER, day)) == NULL)
			return;
		if (rng_chance(r, 0.6))
			snprintf(v->issuer, sizeof(v->issuer), "HVA-%s",
			    regions[h->ri].code);
		else
			state_issuer(h, day, v->issuer);
		ev_findings(h, v, 1, 1, SEV_MEDIUM);
	}
	if (rng_chance(r, f * (h->inst ? 0.02 : 0.005))) {	/* order to correct */
		long day = from + rng_int(r, 0, len - 1);

		if ((v = ev_add(h, RK_ORDER_TO_CORRECT, day)) == NULL)
			return;
		state_issuer(h, day, v->issuer);
		ev_findings(h, v, 1, 3, SEV_HIGH);
		if (h->last_high >= 0 && h->ev[h->last_high].day < day)
			ev_follow(v, h->last_high);
		h->last_order = h->n - 1;
		if (rng_chance(r, 0.15)) {	/* the order did not work */
			long fday = day + rng_int(r, 90, 240);

			if ((v = ev_add(h, RK_CONDITIONAL_FINE, fday)) != NULL) {
				state_issuer(h, fday, v->issuer);
				ev_follow(v, h->last_order);
			}
		}
	}
	if (h->inst && rng_chance(r, f * 0.008)) {
		long day = from + rng_int(r, 0, len - 1);

		if ((v = ev_add(h, RK_SERIOUS_REPRIMAND, day)) == NULL)
			return;
		state_issuer(h, day, v->issuer);
		ev_findings(h, v, 1, 2, SEV_HIGH);
	}
	if (h->inst && rng_chance(r, f * 0.002)) {
		long day = from + rng_int(r, 0, len - 1);

		if ((v = ev_add(h, RK_SUSPENSION, day)) == NULL)
			return;
		state_issuer(h, day, v->issuer);
		ev_findings(h, v, 1, 2, SEV_HIGH);
		if (h->last_order >= 0 && h->ev[h->last_order].day < day)
			ev_follow(v, h->last_order);
	}
}

static const char *const finding_text[11][2] = {
	{ "Rajoitustoimenpiteistä ei ollut tehty kaikilta osin lastensuojelulain mukaisia päätöksiä.",
	  "Rajoitustoimenpiteiden kirjaamisessa oli puutteita." },
	{ "Järjestyssäännöissä oli lapsen perusoikeuksia rajoittavia kohtia ilman lain tukea.",
	  "Järjestyssääntöjä ei ollut päivitetty." },
	{ "Lapsille ei ollut kerrottu riittävästi heidän oikeusturvakeinoistaan.",
	  "Tieto muistutus- ja kanteluoikeudesta ei ollut lasten saatavilla." },
	{ "Henkilöstömitoitus alitti ajoittain lakisääteisen vähimmäistason.",
	  "Yövuoroissa oli vain yksi työntekijä." },
	{ "Osalla työntekijöistä ei ollut lastensuojelulain mukaista kelpoisuutta.",
	  "Kelpoisuusvaatimukset täyttävien työntekijöiden osuus oli alhainen." },
	{ "Lääkehoitosuunnitelma oli vanhentunut.",
	  "Lääkkeiden säilytyksessä ja kirjaamisessa oli puutteita." },
	{ "Tiloissa oli turvallisuuspuutteita.",
	  "Lasten yksityisyys ei toteutunut kaikissa huoneissa." },
	{ "Omavalvontasuunnitelmaa ei ollut päivitetty eikä se ollut julkisesti nähtävillä.",
	  "Omavalvonnan havaintoja ei ollut käsitelty henkilöstön kanssa." },
	{ "Asiakirjoihin kirjaaminen oli puutteellista.",
	  "Lasten asioiden kirjaaminen ei ollut ajantasaista." },
	{ "Lasten mielipidettä ei ollut selvitetty arjen järjestelyistä.",
	  "Lapsilla ei ollut mahdollisuutta osallistua yksikön sääntöjen laatimiseen." },
	{ "Henkilöstön kielitaito ei riittänyt ruotsinkielisten lasten palveluun.",
	  "Henkilöstön suomen kielen taito oli osin puutteellinen." },
};

static void
case_number(struct rng *r, const char *issuer, int year, char out[49])
{
	int n = rng_int(r, 100, 9999), i;

	if (strncmp(issuer, "HVA-", 4) == 0)
		snprintf(out, 49, "%s/%d/%d", issuer, n, year);
	else if (strcmp(issuer, "LVV") == 0)
		snprintf(out, 49, "LVV/%d/05.06.01/%d", n, year);
	else if (strcmp(issuer, "VALVIRA") == 0)
		snprintf(out, 49, "V/%d/05.01.02/%d", n * 3, year);
	else if (strcmp(issuer, "EOA") == 0)
		snprintf(out, 49, "EOAK/%d/%d", n, year);
	else if (strcmp(issuer, "OKV") == 0)
		snprintf(out, 49, "OKV/%d/70/%d", n % 3000, year);
	else {
		for (i = 0; i < NELEM(sample_avis); i++)
			if (strcmp(sample_avis[i].code, issuer) == 0)
				break;
		snprintf(out, 49, "%s/%d/%d", i < NELEM(sample_avis) ?
		    sample_avis[i].case_prefix : "AVI", n, year);
	}
}

/* Turns event v into record out; ids[] are the sorted records' IDs. */
static void
ev_record(const struct hist *h, const struct ev *v, char (*ids)[ID_MAX + 1],
    const int *rank, int k, struct supervision_record *out)
{
	const struct unit *u = h->u;
	const char *kind_fi = vocab_record_kind.entries[v->kind].fi;
	struct rng r;
	char date[DATE_LEN + 1];
	int i, cat, cats_used = 0, age = (int)(h->now_day - v->day);
	long deadline = -1;

	memset(out, 0, sizeof(*out));
	rng_init(&r, v->seed, "record", u->id);
	snprintf(out->id, sizeof(out->id), "%s", ids[k]);
	out->kind = v->kind;
	snprintf(out->unit_id, sizeof(out->unit_id), "%s", u->id);
	snprintf(out->unit_region, sizeof(out->unit_region), "%s",
	    u->home_region[0] ? u->home_region : u->region);
	snprintf(out->provider_ytunnus, sizeof(out->provider_ytunnus), "%s",
	    u->provider_ytunnus);
	snprintf(out->issuer, sizeof(out->issuer), "%s", v->issuer);
	if (v->kind != RK_SELF_SUPERVISION_PLAN)
		case_number(&r, v->issuer, year_of(v->day), out->case_number);
	fmt_date(out->opened, v->day);
	out->announced = v->announced;
	out->outcome = -1;
	if (v->kind <= RK_GUIDANCE_VISIT)
		fmt_date(out->visit_date, v->day);
	for (i = 0; i < v->nfind && i < REC_FINDING_MAX; i++) {
		struct finding *fd = &out->findings[out->nfindings++];

		do {
			cat = rng_int(&r, 0, NELEM(finding_text) - 1);
		} while ((cats_used & (1 << cat)) ||
		    (cat == 0 && u->type == UT_PROF_FAMILY_HOME));
		cats_used |= 1 << cat;
		fd->category = cat;
		fd->severity = i == 0 ? v->maxsev : rng_int(&r, SEV_LOW, v->maxsev);
		snprintf(fd->text, sizeof(fd->text), "%s",
		    finding_text[cat][rng_int(&r, 0, 1)]);
		if (out->nthemes < REC_THEME_MAX)
			snprintf(out->themes[out->nthemes++], 65, "%s",
			    vocab_finding_category.entries[cat].fi);
	}
	if (out->nthemes == 0 && v->kind != RK_SELF_SUPERVISION_PLAN) {
		cat = rng_int(&r, 0, NELEM(finding_text) - 1);
		snprintf(out->themes[out->nthemes++], 65, "%s",
		    vocab_finding_category.entries[cat].fi);
	}

	out->status = RS_CLOSED;
	switch (v->kind) {
	case RK_ORDER_TO_CORRECT:
		deadline = v->day + rng_int(&r, 30, 180);
		fmt_date(date, deadline);
		snprintf(out->measures, sizeof(out->measures),
		    "Yksikön on korjattava havaitut puutteet %s mennessä; selvitys toimitetaan valvontaviranomaiselle.",
		    date);
		out->status = deadline >= h->now_day ? RS_OPEN :
		    h->now_day - deadline < 60 ? RS_FOLLOW_UP : RS_CLOSED;
		break;
	case RK_CONDITIONAL_FINE:
		deadline = v->day + 60;
		snprintf(out->measures, sizeof(out->measures),
		    "Määräyksen tehosteeksi asetetaan uhkasakko.");
		out->status = age < 180 ? RS_OPEN : RS_CLOSED;
		break;
	case RK_SUSPENSION:
		snprintf(out->measures, sizeof(out->measures),
		    "Toiminta keskeytetään välittömästi, kunnes puutteet on korjattu.");
		out->status = age < 90 ? RS_OPEN : RS_CLOSED;
		break;
	case RK_COMPLAINT:
		out->status = v->open ? RS_OPEN : RS_CLOSED;
		break;
	case RK_WHISTLEBLOWER:
		out->status = age < 60 ? RS_OPEN : RS_CLOSED;
		break;
	case RK_COMPLAINT_DECISION:
		out->outcome = v->outcome;
		break;
	default:
		if (v->maxsev >= SEV_MEDIUM && v->kind != RK_SERIOUS_REPRIMAND) {
			deadline = v->day + rng_int(&r, 30, 90);
			snprintf(out->measures, sizeof(out->measures),
			    "Yksikön on toimitettava selvitys korjaavista toimenpiteistä.");
			if (deadline >= h->now_day)
				out->status = v->maxsev == SEV_HIGH ? RS_OPEN :
				    RS_FOLLOW_UP;
			else if (v->maxsev == SEV_HIGH &&
			    h->now_day - deadline < 120 && rng_chance(&r, 0.3))
				out->status = RS_CONTINUED;
		} else if (v->nfind > 0 && age < 14)
			out->status = RS_OPEN;
	}
	if (deadline >= 0)
		fmt_date(out->deadline, deadline);
	for (i = 0; i < v->nfol; i++)
		snprintf(out->follows[out->nfollows++], ID_MAX + 1, "%s",
		    ids[rank[v->fol[i]]]);

	switch (v->kind) {
	case RK_COMPLAINT_DECISION:
		snprintf(out->summary, sizeof(out->summary),
		    "Kanteluratkaisu yksikön %s toiminnasta: %s.", u->name,
		    vocab_outcome.entries[v->outcome].fi);
		break;
	case RK_COMPLAINT:
		snprintf(out->summary, sizeof(out->summary),
		    "Kantelu yksikön %s toiminnasta.%s", u->name,
		    v->open ? " Käsittely kesken." : "");
		break;
	case RK_SELF_SUPERVISION_PLAN:
		snprintf(out->summary, sizeof(out->summary),
		    "Yksikön %s omavalvontasuunnitelman versio %d julkaistu.",
		    u->name, year_of(v->day));
		break;
	default:
		snprintf(out->summary, sizeof(out->summary),
		    "%c%s: %s. Havaintoja %d%s.", kind_fi[0] >= 'a' &&
		    kind_fi[0] <= 'z' ? kind_fi[0] - 'a' + 'A' : kind_fi[0], kind_fi + 1,
		    u->name, out->nfindings, out->nfindings ? "" :
		    ", ei huomautettavaa");
	}
	if (v->kind != RK_SELF_SUPERVISION_PLAN && v->kind != RK_PRE_INSPECTION)
		snprintf(out->annex_ref, sizeof(out->annex_ref), "%s/liite-1",
		    out->case_number);
	out->issued = (time_t)v->day * DAY + rng_int(&r, 8 * 3600, 16 * 3600);
}

/* Event indexes in date order (ties: generation order); n is small. */
static void
ev_sort(const struct ev *ev, int *order, int n)
{
	int i, j, t;

	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && (ev[order[j - 1]].day > ev[order[j]].day ||
		    (ev[order[j - 1]].day == ev[order[j]].day &&
		    order[j - 1] > order[j])); j--) {
			t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
}

int
sample_unit_records(const struct sample *s, const struct unit *u,
    struct supervision_record *buf, int max)
{
	struct hist *h;
	int order[SAMPLE_UNIT_RECORDS_MAX], rank[SAMPLE_UNIT_RECORDS_MAX];
	char (*ids)[ID_MAX + 1];
	const char *iss;
	long lic, from;
	int k, n;

	if ((h = calloc(1, sizeof(*h))) == NULL ||
	    (ids = calloc(SAMPLE_UNIT_RECORDS_MAX, ID_MAX + 1)) == NULL) {
		free(h);
		return 0;
	}
	h->s = s;
	h->u = u;
	h->ri = region_find(u->region);
	if (h->ri < 0)
		h->ri = 0;
	h->now_day = floor_day(s->opts.now);
	h->max = max < SAMPLE_UNIT_RECORDS_MAX ? max : SAMPLE_UNIT_RECORDS_MAX;
	h->inst = u->type != UT_PROF_FAMILY_HOME;
	h->last_order = h->last_high = -1;
	rng_init(&h->rng, s->opts.seed, "records", u->id);
	if (date_days(u->licence_date, &lic) == -1)
		lic = h->now_day - HISTORY_DAYS;
	from = h->now_day - HISTORY_DAYS;
	if (lic > from) {
		struct ev *v;
		long day = lic - rng_int(&h->rng, 7, 45);

		if ((v = ev_add(h, RK_PRE_INSPECTION, day)) != NULL) {
			state_issuer(h, day, v->issuer);
			v->announced = 1;
			ev_findings(h, v, 0, 1, SEV_LOW);
			v->maxsev = v->nfind ? SEV_LOW : -1;
		}
		from = lic;
	}
	for (; from < h->now_day; from += 365)
		hist_year(h, from, (int)(h->now_day - from < 365 ?
		    h->now_day - from : 365));
	n = h->n;
	ev_sort(h->ev, order, n);
	for (k = 0; k < n; k++) {
		rank[order[k]] = k;
		/* In the issuer's namespace (model_record_check_id). */
		iss = h->ev[order[k]].issuer;
		snprintf(ids[k], ID_MAX + 1, "%.16s-%.*s-R%03u", iss,
		    (int)(ID_MAX - strlen(iss) - 6), u->id,
		    (unsigned)(k + 1) % 1000u);
	}
	for (k = 0; k < n; k++)
		ev_record(h, &h->ev[order[k]], ids, rank, k, &buf[k]);
	free(ids);
	free(h);
	return n;
}

