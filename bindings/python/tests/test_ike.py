"""Two contexts negotiate IKEv2 in memory through their Python hooks:
the branch's commit starts the initiator, send_datagram queues each
message, and the wire feeds it to the other context's input."""

from __future__ import annotations

import unittest

import vtun
from vtun import EventType, TunnelState

from .support import Wire
from .test_datapath import ipv4_packet

HQ, BR, BR2, BR3 = "192.0.2.1", "198.51.100.2", "203.0.113.7", "203.0.113.9"

HQ_CONFIG = """\
interface GigabitEthernet0/0/1
 ip address 192.0.2.1 255.255.255.0
#
ike proposal 10
 encryption-algorithm aes-gcm-256
 dh group31
#
ip pool branch-pool
 network 10.9.0.0 mask 255.255.255.0
 section 0 10.9.0.10 10.9.0.20
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
ipsec proposal esp-gcm
 esp encryption-algorithm aes-gcm-256
#
ipsec profile to-branch1
 ike-peer branch1
 proposal esp-gcm
#
ipsec profile to-branch2
 ike-peer branch2
 proposal esp-gcm
#
interface Tunnel1
 tunnel-protocol ipsec
 ip address unnumbered interface GigabitEthernet0/0/1
 source GigabitEthernet0/0/1
 ipsec profile to-branch1
#
interface Tunnel2
 tunnel-protocol ipsec
 ip address unnumbered interface GigabitEthernet0/0/1
 source GigabitEthernet0/0/1
 ipsec profile to-branch2
"""

BRANCH1_CONFIG = """\
interface GigabitEthernet0/0/1
 ip address 198.51.100.2 255.255.255.0
#
ike proposal 10
 encryption-algorithm aes-gcm-256
 dh group31
#
ike peer hq
 pre-shared-key "Branch1 shared secret"
 ike-proposal 10
#
ipsec proposal esp-gcm
 esp encryption-algorithm aes-gcm-256
#
ipsec profile to-hq
 ike-peer hq
 proposal esp-gcm
#
interface Tunnel1
 tunnel-protocol ipsec
 ip address 10.1.1.2 255.255.255.252
 source GigabitEthernet0/0/1
 destination 192.0.2.1
 ipsec profile to-hq
"""

BRANCH2_CONFIG = """\
interface Dialer0
 ip address 203.0.113.7 255.255.255.0
#
ike proposal 10
 encryption-algorithm aes-gcm-256
 dh group31
#
ike peer hq
 pre-shared-key "Branch2 shared secret"
 ike-proposal 10
 local-id-type fqdn
 local-id branch2.example.net
 remote-address 192.0.2.1
#
ipsec proposal esp-gcm
 esp encryption-algorithm aes-gcm-256
#
ipsec profile to-hq
 ike-peer hq
 proposal esp-gcm
#
interface Tunnel1
 tunnel-protocol ipsec
 ip address ike-negotiated
 source Dialer0
 ipsec profile to-hq
"""


# A template on the HQ: any branch with a key derived from the master
# secret and its identity gets a tunnel of its own.
HQ_TEMPLATE = """\
ike peer branches
 pre-shared-key derived "HQ master secret"
 ike-proposal 10
 ip-pool branch-pool
#
ipsec profile to-branches
 ike-peer branches
 proposal esp-gcm
#
interface Tunnel9
 tunnel-protocol ipsec
 ip address unnumbered interface GigabitEthernet0/0/1
 source GigabitEthernet0/0/1
 ipsec profile to-branches
 template keep
"""


def run(wire: Wire, tunnels: list[vtun.Tunnel], rounds: int = 60) -> None:
    """Carries datagrams and runs timers until every tunnel is up."""
    for _ in range(rounds):
        wire.pump()
        if all(t.state == TunnelState.UP for t in tunnels):
            return
        wire.clock.advance(0.5)
        for ctx in wire.nodes.values():
            ctx.expire_timers()


