/*
 * sample_unit.c - sample units: how many per region (by population), their
 * type, service level, sector and provider, capacity and staff by the
 * statutory rules, prices by DOMAIN.md's ranges, languages by the bilingual
 * and Sámi areas, needs and expertise that fit the service level, and
 * Finnish-looking names and addresses in real municipalities.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sample_internal.h"
#include "ytunnus.h"

/* --- tables (ours, from public sources where they name real things) ------- */

struct muni {
	const char	*region;
	const char	*code;		/* kuntakoodi */
	const char	*name;
	const char	*postal;	/* first two digits of its postal codes */
	int		 weight;
	int		 sami;		/* in the Sámi homeland */
};

static const struct muni munis[] = {
	{ "01", "638", "Porvoo", "06", 5, 0 }, { "01", "434", "Loviisa", "07", 2, 0 },
	{ "01", "753", "Sipoo", "04", 2, 0 }, { "01", "018", "Askola", "07", 1, 0 },
	{ "01", "611", "Pornainen", "07", 1, 0 },
	{ "02", "106", "Hyvinkää", "05", 4, 0 }, { "02", "186", "Järvenpää", "04", 3, 0 },
	{ "02", "858", "Tuusula", "04", 3, 0 }, { "02", "543", "Nurmijärvi", "01", 3, 0 },
	{ "02", "505", "Mäntsälä", "04", 2, 0 },
	{ "03", "049", "Espoo", "02", 8, 0 }, { "03", "257", "Kirkkonummi", "02", 2, 0 },
	{ "03", "444", "Lohja", "08", 3, 0 }, { "03", "710", "Raasepori", "10", 2, 0 },
	{ "03", "927", "Vihti", "03", 2, 0 }, { "03", "224", "Karkkila", "03", 1, 0 },
	{ "03", "755", "Siuntio", "02", 1, 0 }, { "03", "078", "Hanko", "10", 1, 0 },
	{ "04", "092", "Vantaa", "01", 6, 0 }, { "04", "245", "Kerava", "04", 2, 0 },
	{ "05", "853", "Turku", "20", 8, 0 }, { "05", "734", "Salo", "24", 3, 0 },
	{ "05", "202", "Kaarina", "20", 2, 0 }, { "05", "680", "Raisio", "21", 2, 0 },
	{ "05", "895", "Uusikaupunki", "23", 1, 0 }, { "05", "529", "Naantali", "21", 1, 0 },
	{ "05", "423", "Lieto", "21", 1, 0 }, { "05", "430", "Loimaa", "32", 1, 0 },
	{ "05", "445", "Parainen", "21", 1, 0 },
	{ "06", "609", "Pori", "28", 5, 0 }, { "06", "684", "Rauma", "26", 3, 0 },
	{ "06", "886", "Ulvila", "28", 1, 0 }, { "06", "214", "Kankaanpää", "38", 1, 0 },
	{ "06", "050", "Eura", "27", 1, 0 }, { "06", "102", "Huittinen", "32", 1, 0 },
	{ "07", "109", "Hämeenlinna", "13", 5, 0 }, { "07", "694", "Riihimäki", "11", 3, 0 },
	{ "07", "061", "Forssa", "30", 2, 0 }, { "07", "165", "Janakkala", "14", 1, 0 },
	{ "07", "082", "Hattula", "13", 1, 0 },
	{ "08", "837", "Tampere", "33", 8, 0 }, { "08", "536", "Nokia", "37", 2, 0 },
	{ "08", "980", "Ylöjärvi", "33", 2, 0 }, { "08", "211", "Kangasala", "36", 2, 0 },
	{ "08", "418", "Lempäälä", "37", 2, 0 }, { "08", "908", "Valkeakoski", "37", 1, 0 },
	{ "08", "790", "Sastamala", "38", 1, 0 }, { "08", "562", "Orivesi", "35", 1, 0 },
	{ "08", "508", "Mänttä-Vilppula", "35", 1, 0 },
	{ "09", "398", "Lahti", "15", 6, 0 }, { "09", "098", "Hollola", "15", 2, 0 },
	{ "09", "111", "Heinola", "18", 2, 0 }, { "09", "560", "Orimattila", "16", 1, 0 },
	{ "09", "016", "Asikkala", "17", 1, 0 },
	{ "10", "286", "Kouvola", "45", 5, 0 }, { "10", "285", "Kotka", "48", 4, 0 },
	{ "10", "075", "Hamina", "49", 2, 0 }, { "10", "624", "Pyhtää", "49", 1, 0 },
	{ "11", "405", "Lappeenranta", "53", 5, 0 }, { "11", "153", "Imatra", "55", 3, 0 },
	{ "11", "416", "Lemi", "54", 1, 0 }, { "11", "441", "Luumäki", "54", 1, 0 },
	{ "11", "700", "Ruokolahti", "56", 1, 0 },
	{ "12", "491", "Mikkeli", "50", 5, 0 }, { "12", "740", "Savonlinna", "57", 3, 0 },
	{ "12", "593", "Pieksämäki", "76", 2, 0 }, { "12", "178", "Juva", "51", 1, 0 },
	{ "12", "507", "Mäntyharju", "52", 1, 0 },
	{ "13", "297", "Kuopio", "70", 7, 0 }, { "13", "140", "Iisalmi", "74", 2, 0 },
	{ "13", "915", "Varkaus", "78", 2, 0 }, { "13", "749", "Siilinjärvi", "71", 2, 0 },
	{ "13", "778", "Suonenjoki", "77", 1, 0 }, { "13", "420", "Leppävirta", "79", 1, 0 },
	{ "14", "167", "Joensuu", "80", 6, 0 }, { "14", "260", "Kitee", "82", 1, 0 },
	{ "14", "422", "Lieksa", "81", 1, 0 }, { "14", "541", "Nurmes", "75", 1, 0 },
	{ "14", "276", "Kontiolahti", "81", 2, 0 }, { "14", "426", "Liperi", "83", 1, 0 },
	{ "14", "309", "Outokumpu", "83", 1, 0 },
	{ "15", "179", "Jyväskylä", "40", 7, 0 }, { "15", "992", "Äänekoski", "44", 2, 0 },
	{ "15", "182", "Jämsä", "42", 2, 0 }, { "15", "410", "Laukaa", "41", 2, 0 },
	{ "15", "249", "Keuruu", "42", 1, 0 }, { "15", "729", "Saarijärvi", "43", 1, 0 },
	{ "15", "500", "Muurame", "40", 1, 0 },
	{ "16", "743", "Seinäjoki", "60", 5, 0 }, { "16", "408", "Lapua", "62", 2, 0 },
	{ "16", "233", "Kauhava", "62", 1, 0 }, { "16", "301", "Kurikka", "61", 1, 0 },
	{ "16", "010", "Alavus", "63", 1, 0 }, { "16", "145", "Ilmajoki", "60", 1, 0 },
	{ "16", "232", "Kauhajoki", "61", 1, 0 },
	{ "17", "905", "Vaasa", "65", 5, 0 }, { "17", "499", "Mustasaari", "65", 2, 0 },
	{ "17", "598", "Pietarsaari", "68", 2, 0 }, { "17", "287", "Kristiinankaupunki", "64", 1, 0 },
	{ "17", "545", "Närpiö", "64", 1, 0 }, { "17", "893", "Uusikaarlepyy", "66", 1, 0 },
	{ "17", "288", "Kruunupyy", "68", 1, 0 }, { "17", "399", "Laihia", "66", 1, 0 },
	{ "18", "272", "Kokkola", "67", 5, 0 }, { "18", "217", "Kannus", "69", 1, 0 },
	{ "18", "236", "Kaustinen", "69", 1, 0 }, { "18", "924", "Veteli", "69", 1, 0 },
	{ "18", "849", "Toholampi", "69", 1, 0 },
	{ "19", "564", "Oulu", "90", 8, 0 }, { "19", "678", "Raahe", "92", 2, 0 },
	{ "19", "244", "Kempele", "90", 2, 0 }, { "19", "425", "Liminka", "91", 1, 0 },
	{ "19", "977", "Ylivieska", "84", 1, 0 }, { "19", "305", "Kuusamo", "93", 1, 0 },
	{ "19", "071", "Kalajoki", "85", 1, 0 }, { "19", "535", "Nivala", "85", 1, 0 },
	{ "19", "069", "Haapajärvi", "85", 1, 0 },
	{ "20", "205", "Kajaani", "87", 5, 0 }, { "20", "765", "Sotkamo", "88", 2, 0 },
	{ "20", "290", "Kuhmo", "88", 1, 0 }, { "20", "777", "Suomussalmi", "89", 1, 0 },
	{ "20", "578", "Paltamo", "88", 1, 0 },
	{ "21", "698", "Rovaniemi", "96", 6, 0 }, { "21", "240", "Kemi", "94", 2, 0 },
	{ "21", "851", "Tornio", "95", 2, 0 }, { "21", "320", "Kemijärvi", "98", 1, 0 },
	{ "21", "758", "Sodankylä", "99", 1, 1 }, { "21", "148", "Inari", "99", 1, 1 },
	{ "21", "890", "Utsjoki", "99", 1, 1 }, { "21", "047", "Enontekiö", "99", 1, 1 },
	{ "21", "261", "Kittilä", "99", 1, 0 },
	{ "90", "091", "Helsinki", "00", 1, 0 },
};

