/* SPDX-License-Identifier: MIT */
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

static const char *program = "sandboxd";
static int max_level = LOG_INFO;
static int to_journal = -1;

void log_set_program(const char *name) {
        program = name;
}

void log_set_max_level(int level) {
        max_level = level;
}

int log_get_max_level(void) {
        return max_level;
}

/* systemd sets JOURNAL_STREAM=dev:ino for a service whose stderr is the journal; only then do
 * structured fields reach anyone. */
static int stderr_is_journal(void) {
        const char *e = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        struct stat st;

        if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
                return 0;
        if (fstat(STDERR_FILENO, &st) < 0)
                return 0;
        return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

/* At most this many caller fields reach the journal; more are dropped. */
#define LOG_FIELDS_MAX 16

static void log_write(int level, const char *file, int line, const char *func,
                      const char *const *fields, const char *message) {
        char priority[32], code_file[512], code_line[32], code_func[256], identifier[256],
                message_field[2100];
        struct iovec iov[6 + LOG_FIELDS_MAX];
        size_t n = 0;

        if (to_journal < 0)
                to_journal = stderr_is_journal();
        if (!to_journal) {
                fprintf(stderr, "%s: %s\n", program, message);
                return;
        }

#define ADD_FIELD(buf, ...)                                                                        \
        do {                                                                                       \
                int _k_ = snprintf(buf, sizeof(buf), __VA_ARGS__);                                 \
                iov[n++] = (struct iovec){buf, _k_ < 0 ? 0 : MIN((size_t)_k_, sizeof(buf) - 1)};   \
        } while (0)
        ADD_FIELD(message_field, "MESSAGE=%s", message);
        ADD_FIELD(priority, "PRIORITY=%i", level);
        ADD_FIELD(code_file, "CODE_FILE=%s", file);
        ADD_FIELD(code_line, "CODE_LINE=%i", line);
        ADD_FIELD(code_func, "CODE_FUNC=%s", func);
        ADD_FIELD(identifier, "SYSLOG_IDENTIFIER=%s", program);
#undef ADD_FIELD
        for (size_t i = 0; fields && fields[i] && i < LOG_FIELDS_MAX; i++)
                iov[n++] = (struct iovec){(void *)fields[i], strlen(fields[i])};
        sd_journal_sendv(iov, (int)n);
}

_printf_(7, 0) static int log_internalv(int level, int error, const char *file, int line,
                                        const char *func, const char *const *fields,
                                        const char *format, va_list ap) {
        char buf[2048];
        int saved = errno;

        if (error < 0)
                error = -error;
        if (level > max_level)
                return -error;

        errno = error; /* for %m */
        vsnprintf(buf, sizeof buf, format, ap);
        log_write(level, file, line, func, fields, buf);

        errno = saved;
        return -error;
}

int log_internal(int level, int error, const char *file, int line, const char *func,
                 const char *format, ...) {
        va_list ap;
        int r;

        va_start(ap, format);
        r = log_internalv(level, error, file, line, func, NULL, format, ap);
        va_end(ap);
        return r;
}

int log_internal_fields(int level, int error, const char *file, int line, const char *func,
                        const char *const *fields, const char *format, ...) {
        va_list ap;
        int r;

        va_start(ap, format);
        r = log_internalv(level, error, file, line, func, fields, format, ap);
        va_end(ap);
        return r;
}
