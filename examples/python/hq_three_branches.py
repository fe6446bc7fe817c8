#!/usr/bin/python3
"""One headquarters and three branches negotiating IKEv2 in one process.

Four libvtun contexts talk through Python hooks: each context's
send_datagram hook puts the datagram on an in-memory "wire", and the loop
below feeds it to the context that owns the destination address with
Context.input(). A fake clock drives the timers. When every tunnel is up,
each branch sends a packet to headquarters, and the script prints the
headquarters' displays.

    meson setup build && ninja -C build
    /usr/bin/python3 examples/python/hq_three_branches.py

The bindings are taken from bindings/python of this checkout and the
library from build*/src (or $VTUN_LIBRARY).
"""

from __future__ import annotations

import collections
import pathlib
import struct
import sys
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bindings" / "python"))

import vtun  # noqa: E402

HQ_ADDR = "192.0.2.1"
PROPOSALS = """\
ike proposal 10
 encryption-algorithm aes-gcm-256
 dh group31
#
ipsec proposal esp-gcm
 esp encryption-algorithm aes-gcm-256
#
"""

HQ = PROPOSALS + """\
interface GigabitEthernet0/0/1
 ip address 192.0.2.1 255.255.255.0
#
ip pool branch-pool
 network 10.9.0.0 mask 255.255.255.0
 section 0 10.9.0.10 10.9.0.200
#
ike peer branch1
 pre-shared-key "Branch1 shared secret"
 ike-proposal 10
 remote-address 198.51.100.2
#
ike peer branch2
 pre-shared-key "Branch2 shared secret"
 ike-proposal 10
 remote-id-type fqdn
 remote-id branch2.example.net
 ip-pool branch-pool
 ikev2 peer-id-match enable
#
ike peer branch3
 pre-shared-key "Branch3 shared secret"
 ike-proposal 10
 remote-address 198.51.100.3
""" + "".join(f"""#
ipsec profile to-branch{n}
 ike-peer branch{n}
 proposal esp-gcm
#
interface Tunnel{n}
 tunnel-protocol ipsec
 ip address unnumbered interface GigabitEthernet0/0/1
 source GigabitEthernet0/0/1
 ipsec profile to-branch{n}
""" for n in (1, 2, 3))


def branch(n: int, outer: str, tunnel_lines: str, peer_lines: str = "") -> str:
    """A branch configuration: one outer interface, one tunnel to HQ."""
    return PROPOSALS + f"""\
interface GigabitEthernet0/0/1
 ip address {outer} 255.255.255.0
#
ike peer hq
 pre-shared-key "Branch{n} shared secret"
 ike-proposal 10
{peer_lines}#
ipsec profile to-hq
 ike-peer hq
 proposal esp-gcm
#
interface Tunnel1
 tunnel-protocol ipsec
{tunnel_lines} source GigabitEthernet0/0/1
 ipsec profile to-hq
"""


BRANCHES = {
    # A fixed address and a static tunnel address; starts towards HQ.
    "198.51.100.2": branch(1, "198.51.100.2",
                           " ip address 10.1.1.2 255.255.255.252\n"
                           " destination 192.0.2.1\n"),
    # A changing address: HQ knows it by its FQDN and leases its address.
    "203.0.113.7": branch(2, "203.0.113.7", " ip address ike-negotiated\n",
                          " local-id-type fqdn\n"
                          " local-id branch2.example.net\n"
                          " remote-address 192.0.2.1\n"),
    "198.51.100.3": branch(3, "198.51.100.3",
                           " ip address 10.1.3.2 255.255.255.252\n"
                           " destination 192.0.2.1\n"),
}


class Network:
    """The in-memory wire between the contexts, and a fake clock."""

    def __init__(self) -> None:
        self.now = 1_000 * vtun.SECONDS
        self.queue: collections.deque[Any] = collections.deque()
        self.nodes: dict[str, vtun.Context] = {}
        self.delivered: list[tuple[str, str, bytes]] = []

    def attach(self, address: str, name: str) -> vtun.Context:
        def send(vrf: Any, proto: vtun.Proto, local: vtun.Endpoint,
                 remote: vtun.Endpoint, data: bytes) -> None:
            self.queue.append((proto, local, remote, data))

        def deliver(tunnel: vtun.Tunnel, packet: bytes) -> None:
            self.delivered.append((name, tunnel.name, packet))

        def event(ev: vtun.Event) -> None:
            where = ev.tunnel.name if ev.tunnel else "-"
            extra = f" {ev.address}/{ev.prefixlen}" if ev.address else ""
            state = f" {ev.state.name}" if ev.state is not None else ""
            why = f" ({ev.error_name})" if ev.error else ""
            print(f"  [{name}] {where}: {ev.type.name}{state}{extra}{why}")

        ctx = vtun.Context(send_datagram=send, deliver=deliver, event=event,
                           now=lambda: self.now, log=None)
        self.nodes[address] = ctx
        return ctx

    def run(self, rounds: int = 100) -> None:
        """Carries datagrams; advances the clock when the wire is idle."""
        for _ in range(rounds):
            while self.queue:
                proto, local, remote, data = self.queue.popleft()
                dst = self.nodes.get(remote.address)
                if dst is None:
                    continue
                try:
                    dst.input(data, local=remote, remote=local, proto=proto)
                except vtun.VtunError as exc:
                    print(f"  dropped at {remote.address}: {exc}")
            if all(t.state == vtun.TunnelState.UP
                   for ctx in self.nodes.values() for t in ctx):
                return
            self.now += vtun.SECONDS // 2
            for ctx in self.nodes.values():
                ctx.expire_timers(self.now)


def udp_packet(src: str, dst: str, payload: bytes) -> bytes:
    """A small IPv4/UDP packet with a valid header checksum."""
    addr = [bytes(int(x) for x in a.split(".")) for a in (src, dst)]
    udp = struct.pack("!HHHH", 40000, 7, 8 + len(payload), 0) + payload
    hdr = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1,
                                0, 64, 17, 0, addr[0], addr[1]))
    s = sum(struct.unpack("!10H", bytes(hdr)))
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    hdr[10:12] = struct.pack("!H", ~s & 0xFFFF)
    return bytes(hdr) + udp


def main() -> int:
    print("loading the configurations; negotiation starts at commit:")
    net = Network()
    hq = net.attach(HQ_ADDR, "HQ")
    hq.load(HQ)
    for n, (address, config) in enumerate(BRANCHES.items(), 1):
        net.attach(address, f"Branch{n}").load(config)

    net.run()
    down = [f"{addr} {t.name}: {t.state.name}"
            for addr, ctx in net.nodes.items() for t in ctx
            if t.state != vtun.TunnelState.UP]
    if down:
        print("tunnels not up:\n  " + "\n  ".join(down), file=sys.stderr)
        return 1

    print("\ntraffic from each branch:")
    for n, (address, ctx) in enumerate(list(net.nodes.items())[1:], 1):
        t = ctx.tunnel("Tunnel1")
        own = t.address[0] if t.address else "0.0.0.0"
        t.send(udp_packet(own, "10.0.0.1", f"hello from branch {n}".encode()))
    net.run(rounds=1)
    for who, tunnel, pkt in net.delivered:
        print(f"  {who} got {len(pkt)} bytes on {tunnel}: {pkt[28:]!r}")
    if len(net.delivered) != len(BRANCHES):
        print("a branch's packet did not arrive", file=sys.stderr)
        return 1

    for view in ("interface tunnel", "ike sa", "ipsec sa", "statistics"):
        print(f"\n<HQ> display {view}\n")
        print(hq.display(view))
    for ctx in net.nodes.values():
        ctx.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