/* Name parts: two stems make a Finnish-looking house name ("Koivurinne"). */
static const char *const stem1[30] = {
	"Koivu", "Kuusi", "Mänty", "Päivä", "Tähti", "Kuu", "Aamu", "Ilta",
	"Lumi", "Sini", "Meri", "Kivi", "Kallio", "Saari", "Metsä", "Niitty",
	"Pihlaja", "Tammi", "Vaahtera", "Haapa", "Kataja", "Lähde", "Aalto",
	"Pelto", "Kaisla", "Kanerva", "Kielo", "Ruska", "Tuuli", "Valo",
};
static const char *const stem2[12] = {
	"rinne", "koto", "pesä", "kumpu", "ranta", "mäki", "lehto", "tupa",
	"pirtti", "harju", "polku", "niemi",
};
static const char *const first_names[] = {
	"Anna", "Maria", "Johanna", "Laura", "Sari", "Minna", "Tiina", "Hanna",
	"Kirsi", "Päivi", "Riikka", "Elina", "Juha", "Mika", "Timo", "Jari",
	"Antti", "Petri", "Markku", "Janne", "Ville", "Sami", "Marko", "Jukka",
};
static const char *const surnames[] = {
	"Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen",
	"Laine", "Heikkinen", "Koskinen", "Järvinen", "Lehtonen", "Lehtinen",
	"Saarinen", "Salminen", "Heinonen", "Niemi", "Heikkilä", "Kinnunen",
	"Salonen", "Turunen", "Salo", "Laitinen", "Tuominen", "Rantanen",
	"Karjalainen", "Jokinen", "Mattila", "Savolainen", "Lahtinen", "Ahonen",
	"Hirvonen", "Lindholm", "Nyström", "Forsman", "Kallio", "Peltonen",
	"Aaltonen", "Räsänen", "Ojala", "Lindqvist",
};
static const char *const streets[] = {
	"Koivu", "Kuusi", "Mänty", "Rinne", "Kallio", "Järvi", "Pelto", "Metsä",
	"Niitty", "Harju", "Lähde", "Koski", "Ranta", "Mäki", "Salo", "Kivi",
	"Tammi", "Vaahtera", "Pihlaja", "Haapa", "Leppä", "Kataja", "Puro", "Lampi",
};
static const char *const street_kinds[] = { "tie", "katu", "kuja", "polku", "raitti" };
static const char *const methods[] = {
	"Traumatietoinen työote", "Dialoginen työote",
	"ART-ohjelma (Aggression Replacement Training)", "Theraplay",
	"Mentalisaatioon perustuva työskentely", "Voimavarakeskeinen työote",
	"Eläinavusteinen työ", "Toiminnallinen perhetyö",
	"Kognitiivinen käyttäytymisterapia", "Seikkailukasvatus",
	"Musiikkiterapia", "Nepsy-valmennus",
};
/* Fictional national providers (no real company is named). */
static const char *const chains[] = {
	"Kotipolku Oy", "Aava Lastensuojelupalvelut Oy", "Nuorten Majakka Oy",
	"Tukiranta Oy", "Sateenkaari Hoiva Oy", "Perhepesä Oy",
};
static const int chain_weights[] = { 30, 20, 15, 15, 10, 10 };
static const char *const ngos[] = {
	"Lasten Turva ry", "Nuorten Polku -säätiö sr", "Lapsikyläyhdistys ry",
};

