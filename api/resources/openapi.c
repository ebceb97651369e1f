/*
 * openapi.c — GET /v1/openapi.json, the OpenAPI 3.1 document of the API.
 *
 * One source, two halves that cannot drift apart:
 *  - the operations come from the route table itself (core/route_table.c): the document
 *    cannot list a route the server does not serve nor forget one it does. Each
 *    row names, next to its handler, its query parameters, its body's schema
 *    and the answers it can give beyond those every route of its kind gives;
 *  - the schemas and parameters those rows name are JSON files of the
 *    repository (api/openapi/NN-name.json), compiled into the binary (the Makefile
 *    joins them into one JSON array, included below with .incbin) and served
 *    as they are.
 * tests/contract runs real traffic through Stoplight Prism's validating proxy
 * against this document, validates it as OpenAPI 3.1 and generates types from
 * it; tests/integration/test_openapi.py fails on a route left undescribed.
 *
 * Notation of a route row's `responses` (space-separated items):
 *   CODE                 an error code: a problem document (application/problem+json);
 *                        a 2xx code alone has no body (204)
 *   CODE:A,B             the answer's content: a schema name of components
 *                        (application/json) or a media type (text/csv,
 *                        text/html, text/plain: a text body)
 * and of `request`: a schema name (the body is required) or "?Name" (optional).
 * Added to every row without being written: 401 and 403 when a token is needed,
 * 404 when the path has an {id}, 400 411 413 415 422 when there is a body, 422
 * when there are query parameters (a forged cursor, an unknown status), 429 with
 * a token (a rate per organisation or per agent), 408 and 503 everywhere; the
 * Idempotency-Key header on every POST and If-Match where 412 is listed.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "core/route_table.h"
#include "resources/handlers.h"
#include "resources/openapi.h"

/* The joined files; EPART_OPENAPI_PARTS is set by the Makefile. */
__asm__(".section .rodata\n"
        ".global epart_openapi_parts\n"
        ".type epart_openapi_parts, @object\n"
        "epart_openapi_parts:\n"
        ".incbin \"" EPART_OPENAPI_PARTS "\"\n"
        ".byte 0\n"
        ".previous\n");
extern const char epart_openapi_parts[];

static const struct {
    int code;
    const char *text;
} status_texts[] = {
    {200, "Succès"},
    {201, "Créé (voir l'en-tête Location)"},
    {202, "Accepté : l'écriture est durablement en file (voir l'en-tête Location)"},
    {204, "Fait, sans contenu"},
    {400, "JSON mal formé (ou imbriqué sur plus de 32 niveaux, ou clé en double)"},
    {401, "Jeton absent ou invalide"},
    {403, "Rôle, convention ou habilitation ne le permettent pas"},
    {404, "Inconnu, ou hors du périmètre de l'appelant"},
    {408, "La requête n'est pas arrivée entière dans EPART_HTTP_TIMEOUT secondes"},
    {409, "Le statut actuel ne permet pas cette action"},
    {412, "If-Match ne correspond plus à la version actuelle"},
    {411, "Corps envoyé sans Content-Length (chunked)"},
    {413, "Corps trop volumineux (1 Mio par défaut)"},
    {415, "Le corps doit être application/json"},
    {422, "Champs invalides : chacun est listé dans errors"},
    {429, "Trop de requêtes : réessayer après Retry-After secondes"},
    {503, "Une dépendance (PostgreSQL ou Redis) est indisponible, ou trop de connexions"},
};

static const char *status_text(int code)
{
    for (size_t i = 0; i < sizeof(status_texts) / sizeof(status_texts[0]); i++)
        if (status_texts[i].code == code)
            return status_texts[i].text;
    return "Réponse";
}

static json_t *ref(const char *kind, const char *name)
{
    char buf[160];

    snprintf(buf, sizeof(buf), "#/components/%s/%s", kind, name);
    return json_pack("{s:s}", "$ref", buf);
}

