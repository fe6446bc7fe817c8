"""Configuration text through the bindings: load, dump round trip,
syntax errors, displays, matching and initiation."""

from __future__ import annotations

import pathlib
import unittest

import vtun

CONFIGS = pathlib.Path(__file__).resolve().parents[3] / "examples" / "configs"

BRANCH = """\
interface GigabitEthernet0/0/1
 ip address 198.51.100.2 255.255.255.0
#
ike proposal 10
 encryption-algorithm aes-gcm-256
 dh group31
#
ike peer hq
 pre-shared-key "a secret"
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


class ConfigTests(unittest.TestCase):
    def setUp(self) -> None:
        self.ctx = vtun.Context()
        self.addCleanup(self.ctx.close)

    def test_load_builds_objects(self) -> None:
        self.ctx.load(BRANCH)
        t = self.ctx.tunnel("Tunnel1")
        self.assertEqual(t.protocol, vtun.TunnelProtocol.IPSEC)
        self.assertEqual(t.destination, "192.0.2.1")
        self.assertEqual(t.address, ("10.1.1.2", 30))
        self.assertEqual(t.source, self.ctx.find_iface("GigabitEthernet0/0/1"))
        prof = t.profile
        assert prof is not None
        self.assertEqual((prof.ike_peer, prof.proposal), ("hq", "esp-gcm"))
        peer = self.ctx.find_ike_peer("hq")
        assert peer is not None
        self.assertEqual(peer.psk, b"a secret")
        self.assertEqual([p.number for p in peer.proposals], [10])

    def test_dump_round_trip(self) -> None:
        self.ctx.load(BRANCH)
        text = self.ctx.dump(secrets=True)
        self.assertIn('pre-shared-key', text)
        self.assertNotIn("******", text)
        with vtun.Context() as other:
            other.load(text)
            self.assertEqual(other.dump(secrets=True), text)
        hidden = self.ctx.dump()
        self.assertIn("******", hidden)
        self.assertNotIn("a secret", hidden)

    def test_example_configs_round_trip(self) -> None:
        for path in sorted(CONFIGS.glob("*.conf")):
            with self.subTest(path.name), vtun.Context() as a, \
                    vtun.Context() as b:
                a.load(path.read_text())
                text = a.dump(secrets=True)
                b.load(text)
                self.assertEqual(b.dump(secrets=True), text)

    def test_syntax_error(self) -> None:
        with self.assertRaises(vtun.ConfigSyntaxError) as cm:
            self.ctx.load("interface Tunnel1\n frobnicate now\n")
        err = cm.exception
        self.assertEqual(err.code, vtun.Error.ESYNTAX)
        self.assertEqual(err.line, 2)
        self.assertIn("line 2", err.detail)
        self.assertEqual(list(self.ctx.tunnels()), [])

    def test_rule_error_in_text_changes_nothing(self) -> None:
        self.ctx.load(BRANCH)
        before = self.ctx.dump(secrets=True)
        bad = "interface Tunnel1\n mtu 100\n"
        with self.assertRaises(vtun.RuleError) as cm:
            self.ctx.load(bad)
        self.assertEqual(cm.exception.rule, "R12")
        self.assertEqual(self.ctx.dump(secrets=True), before)

    def test_undo_in_text_makes_wrappers_stale(self) -> None:
        self.ctx.load("interface Tunnel7\n tunnel-protocol gre\n")
        t = self.ctx.tunnel("Tunnel7")
        self.ctx.load("undo interface Tunnel7\n")
        self.assertFalse(t.alive)
        with self.assertRaises(vtun.ArgumentError) as cm:
            _ = t.protocol
        self.assertEqual(cm.exception.code, vtun.Error.ESTATE)
        self.assertIsNone(self.ctx.find_tunnel("Tunnel7"))

    def test_displays(self) -> None:
        self.ctx.load(BRANCH)
        view = self.ctx.display("interface tunnel")
        self.assertIn("Tunnel1", view)
        self.assertIn("interface Tunnel1",
                      self.ctx.display("current-configuration"))
        for what in ("ike sa", "ipsec sa", "statistics"):
            self.assertIsInstance(self.ctx.display(what), str)
        with self.assertRaises(vtun.ArgumentError) as cm:
            self.ctx.display("no such view")
        self.assertEqual(cm.exception.code, vtun.Error.EINVAL)

    def test_match_and_explain(self) -> None:
        self.ctx.load((CONFIGS / "hq.conf").read_text())
        t1 = self.ctx.match("192.0.2.1", "198.51.100.2")
        self.assertEqual(t1, self.ctx.tunnel("Tunnel1"))
        t2 = self.ctx.match("192.0.2.1", "203.0.113.9",
                            id_type=vtun.IdType.FQDN,
                            id="branch2.example.net")
        self.assertEqual(t2, self.ctx.tunnel("Tunnel2"))
        self.assertIsNone(self.ctx.match("192.0.2.1", "203.0.113.9",
                                         id_type=vtun.IdType.FQDN,
                                         id="nobody.example.net"))
        self.assertTrue(self.ctx.last_error)
        why = self.ctx.explain_match("192.0.2.1", "198.51.100.2")
        self.assertIn("Tunnel1", why)

    def test_initiation(self) -> None:
        self.ctx.load(BRANCH)
        t = self.ctx.tunnel("Tunnel1")
        ini = t.initiation()
        self.assertEqual(ini.role, vtun.Role.INITIATOR)
        self.assertEqual((ini.remote, ini.local),
                         ("192.0.2.1", "198.51.100.2"))
        with self.assertRaises(vtun.NotFoundError):
            t.initiation(1)
        self.assertIn("192.0.2.1", t.explain_initiation())


if __name__ == "__main__":
    unittest.main()
