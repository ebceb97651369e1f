/*
 * test_dossier_labels.c — every code of a dossier has its French label.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dossier_labels.h"
#include "dossier_life.h"
#include "dossier_valid.h"

static void test_every_code_has_a_label(void **state)
{
    static const char *const pieces[] = {"identite", "justificatif_domicile",
                                         "attestation_domiciliation", "justificatif_ressources",
                                         "justificatif_soins", "titre_sejour", "autre"};
    static const char *const statuses[] = {"depose", "recu", "en_instruction",
                                           "pieces_demandees", "accorde", "refuse",
                                           "sans_suite"};
    static const char *const prestations[] = {"puma", "css", "ame"};

    (void)state;
    for (size_t i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
        assert_true(dossier_piece_kind_valid(pieces[i]));
        assert_string_not_equal(dossier_piece_label(pieces[i]), pieces[i]);
    }
    for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
        assert_true(dossier_status_known(statuses[i]));
        assert_string_not_equal(dossier_status_label(statuses[i]), statuses[i]);
    }
    for (size_t i = 0; i < sizeof(prestations) / sizeof(prestations[0]); i++) {
        assert_true(dossier_prestation_valid(prestations[i]));
        assert_string_not_equal(dossier_prestation_label(prestations[i]), prestations[i]);
    }
    assert_string_equal(dossier_piece_label("identite"), "Pièce d'identité");
    assert_string_equal(dossier_status_label("depose"), "Déposé");
    assert_false(dossier_status_known("inconnu"));
    assert_false(dossier_status_known(NULL));
}

static void test_unknown_and_null(void **state)
{
    (void)state;
    assert_string_equal(dossier_piece_label("<img>"), "<img>");
    assert_string_equal(dossier_piece_label(NULL), "—");
    assert_string_equal(dossier_prestation_label(""), "");
    assert_string_equal(dossier_status_label(NULL), "—");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_code_has_a_label),
        cmocka_unit_test(test_unknown_and_null),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