/*
 * A unique, valid Y-tunnus for (block, *seq): (block * 100000 + seq) goes
 * through a bijection of [0, YT_SPAN) (multiplying by a unit mod YT_SPAN),
 * so two (block, seq) pairs never share a base.  Bases whose remainder is 1
 * have no check digit: *seq moves on.
 */
static void
make_ytunnus(const struct sample *s, int block, int *seq,
    char out[YTUNNUS_LEN + 1])
{
	char seven[8];
	uint64_t x;
	int c;

	for (;;) {
		x = (uint64_t)block * 100000u + (uint64_t)*seq;
		x = (x * 1103u + s->yt_off) % (uint64_t)YT_SPAN;
		snprintf(seven, sizeof(seven), "%07lu", (unsigned long)(500000u + x));
		(*seq)++;
		if ((c = ytunnus_check_digit(seven)) >= 0) {
			snprintf(out, YTUNNUS_LEN + 1, "%.7s-%u", seven, (unsigned)c % 10u);
			return;
		}
	}
}

/* Y-tunnus of a fixed provider (chain i, region i's wellbeing area...). */
static void
fixed_ytunnus(const struct sample *s, int block, int i,
    char out[YTUNNUS_LEN + 1])
{
	int seq = i;

	/* Stepping by 50 keeps fixed providers (i < 50) apart. */
	for (;;) {
		int tried = seq;

		make_ytunnus(s, block, &seq, out);
		if (seq == tried + 1)
			return;
		seq = tried + 50;
	}
}

/* ASCII slug of a name for URLs ("Perhekoti Mäkelä Oy" -> "perhekoti-makela"). */
static void
slug(const char *in, char *out, size_t outsz)
{
	size_t n = 0;
	int dash = 0;
	const unsigned char *p;

	for (p = (const unsigned char *)in; *p != '\0' && n + 2 < outsz; p++) {
		char c = 0;

		if (*p >= 'A' && *p <= 'Z')
			c = (char)(*p - 'A' + 'a');
		else if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
			c = (char)*p;
		else if (*p == 0xc3 && p[1] != '\0') {	/* ä ö å Ä Ö Å */
			p++;
			c = (*p == 0xa4 || *p == 0x84 || *p == 0xa5 || *p == 0x85) ?
			    'a' : (*p == 0xb6 || *p == 0x96) ? 'o' : 0;
		}
		if (c == 0) {
			dash = n > 0;
			continue;
		}
		if (dash)
			out[n++] = '-';
		dash = 0;
		out[n++] = c;
	}
	out[n] = '\0';
	for (;;) {	/* drop the legal form */
		size_t l = strlen(out);

		if (l > 3 && (strcmp(out + l - 3, "-oy") == 0 ||
		    strcmp(out + l - 3, "-ry") == 0 || strcmp(out + l - 3, "-sr") == 0))
			out[l - 3] = '\0';
		else
			break;
	}
}