/* "Dossier,text/csv" -> {"application/json": {schema: $ref}, "text/csv": {schema: string}} */
static json_t *content_of(const char *list)
{
    json_t *content = json_object();
    char item[96];

    while (*list != '\0') {
        size_t n = strcspn(list, ",");

        if (n >= sizeof(item))
            n = sizeof(item) - 1;
        memcpy(item, list, n);
        item[n] = '\0';
        if (strchr(item, '/') != NULL)
            json_object_set_new(content, item,
                                json_pack("{s:{s:s}}", "schema", "type", "string"));
        else
            json_object_set_new(content, "application/json",
                                json_pack("{s:o}", "schema", ref("schemas", item)));
        list += n;
        if (*list == ',')
            list++;
    }
    return content;
}

static json_t *response(int code, const char *content)
{
    json_t *r = json_pack("{s:s}", "description", status_text(code));

    if (content != NULL)
        json_object_set_new(r, "content", content_of(content));
    else if (code >= 400)
        json_object_set_new(r, "content",
                            json_pack("{s:{s:o}}", "application/problem+json", "schema",
                                      ref("schemas", "Problem")));
    if (code == 201 || code == 202)
        json_object_set_new(r, "headers",
                            json_pack("{s:{s:s, s:{s:s}}}", "Location", "description",
                                      "Chemin de la ressource créée", "schema", "type", "string"));
    if (code == 429 || code == 503)
        json_object_set_new(r, "headers",
                            json_pack("{s:{s:s, s:{s:s}}}", "Retry-After", "description",
                                      "Secondes à attendre avant de réessayer", "schema", "type",
                                      "integer"));
    return r;
}

static void add_response(json_t *responses, int code, const char *content)
{
    char key[8];

    snprintf(key, sizeof(key), "%d", code);
    if (json_object_get(responses, key) == NULL)
        json_object_set_new(responses, key, response(code, content));
}

/* The route's own responses ("202:Accepted 409"), then the automatic ones. */
static json_t *responses_of(const struct route *r, bool has_body, bool *if_match)
{
    json_t *responses = json_object();
    const char *p = r->responses != NULL ? r->responses : "";

    *if_match = false;
    while (*p != '\0') {
        char item[128], *colon;
        size_t n;

        p += strspn(p, " ");
        n = strcspn(p, " ");
        if (n == 0)
            break;
        if (n >= sizeof(item))
            n = sizeof(item) - 1;
        memcpy(item, p, n);
        item[n] = '\0';
        p += n;
        colon = strchr(item, ':');
        if (colon != NULL)
            *colon++ = '\0';
        if (atoi(item) == 412)
            *if_match = true;
        add_response(responses, atoi(item), colon);
    }
    if (r->roles != R_PUBLIC) {
        add_response(responses, 401, NULL);
        add_response(responses, 403, NULL);
    }
    if (strchr(r->pattern, '{') != NULL)
        add_response(responses, 404, NULL);
    if (has_body || (r->query != NULL && r->query[0] != '\0'))
        add_response(responses, 422, NULL); /* fields, or query parameters */
    add_response(responses, 408, NULL); /* conn.c: the request's deadline */
    if (has_body) {
        add_response(responses, 400, NULL);
        add_response(responses, 411, NULL);
        add_response(responses, 413, NULL);
        add_response(responses, 415, NULL);
        add_response(responses, 422, NULL);
    }
    if (r->roles != R_PUBLIC)
        add_response(responses, 429, NULL); /* a bucket per organisation or per agent */
    add_response(responses, 503, NULL);
    return responses;
}

