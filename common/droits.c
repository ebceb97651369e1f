/*
 * droits.c — the rights rules of SPEC §5 (Annexe 2 of seed 004).
 *
 * Each prestation is ruled in two steps. First its eligibility conditions are
 * checked, every one of them, in the order of the spec's `refusal` list: the
 * user sees all that fail, the refusal names the first. Then, when eligible,
 * the start-date rules are weighed and the earliest that applies wins. Every
 * check carries a French sentence naming the dates it compared, because an
 * instructor must be able to read the ruling back against the file.
 *
 * All date arithmetic goes through calendar.h ("+ N months" clamps to the month
 * end, SPEC §5). Nothing here allocates or keeps state.
 */
#include "droits.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "utf8.h"

/* A year of rights ends the day before the same date twelve months later. */
#define DROITS_TERM_MONTHS 12
#define PUMA_RESIDENCE_MONTHS 3  /* résidence stable de trois mois */
#define AME_IRREGULAR_MONTHS 3   /* séjour ininterrompu de plus de trois mois */
#define CSS_HOSPITAL_MONTHS 2    /* rétroactivité limitée à deux mois */
#define CSS_DISCHARGE_MONTHS 1   /* pas sorti depuis plus d'un mois */
#define AME_CARE_DAYS 90         /* 90 jours à compter de la sortie ou des soins */

/* Room for a date written "YYYY-MM-DD"; one per date a sentence names. */
typedef char datebuf[CAL_DATE_LEN];

static const char *fmt_date(cal_date d, datebuf buf)
{
    return cal_format(d, buf);
}

static bool before(cal_date a, cal_date b)
{
    return cal_cmp(a, b) < 0;
}

static cal_date one_year_end(cal_date start)
{
    return cal_add_days(cal_add_months(start, DROITS_TERM_MONTHS), -1);
}

static void add_checkv(struct droits_result *out, const char *code, bool ok, const char *fmt,
                       va_list ap) __attribute__((format(printf, 4, 0)));

static void add_checkv(struct droits_result *out, const char *code, bool ok, const char *fmt,
                       va_list ap)
{
    struct droits_check *c;

    /* The rules add at most six checks: the cap only guards a future rule. */
    if (out->n_checks >= DROITS_MAX_CHECKS)
        return;
    c = &out->checks[out->n_checks++];
    c->code = code;
    c->ok = ok;
    if (vsnprintf(c->detail, sizeof(c->detail), fmt, ap) >= (int)sizeof(c->detail))
        utf8_drop_partial_tail(c->detail);
}

