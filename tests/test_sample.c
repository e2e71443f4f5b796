/*
 * test_sample.c - the sample-data generator: deterministic, at DOMAIN.md's
 * scale, and consistent (units valid, awards pointing at real units, ten
 * years of supervision history in realistic proportions).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "sample.h"
#include "schema.h"
#include "testmain.h"
#include "vocab.h"
#include "xml.h"
#include "ytunnus.h"

static struct sample *base;		/* seed 42, scale 1: shared, read-only */
static struct supervision_record *rbuf;

static struct sample_opts
opts(uint64_t seed, int scale)
{
	struct sample_opts o;

	memset(&o, 0, sizeof(o));
	o.seed = seed;
	o.scale = scale;
	o.now = sample_default_now();
	return o;
}

static int
suite_init(void)
{
	struct sample_opts o = opts(42, 1);
	struct err e;

	rbuf = malloc(SAMPLE_UNIT_RECORDS_MAX * sizeof(*rbuf));
	return (rbuf == NULL || sample_new(&o, &base, &e) == -1) ? -1 : 0;
}

static int
suite_clean(void)
{
	sample_free(base);
	free(rbuf);
	return 0;
}

static const struct unit *
find_unit(const char *id)
{
	const struct unit *u;
	int ri, i, n;

	for (ri = 0; ri < REGION_COUNT; ri++) {
		u = sample_units(base, ri, &n);
		for (i = 0; i < n; i++)
			if (strcmp(u[i].id, id) == 0)
				return &u[i];
	}
	return NULL;
}

/* Structs are zeroed before they are filled, so whole-struct compares are
 * exact; a procurement's award arrays are compared separately. */
static int
procs_equal(const struct procurement *a, const struct procurement *b)
{
	struct procurement x = *a, y = *b;
	int l;

	for (l = 0; l < PROC_LOT_MAX; l++)
		x.lots[l].awards = y.lots[l].awards = NULL;
	if (memcmp(&x, &y, sizeof(x)) != 0)
		return 0;
	for (l = 0; l < a->nlots; l++)
		if (a->lots[l].nawards > 0 && memcmp(a->lots[l].awards,
		    b->lots[l].awards, (size_t)a->lots[l].nawards *
		    sizeof(struct award)) != 0)
			return 0;
	return 1;
}

static void
test_same_seed_same_data(void)
{
	struct sample_opts o = opts(42, 1);
	struct sample *s2 = NULL;
	struct supervision_record *r2;
	const struct unit *a, *b;
	const struct procurement *pa, *pb;
	struct err e;
	int ri, i, na, nb, k1, k2;

	r2 = malloc(SAMPLE_UNIT_RECORDS_MAX * sizeof(*r2));
	CU_ASSERT_FATAL(r2 != NULL);
	CU_ASSERT_FATAL(sample_new(&o, &s2, &e) == 0);
	for (ri = 0; ri < REGION_COUNT; ri++) {
		a = sample_units(base, ri, &na);
		b = sample_units(s2, ri, &nb);
		CU_ASSERT_EQUAL(na, nb);
		CU_ASSERT(memcmp(a, b, (size_t)na * sizeof(*a)) == 0);
		pa = sample_procurements(base, ri, &na);
		pb = sample_procurements(s2, ri, &nb);
		CU_ASSERT_EQUAL(na, nb);
		for (i = 0; i < na && i < nb; i++)
			CU_ASSERT(procs_equal(&pa[i], &pb[i]));
	}
	/* Records: every unit of two regions, from the two bases. */
	for (ri = 17; ri <= 18; ri++) {
		a = sample_units(base, ri, &na);
		b = sample_units(s2, ri, &nb);
		for (i = 0; i < na; i++) {
			k1 = sample_unit_records(base, &a[i], rbuf,
			    SAMPLE_UNIT_RECORDS_MAX);
			k2 = sample_unit_records(s2, &b[i], r2,
			    SAMPLE_UNIT_RECORDS_MAX);
			CU_ASSERT_EQUAL(k1, k2);
			CU_ASSERT(k1 > 0);
			CU_ASSERT(memcmp(rbuf, r2, (size_t)k1 * sizeof(*r2)) == 0);
		}
	}
	sample_free(s2);
	free(r2);
}

