"""Every configuration object through its Python properties, lookup,
iteration, deletion, and the context's lifetime and hooks."""

from __future__ import annotations

import gc
import logging
import unittest

import vtun
from vtun import (DhGroup, Encr, IdType, Integ, IkeVersion, Prf,
                  TunnelProtocol)

from .support import make_fixture


class ObjectTests(unittest.TestCase):
    def setUp(self) -> None:
        self.f = make_fixture()
        self.ctx = self.f.ctx
        self.addCleanup(self.ctx.close)

    def test_iface(self) -> None:
        ge = self.f.ge1
        self.assertEqual(ge.name, "GE1")
        self.assertEqual(ge.address, ("192.0.2.1", 24))
        ge.set_address("2001:db8::1", 64)
        self.assertEqual(ge.get_address(vtun.Family.INET6),
                         ("2001:db8::1", 64))
        ge.clear_address(vtun.Family.INET6)
        self.assertIsNone(ge.get_address(vtun.Family.INET6))
        self.assertEqual(self.ctx.find_iface("GE1"), ge)
        self.assertIsNone(self.ctx.find_iface("GE9"))
        with self.assertRaises(vtun.ArgumentError) as cm:
            ge.set_address("not-an-address", 24)
        self.assertEqual(cm.exception.code, vtun.Error.EINVAL)

    def test_ike_proposal(self) -> None:
        p = self.f.ikeprop
        self.assertEqual((p.number, p.name, p.vsys), (10, "10", None))
        self.assertEqual((p.encr, p.prf, p.dh, p.lifetime),
                         (Encr.AES_GCM_256, Prf.SHA2_256, DhGroup.X25519,
                          86400))
        p.encr = Encr.AES_CBC_128
        p.integ = Integ.SHA2_256_128
        p.prf = Prf.SHA2_512
        p.dh = DhGroup.ECP256
        p.lifetime = 3600
        self.assertEqual((p.encr, p.integ, p.prf, p.dh, p.lifetime),
                         (Encr.AES_CBC_128, Integ.SHA2_256_128, Prf.SHA2_512,
                          DhGroup.ECP256, 3600))
        self.assertEqual(p.auth, vtun.Auth.PSK)
        self.assertEqual(self.ctx.find_ike_proposal(10), p)

    def test_ike_peer(self) -> None:
        peer = self.f.peer
        self.assertEqual(peer.psk, b"k")
        peer.psk = "a longer key"
        self.assertEqual(peer.psk, b"a longer key")
        self.assertEqual(peer.versions, IkeVersion.IKEV2)
        peer.local_id = (IdType.FQDN, "hq.example.net")
        self.assertEqual(peer.local_id, (IdType.FQDN, "hq.example.net"))
        peer.remote_id = (IdType.USER_FQDN, "ops@example.net")
        self.assertEqual(peer.remote_id, (IdType.USER_FQDN, "ops@example.net"))
        peer.add_remote_address("198.51.100.2")
        peer.add_remote_address("198.51.100.3")
        self.assertEqual(peer.remote_addresses,
                         ["198.51.100.2", "198.51.100.3"])
        peer.remove_remote_address("198.51.100.2")
        self.assertEqual(peer.remote_addresses, ["198.51.100.3"])
        self.assertEqual(peer.proposals, [self.f.ikeprop])
        peer.set_dpd(vtun.DpdType.ON_DEMAND, 60, 10, 5)
        self.assertEqual(peer.dpd, {"type": vtun.DpdType.ON_DEMAND,
                                    "idle": 60, "retransmit": 10,
                                    "retries": 5})
        peer.nat_traversal = False
        self.assertFalse(peer.nat_traversal)
        pool = self.ctx.new_pool("pool1")
        pool.network = ("10.9.0.0", 24)
        peer.pool = pool
        self.assertEqual(peer.pool, pool)
        peer.pool = None
        self.assertIsNone(peer.pool)
        with self.assertRaises(vtun.ArgumentError):
            peer.psk = b""
        peer.set_psk_master(b"master secret")
        self.assertTrue(peer.psk_derived)

    def test_ipsec_proposal_and_profile(self) -> None:
        prop, prof = self.f.prop, self.f.prof
        self.assertEqual((prop.encr, prop.integ, prop.encap_mode),
                         (Encr.AES_CBC_256, Integ.SHA2_256_128,
                          vtun.EncapMode.TUNNEL))
        prop.encr = Encr.AES_GCM_128
        self.assertEqual(prop.integ, Integ.NONE)
        with self.assertRaises(vtun.ArgumentError) as cm:
            prop.encap_mode = vtun.EncapMode.TRANSPORT
        self.assertEqual(cm.exception.code, vtun.Error.ENOTSUP)
        self.assertEqual((prof.ike_peer, prof.proposal), ("p1", "prop1"))
        prof.pfs = DhGroup.X25519
        prof.lifetime = (7200, 0)
        prof.replay_window = 64
        prof.esn = True
        self.assertEqual((prof.pfs, prof.lifetime, prof.replay_window,
                          prof.esn), (DhGroup.X25519, (7200, 0), 64, True))
        self.assertIsNone(prof.tunnel)
        self.f.t1.profile = prof
        self.assertEqual(prof.tunnel, self.f.t1)

    def test_pool(self) -> None:
        pool = self.ctx.new_pool("pool1")
        self.assertIsNone(pool.network)
        pool.network = ("10.9.0.0", 24)
        pool.add_range("10.9.0.10", "10.9.0.11")
        self.assertEqual(pool.network, ("10.9.0.0", 24))
        self.assertEqual(pool.ranges, ["10.9.0.10-10.9.0.11"])
        a = pool.lease("br1")
        b = pool.lease("br2")
        self.assertEqual({a, b}, {"10.9.0.10", "10.9.0.11"})
        self.assertEqual(pool.lease("br1"), a)
        with self.assertRaises(vtun.PeerError) as cm:
            pool.lease("br3")
        self.assertEqual(cm.exception.code, vtun.Error.EPOOLEMPTY)
        pool.release("br2")
        self.assertEqual(pool.usage, {"size": 2, "leased": 1,
                                      "exhausted": 1})

    def test_tunnel(self) -> None:
        t = self.f.t1
        self.assertEqual((t.name, t.protocol, t.enabled, t.mtu),
                         ("Tunnel1", TunnelProtocol.IPSEC, True, 1400))
        t.address = ("10.1.1.1", 30)
        self.assertEqual((t.address, t.address_mode),
                         (("10.1.1.1", 30), vtun.AddressMode.STATIC))
        t.address = self.f.ge1
        self.assertEqual(t.unnumbered, self.f.ge1)
        self.assertEqual(t.address, ("192.0.2.1", 24))
        t.address = "ike-negotiated"
        self.assertEqual(t.address_mode, vtun.AddressMode.NEGOTIATED)
        t.address = None
        self.assertIsNone(t.address)
        t.source = "192.0.2.1"
        self.assertEqual((t.source, t.source_iface), ("192.0.2.1", None))
        t.source = None
        self.assertIsNone(t.source)
        vrf = self.ctx.new_vpn_instance("VPN1")
        t.set_destination("198.51.100.2", vrf)
        self.assertEqual((t.destination, t.vpn_instance),
                         ("198.51.100.2", vrf))
        t.destination = None
        t.protocol = TunnelProtocol.GRE
        t.gre_key = 1234
        t.gre_sequence = True
        t.keepalive = (5, 3)
        self.assertEqual((t.gre_key, t.gre_sequence, t.keepalive),
                         (1234, True, (5, 3)))
        t.gre_key = None
        self.assertIsNone(t.gre_key)
        t.enabled = False
        self.assertEqual(t.state, vtun.TunnelState.ADMIN_DOWN)
        t.on_demand = True
        self.assertTrue(t.on_demand)

    def test_iteration_and_lookup(self) -> None:
        self.f.tunnel("Tunnel2")
        self.f.tunnel("Tunnel3")
        names = [t.name for t in self.ctx.tunnels()]
        self.assertEqual(names, ["Tunnel1", "Tunnel2", "Tunnel3"])
        self.assertEqual([t.name for t in self.ctx], names)
        self.assertIs(self.ctx.tunnel("Tunnel2"), self.ctx.tunnel("Tunnel2"))
        with self.assertRaises(KeyError):
            self.ctx.tunnel("Tunnel9")

    def test_exists_and_busy(self) -> None:
        with self.assertRaises(vtun.ArgumentError) as cm:
            self.ctx.new_tunnel("Tunnel1")
        self.assertEqual(cm.exception.code, vtun.Error.EEXIST)
        self.f.t1.profile = self.f.prof
        with self.assertRaises(vtun.ArgumentError) as cm:
            self.f.prof.delete()
        self.assertEqual(cm.exception.code, vtun.Error.EBUSY)
        self.assertTrue(self.f.prof.alive)

    def test_delete_makes_wrapper_stale(self) -> None:
        t = self.ctx.new_tunnel("Tunnel5")
        t.user_data = {"route": "10.5.0.0/16"}
        self.assertEqual(t.user_data, {"route": "10.5.0.0/16"})
        t.delete()
        self.assertFalse(t.alive)
        self.assertIn("deleted", repr(t))
        with self.assertRaises(vtun.ArgumentError):
            t.mtu = 1500
        self.assertIsNone(self.ctx.find_tunnel("Tunnel5"))

    def test_vsys_scoping(self) -> None:
        v = self.ctx.new_vsys("V1")
        peer = self.ctx.new_ike_peer("p1", vsys=v)
        self.assertNotEqual(peer, self.f.peer)
        self.assertEqual(peer.vsys, v)
        self.assertEqual(self.ctx.find_ike_peer("p1", vsys=v), peer)
        self.assertEqual(self.ctx.find_vsys("V1"), v)
        with self.assertRaises(vtun.ArgumentError):
            v.delete()
        peer.delete()
        v.delete()
        self.assertIsNone(self.ctx.find_vsys("V1"))


