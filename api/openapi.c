/*
 * openapi.c — GET /v1/openapi.json, the OpenAPI 3.1 document of the API.
 *
 * Paths come from the route table itself (routes.c), so the document cannot
 * list a route the server does not serve nor forget one it does; the tests
 * check it against real requests. Schemas of the main bodies are described in
 * components.
 */
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "routes.h"

static json_t *problem_ref(const char *description)
{
    return json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", description, "content",
                     "application/problem+json", "schema", "$ref",
                     "#/components/schemas/Problem");
}

/* "/v1/dossiers/{id}" -> parameters [{name: id, in: path}] */
static json_t *path_parameters(const char *pattern)
{
    json_t *params = json_array();
    const char *p = pattern;

    while ((p = strchr(p, '{')) != NULL) {
        const char *e = strchr(p, '}');
        char name[64];

        if (e == NULL || (size_t)(e - p - 1) >= sizeof(name))
            break;
        memcpy(name, p + 1, (size_t)(e - p - 1));
        name[e - p - 1] = '\0';
        json_array_append_new(params,
                              json_pack("{s:s, s:s, s:b, s:{s:s}}", "name", name, "in", "path",
                                        "required", 1, "schema", "type", "string"));
        p = e + 1;
    }
    return params;
}

static json_t *operation(const struct route *r)
{
    json_t *op = json_object();
    json_t *responses = json_object();
    const char *ok = "200";

    json_object_set_new(op, "summary", json_string(r->summary));
    if (strcmp(r->method, "POST") == 0)
        ok = strstr(r->pattern, "/v1/dossiers") == r->pattern ||
                     strstr(r->pattern, "/v1/signalements") == r->pattern ||
                     strstr(r->pattern, "/v1/rendez-vous") == r->pattern ||
                     strstr(r->pattern, "/v1/demandes-document") == r->pattern
                 ? "202"
                 : "201";
    if (strstr(r->pattern, "/transitions") != NULL || strstr(r->pattern, "/simulation") != NULL ||
        strcmp(r->pattern, "/v1/auth/token") == 0)
        ok = "200";
    if (strcmp(r->method, "DELETE") == 0)
        ok = "204";
    json_object_set_new(responses, ok,
                        json_pack("{s:s, s:{s:{s:{}}}}", "description", "Succès", "content",
                                  "application/json", "schema"));
    if (r->roles != R_PUBLIC) {
        json_object_set_new(op, "security", json_pack("[{s:[]}]", "bearer"));
        json_object_set_new(responses, "401", problem_ref("Jeton absent ou invalide"));
        json_object_set_new(responses, "403", problem_ref("Rôle ou convention"));
        json_object_set_new(responses, "404", problem_ref("Inconnu ou hors périmètre"));
    }
    if (strcmp(r->method, "POST") == 0 || strcmp(r->method, "PATCH") == 0 ||
        strcmp(r->method, "PUT") == 0) {
        json_object_set_new(op, "requestBody",
                            json_pack("{s:b, s:{s:{s:{s:s}}}}", "required", 0, "content",
                                      "application/json", "schema", "type", "object"));
        json_object_set_new(responses, "400", problem_ref("JSON mal formé"));
        json_object_set_new(responses, "413", problem_ref("Corps trop volumineux"));
        json_object_set_new(responses, "415", problem_ref("Pas application/json"));
        json_object_set_new(responses, "422", problem_ref("Champs invalides"));
    }
    json_object_set_new(responses, "503", problem_ref("Dépendance indisponible"));
    json_object_set_new(op, "responses", responses);
    if (strchr(r->pattern, '{') != NULL)
        json_object_set_new(op, "parameters", path_parameters(r->pattern));
    else
        json_object_set_new(op, "parameters", json_array());
    return op;
}

static json_t *components(void)
{
    return json_pack(
        "{s:{s:{s:s, s:s, s:s}}, s:{s:{s:s, s:o, s:{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, "
        "s:{s:s, s:{s:s, s:{s:{s:s}, s:{s:s}, s:{s:s}}}}}}}}",
        "securitySchemes", "bearer", "type", "http", "scheme", "bearer", "bearerFormat", "JWT",
        "schemas", "Problem", "type", "object", "required", json_pack("[s,s,s]", "type", "title", "status"),
        "properties", "type", "type", "string", "title", "type", "string", "status", "type",
        "integer", "detail", "type", "string", "errors", "type", "array", "items", "type",
        "object", "properties", "field", "type", "string", "code", "type", "string", "message",
        "type", "string");
}

void h_openapi(struct call *c)
{
    int n;
    const struct route *routes = routes_table(&n);
    json_t *paths = json_object();
    json_t *doc;

    for (int i = 0; i < n; i++) {
        json_t *item = json_object_get(paths, routes[i].pattern);
        char method[16];
        size_t k;

        if (!routes_exists(&routes[i]))
            continue;
        if (item == NULL) {
            item = json_object();
            json_object_set_new(paths, routes[i].pattern, item);
        }
        for (k = 0; routes[i].method[k] != '\0' && k < sizeof(method) - 1; k++)
            method[k] = (char)(routes[i].method[k] | 0x20); /* lower case */
        method[k] = '\0';
        json_object_set_new(item, method, operation(&routes[i]));
    }
    doc = json_pack("{s:s, s:{s:s, s:s, s:s}, s:[{s:s}], s:o, s:o}", "openapi", "3.1.0", "info",
                    "title", "epart — Espace Partenaires", "version", "1.0.0", "description",
                    "Canal sécurisé entre partenaires et caisse d'assurance maladie.", "servers",
                    "url", "/", "paths", paths, "components", components());
    call_reply_json(c, 200, doc);
}