/* Path parameters, then the named query parameters, then the headers. */
static json_t *parameters_of(const struct route *r, bool if_match)
{
    json_t *params = json_array();
    const char *p = r->pattern;

    while ((p = strchr(p, '{')) != NULL) {
        const char *e = strchr(p, '}');
        char name[64];

        if (e == NULL || (size_t)(e - p - 1) >= sizeof(name))
            break;
        memcpy(name, p + 1, (size_t)(e - p - 1));
        name[e - p - 1] = '\0';
        json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:s, s:{s:s}}", "name", name,
                                                "in", "path", "required", 1, "description",
                                                "Identifiant", "schema", "type", "string"));
        p = e + 1;
    }
    for (p = r->query != NULL ? r->query : ""; *p != '\0';) {
        char name[64];
        size_t n;

        p += strspn(p, " ");
        n = strcspn(p, " ");
        if (n == 0)
            break;
        if (n >= sizeof(name))
            n = sizeof(name) - 1;
        memcpy(name, p, n);
        name[n] = '\0';
        p += n;
        json_array_append_new(params, ref("parameters", name));
    }
    if (strcmp(r->method, "POST") == 0)
        json_array_append_new(params, ref("parameters", "IdempotencyKey"));
    if (if_match)
        json_array_append_new(params, ref("parameters", "IfMatch"));
    return params;
}

/* "/v1/dossiers/{id}/transitions", "POST" -> "postDossiersIdTransitions" */
static void operation_id(const struct route *r, char *buf, size_t len)
{
    size_t o = 0;
    bool up = true;
    const char *p = r->pattern;

    for (const char *m = r->method; *m != '\0' && o + 1 < len; m++)
        buf[o++] = (char)(*m | 0x20);
    if (strncmp(p, "/v1/", 4) == 0)
        p += 3;
    for (; *p != '\0' && o + 1 < len; p++) {
        if (*p == '/' || *p == '-' || *p == '{' || *p == '}' || *p == '.' || *p == '_') {
            up = true;
            continue;
        }
        buf[o++] = up && *p >= 'a' && *p <= 'z' ? (char)(*p - 32) : *p;
        up = false;
    }
    buf[o] = '\0';
}

/* The tag of a path: its first segment after /v1 ("dossiers"), or "service". */
static json_t *tags_of(const char *pattern)
{
    char tag[64];
    const char *p = pattern;
    size_t n;

    if (strncmp(p, "/v1/", 4) != 0)
        return json_pack("[s]", "service");
    p += 4;
    n = strcspn(p, "/");
    if (n >= sizeof(tag))
        n = sizeof(tag) - 1;
    memcpy(tag, p, n);
    tag[n] = '\0';
    if (strcmp(tag, "openapi.json") == 0 || strcmp(tag, "docs") == 0)
        return json_pack("[s]", "service");
    return json_pack("[s]", tag);
}

static json_t *roles_text(unsigned roles)
{
    char buf[160] = "Rôles admis : ";
    bool first = true;

    if (roles == R_PUBLIC)
        return json_string("Sans jeton.");
    if (roles & R_PARTNER) {
        strcat(buf, "partner");
        first = false;
    }
    if (roles & R_INSTRUCTOR) {
        strcat(buf, first ? "instructor" : ", instructor");
        first = false;
    }
    if (roles & R_ADMIN)
        strcat(buf, first ? "admin" : ", admin");
    strcat(buf, ".");
    return json_string(buf);
}

static json_t *operation(const struct route *r)
{
    json_t *op = json_object();
    bool has_body = r->request != NULL;
    bool if_match;
    char id[128];

    operation_id(r, id, sizeof(id));
    json_object_set_new(op, "operationId", json_string(id));
    json_object_set_new(op, "summary", json_string(r->summary));
    json_object_set_new(op, "description", roles_text(r->roles));
    json_object_set_new(op, "tags", tags_of(r->pattern));
    json_object_set_new(op, "security", r->roles == R_PUBLIC ? json_array()
                                                           : json_pack("[{s:[]}]", "bearer"));
    if (has_body) {
        bool optional = r->request[0] == '?';
        const char *name = optional ? r->request + 1 : r->request;
        json_t *schema = json_pack("{s:o}", "schema", ref("schemas", name));
        json_t *content = json_pack("{s:o}", "application/json", schema);

        if (strcmp(r->method, "PATCH") == 0)
            json_object_set(content, "application/merge-patch+json", schema);
        json_object_set_new(op, "requestBody", json_pack("{s:b, s:o}", "required", !optional,
                                                         "content", content));
    }
    json_object_set_new(op, "responses", responses_of(r, has_body, &if_match));
    json_object_set_new(op, "parameters", parameters_of(r, if_match));
    return op;
}

