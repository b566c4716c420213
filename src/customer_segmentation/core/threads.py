"""Column-parallel work on every core: numpy takes and Arrow casts release the GIL."""

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

Result = TypeVar("Result")


def map_columns(function: Callable[[str], Result], names: Iterable[str]) -> dict[str, Result]:
    """``{name: function(name)}`` computed on as many threads as cores; re-raises an error."""
    with ThreadPoolExecutor(max_workers=os.cpu_count()) as pool:
        futures = {name: pool.submit(function, name) for name in names}
    return {name: future.result() for name, future in futures.items()}
