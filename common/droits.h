/*
 * droits.h — the rights engine: when do PUMa, CSS and AME rights start and end.
 *
 * This is the rules of SPEC §5 (themselves Annexe 2 of seed 004, "Règles de
 * rétroactivité des droits") as pure functions over plain structs: no I/O, no
 * allocation, no global state, so the API's POST /v1/droits/simulation, the
 * worker's pre-instruction and the instructor's `decide` all compute the very
 * same answer, from any thread. Turning JSON into these structs and back lives
 * in droits_json.h; docs/droits.md explains every rule and every choice made
 * where the sources leave one.
 *
 * Dates are cal_date values. An optional date that is absent is the all-zero
 * cal_date (DROITS_NO_DATE): cal_valid() is false for it, droits_date_set()
 * tells it apart, and a zero-initialised struct therefore means "nothing known".
 */
#ifndef EPART_DROITS_H
#define EPART_DROITS_H

#include <stdbool.h>
#include <stddef.h>

#include "calendar.h"

#define DROITS_MAX_CARE_DATES 366 /* one a day for a year: beyond that, a 422 */
#define DROITS_MAX_CHECKS     16
#define DROITS_DETAIL_LEN     320 /* French sentence naming the dates compared */

/* The absent date. */
#define DROITS_NO_DATE ((cal_date){0, 0, 0})

enum droits_prestation {
    DROITS_PRESTATION_NONE = 0, /* never valid: droits_simulate() refuses to rule */
    DROITS_PUMA,
    DROITS_CSS,
    DROITS_AME,
};

/* How a person is affiliated to the PUMa (situation.puma_criterion). */
enum droits_critere {
    DROITS_CRITERE_NONE = 0,
    DROITS_CRITERE_RESIDENCE,
    DROITS_CRITERE_ACTIVITE,
};

/* A yes/no fact of the situation that the partner may also leave unsaid (absent
 * or null). An unsaid fact never establishes a condition. */
enum droits_fait {
    DROITS_FAIT_INCONNU = 0,
    DROITS_FAIT_OUI,
    DROITS_FAIT_NON,
};

/* SPEC §5 `basis`, in the order of the spec's list. */
enum droits_basis {
    DROITS_BASIS_NONE = 0,
    DROITS_BASIS_PUMA_RECEPTION,
    DROITS_BASIS_PUMA_ACTIVITE,
    DROITS_BASIS_CSS_HOSPITALISATION,
    DROITS_BASIS_CSS_URGENCE,
    DROITS_BASIS_CSS_MOIS_SUIVANT_DECISION,
    DROITS_BASIS_CSS_DEBUT_PUMA,
    DROITS_BASIS_AME_DEPOT,
    DROITS_BASIS_AME_RETROACTIVITE_SOINS,
};

/* SPEC §5 `refusal`: the first failed condition, in the order they are checked. */
enum droits_refusal {
    DROITS_REFUSAL_NONE = 0,
    DROITS_REFUSAL_PUMA_SEJOUR_IRREGULIER,
    DROITS_REFUSAL_PUMA_RESIDENCE_INSUFFISANTE,
    DROITS_REFUSAL_CSS_SANS_PUMA,
    DROITS_REFUSAL_CSS_RESSOURCES,
    DROITS_REFUSAL_AME_SEJOUR_REGULIER,
    DROITS_REFUSAL_AME_RESSOURCES,
    DROITS_REFUSAL_AME_RESIDENCE_INSUFFISANTE,
};

/* The facts of SPEC §4 `situation` the rules read. */
struct droits_situation {
    enum droits_critere puma_criterion;
    cal_date residence_since;          /* stable residence in France since */
    enum droits_fait regular_stay;     /* séjour régulier */
    cal_date irregular_since;          /* uninterrupted irregular stay since */
    cal_date activity_start;           /* first hour worked (PUMa on activity) */
    enum droits_fait resources_under_ceiling;
    bool urgent_care_needed;           /* soins immédiats ou programmés nécessaires */
    bool precarious;                   /* situation sanitaire et sociale précaire */
    cal_date puma_start;               /* start of the PUMa rights; absent: none */
    cal_date admitted_on;              /* hospitalisation; absent: none */
    cal_date discharged_on;            /* absent while still hospitalised */
    size_t n_care_dates;               /* <= DROITS_MAX_CARE_DATES */
    cal_date care_dates[DROITS_MAX_CARE_DATES]; /* soins de ville, any order */
};

/* One request to rule on. Every date of the rules must be set (the JSON layer
 * applies the defaults: deposit = receipt, decision = today). */
struct droits_input {
    enum droits_prestation prestation;
    cal_date received_on;  /* réception par la caisse */
    cal_date deposited_on; /* dépôt (SPEC §4 says which date a dossier uses) */
    cal_date decided_on;   /* décision de la caisse */
    struct droits_situation situation;
};

/* One condition or start-date rule, as shown to the user. `code` is a static
 * string. Eligibility conditions are ok when met; the start-date rules
 * (css_hospitalisation, css_urgence, ame_retroactivite_soins, …) are ok when
 * the rule applies to this request. */
struct droits_check {
    const char *code;
    bool ok;
    char detail[DROITS_DETAIL_LEN];
};

/* The ruling: SPEC §5's output object. */
struct droits_result {
    bool eligible;
    cal_date start;              /* set iff eligible */
    cal_date end;                /* absent for PUMa (no term) and when refused */
    bool retroactive;            /* start earlier than the normal rule gives */
    enum droits_basis basis;     /* NONE iff not eligible */
    enum droits_refusal refusal; /* NONE iff eligible */
    size_t n_checks;
    struct droits_check checks[DROITS_MAX_CHECKS];
    bool fallback;               /* AME refused: urgent care ("soins urgents") only */
    cal_date fallback_start;     /* set iff fallback */
};

/* True when d is a date rather than DROITS_NO_DATE. */
static inline bool droits_date_set(cal_date d)
{
    return d.y != 0;
}

/* Rule on in and fill *out entirely (all fields, whatever they held). Never
 * fails and never allocates; an input whose prestation is DROITS_PRESTATION_NONE
 * comes out not eligible, with no refusal and a single failed check
 * "prestation_inconnue". Thread-safe. */
void droits_simulate(const struct droits_input *in, struct droits_result *out);

/* "puma", "css", "ame"; NULL for DROITS_PRESTATION_NONE or out of range. */
const char *droits_prestation_name(enum droits_prestation p);

/* Parse "puma", "css" or "ame" (exact, lower case). False for anything else,
 * NULL included, leaving *out untouched. */
bool droits_prestation_parse(const char *s, enum droits_prestation *out);

/* The SPEC §5 `basis` string ("puma_reception", …); NULL for NONE. */
const char *droits_basis_name(enum droits_basis b);

/* The SPEC §5 `refusal` string ("css_sans_puma", …); NULL for NONE. */
const char *droits_refusal_name(enum droits_refusal r);

/* The normal start of the prestation's rights, against which `retroactive` is
 * judged (SPEC §5): PUMa received_on, CSS the first day of the month after
 * decided_on, AME deposited_on. DROITS_NO_DATE for an unknown prestation. */
cal_date droits_normal_start(const struct droits_input *in);

#endif