class ContextTests(unittest.TestCase):
    def test_close_invalidates_objects(self) -> None:
        ctx = vtun.Context()
        t = ctx.new_tunnel("Tunnel1")
        with ctx:
            pass
        self.assertTrue(ctx.closed)
        self.assertFalse(t.alive)
        with self.assertRaises(vtun.ArgumentError):
            _ = t.name
        ctx.close()  # twice is fine

    def test_objects_keep_context_alive(self) -> None:
        t = vtun.Context().new_tunnel("Tunnel1")
        gc.collect()
        self.assertEqual(t.name, "Tunnel1")
        self.assertFalse(t.context.closed)

    def test_log_hook_and_default_logging(self) -> None:
        lines: list[tuple[vtun.LogLevel, str]] = []
        with vtun.Context(log=lambda lv, topic, msg: lines.append((lv, msg)),
                          log_level=vtun.LogLevel.DEBUG) as ctx:
            with self.assertRaises(vtun.RuleError):
                ctx.new_tunnel("Tunnel1").mtu = 10
        self.assertTrue(any("R12" in m for _, m in lines), lines)
        with vtun.Context(log_level=vtun.LogLevel.DEBUG) as ctx:
            with self.assertLogs("vtun.lib", logging.DEBUG) as cm:
                with self.assertRaises(vtun.RuleError):
                    ctx.new_tunnel("Tunnel1").mtu = 10
        self.assertTrue(any("R12" in m for m in cm.output), cm.output)

    def test_log_hook_exception_is_contained(self) -> None:
        def broken(*args: object) -> None:
            raise KeyError("boom")
        with vtun.Context(log=broken, log_level=vtun.LogLevel.DEBUG) as ctx:
            with self.assertLogs("vtun", logging.ERROR) as cm:
                with self.assertRaises(vtun.RuleError):
                    ctx.new_tunnel("Tunnel1").mtu = 10
        self.assertIn("log hook", cm.output[0])

    def test_deadline_and_timers(self) -> None:
        with vtun.Context(now=lambda: 5 * vtun.SECONDS) as ctx:
            self.assertIsNone(ctx.next_deadline)
            ctx.expire_timers()
            ctx.expire_timers(10 * vtun.SECONDS)


if __name__ == "__main__":
    unittest.main()
