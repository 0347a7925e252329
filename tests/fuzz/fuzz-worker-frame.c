/* SPDX-License-Identifier: MIT */
/* The daemon <-> worker frames (protocol/worker-frame.h), both directions. Input layout:
 *
 *   u8 which: 0 mod 3 the rest is a line the worker printed, for worker_frame_parse() (what the
 *             daemon does with every line of a worker, which hosts the guest's VMM);
 *             1 mod 3 the rest is a request line, for worker_request_parse() (the worker's read);
 *             2 mod 3 the encoders: a double (prepare_ms), a u8 (bit 0 reset, bit 1 stderr),
 *             then the output bytes;
 *   then the rest.
 *
 * Checks: a refused line leaves the frame empty; a decoded one has the members its type
 * promises (a known fd, finite timings, an error object with a code), and re-encoding a decoded
 * result decodes to the same line again; a refused request carries a printable ProtocolError;
 * every encoded frame is one line and decodes back to what was encoded. */
#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "utf8.h"
#include "worker-frame.h"

#define FUZZ_FRAME_MAX FUZZ_INPUT_MAX

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        fuzz_setup_logging();
        return 0;
}

static void check_one_line(const char *line, size_t size) {
        FUZZ_ASSERT(size >= 2 && line[size - 1] == '\n');
        FUZZ_ASSERT(!memchr(line, '\n', size - 1));
}

static void check_result_again(const ExecResult *result) {
        _cleanup_(worker_frame_done) WorkerFrame again = WORKER_FRAME_INIT;
        _cleanup_free_ char *line = NULL, *line_again = NULL;
        size_t size, size_again;

        if (worker_frame_result_format(result, &line, &size) < 0)
                return; /* OOM */
        check_one_line(line, size);
        if (worker_frame_parse(line, size, &again) == -ENOMEM)
                return;
        FUZZ_ASSERT(again.type == WORKER_FRAME_RESULT);
        if (worker_frame_result_format(&again.result, &line_again, &size_again) < 0)
                return;
        FUZZ_ASSERT(size_again == size && memcmp(line, line_again, size) == 0);
}

static void fuzz_worker_line(const char *data, size_t size) {
        _cleanup_(worker_frame_done) WorkerFrame f = WORKER_FRAME_INIT;
        int r;

        r = worker_frame_parse(data, size, &f);
        if (r < 0) {
                FUZZ_ASSERT(r == -EINVAL || r == -EPROTONOSUPPORT || r == -ENOMEM);
                FUZZ_ASSERT(f.type == _WORKER_FRAME_TYPE_INVALID && !f.json && !f.error);
                return;
        }
        FUZZ_ASSERT(worker_frame_type_to_string(f.type));
        FUZZ_ASSERT(f.json);
        switch (f.type) {
        case WORKER_FRAME_READY:
                FUZZ_ASSERT(isfinite(f.prepare_ms) && f.prepare_ms >= 0);
                break;
        case WORKER_FRAME_OUTPUT:
                FUZZ_ASSERT(f.output_fd == 1 || f.output_fd == 2);
                FUZZ_ASSERT(utf8_is_valid(f.output_data, f.output_size));
                break;
        case WORKER_FRAME_ERROR:
                FUZZ_ASSERT(json_is_integer(json_object_get(f.error, "code")));
                FUZZ_ASSERT(json_is_string(json_object_get(f.error, "message")));
                break;
        case WORKER_FRAME_RESULT:
                FUZZ_ASSERT(f.result.exit_code >= EXEC_EXIT_CODE_NONE && f.result.exit_code <= 255);
                FUZZ_ASSERT(f.result.signal >= 0);
                FUZZ_ASSERT(isfinite(f.result.timing.total_ms) && f.result.timing.total_ms >= 0);
                check_result_again(&f.result);
                break;
        default:
                FUZZ_ASSERT(!"a frame type out of range");
        }
}

