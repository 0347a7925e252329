/* SPDX-License-Identifier: MIT */
/* One logging module for every sandboxd program: to the journal with structured fields when
 * stderr is connected to it (JOURNAL_STREAM, as systemd sets for services), to stderr otherwise.
 * log_*_errno() return -abs(error) so callers can write `return log_error_errno(r, "...: %m")`. */
#pragma once

#include <stdarg.h>
#include <syslog.h>

#include "macro.h"

void log_set_program(const char *name);
void log_set_max_level(int level);
int log_get_max_level(void);

/* Logs at `level`; `error` (an errno value, sign ignored, 0 for none) is what %m expands to.
 * Returns -abs(error). */
int log_internal(int level, int error, const char *file, int line, const char *func,
                 const char *format, ...) _printf_(6, 7);

/* The same with structured fields for the journal: `fields` is a NULL-terminated list of
 * "KEY=value" strings (KEY in journal field syntax: A-Z, 0-9, _), e.g. REQUEST_ID=, LANGUAGE=,
 * OUTCOME=. On stderr the message alone is printed. */
int log_internal_fields(int level, int error, const char *file, int line, const char *func,
                        const char *const *fields, const char *format, ...) _printf_(7, 8);

/* log_fields(LOG_INFO, LOG_FIELDS("REQUEST_ID=7", "OUTCOME=ok"), "Request %s done", id) */
#define LOG_FIELDS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define log_fields(level, fields, ...)                                                             \
        log_internal_fields(level, 0, __FILE__, __LINE__, __func__, fields, __VA_ARGS__)

#define log_full_errno(level, error, ...)                                                          \
        log_internal(level, error, __FILE__, __LINE__, __func__, __VA_ARGS__)
#define log_debug(...)            log_full_errno(LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...)             log_full_errno(LOG_INFO, 0, __VA_ARGS__)
#define log_notice(...)           log_full_errno(LOG_NOTICE, 0, __VA_ARGS__)
#define log_warning(...)          log_full_errno(LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...)            log_full_errno(LOG_ERR, 0, __VA_ARGS__)
#define log_debug_errno(e, ...)   log_full_errno(LOG_DEBUG, e, __VA_ARGS__)
#define log_warning_errno(e, ...) log_full_errno(LOG_WARNING, e, __VA_ARGS__)
#define log_error_errno(e, ...)   log_full_errno(LOG_ERR, e, __VA_ARGS__)

#define log_oom() log_error_errno(ENOMEM, "Out of memory")
