"""Exceptions for the negative VTUN_E* codes.

Every refused call raises a VtunError carrying the code, its constant name
(vtun_err_name), the library's sentence for it (vtun_strerror) and the
detailed refusal message of the context (vtun_ctx_last_error), which names
the rule and the objects. Subclasses follow the code groups of vtun.h.
"""

from __future__ import annotations

import enum
import re
from typing import Optional

from . import _lib


class Error(enum.IntEnum):
    """enum vtun_error."""

    OK = 0
    EINVAL = -101
    ENOMEM = -102
    ENOENT = -103
    EEXIST = -104
    EBUSY = -105
    ENOSPC = -106
    EVERSION = -107
    ENOTSUP = -108
    ESTATE = -109
    ENOBUFS = -110
    ESYNTAX = -111
    ETEMPLATE = -112
    ER1_PROFILE_BINDING = -201
    ER2_PROFILE_INCOMPLETE = -202
    ER3_VPN_INSTANCE_MODE = -203
    ER4_SOURCE_LAYER = -204
    ER5_GRE_DESTINATION = -205
    ER6_DESTINATION_MISMATCH = -206
    ER7_MULTIPLE_REMOTES = -207
    ER8_VSYS_PROFILE = -208
    ER9_NEGOTIATED_ADDRESS = -209
    ER10_PEER_ID_MODE = -210
    ER11_INTEGRITY = -211
    ER12_RANGE = -212
    ER13_AMBIGUOUS = -213
    ER14_LEGACY_ALGORITHM = -214
    EAUTH = -301
    EREPLAY = -302
    EINTEGRITY = -303
    EMALFORMED = -304
    ENOSA = -305
    ENOMATCH = -306
    ENOPROPOSAL = -307
    EPOOLEMPTY = -308
    EPOLICY = -309
    ETOOBIG = -310
    ELIFETIME = -311
    EPEER = -312
    ETIMEOUT = -313
    ECALLBACK = -401
    ECRYPTO = -402
    EFATAL = -500
    EINTERNAL = -501


# Module-level names for the codes used most.
EINVAL = Error.EINVAL
ENOENT = Error.ENOENT
ENOTSUP = Error.ENOTSUP
ENOMATCH = Error.ENOMATCH
ECALLBACK = Error.ECALLBACK


class VtunError(Exception):
    """A call into libvtun returned a negative code.

    Attributes: code (int), name ("VTUN_EINVAL"), message (the library's
    sentence for the code), detail (the refusal message: rule, objects,
    values; "" when the call left none).
    """

    def __init__(self, code: int, detail: str = "") -> None:
        self.code = int(code)
        lib = _lib.lib()
        raw = lib.vtun_err_name(self.code)
        self.name = raw.decode() if raw else f"VTUN_E({self.code})"
        self.message = lib.vtun_strerror(self.code).decode()
        self.detail = detail
        text = f"{self.name}: {self.message}"
        super().__init__(f"{text}: {detail}" if detail else text)

    @property
    def fatal(self) -> bool:
        """Whether the handle that returned it can only be freed."""
        return bool(_lib.lib().vtun_err_is_fatal(self.code))


class ArgumentError(VtunError):
    """-1xx: the caller's arguments (malformed, unknown name, exists...)."""


class NotFoundError(ArgumentError, LookupError):
    """VTUN_ENOENT: no object of that name or index."""


class ConfigSyntaxError(ArgumentError):
    """VTUN_ESYNTAX: configuration text could not be parsed; line and
    column are taken from the detail when it names them."""

    def __init__(self, code: int, detail: str = "") -> None:
        super().__init__(code, detail)
        m = re.search(r"line (\d+), column (\d+)", detail)
        self.line: Optional[int] = int(m.group(1)) if m else None
        self.column: Optional[int] = int(m.group(2)) if m else None


class RuleError(VtunError):
    """-2xx: a configuration rule R1-R14 refused the change; .rule is its
    name ("R6")."""

    def __init__(self, code: int, detail: str = "") -> None:
        super().__init__(code, detail)
        self.rule = f"R{-self.code - 200}"


class PeerError(VtunError):
    """-3xx: the peer or the packet (authentication, replay, no SA...)."""


class CallbackError(VtunError):
    """-4xx: a hook failed (or the crypto backend). When a Python hook
    raised, that exception is the __cause__."""


class FatalError(VtunError):
    """At or below VTUN_EFATAL: the handle can only be freed."""


def error_class(code: int) -> type[VtunError]:
    """The exception class for @code."""
    if code == Error.ENOENT:
        return NotFoundError
    if code == Error.ESYNTAX:
        return ConfigSyntaxError
    if code <= Error.EFATAL:
        return FatalError
    if code <= -400:
        return CallbackError
    if code <= -300:
        return PeerError
    if code <= -200:
        return RuleError
    return ArgumentError


def make_error(code: int, detail: str = "") -> VtunError:
    """The exception for @code with @detail."""
    return error_class(code)(code, detail)
