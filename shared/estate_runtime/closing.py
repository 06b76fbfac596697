"""A base for objects that hold something open (a thread pool, a part buffer) until closed."""

from __future__ import annotations

from abc import ABC, abstractmethod
from types import TracebackType
from typing import Self


class ClosesOnExit(ABC):
    """``with obj:`` gives ``obj`` itself and calls ``obj.close()`` however the block ends."""

    @abstractmethod
    def close(self) -> object:
        """Release what the object holds; calling it again must change nothing."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
