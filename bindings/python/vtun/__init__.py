"""Python bindings for libvtun over ctypes.

    import vtun
    with vtun.Context(send_datagram=..., deliver=...) as ctx:
        ctx.load(open("hq.cfg").read())
        print(ctx.display("interface tunnel"))

The shared library is found through $VTUN_LIBRARY, the build trees of a
source checkout (build*/src/libvtun.so.0), or the system loader; see
doc/python.md.
"""

from __future__ import annotations

from ._lib import (EXPECTED_VERSION, HEADROOM, HOOKS_VERSION,
                   MAX_PEER_PROPOSALS, MAX_REMOTE_ADDRS, SECONDS,
                   SETTINGS_VERSION, TAILROOM, LibraryError, load)
from ._lib import lib as _get_lib
from ._util import enc as _enc
from .context import Context, forward_to_logging
from .datapath import Endpoint, Event, Initiation
from .enums import (AddressMode, AlgKind, Auth, DhGroup, DpdType, DumpFlags,
                    EncapMode, Encr, EventType, ExchangeMode, Family, IdType,
                    IkeVersion, Integ, Layer, LogLevel, LogTopic,
                    MatchExchange, Prf, Proto, Role, SaFlags, TemplateMode,
                    TunnelProtocol, TunnelState)
from .errors import (ArgumentError, CallbackError, ConfigSyntaxError, Error,
                     FatalError, NotFoundError, PeerError, RuleError,
                     VtunError, make_error)
from .objects import (Handle, Iface, IkePeer, IkeProposal, IpsecProfile,
                      IpsecProposal, Pool, Tunnel, VpnInstance, Vsys)

__version__ = "0.1.0"


def library_version() -> str:
    """The loaded library's version string (vtun_version())."""
    return _get_lib().vtun_version().decode()


def library_path() -> str:
    """Where the loaded library came from."""
    return _get_lib().path


def strerror(code: int) -> str:
    return _get_lib().vtun_strerror(code).decode()


def err_name(code: int) -> str | None:
    raw = _get_lib().vtun_err_name(code)
    return raw.decode() if raw else None


def alg_name(kind: AlgKind, alg_id: int) -> str | None:
    """The configuration name of an algorithm, or None."""
    raw = _get_lib().vtun_alg_name(int(kind), int(alg_id))
    return raw.decode() if raw else None


def alg_from_name(kind: AlgKind, name: str) -> int:
    """The algorithm of @kind named @name; ArgumentError when none."""
    rc = _get_lib().vtun_alg_from_name(int(kind), _enc(name))
    if rc < 0:
        raise make_error(rc, f"no algorithm {name!r}")
    return rc


def derive_branch_psk(secret: bytes | str, id_type: IdType, id: str) -> str:
    """The key a branch configures when the headquarters derives keys
    from @secret (vtun_derive_branch_psk)."""
    import ctypes
    data = secret.encode() if isinstance(secret, str) else bytes(secret)
    buf = ctypes.create_string_buffer(80)
    rc = _get_lib().vtun_derive_branch_psk(data, len(data), int(id_type),
                                           _enc(id), buf, len(buf))
    if rc < 0:
        raise make_error(rc, "vtun_derive_branch_psk failed")
    return buf.value.decode()


def has_openssl() -> bool:
    """Whether the library was built with its OpenSSL backend."""
    return bool(_get_lib().vtun_crypto_openssl())


__all__ = [
    "__version__",
    "AddressMode",
    "alg_from_name",
    "alg_name",
    "AlgKind",
    "ArgumentError",
    "Auth",
    "CallbackError",
    "ConfigSyntaxError",
    "Context",
    "derive_branch_psk",
    "DhGroup",
    "DpdType",
    "DumpFlags",
    "EncapMode",
    "Encr",
    "Endpoint",
    "err_name",
    "Error",
    "Event",
    "EventType",
    "ExchangeMode",
    "EXPECTED_VERSION",
    "Family",
    "FatalError",
    "forward_to_logging",
    "Handle",
    "has_openssl",
    "HEADROOM",
    "HOOKS_VERSION",
    "IdType",
    "Iface",
    "IkePeer",
    "IkeProposal",
    "IkeVersion",
    "Initiation",
    "Integ",
    "IpsecProfile",
    "IpsecProposal",
    "Layer",
    "library_path",
    "library_version",
    "LibraryError",
    "load",
    "LogLevel",
    "LogTopic",
    "make_error",
    "MatchExchange",
    "MAX_PEER_PROPOSALS",
    "MAX_REMOTE_ADDRS",
    "NotFoundError",
    "PeerError",
    "Pool",
    "Prf",
    "Proto",
    "Role",
    "RuleError",
    "SaFlags",
    "SECONDS",
    "SETTINGS_VERSION",
    "strerror",
    "TAILROOM",
    "Tunnel",
    "TunnelProtocol",
    "TemplateMode",
    "TunnelState",
    "VpnInstance",
    "Vsys",
    "VtunError",
]
