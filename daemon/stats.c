/* SPDX-License-Identifier: MIT */
#include "stats.h"

#include <string.h>

#include "clock.h"
#include "macro.h"

void stats_init(Stats *s) {
        *s = (Stats){.started_usec = now_usec()};
}

static void counters_add(RequestCounters *c, RequestOutcome outcome) {
        c->total++;
        if (outcome == REQUEST_OUTCOME_ERROR)
                c->errors++;
        else
                c->ok++;
        if (outcome == REQUEST_OUTCOME_TIMEOUT)
                c->timeouts++;
}

void stats_count_request(Stats *s, ExecLanguage language, RequestOutcome outcome) {
        counters_add(&s->requests, outcome);
        if (language >= 0 && language < _EXEC_LANGUAGE_MAX)
                counters_add(&s->by_language[language], outcome);
}

void stats_add_latency(Stats *s, uint64_t usec) {
        s->latency_usec[s->latency_next] = usec;
        s->latency_next = (s->latency_next + 1) % STATS_LATENCY_WINDOW;
        if (s->n_latency < STATS_LATENCY_WINDOW)
                s->n_latency++;
}

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
        return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted array. */
static double percentile_ms(const uint64_t *sorted, size_t n, unsigned p) {
        size_t rank;

        if (n == 0)
                return 0;
        rank = (n * p + 99) / 100;
        return usec_to_ms(sorted[rank == 0 ? 0 : rank - 1]);
}

static json_t *counters_to_json(const RequestCounters *c) {
        return json_pack("{sI sI sI sI}", "total", (json_int_t)c->total, "ok", (json_int_t)c->ok,
                         "errors", (json_int_t)c->errors, "timeouts", (json_int_t)c->timeouts);
}

json_t *stats_to_json(const Stats *s) {
        _cleanup_(json_decrefp) json_t *requests = NULL, *by_language = NULL;
        uint64_t sorted[STATS_LATENCY_WINDOW];

        by_language = json_object();
        if (!by_language)
                return NULL;
        for (ExecLanguage l = 0; l < _EXEC_LANGUAGE_MAX; l++)
                if (json_object_set_new(by_language, exec_language_to_string(l),
                                        counters_to_json(&s->by_language[l])) < 0)
                        return NULL;
        requests = counters_to_json(&s->requests);
        if (!requests || json_object_set_new(requests, "by_language", TAKE_PTR(by_language)) < 0 ||
            json_object_set_new(requests, "cancelled", json_integer((json_int_t)s->cancelled)) < 0)
                return NULL;

        memcpy(sorted, s->latency_usec, s->n_latency * sizeof(uint64_t));
        qsort(sorted, s->n_latency, sizeof(uint64_t), cmp_u64);

        return json_pack("{so s{sf sf sf sI} s{sI sI} s{sI sI} sf}", "requests",
                         TAKE_PTR(requests), "latency_ms", "p50",
                         percentile_ms(sorted, s->n_latency, 50), "p90",
                         percentile_ms(sorted, s->n_latency, 90), "p99",
                         percentile_ms(sorted, s->n_latency, 99), "window",
                         (json_int_t)s->n_latency, "workers", "started",
                         (json_int_t)s->workers_started, "crashed", (json_int_t)s->workers_crashed,
                         "vms", "restored", (json_int_t)s->vms_restored, "reset",
                         (json_int_t)s->vms_reset, "uptime_s",
                         usec_to_ms(now_usec() - s->started_usec) / 1000.0);
}
