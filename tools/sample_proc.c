/*
 * sample_proc.c - sample procurement definitions: 1-3 per region with 3-8
 * lots, plus the joint Uusimaa procurement (01-04 and Helsinki, kept by 90)
 * with all 8 lot categories.  Awards are drawn from every region's units
 * (weighted towards the procuring regions) under the lot's price ceiling and
 * ranked by its rule; each awarded unit gets the lot's ref.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sample_internal.h"

struct cand {
	double		 key;
	struct unit	*u;
	int		 ri, ui;
	double		 score;
};

static int
cand_by_key(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->ri != y->ri)
		return x->ri - y->ri;
	return x->ui - y->ui;
}

static int
cand_by_score(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return strcmp(x->u->id, y->u->id);
}

static int
lot_eligible(const struct lot *l, const struct unit *u)
{
	int inst = u->type == UT_CHILDRENS_HOME || u->type == UT_YOUTH_HOME ||
	    u->type == UT_SOS_VILLAGE || u->type == UT_FAMILY_GROUP_HOME;

	if (!u->licence_valid || u->nlots >= UNIT_LOT_MAX ||
	    u->price_cents > l->price_ceiling_cents)
		return 0;
	switch (l->category) {
	case 0:
		return inst && u->service_level == SL_BASIC;
	case 1:
		return inst && u->service_level == SL_SPECIAL;
	case 2:
		return (u->type == UT_CHILDRENS_HOME || u->type == UT_YOUTH_HOME) &&
		    u->service_level == SL_DEMANDING;
	case 3:
	case 4:
		return u->type == UT_PROF_FAMILY_HOME;
	case 5:
		return u->type == UT_FAMILY_REHAB;
	case 6:
		return u->type == UT_PROF_FAMILY_HOME &&
		    (u->target_groups & TG(TG_EMERG));
	default:
		return u->type == UT_RECEPTION_HOME;
	}
}

static const char *const lot_desc[8] = {
	"Perustason laitoshoito lapsille, joiden tuen tarve ei edellytä erityistä hoitoa. Arjen kasvatus, koulunkäynnin tuki ja yhteistyö läheisten kanssa.",
	"Erityistason laitoshoito lapsille, joilla on käytöksen tai psyykkisen voinnin vuoksi tavallista suurempi tuen tarve. Kuntouttava arki ja yksilöllinen tuki.",
	"Vaativa laitoshoito lapsille, joilla on vakavia käytöshäiriöitä, päihteiden käyttöä tai psykiatrista oireilua. Tiivis moniammatillinen yhteistyö ja hoidollinen tuki.",
	"Toimeksiantosuhteisen perhehoidon tukipalvelut: perhehoitajien valmennus, työnohjaus ja vapaiden järjestäminen.",
	"Ammatillinen perhehoito luvanvaraisessa perhekodissa. Perhekodissa enintään seitsemän lasta, kodinomainen kasvuympäristö.",
	"Perhekuntoutus laitoksessa: lapsi ja vanhempi yhdessä, vanhemmuuden arviointi ja tukeminen.",
	"Kiireellisen sijoituksen vastaanotto perhehoidossa ympäri vuorokauden.",
	"Kiireellisen sijoituksen vastaanotto laitoksessa, tilannearvio ja jatkosuunnitelma.",
};
static const char *const technical[] = {
	"Henkilöstön koulutus ja kokemus", "Henkilöstön täydennyskoulutus",
	"Tilat ja ympäristö", "Henkilöstön pysyvyys",
};
static const char *const functional[] = {
	"Palvelun sisältö ja menetelmät", "Vaikuttavuuden seuranta",
	"Yhteistyö sijoittajan kanssa", "Lapsen osallisuuden käytännöt",
	"Jälkihuollon tuki",
};

static void
lot_terms(struct rng *r, struct lot *l)
{
	static const int ceil_lo[8] = { 480, 900, 1300, 350, 380, 750, 380, 600 };
	static const int ceil_hi[8] = { 600, 1250, 1900, 450, 480, 950, 480, 1000 };
	int c = l->category, family = c == 3 || c == 4 || c == 6, i, left;

	l->service_level = c <= 2 ? c : c == 7 ? SL_BASIC : -1;
	snprintf(l->description, sizeof(l->description), "%s", lot_desc[c]);
	snprintf(l->requirements[l->nrequirements++], 257,
	    "Voimassa oleva lupa tai rekisteröinti palvelujen tuottamiseen (laki 741/2023).");
	snprintf(l->requirements[l->nrequirements++], 257,
	    "Toiminta täyttää lastensuojelulain (417/2007) vaatimukset.");
	snprintf(l->requirements[l->nrequirements++], 257,
	    "Omavalvontasuunnitelma on julkisesti nähtävillä.");
	if (family) {
		snprintf(l->requirements[l->nrequirements++], 257,
		    "Perhekodissa enintään seitsemän lasta, perhekodin omat lapset mukaan lukien.");
		l->min_staff = 2;
		l->min_staff_qualified = 1;
		l->max_children = c == 3 ? 4 : 7;
	} else {
		snprintf(l->requirements[l->nrequirements++], 257,
		    "Enintään seitsemän lasta asuinyksikössä ja enintään 24 lasta samassa rakennuksessa.");
		l->min_staff = c == 1 ? 9 : c == 2 ? rng_int(r, 10, 12) : 7;
		l->min_staff_qualified = c == 1 ? 5 : c == 2 ? 6 : 4;
		l->max_children = 7;
		if (c == 1)
			snprintf(l->requirements[l->nrequirements++], 257, "%s",
			    "Vähintään 9 hoito- ja kasvatushenkilöä, joista vähintään 5 AMK-tutkinnon suorittanutta, heistä vähintään 2 sosionomia ja 1 sairaanhoitaja.");
		else
			snprintf(l->requirements[l->nrequirements++], 257,
			    "Vähintään %d hoito- ja kasvatustehtävissä toimivaa työntekijää asuinyksikköä kohden.",
			    l->min_staff);
	}
	l->price_weight = 10 * rng_int(r, 3, 7);
	l->price_ceiling_cents = 100L * (ceil_lo[c] + 10 *
	    rng_int(r, 0, (ceil_hi[c] - ceil_lo[c]) / 10));
	l->ranking_rule = rng_chance(r, 0.55) ? 0 : 1;
	l->ncriteria = rng_int(r, 2, 5);
	left = 100 - l->price_weight;
	for (i = 0; i < l->ncriteria; i++) {
		struct criterion *k = &l->criteria[i];
		int pts = i == l->ncriteria - 1 ? left :
		    left / (l->ncriteria - i) + rng_int(r, -3, 3);

		k->kind = i % 2;
		snprintf(k->name, sizeof(k->name), "%s", k->kind == 0 ?
		    technical[(i / 2) % NELEM(technical)] :
		    functional[(i / 2 + c) % NELEM(functional)]);
		k->points = pts;
		left -= pts;
	}
}

/* Weighted sampling without replacement (priority sampling: the k smallest
 * of u / w), then ranks by the lot's rule. */