/* The c-th house name of a region: unique for c < 360, then numbered. */
static void
house_name(int off, int c, char *out, size_t outsz)
{
	int a = (off + c * 11) % NELEM(stem1);
	int b = (off / 7 + c / NELEM(stem1)) % NELEM(stem2);
	char s2[16];

	snprintf(s2, sizeof(s2), "%s", stem2[b]);
	if (c >= NELEM(stem1) * NELEM(stem2))
		snprintf(out, outsz, "%s%s %d", stem1[a], s2,
		    c / (NELEM(stem1) * NELEM(stem2)) + 1);
	else
		snprintf(out, outsz, "%s%s", stem1[a], s2);
}

struct provider {
	char	name[NAME_MAX_ + 1];
	char	yt[YTUNNUS_LEN + 1];
	int	units;
};

/* Working state while one region's units are made. */
struct regen {
	struct sample		*s;
	int			 ri;
	struct rng		 rng;
	struct provider		*provs;		/* regional companies and NGOs */
	int			 nprovs;
	int			 yt_seq;
	int			 houses;	/* house names used */
	int			 name_off;
	int			 muni_total;
	int			 muni_first, muni_n;
	char			 school[32];	/* the region's state school home */
};

static const struct muni *
pick_muni(struct regen *g)
{
	int x = rng_int(&g->rng, 0, g->muni_total - 1), i;

	for (i = g->muni_first; i < g->muni_first + g->muni_n - 1; i++) {
		if (x < munis[i].weight)
			return &munis[i];
		x -= munis[i].weight;
	}
	return &munis[g->muni_first + g->muni_n - 1];
}

static void
make_address(struct regen *g, const struct muni *m, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s%s %d, %s%02d0 %s", PICK(&g->rng, streets),
	    PICK(&g->rng, street_kinds), rng_int(&g->rng, 1, 60), m->postal,
	    rng_int(&g->rng, 1, 99), m->name);
}

/* A regional company or NGO provider: sometimes one that already has units. */
static const struct provider *
regional_provider(struct regen *g, int ngo)
{
	struct provider *p;
	char house[64];
	int i;

	if (g->nprovs > 0 && rng_chance(&g->rng, 0.35)) {
		i = rng_int(&g->rng, 0, g->nprovs - 1);
		if (g->provs[i].units < 5) {
			g->provs[i].units++;
			return &g->provs[i];
		}
	}
	p = &g->provs[g->nprovs++];
	house_name(g->name_off + 5, rng_int(&g->rng, 0, 359), house, sizeof(house));
	if (ngo)
		snprintf(p->name, sizeof(p->name), rng_chance(&g->rng, 0.5) ?
		    "Lastensuojeluyhdistys %s ry" : "%s-säätiö sr", house);
	else {
		switch (rng_int(&g->rng, 0, 2)) {
		case 0:
			snprintf(p->name, sizeof(p->name), "%s Oy", house);
			break;
		case 1:
			snprintf(p->name, sizeof(p->name), "Lastensuojelu %s Oy", house);
			break;
		default:
			snprintf(p->name, sizeof(p->name), "%s Hoivapalvelut Oy",
			    PICK(&g->rng, surnames));
		}
	}
	make_ytunnus(g->s, g->ri, &g->yt_seq, p->yt);
	p->units = 1;
	return p;
}

/* A price in [lo, hi] EUR; skew 2 crowds the values towards lo. */
static long
price_cents(struct rng *r, int lo, int hi, int skew)
{
	double x = rng_unit(r);
	long eur;

	if (skew == 2)
		x *= x;
	eur = lo + (long)((hi - lo) * x + 0.5);

	return eur * 100 + ((eur < hi && rng_chance(r, 0.25)) ? 50 : 0);
}

static void
add_lang(struct unit *u, const char *l)
{
	int i;

	for (i = 0; i < u->nlanguages; i++)
		if (strcmp(u->languages[i], l) == 0)
			return;
	if (u->nlanguages < UNIT_LANG_MAX)
		snprintf(u->languages[u->nlanguages++], 3, "%s", l);
}