/* A start-date rule, or any check that cannot be a refusal. */
static void add_check(struct droits_result *out, const char *code, bool ok, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void add_check(struct droits_result *out, const char *code, bool ok, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    add_checkv(out, code, ok, fmt, ap);
    va_end(ap);
}

/* An eligibility condition: a check that, when it fails first, is the refusal. */
static void condition(struct droits_result *out, enum droits_refusal refusal, const char *code,
                      bool ok, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void condition(struct droits_result *out, enum droits_refusal refusal, const char *code,
                      bool ok, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    add_checkv(out, code, ok, fmt, ap);
    va_end(ap);
    if (!ok && out->refusal == DROITS_REFUSAL_NONE)
        out->refusal = refusal;
}

/* Resources are ruled the same way for CSS and AME; only the codes differ. */
static void check_resources(struct droits_result *out, enum droits_fait resources,
                            enum droits_refusal refusal, const char *code)
{
    switch (resources) {
    case DROITS_FAIT_OUI:
        condition(out, refusal, code, true, "Ressources du foyer sous le plafond d'attribution");
        break;
    case DROITS_FAIT_NON:
        condition(out, refusal, code, false,
                  "Ressources du foyer au-dessus du plafond d'attribution");
        break;
    default:
        condition(out, refusal, code, false,
                  "Ressources non renseignées (situation.resources_under_ceiling) : "
                  "condition non établie");
        break;
    }
}

/* ---- PUMa ------------------------------------------------------------------ */

static void simulate_puma(const struct droits_input *in, struct droits_result *out)
{
    const struct droits_situation *s = &in->situation;
    datebuf a, b, c;

    switch (s->regular_stay) {
    case DROITS_FAIT_OUI:
        condition(out, DROITS_REFUSAL_PUMA_SEJOUR_IRREGULIER, "puma_sejour_regulier", true,
                  "Séjour régulier en France déclaré");
        break;
    case DROITS_FAIT_NON:
        condition(out, DROITS_REFUSAL_PUMA_SEJOUR_IRREGULIER, "puma_sejour_regulier", false,
                  "Séjour irrégulier déclaré : la PUMa exige la régularité du séjour");
        break;
    default:
        condition(out, DROITS_REFUSAL_PUMA_SEJOUR_IRREGULIER, "puma_sejour_regulier", false,
                  "Régularité du séjour non renseignée (situation.regular_stay) : "
                  "condition non établie");
        break;
    }

    if (s->puma_criterion == DROITS_CRITERE_ACTIVITE && droits_date_set(s->activity_start)) {
        condition(out, DROITS_REFUSAL_PUMA_RESIDENCE_INSUFFISANTE, "puma_activite", true,
                  "Affiliation sur critère d'activité professionnelle : droits dès le début "
                  "d'activité du %s",
                  fmt_date(s->activity_start, a));
        out->start = s->activity_start;
        out->basis = DROITS_BASIS_PUMA_ACTIVITE;
    } else if (s->puma_criterion != DROITS_CRITERE_RESIDENCE) {
        /* Unreachable from JSON, which requires both; refuse rather than guess. */
        condition(out, DROITS_REFUSAL_PUMA_RESIDENCE_INSUFFISANTE, "puma_critere", false,
                  "Critère d'affiliation non établi : ni résidence, ni activité datée");
    } else if (!droits_date_set(s->residence_since)) {
        condition(out, DROITS_REFUSAL_PUMA_RESIDENCE_INSUFFISANTE, "puma_residence_3_mois",
                  false,
                  "Début de la résidence stable non renseigné (situation.residence_since) : "
                  "trois mois de résidence non établis");
    } else {
        cal_date seuil = cal_add_months(s->residence_since, PUMA_RESIDENCE_MONTHS);
        bool ok = !before(in->received_on, seuil);

        if (ok)
            condition(out, DROITS_REFUSAL_PUMA_RESIDENCE_INSUFFISANTE, "puma_residence_3_mois",
                      true,
                      "Résidence stable depuis le %s : trois mois atteints le %s, au plus tard "
                      "à la réception du %s",
                      fmt_date(s->residence_since, a), fmt_date(seuil, b),
                      fmt_date(in->received_on, c));
        else
            condition(out, DROITS_REFUSAL_PUMA_RESIDENCE_INSUFFISANTE, "puma_residence_3_mois",
                      false,
                      "Résidence stable depuis le %s : trois mois atteints seulement le %s, "
                      "après la réception du %s",
                      fmt_date(s->residence_since, a), fmt_date(seuil, b),
                      fmt_date(in->received_on, c));
        out->start = in->received_on;
        out->basis = DROITS_BASIS_PUMA_RECEPTION;
    }
    /* PUMa rights have no term: `end` stays absent. */
}

/* ---- Complémentaire santé solidaire ---------------------------------------- */

/*
 * Rule 1: hospitalised on the deposit day, or discharged at most one month
 * before it, and deposited at most two months after admission. Returns whether
 * it applies; adds the check either way since the hospitalisation was declared.
 */
static bool css_hospital_rule(const struct droits_input *in, struct droits_result *out,
                              cal_date *start)
{
    const struct droits_situation *s = &in->situation;
    cal_date dep = in->deposited_on;
    cal_date limit_admission = cal_add_months(s->admitted_on, CSS_HOSPITAL_MONTHS);
    datebuf a, b, c, d;
    char stay[128];

    if (before(dep, s->admitted_on)) {
        add_check(out, "css_hospitalisation", false,
                  "Admission du %s postérieure au dépôt du %s : pas d'hospitalisation au "
                  "moment de la demande",
                  fmt_date(s->admitted_on, a), fmt_date(dep, b));
        return false;
    }
    if (droits_date_set(s->discharged_on)) {
        cal_date limit_discharge = cal_add_months(s->discharged_on, CSS_DISCHARGE_MONTHS);

        if (before(limit_discharge, dep)) {
            add_check(out, "css_hospitalisation", false,
                      "Sortie de l'établissement le %s, plus d'un mois avant le dépôt du %s "
                      "(limite %s dépassée)",
                      fmt_date(s->discharged_on, a), fmt_date(dep, b),
                      fmt_date(limit_discharge, c));
            return false;
        }
        if (before(s->discharged_on, dep))
            snprintf(stay, sizeof(stay), "sortie le %s, au plus un mois avant le dépôt",
                     fmt_date(s->discharged_on, a));
        else
            snprintf(stay, sizeof(stay), "sortie le %s, pas avant le dépôt",
                     fmt_date(s->discharged_on, a));
    } else {
        snprintf(stay, sizeof(stay), "en cours au dépôt");
    }
    if (before(limit_admission, dep)) {
        add_check(out, "css_hospitalisation", false,
                  "Dépôt du %s plus de deux mois après l'admission du %s (limite %s dépassée)",
                  fmt_date(dep, a), fmt_date(s->admitted_on, b), fmt_date(limit_admission, c));
        return false;
    }
    *start = cal_first_of_month(s->admitted_on);
    add_check(out, "css_hospitalisation", true,
              "Hospitalisation depuis le %s (%s), dépôt du %s dans les deux mois de "
              "l'admission (limite %s) : droits au premier jour du mois d'admission, le %s",
              fmt_date(s->admitted_on, a), stay, fmt_date(dep, b), fmt_date(limit_admission, c),
              fmt_date(*start, d));
    return true;
}

static void simulate_css(const struct droits_input *in, struct droits_result *out)
{
    const struct droits_situation *s = &in->situation;
    cal_date best, candidate;
    enum droits_basis basis;
    datebuf a, b;

    if (droits_date_set(s->puma_start))
        condition(out, DROITS_REFUSAL_CSS_SANS_PUMA, "css_puma", true,
                  "Droits PUMa ouverts depuis le %s", fmt_date(s->puma_start, a));
    else
        condition(out, DROITS_REFUSAL_CSS_SANS_PUMA, "css_puma", false,
                  "Aucun droit PUMa renseigné (situation.puma_start) : la complémentaire santé "
                  "solidaire suppose la PUMa");
    check_resources(out, s->resources_under_ceiling, DROITS_REFUSAL_CSS_RESSOURCES,
                    "css_ressources");
    if (out->refusal != DROITS_REFUSAL_NONE)
        return;

    /* The rules are weighed in the spec's order and a later one replaces the
     * best so far only when strictly earlier, so a tie keeps the first rule's
     * basis (an April hospitalisation deposited in April is css_hospitalisation). */
    basis = DROITS_BASIS_NONE;
    best = DROITS_NO_DATE;
    if (droits_date_set(s->admitted_on) && css_hospital_rule(in, out, &candidate)) {
        best = candidate;
        basis = DROITS_BASIS_CSS_HOSPITALISATION;
    }
    if (s->urgent_care_needed || s->precarious) {
        const char *why = s->urgent_care_needed && s->precarious
                              ? "Soins nécessaires et situation précaire"
                          : s->urgent_care_needed ? "Soins immédiats ou programmés nécessaires"
                                                  : "Situation sanitaire et sociale précaire";

        candidate = cal_first_of_month(in->deposited_on);
        add_check(out, "css_urgence", true,
                  "%s : droits au premier jour du mois du dépôt du %s, le %s", why,
                  fmt_date(in->deposited_on, a), fmt_date(candidate, b));
        if (basis == DROITS_BASIS_NONE || before(candidate, best)) {
            best = candidate;
            basis = DROITS_BASIS_CSS_URGENCE;
        }
    }
    candidate = cal_first_of_next_month(in->decided_on);
    add_check(out, "css_mois_suivant_decision", true,
              "Décision du %s : droits au premier jour du mois suivant, le %s",
              fmt_date(in->decided_on, a), fmt_date(candidate, b));
    if (basis == DROITS_BASIS_NONE || before(candidate, best)) {
        best = candidate;
        basis = DROITS_BASIS_CSS_MOIS_SUIVANT_DECISION;
    }

    if (before(best, s->puma_start)) {
        add_check(out, "css_debut_puma", true,
                  "Début reporté au début des droits PUMa le %s (la règle donnait le %s) : la "
                  "complémentaire santé solidaire ne peut être antérieure à la PUMa",
                  fmt_date(s->puma_start, a), fmt_date(best, b));
        best = s->puma_start;
        basis = DROITS_BASIS_CSS_DEBUT_PUMA;
    } else {
        add_check(out, "css_debut_puma", true,
                  "Début le %s, non antérieur aux droits PUMa du %s", fmt_date(best, a),
                  fmt_date(s->puma_start, b));
    }
    out->start = best;
    out->basis = basis;
    out->end = one_year_end(best);
}

/* ---- Aide médicale de l'État ----------------------------------------------- */

/* One episode of care: a hospitalisation (admission to discharge, open while
 * still hospitalised) or a day of soins de ville. */
struct care {
    cal_date from;
    cal_date to; /* DROITS_NO_DATE: still hospitalised */
    bool hospital;
};

static size_t collect_care(const struct droits_situation *s, struct care *cares)
{
    size_t n = 0, count = s->n_care_dates;

    if (count > DROITS_MAX_CARE_DATES)
        count = DROITS_MAX_CARE_DATES;
    if (droits_date_set(s->admitted_on)) {
        cares[n].from = s->admitted_on;
        cares[n].to = s->discharged_on;
        cares[n].hospital = true;
        n++;
    }
    for (size_t i = 0; i < count; i++) {
        cares[n].from = s->care_dates[i];
        cares[n].to = s->care_dates[i];
        cares[n].hospital = false;
        n++;
    }
    return n;
}

static void describe_care(const struct care *c, char *buf, size_t len)
{
    datebuf a;

    if (!c->hospital)
        snprintf(buf, len, "soins du %s", fmt_date(c->from, a));
    else if (!droits_date_set(c->to))
        snprintf(buf, len, "hospitalisation du %s, en cours", fmt_date(c->from, a));
    else {
        datebuf b;

        snprintf(buf, len, "hospitalisation du %s au %s", fmt_date(c->from, a),
                 fmt_date(c->to, b));
    }
}

/* Deposit within 90 days of the end of the care; still in hospital is within. */
static bool care_within_delay(const struct care *c, cal_date deposit)
{
    return !droits_date_set(c->to) || cal_diff_days(c->to, deposit) <= AME_CARE_DAYS;
}

/*
 * Retroactivity: among the care given before the deposit, the earliest one
 * deposited within 90 days of its end and on whose first day the three-month
 * condition already held. Adds one check telling which care moved the start,
 * or why the earliest one could not. Returns whether the start moved.
 */
static bool ame_retroactivity(const struct droits_input *in, struct droits_result *out,
                              const struct care *cares, size_t n, cal_date seuil)
{
    const struct care *best = NULL, *refused = NULL;
    bool refused_late = false, refused_early = false;
    size_t before_deposit = 0;
    char what[96];
    datebuf a, b, c;

    for (size_t i = 0; i < n; i++) {
        const struct care *care = &cares[i];
        bool in_delay, held;

        if (!before(care->from, in->deposited_on))
            continue; /* care from the deposit day on is covered by the normal start */
        before_deposit++;
        in_delay = care_within_delay(care, in->deposited_on);
        held = before(seuil, care->from);
        if (in_delay && held) {
            if (best == NULL || before(care->from, best->from))
                best = care;
        } else if (refused == NULL || before(care->from, refused->from)) {
            refused = care;
            refused_late = !in_delay;
            refused_early = !held;
        }
    }
    if (before_deposit == 0)
        return false;
    if (best != NULL) {
        describe_care(best, what, sizeof(what));
        add_check(out, "ame_retroactivite_soins", true,
                  "Demande déposée le %s dans les 90 jours suivant la fin des soins (%s), plus "
                  "de trois mois de séjour irrégulier à leur date (seuil %s) : droits au %s",
                  fmt_date(in->deposited_on, a), what, fmt_date(seuil, b),
                  fmt_date(best->from, c));
        out->start = best->from;
        return true;
    }
    /* Explain the earliest care, the one the person would most want covered. */
    describe_care(refused, what, sizeof(what));
    if (refused_late) {
        cal_date limit = cal_add_days(refused->to, AME_CARE_DAYS);

        add_check(out, "ame_retroactivite_soins", false,
                  "Pas de rétroactivité : dépôt du %s plus de 90 jours après la fin des soins "
                  "(%s ; limite %s dépassée)%s",
                  fmt_date(in->deposited_on, a), what, fmt_date(limit, b),
                  refused_early ? " et trois mois de séjour irrégulier non dépassés à leur date"
                                : "");
    } else {
        add_check(out, "ame_retroactivite_soins", false,
                  "Pas de rétroactivité : trois mois de séjour irrégulier non dépassés à la "
                  "date des soins (%s ; seuil %s)",
                  what, fmt_date(seuil, a));
    }
    return false;
}

static void simulate_ame(const struct droits_input *in, struct droits_result *out)
{
    const struct droits_situation *s = &in->situation;
    struct care cares[DROITS_MAX_CARE_DATES + 1];
    size_t n = collect_care(s, cares);
    cal_date seuil = DROITS_NO_DATE;
    datebuf a, b, c;

    switch (s->regular_stay) {
    case DROITS_FAIT_OUI:
        condition(out, DROITS_REFUSAL_AME_SEJOUR_REGULIER, "ame_sejour_irregulier", false,
                  "Séjour régulier déclaré : l'AME est réservée aux personnes sans titre de "
                  "séjour");
        break;
    case DROITS_FAIT_NON:
        condition(out, DROITS_REFUSAL_AME_SEJOUR_REGULIER, "ame_sejour_irregulier", true,
                  "Séjour irrégulier déclaré");
        break;
    default:
        /* SPEC §4 does not require regular_stay for AME: the dated irregular
         * stay is what the request declares. */
        condition(out, DROITS_REFUSAL_AME_SEJOUR_REGULIER, "ame_sejour_irregulier", true,
                  "Régularité du séjour non renseignée : séjour irrégulier présumé "
                  "(demande d'AME)");
        break;
    }
    check_resources(out, s->resources_under_ceiling, DROITS_REFUSAL_AME_RESSOURCES,
                    "ame_ressources");
    if (!droits_date_set(s->irregular_since)) {
        condition(out, DROITS_REFUSAL_AME_RESIDENCE_INSUFFISANTE, "ame_residence_plus_3_mois",
                  false,
                  "Début du séjour irrégulier non renseigné (situation.irregular_since) : "
                  "plus de trois mois de séjour non établis");
    } else {
        seuil = cal_add_months(s->irregular_since, AME_IRREGULAR_MONTHS);
        if (before(seuil, in->deposited_on))
            condition(out, DROITS_REFUSAL_AME_RESIDENCE_INSUFFISANTE,
                      "ame_residence_plus_3_mois", true,
                      "Séjour irrégulier depuis le %s : plus de trois mois au dépôt du %s "
                      "(seuil %s dépassé)",
                      fmt_date(s->irregular_since, a), fmt_date(in->deposited_on, b),
                      fmt_date(seuil, c));
        else
            condition(out, DROITS_REFUSAL_AME_RESIDENCE_INSUFFISANTE,
                      "ame_residence_plus_3_mois", false,
                      "Séjour irrégulier depuis le %s : pas plus de trois mois au dépôt du %s "
                      "(seuil %s non dépassé)",
                      fmt_date(s->irregular_since, a), fmt_date(in->deposited_on, b),
                      fmt_date(seuil, c));
    }

    if (out->refusal != DROITS_REFUSAL_NONE) {
        /* Soins urgents: the three-month condition is checked last, so being
         * refused for it means it is the only condition that failed. */
        if (out->refusal == DROITS_REFUSAL_AME_RESIDENCE_INSUFFISANTE) {
            const struct care *first = NULL;

            for (size_t i = 0; i < n; i++)
                if (!before(in->deposited_on, cares[i].from) &&
                    (first == NULL || before(cares[i].from, first->from)))
                    first = &cares[i];
            if (first != NULL) {
                out->fallback = true;
                out->fallback_start = first->from;
                add_check(out, "ame_soins_urgents", true,
                          "Refus pour la seule condition des trois mois : soins urgents pris "
                          "en charge à partir du %s, soins au plus tard le jour du dépôt du %s",
                          fmt_date(first->from, a), fmt_date(in->deposited_on, b));
            }
        }
        return;
    }

    out->start = in->deposited_on;
    out->basis = DROITS_BASIS_AME_DEPOT;
    if (ame_retroactivity(in, out, cares, n, seuil))
        out->basis = DROITS_BASIS_AME_RETROACTIVITE_SOINS;
    out->end = one_year_end(out->start);
}

/* ---- Public ---------------------------------------------------------------- */

cal_date droits_normal_start(const struct droits_input *in)
{
    switch (in->prestation) {
    case DROITS_PUMA:
        return in->received_on;
    case DROITS_CSS:
        return cal_first_of_next_month(in->decided_on);
    case DROITS_AME:
        return in->deposited_on;
    default:
        return DROITS_NO_DATE;
    }
}

void droits_simulate(const struct droits_input *in, struct droits_result *out)
{
    memset(out, 0, sizeof(*out));
    switch (in->prestation) {
    case DROITS_PUMA:
        simulate_puma(in, out);
        break;
    case DROITS_CSS:
        simulate_css(in, out);
        break;
    case DROITS_AME:
        simulate_ame(in, out);
        break;
    default:
        add_check(out, "prestation_inconnue", false,
                  "Prestation inconnue : ni PUMa, ni complémentaire santé solidaire, ni AME");
        return;
    }
    out->eligible = out->refusal == DROITS_REFUSAL_NONE;
    if (!out->eligible) {
        /* A refused request has no rights, whatever a rule may have computed. */
        out->start = DROITS_NO_DATE;
        out->end = DROITS_NO_DATE;
        out->basis = DROITS_BASIS_NONE;
        return;
    }
    out->retroactive = before(out->start, droits_normal_start(in));
}

static const struct {
    enum droits_prestation prestation;
    const char *name;
} prestations[] = {
    {DROITS_PUMA, "puma"},
    {DROITS_CSS, "css"},
    {DROITS_AME, "ame"},
};

const char *droits_prestation_name(enum droits_prestation p)
{
    for (size_t i = 0; i < sizeof(prestations) / sizeof(prestations[0]); i++)
        if (prestations[i].prestation == p)
            return prestations[i].name;
    return NULL;
}

bool droits_prestation_parse(const char *s, enum droits_prestation *out)
{
    if (s == NULL)
        return false;
    for (size_t i = 0; i < sizeof(prestations) / sizeof(prestations[0]); i++) {
        if (strcmp(s, prestations[i].name) == 0) {
            *out = prestations[i].prestation;
            return true;
        }
    }
    return false;
}

const char *droits_basis_name(enum droits_basis b)
{
    switch (b) {
    case DROITS_BASIS_PUMA_RECEPTION:
        return "puma_reception";
    case DROITS_BASIS_PUMA_ACTIVITE:
        return "puma_activite";
    case DROITS_BASIS_CSS_HOSPITALISATION:
        return "css_hospitalisation";
    case DROITS_BASIS_CSS_URGENCE:
        return "css_urgence";
    case DROITS_BASIS_CSS_MOIS_SUIVANT_DECISION:
        return "css_mois_suivant_decision";
    case DROITS_BASIS_CSS_DEBUT_PUMA:
        return "css_debut_puma";
    case DROITS_BASIS_AME_DEPOT:
        return "ame_depot";
    case DROITS_BASIS_AME_RETROACTIVITE_SOINS:
        return "ame_retroactivite_soins";
    default:
        return NULL;
    }
}

const char *droits_refusal_name(enum droits_refusal r)
{
    switch (r) {
    case DROITS_REFUSAL_PUMA_SEJOUR_IRREGULIER:
        return "puma_sejour_irregulier";
    case DROITS_REFUSAL_PUMA_RESIDENCE_INSUFFISANTE:
        return "puma_residence_insuffisante";
    case DROITS_REFUSAL_CSS_SANS_PUMA:
        return "css_sans_puma";
    case DROITS_REFUSAL_CSS_RESSOURCES:
        return "css_ressources";
    case DROITS_REFUSAL_AME_SEJOUR_REGULIER:
        return "ame_sejour_regulier";
    case DROITS_REFUSAL_AME_RESSOURCES:
        return "ame_ressources";
    case DROITS_REFUSAL_AME_RESIDENCE_INSUFFISANTE:
        return "ame_residence_insuffisante";
    default:
        return NULL;
    }
}