class IkeTests(unittest.TestCase):
    def setUp(self) -> None:
        self.wire = Wire()
        self.hq = self.wire.context(HQ)
        self.addCleanup(self.hq.close)
        self.hq.load(HQ_CONFIG)

    def branch(self, address: str, config: str) -> vtun.Context:
        ctx = self.wire.context(address)
        self.addCleanup(ctx.close)
        ctx.load(config)
        return ctx

    def assert_up(self, tunnels: list[vtun.Tunnel]) -> None:
        for t in tunnels:
            self.assertEqual(t.state, TunnelState.UP,
                             f"{t.name} of {t.context!r}: {t.state!r}; "
                             f"{t.explain_initiation()}; wire errors: "
                             f"{self.wire.errors}; datagrams sent: "
                             f"{self.wire.sent}")

    def test_branch_negotiates_with_hq(self) -> None:
        br = self.branch(BR, BRANCH1_CONFIG)
        t_br, t_hq = br.tunnel("Tunnel1"), self.hq.tunnel("Tunnel1")
        run(self.wire, [t_br, t_hq])
        self.assert_up([t_br, t_hq])
        self.assertEqual(self.wire.errors, [])
        for addr in (HQ, BR):
            kinds = {e.type for e in self.wire.events[addr]}
            self.assertIn(EventType.IKE_SA_UP, kinds, addr)
            self.assertIn(EventType.SA_INSTALLED, kinds, addr)
        self.assertEqual(self.hq.tunnel("Tunnel2").state, TunnelState.IDLE)

        # Traffic both ways over the negotiated Child SA.
        pkt = ipv4_packet(b"branch to hq", "10.1.1.2", "10.1.1.1")
        t_br.send(pkt)
        self.wire.pump()
        self.assertEqual(self.wire.delivered[HQ], [("Tunnel1", pkt)])
        back = ipv4_packet(b"hq to branch", "10.1.1.1", "10.1.1.2")
        t_hq.send(back)
        self.wire.pump()
        self.assertEqual(self.wire.delivered[BR], [("Tunnel1", back)])

    def test_sa_views_list_the_negotiated_sas(self) -> None:
        br = self.branch(BR, BRANCH1_CONFIG)
        run(self.wire, [br.tunnel("Tunnel1"), self.hq.tunnel("Tunnel1")])
        self.assert_up([br.tunnel("Tunnel1")])
        self.assertIn(BR, self.hq.display("ike sa"))
        self.assertIn("Tunnel1", self.hq.display("ipsec sa"))

    def test_branch_gets_its_address_from_the_pool(self) -> None:
        br = self.branch(BR2, BRANCH2_CONFIG)
        t_br, t_hq = br.tunnel("Tunnel1"), self.hq.tunnel("Tunnel2")
        run(self.wire, [t_br, t_hq])
        self.assert_up([t_br, t_hq])
        assigned = [e for e in self.wire.events[BR2]
                    if e.type == EventType.ADDRESS_ASSIGNED]
        self.assertEqual(len(assigned), 1)
        self.assertTrue(assigned[0].address.startswith("10.9.0."))
        self.assertEqual(t_br.address, (assigned[0].address, 24))

    def test_wrong_key_fails_authentication(self) -> None:
        br = self.branch(BR, BRANCH1_CONFIG.replace("Branch1 shared",
                                                    "Wrong"))
        t_br = br.tunnel("Tunnel1")
        run(self.wire, [t_br], rounds=10)
        self.assertNotEqual(t_br.state, TunnelState.UP)
        self.assertGreater(self.wire.sent, 0, "no IKE message was sent")
        down = [e for e in self.wire.events[BR]
                if e.type == EventType.TUNNEL_STATE and e.error]
        self.assertTrue(down, "no state event with an error")

    def test_template_makes_the_branch_a_tunnel(self) -> None:
        self.hq.load(HQ_TEMPLATE)
        key = vtun.derive_branch_psk(b"HQ master secret", vtun.IdType.FQDN,
                                     "branch3.example.net")
        br = self.branch(BR3, BRANCH2_CONFIG
                         .replace("203.0.113.7", BR3)
                         .replace("branch2.example.net", "branch3.example.net")
                         .replace('"Branch2 shared secret"', key))
        t_br = br.tunnel("Tunnel1")
        run(self.wire, [t_br])
        self.assert_up([t_br])
        made = [t for t in self.hq.tunnels()
                if t.template is not None]
        self.assertEqual(len(made), 1)
        inst = made[0]
        self.assertEqual(inst.name, "Tunnel9-1")
        self.assertEqual(inst.template.name, "Tunnel9")
        self.assertEqual(inst.branch_id,
                         (vtun.IdType.FQDN, "branch3.example.net"))
        self.assertEqual(inst.state, TunnelState.UP)
        self.assertEqual(self.hq.tunnel("Tunnel9").template_mode,
                         vtun.TemplateMode.KEEP)
        kinds = [e.type for e in self.wire.events[HQ]]
        self.assertIn(EventType.TUNNEL_CREATED, kinds)
        self.assertNotIn("Tunnel9-1", self.hq.dump())


if __name__ == "__main__":
    unittest.main()
