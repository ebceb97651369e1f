/*
 * parcours.c — GET /v1/parcours: the 26 parcours attentionnés a signalement
 * names (SPEC §8, data/parcours.json), with their French labels and themes,
 * so that a form offers them by what people read while the API keeps the
 * codes. Served from the table the validator uses (common/signalement_valid.c):
 * the list offered and the list accepted cannot differ.
 */
#include "signalement_valid.h"
#include "resources/handlers.h"

void h_parcours_list(struct call *c)
{
    json_t *items = json_array();

    for (size_t i = 0; i < PARCOURS_COUNT; i++) {
        const struct parcours *p = parcours_at(i);

        json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s}", "code", p->code, "label",
                                               p->label, "theme", p->theme, "theme_label",
                                               p->theme_label));
    }
    call_reply_json(c, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}
