/*
 * uuidv.h — syntactic check of UUIDs taken from request paths and bodies.
 *
 * Path ids (/v1/dossiers/{id}) are checked before they reach SQL, so a malformed
 * id is a plain 404 rather than a PostgreSQL cast error. Only the canonical
 * 8-4-4-4-12 hexadecimal form is accepted (either case, as PostgreSQL prints
 * lower case and some clients upper case); braces, URN prefixes and the
 * hyphen-less form PostgreSQL would also take are refused. The version and
 * variant nibbles are not checked: any UUID the database holds is addressable.
 *
 * Pure logic, no I/O, thread-safe.
 */
#ifndef EPART_UUIDV_H
#define EPART_UUIDV_H

#include <stdbool.h>

#define UUID_STR_LEN 36 /* without the NUL */

/* True when s is exactly 36 characters of the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx
 * with hexadecimal digits. s may be NULL (false). */
bool uuid_valid(const char *s);

#endif
