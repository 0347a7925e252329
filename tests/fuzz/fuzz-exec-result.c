/* SPDX-License-Identifier: MIT */
/* What the guest writes reaches the client through utf8_sanitize() and exec_result_to_json():
 * arbitrary bytes, cut anywhere by exec_result_append_output()'s cap. Input layout (the fuzzer
 * learns it; a short input is padded with zeros):
 *
 *   u64 max_output_bytes (mod 1 MiB), i32 exit_code, i32 signal, u8 flags,
 *   5 doubles (queue, restore, run, total, cpu ms: any bit pattern, NaN and infinities too),
 *   u16 length of runtime_version, its bytes, then chunks [u8 fd-and-length][bytes]...
 *
 * Checks: the sanitized text is valid UTF-8, equal to the input when that was valid,
 * idempotent; the result encodes, dumps, and parses back with stdout/stderr equal to the
 * sanitized bytes; timings are finite and not negative; output never exceeds its cap. */
#include <math.h>
#include <string.h>

#include "exec-codec.h"
#include "fuzz.h"
#include "jsonrpc.h"
#include "utf8.h"

#define FUZZ_RESULT_MAX FUZZ_INPUT_MAX

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        fuzz_setup_logging();
        return 0;
}

typedef struct Reader {
        const uint8_t *p;
        size_t left;
} Reader;

static void read_bytes(Reader *r, void *dst, size_t n) {
        size_t k = MIN(n, r->left);

        memcpy(dst, r->p, k);
        memset((uint8_t *)dst + k, 0, n - k);
        r->p += k;
        r->left -= k;
}

static void check_sanitize(const char *s, size_t size) {
        _cleanup_free_ char *out = NULL, *again = NULL;
        size_t out_size, again_size;
        int r;

        r = utf8_sanitize(s, size, &out, &out_size);
        if (r == -ENOMEM)
                return;
        FUZZ_ASSERT(r == 0);
        FUZZ_ASSERT(out[out_size] == '\0');
        FUZZ_ASSERT(utf8_is_valid(out, out_size));
        /* Each ill-formed byte becomes at most one U+FFFD (3 bytes). */
        FUZZ_ASSERT(out_size <= 3 * size);
        if (utf8_is_valid(s, size))
                FUZZ_ASSERT(out_size == size && memcmp(out, s, size) == 0);

        r = utf8_sanitize(out, out_size, &again, &again_size);
        if (r == -ENOMEM)
                return;
        FUZZ_ASSERT(r == 0);
        FUZZ_ASSERT(again_size == out_size && memcmp(again, out, out_size) == 0);
}

static void check_text_field(const json_t *o, const char *key, const ExecBuffer *raw) {
        _cleanup_free_ char *expected = NULL;
        const json_t *v = json_object_get(o, key);
        size_t expected_size;

        FUZZ_ASSERT(json_is_string(v));
        if (utf8_sanitize(raw->data ?: "", raw->size, &expected, &expected_size) < 0)
                return;
        FUZZ_ASSERT(json_string_length(v) == expected_size);
        FUZZ_ASSERT(memcmp(json_string_value(v), expected, expected_size) == 0);
}

static void check_ms(const json_t *o, const char *key) {
        const json_t *v = json_object_get(o, key);

        FUZZ_ASSERT(json_is_real(v));
        FUZZ_ASSERT(isfinite(json_real_value(v)) && json_real_value(v) >= 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(exec_result_done) ExecResult result = EXEC_RESULT_INIT;
        _cleanup_(json_decrefp) json_t *o = NULL, *back = NULL;
        _cleanup_free_ char *text = NULL;
        Reader in = {.p = data, .left = size};
        uint64_t max_output;
        uint16_t version_length;
        uint8_t flags;
        double ms[5];

        if (size > FUZZ_RESULT_MAX)
                return 0;

        /* The whole input, as one guest write. */
        check_sanitize((const char *)data, size);

        read_bytes(&in, &max_output, sizeof(max_output));
        max_output %= 1u << 20;
        read_bytes(&in, &result.exit_code, sizeof(result.exit_code));
        read_bytes(&in, &result.signal, sizeof(result.signal));
        read_bytes(&in, &flags, sizeof(flags));
        read_bytes(&in, ms, sizeof(ms));
        result.language = (flags & 1) ? EXEC_LANGUAGE_PYTHON : _EXEC_LANGUAGE_INVALID;
        result.timed_out = flags & 2;
        result.memory_limit_hit = flags & 4;
        result.timing = (ExecTiming){ms[0], ms[1], ms[2], ms[3]};
        result.usage.cpu_ms = ms[4];
        result.usage.peak_memory_bytes = UINT64_MAX - flags;

        read_bytes(&in, &version_length, sizeof(version_length));
        if (version_length > 0) {
                size_t n = MIN((size_t)version_length, in.left);

                result.runtime_version = strndup((const char *)in.p, n);
                if (!result.runtime_version)
                        return 0;
                in.p += n;
                in.left -= n;
        }

        while (in.left > 0) {
                uint8_t head = *in.p++;
                size_t n;

                in.left--;
                /* bit 7 picks the fd; bit 6 asks for fd 3 (refused); the rest is the length. */
                n = MIN((size_t)(head & 0x3f) * 7, in.left);
                if (head & 0x40) {
                        FUZZ_ASSERT(exec_result_append_output(&result, 3, in.p, n, max_output) ==
                                    -EINVAL);
                        continue;
                }
                if (exec_result_append_output(&result, (head & 0x80) ? 2 : 1, in.p, n, max_output) <
                    0)
                        return 0;
                in.p += n;
                in.left -= n;
                FUZZ_ASSERT(result.stdout_buf.size + result.stderr_buf.size <= max_output);
        }

        check_sanitize(result.stdout_buf.data ?: "", result.stdout_buf.size);
        check_sanitize(result.stderr_buf.data ?: "", result.stderr_buf.size);

        o = exec_result_to_json(&result);
        if (!o)
                return 0;
        text = json_dumps(o, JSONRPC_DUMP_FLAGS);
        if (!text)
                return 0;
        back = json_loads(text, JSONRPC_PARSE_FLAGS, NULL);
        FUZZ_ASSERT(back);

        check_text_field(back, "stdout", &result.stdout_buf);
        check_text_field(back, "stderr", &result.stderr_buf);
        FUZZ_ASSERT(json_is_boolean(json_object_get(back, "truncated")));
        FUZZ_ASSERT(json_is_true(json_object_get(back, "truncated")) == result.truncated);
        FUZZ_ASSERT(result.runtime_version
                            ? json_is_string(json_object_get(back, "runtime_version"))
                            : json_is_null(json_object_get(back, "runtime_version")));
        FUZZ_ASSERT(result.signal > 0 ? json_is_string(json_object_get(back, "signal"))
                                      : json_is_null(json_object_get(back, "signal")));
        FUZZ_ASSERT(result.exit_code >= 0 ? json_is_integer(json_object_get(back, "exit_code"))
                                          : json_is_null(json_object_get(back, "exit_code")));
        for (size_t i = 0; i < 4; i++) {
                static const char *const keys[] = {"queue_ms", "restore_ms", "run_ms", "total_ms"};
                check_ms(json_object_get(back, "timing"), keys[i]);
        }
        check_ms(json_object_get(back, "usage"), "cpu_ms");
        FUZZ_ASSERT(json_integer_value(json_object_get(json_object_get(back, "usage"),
                                                       "peak_memory_bytes")) == INT64_MAX);
        return 0;
}
