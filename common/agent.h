/*
 * agent.h — the agents of SPEC §13: people who sign in through the
 * deployment's OpenID Connect provider, and the admin bodies of
 * POST/PATCH /v1/agents.
 *
 *   {"id","issuer","sub","email","name","role","org","caisse","active"}
 *
 * The provider proves who someone is; epart keeps what they may do. Rules:
 * - email (required, ≤ 254, the formats of vfield.h) is how an agent is found
 *   on its first sign-in; it is unique among agents, whatever its case.
 * - role: partner, instructor or admin (SPEC §3). A partner agent has org (the
 *   UUID of an organisation) and no caisse; an instructor has caisse (three
 *   digits, as organisations and tokens carry it) and no org; an administrator
 *   has neither. A member the role does not take is "not_allowed".
 * - issuer and sub: the identity at the provider, both or neither. Usually left
 *   out: the first sign-in records them. An administrator may set them (an
 *   agent known in advance) or clear them with null (the person's account at
 *   the provider changed). issuer is an https URL (http on a loopback host),
 *   ≤ 500 characters; sub 1..255 printable characters.
 * - name (optional, ≤ 200) is for people reading the list.
 * - active (default true): an inactive agent cannot sign in.
 * - id, version, created_at, updated_at and last_signin_at belong to the server
 *   ("read_only"); any other key is "unknown_field".
 * - PATCH is a JSON merge patch: the patch's keys are checked, then the agent
 *   it yields is checked whole (so that a role change brings its scope along).
 *
 * Pure logic, no I/O, thread-safe.
 */
#ifndef EPART_AGENT_H
#define EPART_AGENT_H

#include <stdbool.h>

#include <jansson.h>

#define AGENT_EMAIL_MAX 254
#define AGENT_NAME_MAX 200
#define AGENT_ISSUER_MAX 500
#define AGENT_SUB_MAX 255

/* Check the keys of a body (creation or patch): each key that is not a field of
 * an agent is appended to errors ("read_only" or "unknown_field"). Returns the
 * number of problems. */
int agent_check_keys(const json_t *body, json_t *errors);

/* Check a whole agent (a creation body, or the result of a merge patch) and
 * append every problem to errors. Returns the number of problems. */
int agent_validate(const json_t *agent, json_t *errors);

/* True for an issuer URL epart accepts: "https://host[:port][/path]", or
 * "http://" on a loopback host (127.0.0.0/8, [::1], localhost); no user
 * information, query or fragment; printable ASCII. */
bool agent_issuer_ok(const char *s);

#endif