static int
lot_award(struct sample *s, struct rng *r, const struct procurement *p,
    struct lot *l, struct cand *cands, struct err *e)
{
	int n = 0, ri, ui, j, k, in, cap;
	double wsum = 0, w, minp;

	for (ri = 0; ri < REGION_COUNT; ri++) {
		in = 0;
		for (j = 0; j < p->njoint; j++)
			if (strcmp(p->joint[j], regions[ri].code) == 0)
				in = 1;
		w = in ? 1.0 : 0.08;
		for (ui = 0; ui < s->nunits[ri]; ui++) {
			struct unit *u = &s->units[ri][ui];

			if (!lot_eligible(l, u))
				continue;
			cands[n].u = u;
			cands[n].ri = ri;
			cands[n].ui = ui;
			cands[n].key = rng_unit(r) / w;
			wsum += w;
			n++;
		}
	}
	qsort(cands, (size_t)n, sizeof(*cands), cand_by_key);
	k = (int)(wsum * (0.5 + 0.4 * rng_unit(r)) + 0.5);
	cap = 200 * s->opts.scale;
	if (k < 10)
		k = 10;
	if (k > cap)
		k = cap;
	if (k > n)
		k = n;
	minp = 1e12;
	for (j = 0; j < k; j++)
		if (cands[j].u->price_cents < minp)
			minp = (double)cands[j].u->price_cents;
	for (j = 0; j < k; j++) {
		double q = 0.5 + 0.5 * rng_unit(r);

		cands[j].score = l->ranking_rule == 0 ?
		    -(double)cands[j].u->price_cents :
		    l->price_weight * minp / (double)cands[j].u->price_cents +
		    (100 - l->price_weight) * q;
	}
	qsort(cands, (size_t)k, sizeof(*cands), cand_by_score);
	if (k > 0 && (l->awards = calloc((size_t)k, sizeof(*l->awards))) == NULL)
		return err_set(e, ERR_NOMEM, "sample: out of memory (awards)");
	for (j = 0; j < k; j++) {
		struct unit *u = cands[j].u;

		snprintf(l->awards[j].unit_id, sizeof(l->awards[j].unit_id), "%s",
		    u->id);
		l->awards[j].price_cents = u->price_cents;
		l->awards[j].rank = j + 1;
		snprintf(u->lots[u->nlots++], sizeof(u->lots[0]), "%s/%s", p->id,
		    l->id);
	}
	l->nawards = k;
	return 0;
}