static void
unit_needs(struct regen *g, struct unit *u)
{
	struct rng *r = &g->rng;
	uint32_t t = 0, x = 0;
	int lvl = u->service_level;

	switch (u->type) {
	case UT_RECEPTION_HOME:
		t |= TG(TG_EMERG) | (rng_chance(r, 0.4) ? TG(TG_SIBLINGS) : 0);
		break;
	case UT_FAMILY_GROUP_HOME:
		t |= TG(TG_UNACC);
		break;
	case UT_FAMILY_REHAB:
		t |= TG(TG_INFANT) | (rng_chance(r, 0.3) ? TG(TG_SIBLINGS) : 0);
		break;
	case UT_SOS_VILLAGE:
		t |= TG(TG_SIBLINGS);
		break;
	case UT_SCHOOL_HOME:
		t |= TG(TG_CONDUCT) | TG(TG_ANTISOC);
		break;
	case UT_PROF_FAMILY_HOME:
		if (rng_chance(r, 0.5))
			t |= TG(TG_SIBLINGS);
		if (rng_chance(r, 0.15))
			t |= TG(TG_EMERG);
		break;
	default:
		break;
	}
	if (lvl == SL_BASIC && u->type != UT_RECEPTION_HOME &&
	    u->type != UT_FAMILY_REHAB && rng_chance(r, 0.35))
		t |= TG(TG_SIBLINGS);
	if (lvl >= SL_SPECIAL) {
		double k = lvl == SL_DEMANDING ? 1.0 : 0.7;

		if (rng_chance(r, 0.75 * k + 0.1))
			t |= TG(TG_CONDUCT);
		if (rng_chance(r, 0.6 * k + 0.1))
			t |= TG(TG_PSYCH);
		if (rng_chance(r, 0.5))
			t |= TG(TG_NEURO);
		if (rng_chance(r, lvl == SL_DEMANDING ? 0.5 : 0.2))
			t |= TG(TG_SUBST);
		if (lvl == SL_DEMANDING && rng_chance(r, 0.4))
			t |= TG(TG_ANTISOC);
		if (rng_chance(r, 0.08))
			t |= TG(TG_DISAB);
		if ((t & (TG(TG_CONDUCT) | TG(TG_PSYCH) | TG(TG_NEURO))) == 0)
			t |= TG(TG_NEURO);
	}
	if (rng_chance(r, 0.65))
		x |= TG(EX_TRAUMA);
	if ((t & TG(TG_NEURO)) && rng_chance(r, 0.7))
		x |= TG(EX_NEPSY);
	if ((t & TG(TG_SUBST)) && rng_chance(r, 0.75))
		x |= TG(EX_SUBST);
	if ((lvl == SL_DEMANDING && rng_chance(r, 0.8)) ||
	    ((t & TG(TG_PSYCH)) && rng_chance(r, 0.4)))
		x |= TG(EX_PSYNURSE);
	if (u->type == UT_FAMILY_REHAB || rng_chance(r, 0.2))
		x |= TG(EX_FAMILY);
	if (u->school == SCH_OWN)
		x |= TG(EX_SPECED);
	if ((t & (TG(TG_ANTISOC) | TG(TG_CONDUCT))) && rng_chance(r, 0.45))
		x |= TG(EX_VIOLENCE);
	if ((t & TG(TG_UNACC)) || u->nlanguages > 2)
		x |= TG(EX_MULTI);
	if (t & TG(TG_DISAB))
		x |= TG(EX_DISAB);
	if (u->age_max > 17)
		x |= TG(EX_AFTER);
	if (rng_chance(r, 0.08))
		x |= TG(EX_SEXHEALTH);
	u->target_groups = t;
	u->expertise = x;
}

static void
unit_languages(struct regen *g, struct unit *u, const struct muni *m)
{
	struct rng *r = &g->rng;

	add_lang(u, "fi");
	if (rng_chance(r, sample_rinfo[g->ri].sv))
		add_lang(u, "sv");
	if (strcmp(m->region, "21") == 0 && rng_chance(r, m->sami ? 0.6 : 0.03)) {
		add_lang(u, "se");
		u->expertise |= TG(EX_SAMI);
	}
	if (u->type == UT_FAMILY_GROUP_HOME) {
		if (rng_chance(r, 0.6))
			add_lang(u, "en");
		if (rng_chance(r, 0.5))
			add_lang(u, "ar");
		if (rng_chance(r, 0.4))
			add_lang(u, "so");
		if (rng_chance(r, 0.2))
			add_lang(u, "fa");
		return;
	}
	if (rng_chance(r, 0.12))
		add_lang(u, "en");
	if (rng_chance(r, g->ri == 9 || g->ri == 10 ? 0.10 : 0.04))
		add_lang(u, "ru");
	if (rng_chance(r, 0.04))
		add_lang(u, "ar");
	if (rng_chance(r, 0.02))
		add_lang(u, "so");
}

