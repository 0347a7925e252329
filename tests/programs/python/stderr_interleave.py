# Writes to stdout and stderr alternately, through print, the sys streams, buffers and os.write.
import logging
import os
import sys
import warnings

logging.basicConfig(level=logging.INFO, format="%(levelname)s:%(name)s:%(message)s")
log = logging.getLogger("etl")
for step in range(1, 6):
    print(f"step {step}: processed {step * 1000} rows")
    print(f"step {step}: {step} warnings", file=sys.stderr)
    if step % 2:
        log.info("checkpoint %d", step)
sys.stdout.flush()
sys.stderr.flush()
os.write(1, b"raw write to fd 1\n")
os.write(2, b"raw write to fd 2\n")
sys.stdout.buffer.write(b"bytes via stdout.buffer\n")
sys.stderr.buffer.write("stderr bytes: \u00e9\n".encode())
warnings.warn("deprecated option --fast", DeprecationWarning, stacklevel=1)
warnings.warn("disk almost full")
log.error("final error line")
print("done")
