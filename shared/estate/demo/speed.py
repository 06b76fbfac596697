"""One process-wide cache of botocore's data files, for the demo's process only.

Every ``boto3.Session`` gets a fresh botocore loader, and the handlers build a session per
invocation (as Lambda would, once per container): in one process running hundreds of
invocations, re-reading and parsing the same service models (EC2's alone is megabytes of
JSON) dominated the demo's time. The files are read-only data; sharing their parsed form
across loaders changes nothing but the time. Lambda never runs this.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore import loaders


@contextmanager
def shared_botocore_data() -> Iterator[None]:
    """Within the block, every loader shares one cache of parsed data files."""
    original = loaders.Loader.load_data_with_path
    cache: dict[str, Any] = {}
    lock = threading.Lock()

    def cached(self: loaders.Loader, name: str) -> Any:
        with lock:
            if name in cache:
                return cache[name]
        loaded = original(self, name)
        with lock:
            cache.setdefault(name, loaded)
        return loaded

    loaders.Loader.load_data_with_path = cached
    try:
        yield
    finally:
        loaders.Loader.load_data_with_path = original
