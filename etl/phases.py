"""Per-phase timings of a load, logged at debug level by logger `etl.phases` (benchmarks/load_file.py reads them).

    with phase("merge"):
        ...
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager

log = logging.getLogger("etl.phases")


@contextmanager
def phase(name: str):
    """Log the wall and CPU seconds of the block as `phase <name> <wall> <cpu>` (debug level)."""
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        if log.isEnabledFor(logging.DEBUG):
            log.debug("phase %s %.2f %.2f", name, time.perf_counter() - wall, time.process_time() - cpu)