static void
test_other_seed_other_data(void)
{
	struct sample_opts o = opts(43, 1);
	struct sample *s2 = NULL;
	const struct unit *a, *b;
	struct err e;
	int na, nb, i, differ = 0;

	CU_ASSERT_FATAL(sample_new(&o, &s2, &e) == 0);
	a = sample_units(base, 7, &na);
	b = sample_units(s2, 7, &nb);
	CU_ASSERT_EQUAL(na, nb);	/* counts follow population, not seed */
	for (i = 0; i < na && i < nb; i++)
		differ += strcmp(a[i].name, b[i].name) != 0 ||
		    a[i].price_cents != b[i].price_cents;
	CU_ASSERT(differ > na / 2);
	sample_free(s2);
}

static void
test_region_does_not_depend_on_order(void)
{
	struct sample_opts o = opts(42, 1);
	struct sample_region one, got;
	const struct unit *u;
	struct err e;
	int n, i, k, off = 0;

	/* The one-shot call for region 18 alone equals region 18 read from
	 * the shared base (built region by region from 01). */
	CU_ASSERT_FATAL(sample_region(&o, 17, &one, &e) == 0);
	CU_ASSERT_FATAL(sample_region_get(base, 17, 0, &got, &e) == 0);
	u = sample_units(base, 17, &n);
	CU_ASSERT_EQUAL(one.nunits, n);
	CU_ASSERT(memcmp(one.units, u, (size_t)n * sizeof(*u)) == 0);
	CU_ASSERT(memcmp(got.units, u, (size_t)n * sizeof(*u)) == 0);
	CU_ASSERT_EQUAL(one.nprocs, got.nprocs);
	for (i = 0; i < one.nprocs && i < got.nprocs; i++)
		CU_ASSERT(procs_equal(&one.procs[i], &got.procs[i]));
	CU_ASSERT_PTR_NULL(got.records);
	/* Its records are the per-unit histories, concatenated. */
	for (i = 0; i < n; i++) {
		k = sample_unit_records(base, &u[i], rbuf, SAMPLE_UNIT_RECORDS_MAX);
		CU_ASSERT_FATAL(off + k <= one.nrecords);
		CU_ASSERT(memcmp(one.records + off, rbuf, (size_t)k *
		    sizeof(*rbuf)) == 0);
		off += k;
	}
	CU_ASSERT_EQUAL(off, one.nrecords);
	sample_region_free(&one);
	sample_region_free(&got);
	sample_region_free(&got);	/* idempotent */
}

static int
count_units(const struct sample *s)
{
	int ri, n, total = 0;

	for (ri = 0; ri < REGION_COUNT; ri++) {
		(void)sample_units(s, ri, &n);
		total += n;
	}
	return total;
}

