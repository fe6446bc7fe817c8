"""Each configuration rule R1-R14 refuses through the bindings with a
RuleError naming the rule and the objects, and changes nothing."""

from __future__ import annotations

import unittest
from typing import Any, Callable

import vtun
from vtun import DhGroup, Encr, Integ, TunnelProtocol

from .support import make_fixture


class RuleTests(unittest.TestCase):
    def setUp(self) -> None:
        self.f = make_fixture()
        self.addCleanup(self.f.ctx.close)

    def refused(self, rule: str, needle: str, fn: Callable[[], Any]
                ) -> vtun.RuleError:
        with self.assertRaises(vtun.RuleError) as cm:
            fn()
        err = cm.exception
        self.assertEqual(err.rule, rule)
        self.assertEqual(err.code, -200 - int(rule[1:]))
        self.assertTrue(err.name.startswith(f"VTUN_E{rule}_"), err.name)
        self.assertIn(needle, err.detail)
        self.assertIn(needle, str(err))
        return err

    def test_r1_profile_binding(self) -> None:
        f = self.f
        f.t1.profile = f.prof
        prof2 = f.ctx.new_ipsec_profile("prof2")
        prof2.ike_peer, prof2.proposal = "p1", "prop1"

        def apply() -> None:
            f.t1.profile = prof2
        self.refused("R1", "R1: Tunnel1", apply)
        self.assertEqual(f.t1.profile, f.prof)
        self.assertIsNone(prof2.tunnel)

    def test_r2_profile_incomplete(self) -> None:
        f = self.f
        later = f.ctx.new_ipsec_profile("later")
        later.ike_peer, later.proposal = "not-yet", "prop1"

        def apply() -> None:
            f.t1.profile = later
        err = self.refused("R2", "R2: ipsec profile later", apply)
        self.assertIn("not-yet", err.detail)
        self.assertIsNone(f.t1.profile)

    def test_r3_vpn_instance_mode(self) -> None:
        f = self.f
        vrf = f.ctx.new_vpn_instance("VPN1")
        f.t1.protocol = TunnelProtocol.GRE
        self.refused("R3", "R3: Tunnel1",
                     lambda: f.t1.set_destination("198.51.100.2", vrf))
        self.assertIsNone(f.t1.destination)

    def test_r4_source_layer(self) -> None:
        f = self.f
        l2 = f.ctx.new_iface("Eth-L2", vtun.Layer.LAYER2)

        def set_source() -> None:
            f.t1.source = l2
        self.refused("R4", "R4: Tunnel1", set_source)
        self.assertEqual(f.t1.source, f.ge1)

        def set_layer() -> None:
            f.ge1.layer = vtun.Layer.LAYER2
        self.refused("R4", "GE1", set_layer)
        self.assertEqual(f.ge1.layer, vtun.Layer.LAYER3)

    def test_r5_gre_destination(self) -> None:
        f = self.f
        f.t1.protocol = TunnelProtocol.GRE
        err = f.t1.check()
        self.assertIsInstance(err, vtun.RuleError)
        assert err is not None
        self.assertEqual(err.rule, "R5")
        self.assertIn("R5: Tunnel1", err.detail)
        self.assertEqual(f.t1.state, vtun.TunnelState.DOWN)
        f.t1.destination = "198.51.100.2"
        self.assertIsNone(f.t1.check())

    def test_r6_destination_mismatch(self) -> None:
        f = self.f
        f.peer.add_remote_address("198.51.100.2")
        f.t1.profile = f.prof

        def set_dest() -> None:
            f.t1.destination = "198.51.100.9"
        self.refused("R6", "R6: Tunnel1", set_dest)
        self.assertIsNone(f.t1.destination)

    def test_r7_multiple_remotes(self) -> None:
        f = self.f
        f.peer.add_remote_address("198.51.100.2")
        f.t1.destination = "198.51.100.2"
        f.t1.profile = f.prof
        self.refused("R7", "R7: Tunnel1",
                     lambda: f.peer.add_remote_address("198.51.100.3"))
        self.assertEqual(f.peer.remote_addresses, ["198.51.100.2"])

    def test_r8_vsys_profile(self) -> None:
        f = self.f
        v1 = f.ctx.new_vsys("V1")
        f.t1.vsys = v1

        def apply() -> None:
            f.t1.profile = f.prof
        self.refused("R8", "R8: Tunnel1 is bound to V1", apply)
        self.assertIsNone(f.t1.profile)
        self.assertEqual(f.t1.vsys, v1)

    def test_r9_negotiated_address(self) -> None:
        f = self.f
        f.peer.versions = vtun.IkeVersion.IKEV1
        f.t1.profile = f.prof
        self.refused("R9", "R9: Tunnel1", f.t1.set_address_negotiated)
        self.assertEqual(f.t1.address_mode, vtun.AddressMode.NONE)

    def test_r10_peer_id_mode(self) -> None:
        f = self.f
        _, a = f.tunnel("Tunnel2")
        _, b = f.tunnel("Tunnel3")
        a.remote_id = (vtun.IdType.FQDN, "br2.example.net")
        b.remote_id = (vtun.IdType.FQDN, "br3.example.net")
        self.refused("R10", "R10: Tunnel2 and Tunnel3", f.ctx.commit)
        a.versions = vtun.IkeVersion.IKEV1

        def extension() -> None:
            a.ikev2_id_match = True
        self.refused("R10", "R10: ike peer peer-Tunnel2", extension)
        self.assertFalse(a.ikev2_id_match)

    def test_r11_integrity(self) -> None:
        f = self.f
        f.prop.encr = Encr.CHACHA20_POLY1305

        def integ() -> None:
            f.prop.integ = Integ.SHA2_256_128
        self.refused("R11", "R11: ipsec proposal prop1", integ)
        self.assertEqual(f.prop.integ, Integ.NONE)
        f.ikeprop.encr = Encr.AES_CBC_256
        self.refused("R11", "R11: ike proposal 10", f.ctx.commit)

    def test_r12_range(self) -> None:
        f = self.f

        def lifetime() -> None:
            f.prof.lifetime = (29, 0)
        self.refused("R12", "R12: ipsec profile prof1", lifetime)
        self.assertEqual(f.prof.lifetime, (3600, 1843200))

        def mtu() -> None:
            f.t1.mtu = 575
        self.refused("R12", "MTU", mtu)
        self.assertEqual(f.t1.mtu, 1400)
        self.refused("R12", "R12: ike peer p1",
                     lambda: f.peer.set_dpd(vtun.DpdType.PERIODIC, 5, 15, 3))
        self.assertEqual(f.peer.dpd["idle"], 30)

    def test_r13_ambiguous(self) -> None:
        f = self.f
        a, _ = f.tunnel("Tunnel2")
        b, _ = f.tunnel("Tunnel3")
        self.refused("R13", "R13: Tunnel2 and Tunnel3 share local address "
                     "192.0.2.1 borrowed from GE1", f.ctx.commit)
        a.destination = "198.51.100.2"
        b.destination = "198.51.100.3"
        f.ctx.commit()

    def test_r14_legacy_algorithm(self) -> None:
        f = self.f

        def des() -> None:
            f.prop.encr = Encr.DES
        self.refused("R14", "R14: ipsec proposal prop1: des", des)
        self.assertEqual(f.prop.encr, Encr.AES_CBC_256)

        def dh() -> None:
            f.ikeprop.dh = DhGroup.MODP768
        self.refused("R14", "dh-group1", dh)
        f.ctx.allow_legacy = True
        f.prop.integ = Integ.MD5_96

        def switch_off() -> None:
            f.ctx.allow_legacy = False
        self.refused("R14", "prop1", switch_off)
        self.assertTrue(f.ctx.allow_legacy)


if __name__ == "__main__":
    unittest.main()