static void
unit_ages(struct rng *r, struct unit *u)
{
	static const int cmin[] = { 0, 3, 6, 7 };

	u->age_max = 17;
	switch (u->type) {
	case UT_YOUTH_HOME:
		u->age_min = rng_int(r, 12, 13);
		if (rng_chance(r, 0.2))
			u->age_max = rng_chance(r, 0.15) ? 24 : rng_int(r, 20, 21);
		break;
	case UT_SCHOOL_HOME:
		u->age_min = 12;
		break;
	case UT_FAMILY_REHAB:
		u->age_min = 0;
		u->age_max = rng_int(r, 6, 12);
		break;
	case UT_FAMILY_GROUP_HOME:
		u->age_min = rng_int(r, 13, 15);
		if (rng_chance(r, 0.3))
			u->age_max = 20;
		break;
	case UT_RECEPTION_HOME:
		u->age_min = rng_chance(r, 0.6) ? 0 : 7;
		break;
	default:
		u->age_min = PICK(r, cmin);
		if (u->type != UT_CHILDRENS_HOME && rng_chance(r, 0.1))
			u->age_max = 20;
	}
}

/* Type, level, sector, provider and the figures that follow from them. */
static void
unit_kind(struct regen *g, struct unit *u, int school_home)
{
	static const int inst_w[] = { 44, 22, 11, 0, 8, 0, 3, 5 };
	static const int lvl_w[8][3] = {
		{ 35, 45, 20 }, { 15, 50, 35 }, { 60, 40, 0 }, { 0, 0, 1 },
		{ 30, 70, 0 }, { 60, 40, 0 }, { 70, 30, 0 }, { 80, 20, 0 },
	};
	int w[8];
	struct rng *r = &g->rng;

	memcpy(w, inst_w, sizeof(w));
	if (!sample_rinfo[g->ri].sos)
		w[UT_SOS_VILLAGE] = 0;
	if (school_home)
		u->type = UT_SCHOOL_HOME;
	else if (rng_chance(r, 0.673))	/* (0.68 * 1250 - 25) / (1250 - 25) */
		u->type = rng_weighted(r, w, 8);
	else
		u->type = UT_PROF_FAMILY_HOME;
	u->service_level = rng_weighted(r, lvl_w[u->type], 3);
	if (u->type == UT_SCHOOL_HOME)
		u->sector = SEC_STATE;
	else if (u->type == UT_SOS_VILLAGE)
		u->sector = SEC_NGO;
	else if (u->type == UT_PROF_FAMILY_HOME)
		u->sector = SEC_COMPANY;
	else {
		static const int sec_w[] = { 12, 0, 9, 79 };

		u->sector = rng_weighted(r, sec_w, 4);
	}
}

static void
unit_provider(struct regen *g, struct unit *u, char surname_out[64])
{
	const struct provider *p;
	struct rng *r = &g->rng;
	const char *sn = PICK(r, surnames);
	int i;

	snprintf(surname_out, 64, "%s", sn);
	switch (u->sector) {
	case SEC_STATE:
		snprintf(u->provider_name, sizeof(u->provider_name),
		    "Valtion koulukotipalvelut");
		fixed_ytunnus(g->s, YT_STATE, 0, u->provider_ytunnus);
		return;
	case SEC_WELLBEING_AREA:
		snprintf(u->provider_name, sizeof(u->provider_name), "%s",
		    sample_rinfo[g->ri].provider);
		fixed_ytunnus(g->s, YT_WELLBEING, g->ri, u->provider_ytunnus);
		return;
	case SEC_NGO:
		if (u->type == UT_SOS_VILLAGE || rng_chance(r, 0.4)) {
			i = u->type == UT_SOS_VILLAGE ? 2 : rng_int(r, 0, 1);
			snprintf(u->provider_name, sizeof(u->provider_name), "%s",
			    ngos[i]);
			fixed_ytunnus(g->s, YT_NGO, i, u->provider_ytunnus);
			return;
		}
		p = regional_provider(g, 1);
		break;
	default:
		if (u->type == UT_PROF_FAMILY_HOME) {
			if (rng_chance(r, 0.1)) {
				i = rng_chance(r, 0.5) ? 0 : 5;
				snprintf(u->provider_name, sizeof(u->provider_name),
				    "%s", chains[i]);
				fixed_ytunnus(g->s, YT_CHAIN, i, u->provider_ytunnus);
				return;
			}
			if (rng_chance(r, 0.65))
				snprintf(u->provider_name, sizeof(u->provider_name),
				    "Perhekoti %s Oy", sn);
			else
				snprintf(u->provider_name, sizeof(u->provider_name),
				    "Tmi %s %s", PICK(r, first_names), sn);
			make_ytunnus(g->s, g->ri, &g->yt_seq, u->provider_ytunnus);
			return;
		}
		if (rng_chance(r, 0.3)) {
			i = rng_weighted(r, chain_weights, NELEM(chain_weights));
			snprintf(u->provider_name, sizeof(u->provider_name), "%s",
			    chains[i]);
			fixed_ytunnus(g->s, YT_CHAIN, i, u->provider_ytunnus);
			return;
		}
		p = regional_provider(g, 0);
	}
	snprintf(u->provider_name, sizeof(u->provider_name), "%s", p->name);
	snprintf(u->provider_ytunnus, sizeof(u->provider_ytunnus), "%s", p->yt);
}