static void fuzz_request_line(const char *data, size_t size) {
        _cleanup_(exec_request_done) ExecRequest req = EXEC_REQUEST_INIT;
        ProtocolError e = {};
        int r;

        r = worker_request_parse(data, size, &req, &e);
        if (r >= 0) {
                FUZZ_ASSERT(exec_request_validate(&req, NULL) == 0);
                return;
        }
        if (e.kind == EXEC_ERROR_NONE) {
                FUZZ_ASSERT(r == -ENOMEM);
                return;
        }
        FUZZ_ASSERT(fuzz_is_printable_string(e.message, sizeof e.message));
        FUZZ_ASSERT(fuzz_is_printable_string(e.field, sizeof e.field));
        /* The worker answers with it. */
        {
                _cleanup_free_ char *line = NULL;
                size_t line_size;

                if (worker_frame_error_format(&e, &line, &line_size) == 0) {
                        _cleanup_(worker_frame_done) WorkerFrame f = WORKER_FRAME_INIT;

                        check_one_line(line, line_size);
                        r = worker_frame_parse(line, line_size, &f);
                        FUZZ_ASSERT(r == 0 || r == -ENOMEM);
                        FUZZ_ASSERT(r < 0 || f.type == WORKER_FRAME_ERROR);
                }
        }
}

static void fuzz_encoders(const uint8_t *data, size_t size) {
        _cleanup_(worker_frame_done) WorkerFrame ready = WORKER_FRAME_INIT,
                                                 output = WORKER_FRAME_INIT;
        _cleanup_free_ char *line = NULL, *text = NULL, *clean = NULL;
        size_t line_size, clean_size;
        double ms = 0;
        uint8_t flags = 0;
        int r;

        memcpy(&ms, data, MIN(size, sizeof ms));
        if (size > sizeof ms)
                flags = data[sizeof ms];
        data += MIN(size, sizeof ms + 1);
        size -= MIN(size, sizeof ms + 1);

        if (worker_frame_ready_format(ms, flags & 1, &line, &line_size) == 0) {
                check_one_line(line, line_size);
                r = worker_frame_parse(line, line_size, &ready);
                FUZZ_ASSERT(r == 0 || r == -ENOMEM);
                if (r == 0) {
                        FUZZ_ASSERT(ready.type == WORKER_FRAME_READY);
                        FUZZ_ASSERT(ready.reset == (flags & 1));
                        /* µs, and a bogus clock reads 0 */
                        if (isfinite(ms) && ms >= 0 && ms <= 1e9)
                                FUZZ_ASSERT(fabs(ready.prepare_ms - ms) <= 0.0005 + ms * 1e-12);
                        else if (!isfinite(ms) || ms < 0)
                                FUZZ_ASSERT(ready.prepare_ms == 0);
                }
        }

        free(TAKE_PTR(line));
        if (worker_frame_output_format((flags & 2) ? 2 : 1, (const char *)data, size, &line,
                                       &line_size) < 0)
                return;
        check_one_line(line, line_size);
        r = worker_frame_parse(line, line_size, &output);
        FUZZ_ASSERT(r == 0 || r == -ENOMEM);
        if (r < 0 || utf8_sanitize((const char *)data, size, &clean, &clean_size) < 0)
                return;
        FUZZ_ASSERT(output.type == WORKER_FRAME_OUTPUT);
        FUZZ_ASSERT(output.output_fd == ((flags & 2) ? 2 : 1));
        FUZZ_ASSERT(output.output_size == clean_size &&
                    memcmp(output.output_data, clean, clean_size) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 1 || size > FUZZ_FRAME_MAX)
                return 0;
        switch (data[0] % 3) {
        case 0:
                fuzz_worker_line((const char *)data + 1, size - 1);
                break;
        case 1:
                fuzz_request_line((const char *)data + 1, size - 1);
                break;
        default:
                fuzz_encoders(data + 1, size - 1);
                break;
        }
        return 0;
}
