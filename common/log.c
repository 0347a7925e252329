/* SPDX-License-Identifier: MIT */
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
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

int log_internal(int level, int error, const char *file, int line, const char *func,
                 const char *format, ...) {
        char buf[2048];
        va_list ap;
        int saved = errno;

        if (error < 0)
                error = -error;
        if (level > max_level)
                return -error;

        errno = error; /* for %m */
        va_start(ap, format);
        vsnprintf(buf, sizeof buf, format, ap);
        va_end(ap);

        if (to_journal < 0)
                to_journal = stderr_is_journal();
        if (to_journal)
                sd_journal_send("MESSAGE=%s", buf, "PRIORITY=%i", level, "CODE_FILE=%s", file,
                                "CODE_LINE=%i", line, "CODE_FUNC=%s", func,
                                "SYSLOG_IDENTIFIER=%s", program, NULL);
        else
                fprintf(stderr, "%s: %s\n", program, buf);

        errno = saved;
        return -error;
}
