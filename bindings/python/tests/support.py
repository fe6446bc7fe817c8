"""Shared pieces of the binding tests: the rule fixture of
tests/unit/fixture.h, and a wire that carries datagrams between contexts
in memory through their Python hooks."""

from __future__ import annotations

import collections
import dataclasses
from typing import Any, Optional

import vtun


@dataclasses.dataclass
class Fixture:
    """One Layer 3 interface GE1 (192.0.2.1/24), ike proposal 10, ike peer
    p1 (PSK), ipsec proposal prop1 and profile prof1 naming them, and an
    ipsec tunnel Tunnel1 with source GE1 and no profile."""

    ctx: vtun.Context
    ge1: vtun.Iface
    ikeprop: vtun.IkeProposal
    peer: vtun.IkePeer
    prop: vtun.IpsecProposal
    prof: vtun.IpsecProfile
    t1: vtun.Tunnel

    def tunnel(self, name: str) -> tuple[vtun.Tunnel, vtun.IkePeer]:
        """Adds ipsec tunnel @name on GE1 (unnumbered, source GE1) with a
        fresh peer, proposal and profile named after it."""
        ctx = self.ctx
        peer = ctx.new_ike_peer(f"peer-{name}")
        peer.add_proposal(self.ikeprop)
        ctx.new_ipsec_proposal(f"prof-{name}")
        prof = ctx.new_ipsec_profile(f"prof-{name}")
        prof.ike_peer = peer
        prof.proposal = f"prof-{name}"
        t = ctx.new_tunnel(name)
        t.protocol = vtun.TunnelProtocol.IPSEC
        t.set_unnumbered(self.ge1)
        t.source = self.ge1
        t.profile = prof
        return t, peer


def make_fixture(**kwargs: Any) -> Fixture:
    ctx = vtun.Context(**kwargs)
    ge1 = ctx.new_iface("GE1", vtun.Layer.LAYER3)
    ge1.set_address("192.0.2.1", 24)
    ikeprop = ctx.new_ike_proposal(10)
    peer = ctx.new_ike_peer("p1")
    peer.psk = b"k"
    peer.add_proposal(ikeprop)
    prop = ctx.new_ipsec_proposal("prop1")
    prof = ctx.new_ipsec_profile("prof1")
    prof.ike_peer = "p1"
    prof.proposal = "prop1"
    t1 = ctx.new_tunnel("Tunnel1")
    t1.protocol = vtun.TunnelProtocol.IPSEC
    t1.source = ge1
    return Fixture(ctx, ge1, ikeprop, peer, prop, prof, t1)


class Clock:
    """A fake monotonic clock for the now hook, in nanoseconds."""

    def __init__(self) -> None:
        self.t = 1_000 * vtun.SECONDS

    def __call__(self) -> int:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += int(seconds * vtun.SECONDS)


class Wire:
    """Contexts attached by their outer address. A datagram sent from L to
    R is queued; pump() hands each to the context that owns R, with the
    endpoints swapped, until nothing is in flight."""

    def __init__(self, clock: Optional[Clock] = None) -> None:
        self.clock = clock or Clock()
        self.nodes: dict[str, vtun.Context] = {}
        self.queue: collections.deque[Any] = collections.deque()
        self.delivered: dict[str, list[tuple[str, bytes]]] = {}
        self.events: dict[str, list[vtun.Event]] = {}
        self.sent = 0
        self.errors: list[vtun.VtunError] = []

    def context(self, address: str, **settings: Any) -> vtun.Context:
        """A new context whose outer address is @address."""
        self.delivered[address] = []
        self.events[address] = []

        def send(vrf: Any, proto: vtun.Proto, local: vtun.Endpoint,
                 remote: vtun.Endpoint, data: bytes) -> None:
            self.sent += 1
            self.queue.append((proto, local, remote, data))

        def deliver(tunnel: vtun.Tunnel, packet: bytes) -> None:
            self.delivered[address].append((tunnel.name, packet))

        def event(ev: vtun.Event) -> None:
            self.events[address].append(ev)

        ctx = vtun.Context(send_datagram=send, deliver=deliver, event=event,
                           now=self.clock, **settings)
        self.nodes[address] = ctx
        return ctx

    def pump(self, limit: int = 1000) -> int:
        """Delivers queued datagrams; returns how many were carried."""
        n = 0
        while self.queue and n < limit:
            proto, local, remote, data = self.queue.popleft()
            dst = self.nodes.get(remote.address)
            n += 1
            if dst is None:
                continue
            try:
                dst.input(data, local=remote, remote=local, proto=proto)
            except vtun.VtunError as exc:
                self.errors.append(exc)
        return n
