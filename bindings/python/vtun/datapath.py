"""Data path and the small value types that cross hooks: endpoints,
events, initiation results; sending and feeding packets as bytes."""

from __future__ import annotations

import ctypes
import dataclasses
from typing import TYPE_CHECKING, NamedTuple, Optional, Union

from . import _lib
from ._util import as_bytes, enc, read_text
from .enums import EventType, Family, Proto, Role, TunnelState, as_enum
from .errors import make_error

if TYPE_CHECKING:
    from .context import Context
    from .objects import Tunnel, VpnInstance


@dataclasses.dataclass(frozen=True)
class Endpoint:
    """An outer address and port (0 for raw ESP or GRE)."""

    address: str
    port: int = 0

    @property
    def family(self) -> Family:
        return Family.INET6 if ":" in self.address else Family.INET

    def to_c(self) -> _lib.Endpoint:
        ep = _lib.Endpoint()
        rc = _lib.lib().vtun_endpoint_parse(ctypes.byref(ep),
                                            enc(self.address), self.port)
        if rc != 0:
            raise make_error(rc, f"not an address: {self.address!r}")
        return ep

    @classmethod
    def from_c(cls, ep: _lib.Endpoint) -> Endpoint:
        rc, text = read_text(_lib.lib().vtun_endpoint_format,
                             (ctypes.byref(ep),), size=64)
        return cls(text if rc >= 0 else "", ep.port)

    def __str__(self) -> str:
        if self.port == 0:
            return self.address
        if ":" in self.address:
            return f"[{self.address}]:{self.port}"
        return f"{self.address}:{self.port}"


EndpointLike = Union[Endpoint, str, tuple[str, int]]


def endpoint(value: EndpointLike) -> Endpoint:
    """@value (an Endpoint, "addr", or (addr, port)) as an Endpoint."""
    if isinstance(value, Endpoint):
        return value
    if isinstance(value, str):
        return Endpoint(value, 0)
    return Endpoint(value[0], value[1])


@dataclasses.dataclass
class Event:
    """A vtun_event as a Python object; only the members that apply to
    its type are set."""

    type: EventType
    tunnel: Optional[Tunnel]
    state: Optional[TunnelState] = None
    error: int = 0
    spi_in: int = 0
    spi_out: int = 0
    address: Optional[str] = None
    prefixlen: int = 0

    @property
    def error_name(self) -> Optional[str]:
        if not self.error:
            return None
        raw = _lib.lib().vtun_err_name(self.error)
        return raw.decode() if raw else str(self.error)


class Initiation(NamedTuple):
    """Result of Tunnel.initiation()."""

    role: Role
    remote: Optional[str]
    local: Optional[str]


def event_from_c(ctx: Context, ev: _lib.Event) -> Event:
    """Copies a vtun_event (valid only during the hook) into an Event."""
    from .objects import Tunnel
    kind = as_enum(EventType, ev.type)
    state = None
    if kind == EventType.TUNNEL_STATE:
        state = as_enum(TunnelState, ev.state)
    address = ev.address.decode() if ev.address else None
    return Event(kind, ctx._wrap(Tunnel, ev.tunnel), state, ev.error,
                 ev.spi_in, ev.spi_out, address, ev.prefixlen)


def _room(packet: bytes) -> tuple[ctypes.Array[ctypes.c_uint8], int]:
    # LIMITATION: every send and input allocates and copies a ctypes
    # buffer, unlike the C data path; the bindings suit control, tests and
    # moderate traffic, not line-rate forwarding.
    cap = _lib.HEADROOM + len(packet) + _lib.TAILROOM
    buf = (ctypes.c_uint8 * cap)()
    ctypes.memmove(ctypes.byref(buf, _lib.HEADROOM), packet, len(packet))
    return buf, cap


def tunnel_send(tunnel: Tunnel, packet: bytes) -> None:
    """Copies @packet into a buffer with VTUN_HEADROOM and VTUN_TAILROOM
    around it and calls vtun_tunnel_send()."""
    data = as_bytes(packet)
    buf, cap = _room(data)
    tunnel._call("send", buf, _lib.HEADROOM, len(data), cap)


def tunnel_send_batch(tunnel: Tunnel, packets: list[bytes]) -> list[int]:
    """vtun_tunnel_send_batch(); each packet's result code (0: sent)."""
    pkts = (_lib.Pkt * len(packets))()
    keep = []
    for pkt, data in zip(pkts, packets):
        buf, cap = _room(as_bytes(data))
        keep.append(buf)
        pkt.buf = ctypes.cast(buf, ctypes.POINTER(ctypes.c_uint8))
        pkt.off, pkt.len, pkt.cap = _lib.HEADROOM, len(data), cap
    n = tunnel._get("send_batch", pkts, len(packets))
    tunnel.context._check(n)
    return [p.result for p in pkts]


def ctx_input(ctx: Context, data: bytes, proto: Proto, local: EndpointLike,
              remote: EndpointLike, vrf: Optional[VpnInstance] = None
              ) -> None:
    """vtun_ctx_input() on a private copy of @data."""
    raw = as_bytes(data)
    buf = (ctypes.c_uint8 * max(len(raw), 1)).from_buffer_copy(
        raw if raw else b"\0")
    lep, rep = endpoint(local).to_c(), endpoint(remote).to_c()
    rc = _lib.lib().vtun_ctx_input(ctx._p, vrf._p if vrf else None,
                                   int(proto), ctypes.byref(lep),
                                   ctypes.byref(rep), buf, len(raw))
    ctx._check(rc)


def ctx_input_batch(ctx: Context, datagrams: list[tuple[bytes, EndpointLike]],
                    proto: Proto, local: EndpointLike,
                    vrf: Optional[VpnInstance] = None) -> list[int]:
    """vtun_ctx_input_batch() over (data, remote) pairs; each result."""
    pkts = (_lib.Pkt * len(datagrams))()
    keep = []
    for pkt, (data, remote) in zip(pkts, datagrams):
        raw = as_bytes(data)
        buf = (ctypes.c_uint8 * max(len(raw), 1)).from_buffer_copy(
            raw if raw else b"\0")
        keep.append(buf)
        pkt.buf = ctypes.cast(buf, ctypes.POINTER(ctypes.c_uint8))
        pkt.off, pkt.len, pkt.cap = 0, len(raw), len(buf)
        pkt.remote = endpoint(remote).to_c()
    lep = endpoint(local).to_c()
    n = _lib.lib().vtun_ctx_input_batch(ctx._p, vrf._p if vrf else None,
                                        int(proto), ctypes.byref(lep), pkts,
                                        len(datagrams))
    ctx._check(n)
    return [p.result for p in pkts]


def ctx_stats(ctx: Context) -> dict[str, int]:
    out = _lib.CtxStats()
    ctx._check(_lib.lib().vtun_ctx_get_stats(ctx._p, ctypes.byref(out),
                                             ctypes.sizeof(out)))
    return _lib.struct_dict(out)


__all__ = ["Endpoint", "Event", "Initiation", "endpoint"]