static void
proc_make(struct sample *s, struct rng *r, int ri, int joint, int k,
    struct procurement *p)
{
	static const int uusimaa[] = { 0, 1, 2, 3, 21 };
	long now_day = floor_day(s->opts.now), start, end;
	int y, m, d, years, cats[8], ncat, i, j, t;

	memset(p, 0, sizeof(*p));
	start = now_day - rng_int(r, 30, 3 * 365);
	civil_from_days(start, &y, &m, &d);
	start = days_from_civil(y, m, 1);
	years = rng_int(r, 2, 4);
	while ((end = days_from_civil(y + years, m, 1) - 1) <= now_day + 30)
		years++;
	fmt_date(p->period_start, start);
	fmt_date(p->period_end, end);
	snprintf(p->options, sizeof(p->options), "%s",
	    rng_chance(r, 0.6) ? "optio 1+1 vuotta" : "optio 2 vuotta");
	snprintf(p->region, sizeof(p->region), "%s", regions[ri].code);
	if (joint) {
		snprintf(p->id, sizeof(p->id), "HANK-UUSIMAA-%d", y);
		snprintf(p->title, sizeof(p->title),
		    "Uudenmaan hyvinvointialueiden ja Helsingin yhteishankinta: lastensuojelun sijaishuolto %d–%d",
		    y, y + years);
		for (i = 0; i < NELEM(uusimaa); i++)
			snprintf(p->joint[p->njoint++], 3, "%s",
			    regions[uusimaa[i]].code);
		ncat = 8;
		for (i = 0; i < 8; i++)
			cats[i] = i;
	} else {
		snprintf(p->id, sizeof(p->id), "HANK-%s-%d-%d", regions[ri].code,
		    y, k + 1);
		snprintf(p->title, sizeof(p->title),
		    "%s: lastensuojelun sijaishuollon palvelut %d–%d",
		    sample_rinfo[ri].provider, y, y + years);
		snprintf(p->joint[p->njoint++], 3, "%s", regions[ri].code);
		for (i = 0; i < 8; i++)
			cats[i] = i;
		for (i = 0; i < 7; i++) {	/* Fisher-Yates */
			j = rng_int(r, i, 7);
			t = cats[i];
			cats[i] = cats[j];
			cats[j] = t;
		}
		ncat = rng_int(r, 3, 8);
		for (i = 1; i < ncat; i++)	/* in category order */
			for (j = i; j > 0 && cats[j - 1] > cats[j]; j--) {
				t = cats[j];
				cats[j] = cats[j - 1];
				cats[j - 1] = t;
			}
	}
	for (i = 0; i < ncat; i++) {
		struct lot *l = &p->lots[p->nlots++];

		snprintf(l->id, sizeof(l->id), "L%d", i + 1);
		l->category = cats[i];
		snprintf(l->name, sizeof(l->name), "Osa-alue %d: %s", i + 1,
		    vocab_lot_category.entries[cats[i]].fi);
		lot_terms(r, l);
	}
	p->updated = (time_t)(start + rng_int(r, 0, 20)) * DAY +
	    rng_int(r, 8 * 3600, 16 * 3600);
}

static int
region_procurements(struct sample *s, int ri, struct cand *cands,
    struct err *e)
{
	struct rng r;
	int n, i, l, own, joint = ri == REGION_COUNT - 1;

	rng_init(&r, s->opts.seed, "procurements", regions[ri].code);
	own = sample_rinfo[ri].uusimaa ? rng_int(&r, 1, 2) : rng_int(&r, 1, 3);
	n = own + joint;
	if ((s->procs[ri] = calloc((size_t)n, sizeof(struct procurement))) == NULL)
		return err_set(e, ERR_NOMEM, "sample: out of memory (procurements)");
	for (i = 0; i < n; i++) {
		struct procurement *p = &s->procs[ri][i];

		proc_make(s, &r, ri, joint && i == 0, joint ? i - 1 : i, p);
		s->nprocs[ri]++;
		for (l = 0; l < p->nlots; l++)
			if (lot_award(s, &r, p, &p->lots[l], cands, e) == -1)
				return -1;
	}
	return 0;
}

int
sample_build_procurements(struct sample *s, struct err *e)
{
	struct cand *cands = NULL;
	int ri, total = 0, rc = -1;

	for (ri = 0; ri < REGION_COUNT; ri++)
		total += s->nunits[ri];
	if ((cands = calloc((size_t)total + 1, sizeof(*cands))) == NULL) {
		err_set(e, ERR_NOMEM, "sample: out of memory");
		goto done;
	}
	for (ri = 0; ri < REGION_COUNT; ri++)
		if (region_procurements(s, ri, cands, e) == -1)
			goto done;
	rc = 0;
done:
	free(cands);
	return rc;
}