static void
unit_name(struct regen *g, struct unit *u, const char *surname)
{
	static const char *const prefix[] = {
		"Lastenkoti", "Nuorisokoti", "Vastaanottokoti", "Koulukoti",
		"Perhekuntoutuskeskus", "Perhekoti", "Lapsikylä", "Perheryhmäkoti",
	};
	char house[64];

	house_name(g->name_off, g->houses++, house, sizeof(house));
	if (u->type == UT_PROF_FAMILY_HOME && rng_chance(&g->rng, 0.6))
		snprintf(u->name, sizeof(u->name), "Perhekoti %s", surname);
	else if (u->type == UT_PROF_FAMILY_HOME)
		snprintf(u->name, sizeof(u->name), "Ammatillinen perhekoti %s",
		    house);
	else if (u->type == UT_SCHOOL_HOME)
		snprintf(u->name, sizeof(u->name), "Koulukoti %s, osasto %s",
		    g->school, house);
	else
		snprintf(u->name, sizeof(u->name), "%s %s", prefix[u->type],
		    house);
}

static void
unit_capacity(struct regen *g, struct unit *u)
{
	static const int ru_w[8][3] = {
		{ 50, 35, 15 }, { 60, 40, 0 }, { 60, 40, 0 }, { 1, 0, 0 },
		{ 1, 0, 0 }, { 1, 0, 0 }, { 40, 40, 20 }, { 60, 40, 0 },
	};
	struct rng *r = &g->rng;
	int per, q, x;

	u->residential_units = 1 + rng_weighted(r, ru_w[u->type], 3);
	if (u->type == UT_PROF_FAMILY_HOME) {
		u->places = rng_int(r, 4, 7);
		u->staff_count = rng_int(r, 2, 3);
		u->staff_qualified = rng_int(r, 1, 2);
	} else {
		u->places = 7 * u->residential_units;
		if (u->type == UT_SCHOOL_HOME)
			per = rng_int(r, 12, 14);
		else if (u->type == UT_FAMILY_REHAB)
			per = rng_int(r, 7, 9);
		else
			per = u->service_level == SL_BASIC ? rng_int(r, 7, 8) :
			    u->service_level == SL_SPECIAL ? rng_int(r, 9, 10) :
			    rng_int(r, 10, 12);
		u->staff_count = per * u->residential_units;
		q = (int)(u->staff_count * (0.5 + 0.1 * u->service_level +
		    0.2 * rng_unit(r)));
		if (u->service_level >= SL_SPECIAL && q < 5 * u->residential_units)
			q = 5 * u->residential_units;
		u->staff_qualified = q > u->staff_count ? u->staff_count : q;
	}
	x = rng_int(r, 0, 99);	/* DOMAIN.md: none free in 70-80 % */
	if (x < 75)
		u->free_places = 0;
	else if (x < 95)
		u->free_places = rng_int(r, 1, 2);
	else
		u->free_places = rng_int(r, 3, 5);
	if (u->free_places > u->places)
		u->free_places = u->places;
}

static void
unit_price(struct rng *r, struct unit *u)
{
	switch (u->type) {
	case UT_PROF_FAMILY_HOME:
		u->price_cents = u->service_level == SL_BASIC ?
		    price_cents(r, 250, 380, 1) : price_cents(r, 320, 450, 1);
		return;
	case UT_FAMILY_REHAB:
		u->price_cents = price_cents(r, 500, 900, 1);
		return;
	case UT_SCHOOL_HOME:
		u->price_cents = price_cents(r, 800, 1000, 1);
		return;
	default:
		break;
	}
	if (u->service_level == SL_BASIC)
		u->price_cents = price_cents(r, 350, 550, 1);
	else if (u->service_level == SL_DEMANDING)
		u->price_cents = price_cents(r, 800, 1900, 2);
	else if (rng_chance(r, 0.9))
		u->price_cents = price_cents(r, 550, 1000, 1);
	else			/* the tail to 1,900 */
		u->price_cents = price_cents(r, 1000, 1900, 2);
}

