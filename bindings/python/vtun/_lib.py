"""Loading libvtun and declaring its C interface for ctypes.

Everything here mirrors include/vtun/vtun.h: the structs the bindings
build or read (vtun_endpoint, vtun_event, vtun_hooks, vtun_settings,
vtun_pkt, the statistics), the hook pointer types, and the argument and
result types of every exported function. Only opaque pointers, integers
and byte buffers cross the boundary.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import pathlib
import threading
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char, c_char_p, c_int,
                    c_size_t, c_ssize_t, c_uint, c_uint8, c_uint16, c_uint32,
                    c_uint64, c_void_p)
from typing import Any, Callable, Optional

#: The library version (major.minor) these bindings were written for.
EXPECTED_VERSION = (0, 1)
#: Struct versions pinned by the bindings (vtun.h VTUN_*_VERSION).
HOOKS_VERSION = 1
SETTINGS_VERSION = 1
#: Room vtun_tunnel_send() needs around a packet (vtun.h).
HEADROOM = 96
TAILROOM = 64
#: Limits from vtun.h.
MAX_REMOTE_ADDRS = 8
MAX_PEER_PROPOSALS = 8
TSTAMP_MAX = (1 << 64) - 1
SECONDS = 1_000_000_000

#: Environment variable naming the shared library to load.
ENV_LIBRARY = "VTUN_LIBRARY"
SONAME = "libvtun.so.0"


class LibraryError(ImportError):
    """libvtun could not be loaded, or is not the version expected."""


# ------------------------------------------------------------- structs


class Endpoint(Structure):
    """struct vtun_endpoint."""

    _fields_ = [
        ("family", c_uint8),
        ("reserved", c_uint8),
        ("port", c_uint16),
        ("addr", c_uint8 * 16),
    ]


class Event(Structure):
    """struct vtun_event (version 0.1 members)."""

    _fields_ = [
        ("type", c_uint32),
        ("tunnel", c_void_p),
        ("state", c_int),
        ("error", c_int),
        ("spi_in", c_uint32),
        ("spi_out", c_uint32),
        ("address", c_char_p),
        ("prefixlen", c_uint),
    ]


SendDatagramFn = CFUNCTYPE(c_int, c_void_p, c_void_p, c_int,
                           POINTER(Endpoint), POINTER(Endpoint),
                           POINTER(c_uint8), c_size_t)
DeliverFn = CFUNCTYPE(c_int, c_void_p, c_void_p, POINTER(c_uint8), c_size_t)
EventFn = CFUNCTYPE(None, c_void_p, POINTER(Event))
LogFn = CFUNCTYPE(None, c_void_p, c_int, c_uint, POINTER(c_char), c_size_t)
NowFn = CFUNCTYPE(c_uint64, c_void_p)
RandomFn = CFUNCTYPE(c_int, c_void_p, POINTER(c_uint8), c_size_t)
KeyExportFn = CFUNCTYPE(None, c_void_p, POINTER(c_char), c_size_t)


class Hooks(Structure):
    """struct vtun_hooks, version HOOKS_VERSION (1)."""

    _fields_ = [
        ("send_datagram", SendDatagramFn),
        ("deliver", DeliverFn),
        ("event", EventFn),
        ("log", LogFn),
        ("now", NowFn),
        ("random", RandomFn),
        ("key_export", KeyExportFn),
    ]


class Settings(Structure):
    """struct vtun_settings, version SETTINGS_VERSION (1)."""

    _fields_ = [
        ("log_level", c_int),
        ("log_topics", c_uint),
        ("allow_legacy", c_int),
        ("key_export", c_int),
        ("replay_window", c_uint32),
        ("cookie_threshold", c_uint32),
        ("force_udp_encap", c_int),
        ("crypto", c_void_p),
        ("crypto_arg", c_void_p),
    ]


class Pkt(Structure):
    """struct vtun_pkt, one packet of a batch."""

    _fields_ = [
        ("buf", POINTER(c_uint8)),
        ("off", c_size_t),
        ("len", c_size_t),
        ("cap", c_size_t),
        ("remote", Endpoint),
        ("result", c_int),
    ]


class TunnelStats(Structure):
    """struct vtun_tunnel_stats."""

    _fields_ = [(name, c_uint64) for name in (
        "tx_packets", "tx_bytes", "rx_packets", "rx_bytes", "drop_no_sa",
        "drop_replay", "drop_integrity", "drop_malformed", "drop_too_big",
        "drop_lifetime", "drop_policy", "drop_no_room", "drop_hook",
        "gre_keepalives_rx")]


class CtxStats(Structure):
    """struct vtun_ctx_stats."""

    _fields_ = [(name, c_uint64) for name in (
        "rx_datagrams", "drop_unknown_spi", "drop_malformed",
        "drop_no_tunnel", "ike_no_match", "ike_dropped", "nat_keepalives_rx",
        "pool_exhausted")]


def struct_dict(s: Structure) -> dict[str, int]:
    """The members of a statistics struct as a plain dict."""
    return {name: getattr(s, name) for name, _ in s._fields_}


# ---------------------------------------------------------- prototypes

P = c_void_p  # any opaque handle or byte buffer
PP = POINTER(c_void_p)  # a handle's out-pointer
S = c_char_p  # NUL-terminated text in or out
I = c_int
U = c_uint
U32 = c_uint32
U64 = c_uint64
SZ = c_size_t
SS = c_ssize_t  # vtun_ssize is ptrdiff_t
PI = POINTER(c_int)
PU = POINTER(c_uint)
PU32 = POINTER(c_uint32)
PU64 = POINTER(c_uint64)
EP = POINTER(Endpoint)
PKT = POINTER(Pkt)

# Every function of vtun.h and vtun_crypto.h: name, result, arguments.
PROTOTYPES: dict[str, tuple[Any, list[Any]]] = {
    # errors and version
    "vtun_strerror": (S, [I]),
    "vtun_err_name": (S, [I]),
    "vtun_err_is_fatal": (I, [I]),
    "vtun_version": (S, []),
    # endpoints
    "vtun_endpoint_parse": (I, [EP, S, c_uint16]),
    "vtun_endpoint_format": (SS, [EP, S, SZ]),
    # context
    "vtun_settings_default": (None, [POINTER(Settings)]),
    "vtun_ctx_new_versioned": (I, [PP, I, POINTER(Hooks), I,
                                   POINTER(Settings), P]),
    "vtun_ctx_free": (None, [P]),
    "vtun_ctx_last_error": (S, [P]),
    "vtun_ctx_set_user_data": (None, [P, P]),
    "vtun_ctx_get_user_data": (P, [P]),
    "vtun_ctx_set_allow_legacy": (I, [P, I]),
    "vtun_ctx_get_allow_legacy": (I, [P]),
    "vtun_ctx_commit": (I, [P]),
    "vtun_ctx_next_deadline": (U64, [P]),
    "vtun_ctx_expire_timers": (I, [P, U64]),
    # virtual systems
    "vtun_vsys_new": (I, [P, S, PP]),
    "vtun_vsys_find": (P, [P, S]),
    "vtun_vsys_delete": (I, [P]),
    "vtun_vsys_get_name": (S, [P]),
    "vtun_vsys_set_user_data": (None, [P, P]),
    "vtun_vsys_get_user_data": (P, [P]),
    # vpn-instances
    "vtun_vpn_instance_new": (I, [P, S, PP]),
    "vtun_vpn_instance_find": (P, [P, S]),
    "vtun_vpn_instance_delete": (I, [P]),
    "vtun_vpn_instance_get_name": (S, [P]),
    "vtun_vpn_instance_set_user_data": (None, [P, P]),
    "vtun_vpn_instance_get_user_data": (P, [P]),
    # interfaces
    "vtun_iface_new": (I, [P, S, I, PP]),
    "vtun_iface_find": (P, [P, S]),
    "vtun_iface_delete": (I, [P]),
    "vtun_iface_get_name": (S, [P]),
    "vtun_iface_set_layer": (I, [P, I]),
    "vtun_iface_get_layer": (I, [P]),
    "vtun_iface_set_address": (I, [P, S, U]),
    "vtun_iface_clear_address": (I, [P, I]),
    "vtun_iface_get_address": (SS, [P, I, S, SZ, PU]),
    "vtun_iface_set_user_data": (None, [P, P]),
    "vtun_iface_get_user_data": (P, [P]),
    # algorithms
    "vtun_alg_name": (S, [I, I]),
    "vtun_alg_from_name": (I, [I, S]),
    # IKE proposals
    "vtun_ike_proposal_new": (I, [P, P, U, PP]),
    "vtun_ike_proposal_find": (P, [P, P, U]),
    "vtun_ike_proposal_delete": (I, [P]),
    "vtun_ike_proposal_get_number": (U, [P]),
    "vtun_ike_proposal_get_vsys": (P, [P]),
    "vtun_ike_proposal_set_auth": (I, [P, I]),
    "vtun_ike_proposal_get_auth": (I, [P]),
    "vtun_ike_proposal_set_encr": (I, [P, I]),
    "vtun_ike_proposal_get_encr": (I, [P]),
    "vtun_ike_proposal_set_integ": (I, [P, I]),
    "vtun_ike_proposal_get_integ": (I, [P]),
    "vtun_ike_proposal_set_prf": (I, [P, I]),
    "vtun_ike_proposal_get_prf": (I, [P]),
    "vtun_ike_proposal_set_dh": (I, [P, I]),
    "vtun_ike_proposal_get_dh": (I, [P]),
    "vtun_ike_proposal_set_lifetime": (I, [P, U32]),
    "vtun_ike_proposal_get_lifetime": (U32, [P]),
    "vtun_ike_proposal_set_user_data": (None, [P, P]),
    "vtun_ike_proposal_get_user_data": (P, [P]),
    # IKE peers
    "vtun_ike_peer_new": (I, [P, P, S, PP]),
    "vtun_ike_peer_find": (P, [P, P, S]),
    "vtun_ike_peer_delete": (I, [P]),
    "vtun_ike_peer_get_name": (S, [P]),
    "vtun_ike_peer_get_vsys": (P, [P]),
    "vtun_ike_peer_set_versions": (I, [P, U]),
    "vtun_ike_peer_get_versions": (U, [P]),
    "vtun_ike_peer_set_exchange_mode": (I, [P, I]),
    "vtun_ike_peer_get_exchange_mode": (I, [P]),
    "vtun_ike_peer_set_psk": (I, [P, P, SZ]),
    "vtun_ike_peer_get_psk": (SS, [P, P, SZ]),
    "vtun_ike_peer_set_local_id": (I, [P, I, S]),
    "vtun_ike_peer_get_local_id": (SS, [P, PI, S, SZ]),
    "vtun_ike_peer_set_remote_id": (I, [P, I, S]),
    "vtun_ike_peer_get_remote_id": (SS, [P, PI, S, SZ]),
    "vtun_ike_peer_add_remote_address": (I, [P, S]),
    "vtun_ike_peer_remove_remote_address": (I, [P, S]),
    "vtun_ike_peer_get_remote_address_count": (U, [P]),
    "vtun_ike_peer_get_remote_address": (SS, [P, U, S, SZ]),
    "vtun_ike_peer_add_proposal": (I, [P, P]),
    "vtun_ike_peer_remove_proposal": (I, [P, P]),
    "vtun_ike_peer_get_proposal_count": (U, [P]),
    "vtun_ike_peer_get_proposal": (P, [P, U]),
    "vtun_ike_peer_set_dpd": (I, [P, I, U32, U32, U32]),
    "vtun_ike_peer_get_dpd": (None, [P, PI, PU32, PU32, PU32]),
    "vtun_ike_peer_set_nat_traversal": (I, [P, I]),
    "vtun_ike_peer_get_nat_traversal": (I, [P]),
    "vtun_ike_peer_set_pool": (I, [P, P]),
    "vtun_ike_peer_get_pool": (P, [P]),
    "vtun_ike_peer_set_ikev2_id_match": (I, [P, I]),
    "vtun_ike_peer_get_ikev2_id_match": (I, [P]),
    "vtun_ike_peer_set_psk_master": (I, [P, P, SZ]),
    "vtun_ike_peer_get_psk_derived": (I, [P]),
    "vtun_derive_branch_psk": (SS, [P, SZ, I, S, S, SZ]),
    "vtun_ike_peer_set_user_data": (None, [P, P]),
    "vtun_ike_peer_get_user_data": (P, [P]),
    # IPsec proposals
    "vtun_ipsec_proposal_new": (I, [P, P, S, PP]),
    "vtun_ipsec_proposal_find": (P, [P, P, S]),
    "vtun_ipsec_proposal_delete": (I, [P]),
    "vtun_ipsec_proposal_get_name": (S, [P]),
    "vtun_ipsec_proposal_get_vsys": (P, [P]),
    "vtun_ipsec_proposal_set_encr": (I, [P, I]),
    "vtun_ipsec_proposal_get_encr": (I, [P]),
    "vtun_ipsec_proposal_set_integ": (I, [P, I]),
    "vtun_ipsec_proposal_get_integ": (I, [P]),
    "vtun_ipsec_proposal_set_encap_mode": (I, [P, I]),
    "vtun_ipsec_proposal_get_encap_mode": (I, [P]),
    "vtun_ipsec_proposal_set_user_data": (None, [P, P]),
    "vtun_ipsec_proposal_get_user_data": (P, [P]),
    # IPsec profiles
    "vtun_ipsec_profile_new": (I, [P, P, S, PP]),
    "vtun_ipsec_profile_find": (P, [P, P, S]),
    "vtun_ipsec_profile_delete": (I, [P]),
    "vtun_ipsec_profile_get_name": (S, [P]),
    "vtun_ipsec_profile_get_vsys": (P, [P]),
    "vtun_ipsec_profile_set_ike_peer": (I, [P, S]),
    "vtun_ipsec_profile_get_ike_peer": (S, [P]),
    "vtun_ipsec_profile_set_proposal": (I, [P, S]),
    "vtun_ipsec_profile_get_proposal": (S, [P]),
    "vtun_ipsec_profile_set_pfs": (I, [P, I]),
    "vtun_ipsec_profile_get_pfs": (I, [P]),
    "vtun_ipsec_profile_set_lifetime": (I, [P, U32, U64]),
    "vtun_ipsec_profile_get_lifetime": (None, [P, PU32, PU64]),
    "vtun_ipsec_profile_set_replay_window": (I, [P, U32]),
    "vtun_ipsec_profile_get_replay_window": (U32, [P]),
    "vtun_ipsec_profile_set_esn": (I, [P, I]),
    "vtun_ipsec_profile_get_esn": (I, [P]),
    "vtun_ipsec_profile_get_tunnel": (P, [P]),
    "vtun_ipsec_profile_set_user_data": (None, [P, P]),
    "vtun_ipsec_profile_get_user_data": (P, [P]),
    # address pools
    "vtun_pool_new": (I, [P, P, S, PP]),
    "vtun_pool_find": (P, [P, P, S]),
    "vtun_pool_delete": (I, [P]),
    "vtun_pool_get_name": (S, [P]),
    "vtun_pool_get_vsys": (P, [P]),
    "vtun_pool_set_network": (I, [P, S, U]),
    "vtun_pool_get_network": (SS, [P, S, SZ, PU]),
    "vtun_pool_add_range": (I, [P, S, S]),
    "vtun_pool_get_range_count": (U, [P]),
    "vtun_pool_get_range": (SS, [P, U, S, SZ]),
    "vtun_pool_lease": (I, [P, S, S, SZ]),
    "vtun_pool_release": (I, [P, S]),
    "vtun_pool_get_usage": (None, [P, PU32, PU32, PU64]),
    "vtun_pool_set_user_data": (None, [P, P]),
    "vtun_pool_get_user_data": (P, [P]),
    # tunnels
    "vtun_tunnel_new": (I, [P, S, PP]),
    "vtun_tunnel_find": (P, [P, S]),
    "vtun_tunnel_delete": (I, [P]),
    "vtun_tunnel_next": (P, [P, P]),
    "vtun_tunnel_get_name": (S, [P]),
    "vtun_tunnel_get_ctx": (P, [P]),
    "vtun_tunnel_set_protocol": (I, [P, I]),
    "vtun_tunnel_get_protocol": (I, [P]),
    "vtun_tunnel_set_address": (I, [P, S, U]),
    "vtun_tunnel_set_unnumbered": (I, [P, P]),
    "vtun_tunnel_set_address_negotiated": (I, [P]),
    "vtun_tunnel_clear_address": (I, [P]),
    "vtun_tunnel_get_address_mode": (I, [P]),
    "vtun_tunnel_get_unnumbered": (P, [P]),
    "vtun_tunnel_get_address": (SS, [P, S, SZ, PU]),
    "vtun_tunnel_set_source_address": (I, [P, S]),
    "vtun_tunnel_set_source_iface": (I, [P, P]),
    "vtun_tunnel_clear_source": (I, [P]),
    "vtun_tunnel_get_source_address": (SS, [P, S, SZ]),
    "vtun_tunnel_get_source_iface": (P, [P]),
    "vtun_tunnel_set_destination": (I, [P, S, P]),
    "vtun_tunnel_clear_destination": (I, [P]),
    "vtun_tunnel_get_destination": (SS, [P, S, SZ]),
    "vtun_tunnel_get_vpn_instance": (P, [P]),
    "vtun_tunnel_set_profile": (I, [P, P]),
    "vtun_tunnel_get_profile": (P, [P]),
    "vtun_tunnel_set_vsys": (I, [P, P]),
    "vtun_tunnel_get_vsys": (P, [P]),
    "vtun_tunnel_set_enabled": (I, [P, I]),
    "vtun_tunnel_get_enabled": (I, [P]),
    "vtun_tunnel_set_on_demand": (I, [P, I]),
    "vtun_tunnel_get_on_demand": (I, [P]),
    "vtun_tunnel_set_template": (I, [P, I]),
    "vtun_tunnel_get_template_mode": (I, [P]),
    "vtun_tunnel_get_template": (P, [P]),
    "vtun_tunnel_get_branch_id": (SS, [P, PI, S, SZ]),
    "vtun_tunnel_set_gre_key": (I, [P, I, U32]),
    "vtun_tunnel_get_gre_key": (I, [P, PU32]),
    "vtun_tunnel_set_gre_sequence": (I, [P, I]),
    "vtun_tunnel_get_gre_sequence": (I, [P]),
    "vtun_tunnel_set_keepalive": (I, [P, U32, U32]),
    "vtun_tunnel_get_keepalive": (None, [P, PU32, PU32]),
    "vtun_tunnel_set_mtu": (I, [P, U32]),
    "vtun_tunnel_get_mtu": (U32, [P]),
    "vtun_tunnel_get_state": (I, [P]),
    "vtun_tunnel_check": (I, [P]),
    "vtun_tunnel_set_user_data": (None, [P, P]),
    "vtun_tunnel_get_user_data": (P, [P]),
    # initiation and matching
    "vtun_tunnel_get_initiation": (I, [P, U, PI, S, SZ, S, SZ]),
    "vtun_tunnel_explain_initiation": (SS, [P, S, SZ]),
    "vtun_ctx_match": (I, [P, P, S, S, I, I, S, PP]),
    "vtun_ctx_explain_match": (SS, [P, P, S, S, I, I, S, S, SZ]),
    # configuration text
    "vtun_config_load": (I, [P, S, SZ]),
    "vtun_config_dump": (SS, [P, U, S, SZ]),
    # data path
    "vtun_tunnel_set_manual_sa": (I, [P, U32, U32, I, I, P, SZ, P, SZ, U]),
    "vtun_tunnel_send": (I, [P, P, SZ, SZ, SZ]),
    "vtun_tunnel_send_batch": (SS, [P, PKT, SZ]),
    "vtun_ctx_input": (I, [P, P, I, EP, EP, P, SZ]),
    "vtun_ctx_input_batch": (SS, [P, P, I, EP, PKT, SZ]),
    # statistics and views
    "vtun_tunnel_get_stats": (I, [P, POINTER(TunnelStats), SZ]),
    "vtun_ctx_get_stats": (I, [P, POINTER(CtxStats), SZ]),
    "vtun_ctx_display": (SS, [P, S, S, SZ]),
    # vtun_crypto.h
    "vtun_crypto_openssl": (P, []),
}


class Lib:
    """The loaded library: each C function as an attribute.

    A function the library does not export (an older build) becomes a
    stand-in that raises VtunError(VTUN_ENOTSUP) when called, so the rest
    of the bindings keep working; `missing` lists them.
    """

    def __init__(self, dll: ctypes.CDLL, path: str) -> None:
        self.dll = dll
        self.path = path
        self.missing: list[str] = []
        for name, (restype, argtypes) in PROTOTYPES.items():
            setattr(self, name, self._bind(name, restype, argtypes))

    def _bind(self, name: str, restype: Any, argtypes: list[Any]) -> Any:
        try:
            fn = getattr(self.dll, name)
        except AttributeError:
            self.missing.append(name)
            return _missing_function(name, self.path)
        fn.restype = restype
        fn.argtypes = argtypes
        return fn


def _missing_function(name: str, path: str) -> Callable[..., Any]:
    def missing(*args: Any) -> Any:
        from .errors import ENOTSUP, VtunError
        raise VtunError(ENOTSUP, f"{path} does not export {name}")
    missing.__name__ = name
    return missing


# --------------------------------------------------------------- loading


def _repo_root() -> pathlib.Path:
    return pathlib.Path(__file__).resolve().parents[3]


def candidates() -> list[str]:
    """Where the library is looked for, in order: $VTUN_LIBRARY, the
    build trees of the source checkout (build*/src), then the system."""
    found = []
    env = os.environ.get(ENV_LIBRARY)
    if env:
        return [env]
    root = _repo_root()
    if (root / "meson.build").exists():
        for build in sorted(root.glob("build*/src/" + SONAME)):
            found.append(str(build))
    found.append(SONAME)
    system = ctypes.util.find_library("vtun")
    if system and system != SONAME:
        found.append(system)
    return found


def _check_version(dll: ctypes.CDLL, path: str) -> None:
    try:
        fn = dll.vtun_version
    except AttributeError as exc:
        raise LibraryError(f"{path} is not libvtun (no vtun_version)") \
            from exc
    fn.restype = c_char_p
    fn.argtypes = []
    text = fn().decode()
    parts = tuple(int(x) for x in text.split(".")[:2])
    if parts != EXPECTED_VERSION:
        want = ".".join(str(x) for x in EXPECTED_VERSION)
        raise LibraryError(
            f"{path} is libvtun {text}; these bindings need {want}.x")


def open_library(path: Optional[str] = None) -> Lib:
    """Loads libvtun from @path, or from the first candidate that loads.

    Raises LibraryError naming every place tried when none loads, or when
    the library's version is not EXPECTED_VERSION.
    """
    tried = []
    for cand in [path] if path else candidates():
        try:
            dll = ctypes.CDLL(cand)
        except OSError as exc:
            tried.append(f"{cand}: {exc}")
            continue
        _check_version(dll, cand)
        return Lib(dll, cand)
    raise LibraryError(
        "libvtun not found; build it (meson setup build && ninja -C build)"
        f" or set {ENV_LIBRARY} to its path. Tried:\n  " + "\n  ".join(tried))


_lock = threading.Lock()
_lib: Optional[Lib] = None


def lib() -> Lib:
    """The loaded library, loading it on first use."""
    global _lib
    if _lib is None:
        with _lock:
            if _lib is None:
                _lib = open_library()
    return _lib


def load(path: Optional[str] = None) -> Lib:
    """Loads (or reloads) the library from @path; see open_library()."""
    global _lib
    with _lock:
        _lib = open_library(path)
    return _lib