static void
test_scale(void)
{
	struct sample_opts o = opts(5, 8);
	struct sample *s8 = NULL;
	struct err e;
	int n1 = count_units(base), n8, ri, n;
	const struct unit *u;
	char last[32];

	CU_ASSERT(n1 >= 1150 && n1 <= 1350);
	CU_ASSERT_FATAL(sample_new(&o, &s8, &e) == 0);
	n8 = count_units(s8);
	CU_ASSERT(n8 >= 8 * n1 - 40 && n8 <= 8 * n1 + 40);
	/* Split by population: Helsinki is the largest, Keski-Pohjanmaa small,
	 * Uusimaa and Helsinki about a third. */
	(void)sample_units(base, region_find("90"), &n);
	for (ri = 0; ri < REGION_COUNT; ri++) {
		(void)sample_units(base, ri, &n1);
		CU_ASSERT(n1 <= n);
	}
	for (n = 0, ri = 0; ri < 4; ri++) {
		(void)sample_units(base, ri, &n1);
		n += n1;
	}
	(void)sample_units(base, region_find("90"), &n1);
	n += n1;
	CU_ASSERT(n * 100 / count_units(base) >= 28 &&
	    n * 100 / count_units(base) <= 38);
	/* Unit IDs stay unique at scale 8. */
	u = sample_units(s8, region_find("90"), &n);
	CU_ASSERT(n > 1000);
	snprintf(last, sizeof(last), "SOTERI-90-%04d", n);
	CU_ASSERT_STRING_EQUAL(u[n - 1].id, last);
	sample_free(s8);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
test_units_are_valid(void)
{
	const struct unit *u;
	const char **ids;
	struct err e;
	int ri, i, j, n, total = 0, bad = 0, dup = 0;

	ids = calloc((size_t)count_units(base), sizeof(*ids));
	CU_ASSERT_FATAL(ids != NULL);
	for (ri = 0; ri < REGION_COUNT; ri++) {
		u = sample_units(base, ri, &n);
		for (i = 0; i < n; i++, u++) {
			int inst = u->type != UT_PROF_FAMILY_HOME, ok = 1;

			ids[total++] = u->id;
			ok &= strcmp(u->region, regions[ri].code) == 0;
			ok &= strcmp(u->home_region, u->region) == 0;
			ok &= ytunnus_is_valid(u->provider_ytunnus);
			ok &= strlen(u->municipality) == 3;
			ok &= u->free_places >= 0 && u->free_places <= u->places;
			ok &= u->age_min >= 0 && u->age_min <= u->age_max &&
			    u->age_max <= 24;
			ok &= u->nlanguages >= 1 &&
			    strcmp(u->languages[0], "fi") == 0;
			ok &= u->nlots <= UNIT_LOT_MAX && u->nsp >= 1 &&
			    u->nsp <= UNIT_SP_MAX;
			ok &= u->staff_qualified <= u->staff_count;
			ok &= u->name[0] != '\0' && u->provider_name[0] != '\0' &&
			    u->address[0] != '\0' && u->licence_date[0] != '\0';
			ok &= u->free_updated <= sample_default_now() &&
			    u->free_updated > sample_default_now() - 200 * 86400;
			if (inst) {
				ok &= u->places == 7 * u->residential_units &&
				    u->places <= 24;
				ok &= u->staff_count >= 7 * u->residential_units;
				ok &= u->restrictive_measures == 1;
				if (u->service_level >= SL_SPECIAL)
					ok &= u->staff_qualified >=
					    5 * u->residential_units;
			} else {
				ok &= u->places >= 4 && u->places <= 7 &&
				    u->residential_units == 1;
				ok &= u->restrictive_measures == 0;
			}
			if (u->type == UT_SCHOOL_HOME)
				ok &= u->sector == SEC_STATE &&
				    u->service_level == SL_DEMANDING &&
				    u->school == SCH_OWN;
			for (j = 0; j < u->nlanguages; j++)
				ok &= strlen(u->languages[j]) == 2;
			if (model_unit_check(u, &e) == -1) {
				fprintf(stderr, "%s\n", e.msg);
				ok = 0;
			}
			if (!ok && bad++ < 5)
				fprintf(stderr, "invalid unit %s\n", u->id);
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	qsort(ids, (size_t)total, sizeof(*ids), cmp_str);
	for (i = 1; i < total; i++)
		dup += strcmp(ids[i - 1], ids[i]) == 0;
	CU_ASSERT_EQUAL(dup, 0);
	free(ids);
}

static void
test_shares_and_languages(void)
{
	const struct unit *u;
	int ri, i, n, total = 0, inst = 0, school = 0, company = 0, zero = 0;
	int small = 0, sv17 = 0, n17 = 0, se21 = 0, sv_inland = 0, shared = 0;

	for (ri = 0; ri < REGION_COUNT; ri++) {
		u = sample_units(base, ri, &n);
		for (i = 0; i < n; i++) {
			int j, has_sv = 0, has_se = 0;

			total++;
			inst += u[i].type != UT_PROF_FAMILY_HOME;
			school += u[i].type == UT_SCHOOL_HOME;
			company += u[i].type != UT_PROF_FAMILY_HOME &&
			    u[i].sector == SEC_COMPANY;
			zero += u[i].free_places == 0;
			small += u[i].free_places >= 1 && u[i].free_places <= 2;
			for (j = 0; j < u[i].nlanguages; j++) {
				has_sv |= strcmp(u[i].languages[j], "sv") == 0;
				has_se |= strcmp(u[i].languages[j], "se") == 0;
			}
			if (strcmp(regions[ri].code, "17") == 0) {
				n17++;
				sv17 += has_sv;
			}
			if (has_se && strcmp(regions[ri].code, "21") != 0)
				se21 = -1000;
			else
				se21 += has_se;
			if (strcmp(regions[ri].code, "12") == 0 ||
			    strcmp(regions[ri].code, "20") == 0)
				sv_inland += has_sv;
			if (i > 0 && strcmp(u[i].provider_ytunnus,
			    u[i - 1].provider_ytunnus) == 0)
				shared++;
		}
	}
	CU_ASSERT(inst * 100 / total >= 64 && inst * 100 / total <= 72);
	CU_ASSERT_EQUAL(school, 25);
	CU_ASSERT(company >= 580 && company <= 720);
	CU_ASSERT(zero * 100 / total >= 70 && zero * 100 / total <= 80);
	CU_ASSERT(small * 100 / (total - zero) >= 60);
	CU_ASSERT(sv17 * 100 / n17 >= 35);	/* bilingual Pohjanmaa */
	CU_ASSERT(sv_inland <= 3);
	CU_ASSERT(se21 >= 1);			/* Sámi only in Lappi */
	CU_ASSERT(shared >= 20);		/* providers with several units */
}

static void
test_prices_by_type(void)
{
	const struct unit *u;
	long eur;
	int ri, i, n, bad = 0, tail = 0;

	for (ri = 0; ri < REGION_COUNT; ri++) {
		u = sample_units(base, ri, &n);
		for (i = 0; i < n; i++) {
			int lo, hi;

			eur = u[i].price_cents;
			if (u[i].type == UT_PROF_FAMILY_HOME)
				lo = 250, hi = 450;
			else if (u[i].type == UT_FAMILY_REHAB)
				lo = 500, hi = 900;
			else if (u[i].service_level == SL_BASIC)
				lo = 350, hi = 550;
			else if (u[i].service_level == SL_SPECIAL)
				lo = 550, hi = 1900;
			else
				lo = 800, hi = 1900;
			if (eur < lo * 100L || eur > hi * 100L)
				bad++;
			if (u[i].service_level == SL_SPECIAL &&
			    u[i].type != UT_FAMILY_REHAB &&
			    u[i].type != UT_PROF_FAMILY_HOME && eur > 100000)
				tail++;
			if (eur % 50 != 0)
				bad++;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(tail >= 5);	/* special has a tail past 1,000 */
}

static void
test_procurements_and_awards(void)
{
	const struct procurement *p;
	const struct unit *u;
	int ri, i, l, a, j, n, joint = 0, bad = 0, refs = 0;
	char ref[2 * ID_MAX + 2];
	struct err e;

	for (ri = 0; ri < REGION_COUNT; ri++) {
		p = sample_procurements(base, ri, &n);
		CU_ASSERT(n >= 1 && n <= 4);
		for (i = 0; i < n; i++) {
			if (p[i].njoint > 1) {
				joint++;
				CU_ASSERT_STRING_EQUAL(p[i].region, "90");
				CU_ASSERT_EQUAL(p[i].njoint, 5);
				CU_ASSERT_EQUAL(p[i].nlots, 8);
			} else
				CU_ASSERT(p[i].nlots >= 3 && p[i].nlots <= 8);
			CU_ASSERT(strcmp(p[i].period_start, p[i].period_end) < 0);
			if (model_procurement_check(&p[i], &e) == -1) {
				fprintf(stderr, "%s\n", e.msg);
				bad++;
			}
			for (l = 0; l < p[i].nlots; l++) {
				const struct lot *lt = &p[i].lots[l];
				int pts = lt->price_weight;

				for (j = 0; j < lt->ncriteria; j++)
					pts += lt->criteria[j].points;
				CU_ASSERT_EQUAL(pts, 100);
				CU_ASSERT(lt->nawards >= 1 && lt->nawards <= 200);
				snprintf(ref, sizeof(ref), "%s/%s", p[i].id, lt->id);
				for (a = 0; a < lt->nawards; a++) {
					const struct award *aw = &lt->awards[a];
					int has = 0;

					if ((u = find_unit(aw->unit_id)) == NULL) {
						bad++;
						continue;
					}
					for (j = 0; j < u->nlots; j++)
						has |= strcmp(u->lots[j], ref) == 0;
					refs += has;
					bad += !has || aw->rank != a + 1 ||
					    aw->price_cents > lt->price_ceiling_cents ||
					    aw->price_cents != u->price_cents;
				}
			}
		}
	}
	CU_ASSERT_EQUAL(joint, 1);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(refs > 1000);
}

struct hist_counts {
	int		total, kinds[12], open, open_orders, open_high, bad;
	struct err	e;
};

static void
check_history(const struct unit *u, const struct supervision_record *r,
    int k, struct hist_counts *c)
{
	char lo[DATE_LEN + 1] = "2016-10-01", prefix[ID_MAX + 2];
	int i, j, f, ok;

	for (i = 0; i < k; i++, r++) {
		/* "<issuer>-<unit>-Rnnn": in the issuer's namespace. */
		snprintf(prefix, sizeof(prefix), "%s-%s-R", r->issuer, u->id);
		ok = strncmp(r->id, prefix, strlen(prefix)) == 0 &&
		    model_record_check_id(r, &c->e) == 0;
		ok &= strcmp(r->unit_id, u->id) == 0 &&
		    strcmp(r->provider_ytunnus, u->provider_ytunnus) == 0;
		ok &= strcmp(r->opened, lo) >= 0 && strcmp(r->opened,
		    "2026-11-01") < 0 && r->issued < sample_default_now();
		ok &= i == 0 || strcmp(r[-1].opened, r->opened) <= 0;
		/* LVV from 2026, the AVIs and Valvira before. */
		if (strcmp(r->issuer, "LVV") == 0)
			ok &= strcmp(r->opened, "2026-01-01") >= 0;
		if (strncmp(r->issuer, "AVI-", 4) == 0 ||
		    strcmp(r->issuer, "VALVIRA") == 0)
			ok &= strcmp(r->opened, "2026-01-01") < 0;
		for (j = 0; j < r->nfollows; j++) {
			int found = 0;

			for (f = 0; f < i; f++)
				found |= strcmp(r[f - i].id, r->follows[j]) == 0;
			ok &= found;
		}
		if (r->kind == RK_COMPLAINT_DECISION)
			ok &= r->nfollows == 1 && r->outcome >= 0;
		else
			ok &= r->outcome == -1;
		ok &= (r->kind <= RK_GUIDANCE_VISIT) == (r->visit_date[0] != '\0');
		if (model_record_check(r, &c->e) == -1) {
			fprintf(stderr, "%s\n", c->e.msg);
			ok = 0;
		}
		c->kinds[r->kind]++;
		if (r->status == RS_OPEN) {
			c->open++;
			c->open_orders += r->kind == RK_ORDER_TO_CORRECT;
			for (f = 0; f < r->nfindings; f++)
				if (r->findings[f].severity == SEV_HIGH) {
					c->open_high++;
					break;
				}
		}
		if (!ok && c->bad++ < 5)
			fprintf(stderr, "bad record %s\n", r->id);
	}
	c->total += k;
}

static void
test_ten_years_of_supervision(void)
{
	struct hist_counts c;
	const struct unit *u;
	int ri, i, n, k;

	memset(&c, 0, sizeof(c));
	for (ri = 0; ri < REGION_COUNT; ri++) {
		u = sample_units(base, ri, &n);
		for (i = 0; i < n; i++) {
			k = sample_unit_records(base, &u[i], rbuf,
			    SAMPLE_UNIT_RECORDS_MAX);
			CU_ASSERT(k < SAMPLE_UNIT_RECORDS_MAX);
			check_history(&u[i], rbuf, k, &c);
		}
	}
	CU_ASSERT_EQUAL(c.bad, 0);
	CU_ASSERT(c.total >= 30000 && c.total <= 50000);
	/* DOMAIN.md's yearly figures, times ten years. */
	CU_ASSERT(c.kinds[RK_GUIDANCE_VISIT] >= 12000 &&
	    c.kinds[RK_GUIDANCE_VISIT] <= 25000);
	CU_ASSERT(c.kinds[RK_INSPECTION_ANNOUNCED] +
	    c.kinds[RK_INSPECTION_UNANNOUNCED] >= 1000 &&
	    c.kinds[RK_INSPECTION_ANNOUNCED] +
	    c.kinds[RK_INSPECTION_UNANNOUNCED] <= 2000);
	CU_ASSERT(c.kinds[RK_COMPLAINT] >= 1500 && c.kinds[RK_COMPLAINT] <= 4000);
	CU_ASSERT(c.kinds[RK_COMPLAINT_DECISION] <= c.kinds[RK_COMPLAINT]);
	CU_ASSERT(c.kinds[RK_ORDER_TO_CORRECT] >= 50 &&
	    c.kinds[RK_ORDER_TO_CORRECT] <= 400);
	CU_ASSERT(c.kinds[RK_SUSPENSION] >= 1 && c.kinds[RK_SUSPENSION] <= 40);
	/* Mostly closed; a small share open, some high, a handful of orders. */
	CU_ASSERT(c.open > 0 && c.open * 100 / c.total < 3);
	CU_ASSERT(c.open_high >= 5);
	CU_ASSERT(c.open_orders >= 1 && c.open_orders <= 20);
}

/* Region 18's data, written with the model writers into one Dataset, is
 * what import accepts: it validates and reads back to the same structs. */
static void
test_dataset_validates_and_reads_back(void)
{
	static const char *const roots[] = { "Dataset", NULL };
	struct sample_region r;
	struct unit back;
	struct supervision_record *rb;
	xmlDocPtr doc = NULL, doc2 = NULL;
	xmlNodePtr root, n;
	char *buf = NULL;
	size_t len;
	struct err e;
	int i, nu = 0, nr = 0, same = 0;

	rb = malloc(sizeof(*rb));
	CU_ASSERT_FATAL(rb != NULL);
	xml_init();
	CU_ASSERT_FATAL(schema_init(&e) == 0);
	CU_ASSERT_FATAL(sample_region_get(base, 17, 1, &r, &e) == 0);
	doc = xmlNewDoc((const xmlChar *)"1.0");
	root = xmlNewDocNode(doc, NULL, (const xmlChar *)"Dataset", NULL);
	xmlDocSetRootElement(doc, root);
	xmlSetNs(root, xmlNewNs(root, (const xmlChar *)LASTERI_NS, NULL));
	for (i = 0; i < r.nunits; i++)
		CU_ASSERT(model_unit_write(doc, root, &r.units[i], &e) != NULL);
	for (i = 0; i < r.nprocs; i++)
		CU_ASSERT(model_procurement_write(doc, root, &r.procs[i], &e) !=
		    NULL);
	for (i = 0; i < r.nrecords; i++)
		CU_ASSERT(model_record_write(doc, root, &r.records[i], &e) !=
		    NULL);
	CU_ASSERT_FATAL(xml_serialize(doc, &buf, &len, &e) == 0);
	doc2 = xml_parse(buf, len, "region 18", &xml_limits_import, &e);
	CU_ASSERT_FATAL(doc2 != NULL);
	if (schema_validate(doc2, "region 18", roots, &e) == -1) {
		fprintf(stderr, "%s\n", e.msg);
		CU_FAIL("the Dataset does not validate");
	}
	for (n = xml_first_elem(xmlDocGetRootElement(doc2)); n != NULL;
	    n = xml_next_elem(n)) {
		if (xml_is(n, "Unit") && nu < r.nunits) {
			memset(&back, 0, sizeof(back));
			CU_ASSERT(model_unit_read(n, &back, &e) == 0);
			same += strcmp(back.id, r.units[nu].id) == 0 &&
			    back.price_cents == r.units[nu].price_cents &&
			    back.nlots == r.units[nu].nlots &&
			    back.free_updated == r.units[nu].free_updated;
			nu++;
		} else if (xml_is(n, "SupervisionRecord") && nr < r.nrecords) {
			memset(rb, 0, sizeof(*rb));
			CU_ASSERT(model_record_read(n, rb, &e) == 0);
			same += strcmp(rb->id, r.records[nr].id) == 0 &&
			    rb->status == r.records[nr].status &&
			    rb->nfollows == r.records[nr].nfollows &&
			    rb->issued == r.records[nr].issued;
			nr++;
		}
	}
	CU_ASSERT_EQUAL(nu, r.nunits);
	CU_ASSERT_EQUAL(nr, r.nrecords);
	CU_ASSERT_EQUAL(same, r.nunits + r.nrecords);
	xmlFree(buf);
	xmlFreeDoc(doc);
	xmlFreeDoc(doc2);
	sample_region_free(&r);
	free(rb);
}

static void
test_rejects_bad_options(void)
{
	struct sample_opts o = opts(1, 0);
	struct sample *s = NULL;
	struct sample_region r;
	struct err e;
	time_t t;

	CU_ASSERT_EQUAL(sample_new(&o, &s, &e), -1);
	CU_ASSERT_EQUAL(e.code, ERR_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "scale 0"));
	CU_ASSERT_PTR_NULL(s);
	o = opts(1, SAMPLE_SCALE_MAX + 1);
	CU_ASSERT_EQUAL(sample_new(&o, &s, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "out of range"));
	o = opts(1, 1);
	o.now = 0;
	CU_ASSERT_EQUAL(sample_new(&o, &s, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "now"));
	CU_ASSERT_EQUAL(sample_region_get(base, REGION_COUNT, 0, &r, &e), -1);
	CU_ASSERT_EQUAL(e.code, ERR_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "region"));

	CU_ASSERT_EQUAL(sample_parse_now("2026-11-01", &t), 0);
	CU_ASSERT_EQUAL(t, sample_default_now());
	CU_ASSERT_EQUAL(sample_parse_now("2026-11-01T12:30:05Z", &t), 0);
	CU_ASSERT_EQUAL(t, sample_default_now() + 12 * 3600 + 30 * 60 + 5);
	CU_ASSERT_EQUAL(sample_parse_now("2026-02-30", &t), -1);
	CU_ASSERT_EQUAL(sample_parse_now("2026-11-1", &t), -1);
	CU_ASSERT_EQUAL(sample_parse_now("2026-11-01T12:30:05+02:00", &t), -1);
	CU_ASSERT_EQUAL(sample_parse_now("tomorrow", &t), -1);
}

static CU_TestInfo tests[] = {
	{ "the same seed gives identical units, procurements and records", test_same_seed_same_data },
	{ "another seed gives other data with the same counts", test_other_seed_other_data },
	{ "a region's data does not depend on which regions are generated", test_region_does_not_depend_on_order },
	{ "about 1,250 units at scale 1, eight times that at scale 8, split by population", test_scale },
	{ "every unit keeps the capacity, staffing, age and Y-tunnus rules", test_units_are_valid },
	{ "institution, school-home, company and free-place shares match DOMAIN.md", test_shares_and_languages },
	{ "daily prices fall in DOMAIN.md's ranges by type and service level", test_prices_by_type },
	{ "awards reference existing units under the ceiling and units carry the lot", test_procurements_and_awards },
	{ "ten years of supervision history has realistic kinds, issuers and statuses", test_ten_years_of_supervision },
	{ "a region's Dataset validates against the schemas and reads back", test_dataset_validates_and_reads_back },
	{ "refuses a bad scale, now or region, and parses --now values", test_rejects_bad_options },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ "sample", suite_init, suite_clean, NULL, NULL, tests },
	CU_SUITE_INFO_NULL
};

int
main(void)
{
	return test_run_suites(suites);
}