/* Merge the repository's files: each is {"info"?, "tags"?, "schemas"?,
 * "parameters"?}; a name defined twice is refused (NULL). */
static json_t *load_parts(json_t **info, json_t **tags)
{
    json_error_t err;
    json_t *parts = json_loads(epart_openapi_parts, JSON_REJECT_DUPLICATES, &err);
    json_t *components = json_pack("{s:{s:{s:s, s:s, s:s, s:s}}, s:{}, s:{}}",
                                   "securitySchemes", "bearer", "type", "http", "scheme",
                                   "bearer", "bearerFormat", "JWT", "description",
                                   "Jeton HS256 : POST /v1/auth/token pour un logiciel partenaire, "
                                   "fournisseur d'identité de la caisse pour un agent.",
                                   "schemas", "parameters");
    size_t i;
    json_t *part;

    *info = NULL;
    *tags = json_array();
    if (!json_is_array(parts)) {
        log_error("openapi: the joined schema files do not parse: %s (line %d)", err.text,
                  err.line);
        json_decref(parts);
        json_decref(components);
        return NULL;
    }
    json_array_foreach(parts, i, part) {
        if (json_object_get(part, "info") != NULL && *info == NULL)
            *info = json_incref(json_object_get(part, "info"));
        if (json_is_array(json_object_get(part, "tags")))
            json_array_extend(*tags, json_object_get(part, "tags"));
        for (int k = 0; k < 2; k++) {
            const char *kind = k == 0 ? "schemas" : "parameters";
            json_t *defs = json_object_get(components, kind);
            const char *name;
            json_t *def;

            json_object_foreach(json_object_get(part, kind), name, def) {
                if (json_object_get(defs, name) != NULL) {
                    log_error("openapi: %s %s defined twice", kind, name);
                    json_decref(parts);
                    json_decref(components);
                    return NULL;
                }
                json_object_set(defs, name, def);
            }
        }
    }
    json_decref(parts);
    return components;
}

static char *document;
static size_t document_len;

static void build(void)
{
    int n;
    const struct route *routes = routes_table(&n);
    json_t *paths = json_object();
    json_t *info, *tags;
    json_t *components = load_parts(&info, &tags);
    json_t *doc;

    if (components == NULL) {
        json_decref(paths);
        json_decref(tags);
        json_decref(info);
        return;
    }
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
    doc = json_pack("{s:s, s:o, s:[{s:s, s:s}], s:o, s:o, s:o}", "openapi", "3.1.0", "info",
                    info != NULL ? info : json_pack("{s:s, s:s}", "title", "epart", "version",
                                                    "1"),
                    "servers", "url", "/", "description", "Ce serveur", "tags", tags, "paths",
                    paths, "components", components);
    document = json_dumps(doc, JSON_COMPACT);
    document_len = document != NULL ? strlen(document) : 0;
    json_decref(doc);
}

const char *openapi_document(size_t *len)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;

    pthread_once(&once, build);
    *len = document_len;
    return document;
}

void h_openapi(struct call *c)
{
    size_t len;
    const char *doc = openapi_document(&len);

    if (doc == NULL) {
        call_reply_problem(c, 500, "Document indisponible",
                           "Le document OpenAPI n'a pas pu être construit.", NULL);
        return;
    }
    call_reply_raw(c, 200, "application/json", doc, len);
}
