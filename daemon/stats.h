/* SPDX-License-Identifier: MIT */
/* What the `stats` method reports: request counters (total and per language), a window of recent
 * execute latencies for percentiles, worker counters. Pool and connection figures are filled in by
 * their owners; this file only counts. */
#pragma once

#include <jansson.h>
#include <stdint.h>

#include "exec-codec.h"

/* How many recent execute total times the percentiles are computed over. */
#define STATS_LATENCY_WINDOW 1024

typedef enum RequestOutcome {
        REQUEST_OUTCOME_OK,      /* answered with a result */
        REQUEST_OUTCOME_ERROR,   /* answered with an error */
        REQUEST_OUTCOME_TIMEOUT, /* an execute result with timed_out */
        _REQUEST_OUTCOME_MAX,
} RequestOutcome;

typedef struct RequestCounters {
        uint64_t total, ok, errors, timeouts;
} RequestCounters;

typedef struct Stats {
        uint64_t started_usec;
        RequestCounters requests;
        RequestCounters by_language[_EXEC_LANGUAGE_MAX];
        uint64_t cancelled; /* execute requests whose client went away before the answer */
        uint64_t workers_started, workers_crashed;
        uint64_t vms_restored, vms_reset; /* VMs made ready: restored anew, or reset in place */
        uint64_t latency_usec[STATS_LATENCY_WINDOW]; /* a ring of execute total times */
        size_t n_latency, latency_next;
} Stats;

void stats_init(Stats *s);
/* Counts one answered request; language is _EXEC_LANGUAGE_INVALID for anything not tied to one
 * (other methods, or an execute refused before its language was known). A timeout counts as ok
 * too: the request got its result. */
void stats_count_request(Stats *s, ExecLanguage language, RequestOutcome outcome);
void stats_add_latency(Stats *s, uint64_t usec);

/* {"requests": {...,"cancelled","by_language": {...}}, "latency_ms": {"p50","p90","p99","window"},
 *  "workers": {"started","crashed"}, "uptime_s"}; NULL on OOM. */
json_t *stats_to_json(const Stats *s);