static void
unit_make(struct regen *g, struct unit *u, int n, int school_home)
{
	struct rng *r = &g->rng;
	const struct muni *m;
	const struct sample_opts *o = &g->s->opts;
	long now_day = floor_day(o->now), lic;
	char surname[64], pslug[NAME_MAX_ + 1], uslug[ID_MAX + 1], id[32];
	int i;

	memset(u, 0, sizeof(*u));
	snprintf(id, sizeof(id), "SOTERI-%s-%04d", regions[g->ri].code, n);
	snprintf(u->id, sizeof(u->id), "%s", id);
	snprintf(u->region, sizeof(u->region), "%s", regions[g->ri].code);
	snprintf(u->home_region, sizeof(u->home_region), "%s", u->region);
	unit_kind(g, u, school_home);
	unit_provider(g, u, surname);
	unit_name(g, u, surname);
	m = pick_muni(g);
	snprintf(u->municipality, sizeof(u->municipality), "%s", m->code);
	make_address(g, m, u->address, sizeof(u->address));
	snprintf(u->responsible, sizeof(u->responsible), "%s %s",
	    PICK(r, first_names), u->type == UT_PROF_FAMILY_HOME ? surname :
	    PICK(r, surnames));

	lic = now_day - 60 - rng_int(r, 0, 28 * 365);
	fmt_date(u->licence_date, lic);
	if (lic >= LVV_DAY)
		snprintf(u->licence_authority, sizeof(u->licence_authority),
		    "Lupa- ja valvontavirasto");
	else if (u->sector == SEC_STATE || (u->sector != SEC_WELLBEING_AREA &&
	    rng_chance(r, 0.2)))
		snprintf(u->licence_authority, sizeof(u->licence_authority),
		    "Valvira");
	else
		snprintf(u->licence_authority, sizeof(u->licence_authority),
		    "%s", sample_avis[sample_rinfo[g->ri].avi].name);
	u->licence_valid = !rng_chance(r, 0.004);
	slug(u->provider_name, pslug, sizeof(pslug));
	slug(u->id, uslug, sizeof(uslug));
	snprintf(u->self_supervision_url, sizeof(u->self_supervision_url),
	    "https://www.%s.fi/omavalvonta/%s.pdf", pslug, uslug);

	unit_capacity(g, u);
	u->nsp = (u->residential_units > 1 && rng_chance(r, 0.12)) ? 2 : 1;
	for (i = 0; i < u->nsp; i++) {
		struct service_point *sp = &u->sp[i];

		snprintf(sp->id, sizeof(sp->id), "%.56s-P%u", id, (unsigned)i + 1u);
		snprintf(sp->name, sizeof(sp->name), "%s", u->name);
		if (i == 0)
			snprintf(sp->address, sizeof(sp->address), "%s", u->address);
		else
			make_address(g, m, sp->address, sizeof(sp->address));
	}
	unit_ages(r, u);
	u->gender = G_ANY;
	if ((u->type == UT_YOUTH_HOME || u->type == UT_SCHOOL_HOME) &&
	    rng_chance(r, 0.25))
		u->gender = rng_chance(r, 0.6) ? G_BOYS : G_GIRLS;
	u->school = (u->type == UT_SCHOOL_HOME ||
	    (u->service_level == SL_DEMANDING && rng_chance(r, 0.35)) ||
	    (u->service_level == SL_SPECIAL && u->type != UT_PROF_FAMILY_HOME &&
	    rng_chance(r, 0.1))) ? SCH_OWN : SCH_LOCAL;
	unit_languages(g, u, m);
	{
		uint32_t sami = u->expertise;	/* set by unit_languages */

		unit_needs(g, u);
		u->expertise |= sami;
	}
	{
		int k = rng_int(r, 1, 3), a = rng_int(r, 0, NELEM(methods) - 1);
		size_t len = 0;

		for (i = 0; i < k; i++) {
			len += (size_t)snprintf(u->methods + len,
			    sizeof(u->methods) - len, "%s%s", i ? ", " : "",
			    methods[(a + i * 5) % NELEM(methods)]);
			if (len >= sizeof(u->methods))
				break;
		}
	}
	u->restrictive_measures = u->type != UT_PROF_FAMILY_HOME;
	unit_price(r, u);
	{
		int x = rng_int(r, 0, 99), age;

		age = x < 70 ? rng_int(r, 0, 14) : x < 95 ? rng_int(r, 15, 60) :
		    rng_int(r, 61, 180);
		u->free_updated = o->now - (time_t)age * DAY -
		    rng_int(r, 0, 86399);
		u->updated = u->free_updated;
	}
}

static int
region_unit_count(int ri, int scale)
{
	long total = 0;
	int i;

	for (i = 0; i < REGION_COUNT; i++)
		total += regions[i].population;
	return (int)((double)NATIONAL_UNITS * scale * regions[ri].population /
	    (double)total + 0.5);
}

int
sample_build_units(struct sample *s, int ri, struct err *e)
{
	struct regen g;
	int n, nschool, i;

	memset(&g, 0, sizeof(g));
	g.s = s;
	g.ri = ri;
	rng_init(&g.rng, s->opts.seed, "units", regions[ri].code);
	g.name_off = rng_int(&g.rng, 0, 359);
	house_name(g.name_off + 180, 0, g.school, sizeof(g.school));
	for (i = 0; i < NELEM(munis); i++) {
		if (strcmp(munis[i].region, regions[ri].code) != 0)
			continue;
		if (g.muni_n++ == 0)
			g.muni_first = i;
		g.muni_total += munis[i].weight;
	}
	n = region_unit_count(ri, s->opts.scale);
	nschool = sample_rinfo[ri].school_homes * s->opts.scale;
	if (n < nschool)
		n = nschool;
	if ((s->units[ri] = calloc((size_t)n, sizeof(struct unit))) == NULL ||
	    (g.provs = calloc((size_t)n + 1, sizeof(struct provider))) == NULL)
		return err_set(e, ERR_NOMEM, "sample: out of memory (units of %s)",
		    regions[ri].code);
	for (i = 0; i < n; i++)
		unit_make(&g, &s->units[ri][i], i + 1, i < nschool);
	s->nunits[ri] = n;
	free(g.provs);
	return 0;
}

