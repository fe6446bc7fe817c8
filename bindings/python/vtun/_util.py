"""Small helpers shared by the modules: text buffers and conversions."""

from __future__ import annotations

import ctypes
from typing import Any, Callable, Optional, Union

Text = Union[str, bytes]


def enc(text: Optional[Text]) -> Optional[bytes]:
    """@text as bytes for a `const char *` (None stays NULL)."""
    if text is None or isinstance(text, bytes):
        return text
    return text.encode()


def dec(raw: Optional[bytes]) -> Optional[str]:
    """A returned `const char *` as str (NULL becomes None)."""
    return None if raw is None else raw.decode(errors="replace")


def read_text(fn: Callable[..., int], before: tuple[Any, ...],
              after: tuple[Any, ...] = (), size: int = 256) -> tuple[int, str]:
    """Calls an snprintf-style @fn(*before, buf, len, *after), growing the
    buffer until the text fits. Returns (result, text); a negative result
    is an error code and the text is then ""."""
    while True:
        buf = ctypes.create_string_buffer(size)
        n = fn(*before, buf, size, *after)
        if n < 0:
            return n, ""
        if n < size:
            return n, buf.value.decode(errors="replace")
        size = n + 1


def as_bytes(data: Union[bytes, bytearray, memoryview, str]) -> bytes:
    """Key or packet material as bytes (str is taken as UTF-8)."""
    if isinstance(data, str):
        return data.encode()
    return bytes(data)
