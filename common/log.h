/*
 * log.h — structured, one-line logging to stderr.
 *
 * Every line is "<RFC 3339 UTC> <level> <component> <message>". Callers must never
 * pass personal data (names, NIR, phone, email) nor secrets: SPEC §10. Log what
 * happened to which id, not to whom.
 */
#ifndef EPART_LOG_H
#define EPART_LOG_H

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Set the component name printed on each line ("api", "worker") and the minimum
 * level (from EPART_LOG_LEVEL: debug, info, warn, error). Call once at start-up. */
void log_init(const char *component);

/* printf-style log line at the given level; thread-safe (one write(2) per line). */
void log_msg(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
