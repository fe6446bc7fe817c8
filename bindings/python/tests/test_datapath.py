"""The data path through Python hooks: an ESP round trip with manual SAs
between two contexts, statistics, drops, and hook failures."""

from __future__ import annotations

import struct
import unittest

import vtun
from vtun import Encr, Integ, Proto, TunnelProtocol

from .support import Wire

HQ, BR = "192.0.2.1", "198.51.100.2"
KEY_A = bytes(range(32)) + b"SALT"
KEY_B = bytes(range(100, 132)) + b"salt"


def ipv4_packet(payload: bytes, src: str = "10.1.1.2",
                dst: str = "10.1.1.1") -> bytes:
    """An IPv4/UDP packet with a valid header checksum."""
    def addr(a: str) -> bytes:
        return bytes(int(x) for x in a.split("."))
    udp = struct.pack("!HHHH", 4000, 5000, 8 + len(payload), 0) + payload
    total = 20 + len(udp)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 1, 0, 64, 17, 0,
                      addr(src), addr(dst))
    s = sum(struct.unpack("!10H", hdr))
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    hdr = hdr[:10] + struct.pack("!H", ~s & 0xFFFF) + hdr[12:]
    return hdr + udp


def manual_tunnel(ctx: vtun.Context, local: str, remote: str,
                  address: str) -> vtun.Tunnel:
    t = ctx.new_tunnel("Tunnel1")
    t.protocol = TunnelProtocol.IPSEC
    t.set_address(address, 30)
    t.source = local
    t.destination = remote
    return t


class ManualSaTests(unittest.TestCase):
    def setUp(self) -> None:
        self.wire = Wire()
        self.hq = self.wire.context(HQ)
        self.br = self.wire.context(BR)
        self.addCleanup(self.hq.close)
        self.addCleanup(self.br.close)
        self.t_hq = manual_tunnel(self.hq, HQ, BR, "10.1.1.1")
        self.t_br = manual_tunnel(self.br, BR, HQ, "10.1.1.2")

    def install(self, encr: Encr = Encr.AES_GCM_256,
                integ: Integ = Integ.NONE, ka: bytes = KEY_A,
                kb: bytes = KEY_B) -> None:
        self.t_hq.set_manual_sa(0x1001, 0x2002, encr, ka, kb, integ)
        self.t_br.set_manual_sa(0x2002, 0x1001, encr, kb, ka, integ)

    def test_esp_round_trip(self) -> None:
        self.install()
        pkt = ipv4_packet(b"hello through ESP")
        self.t_br.send(pkt)
        self.assertEqual(len(self.wire.queue), 1)
        proto, local, remote, data = self.wire.queue[0]
        self.assertEqual(proto, Proto.ESP)
        self.assertEqual((local.address, remote.address), (BR, HQ))
        self.assertEqual(data[:4], struct.pack("!I", 0x1001))
        self.assertNotIn(b"hello through ESP", data)
        self.wire.pump()
        self.assertEqual(self.wire.errors, [])
        self.assertEqual(self.wire.delivered[HQ], [("Tunnel1", pkt)])

        # And back, then the counters on both ends.
        reply = ipv4_packet(b"and back", "10.1.1.1", "10.1.1.2")
        self.t_hq.send(reply)
        self.wire.pump()
        self.assertEqual(self.wire.delivered[BR], [("Tunnel1", reply)])
        st = self.t_br.stats
        self.assertEqual((st["tx_packets"], st["rx_packets"]), (1, 1))
        self.assertEqual(st["tx_bytes"], len(pkt))
        self.assertEqual(self.hq.stats["rx_datagrams"], 1)

    def test_cbc_hmac_round_trip(self) -> None:
        ka = bytes(range(32)) + bytes(range(32))
        kb = bytes(range(64, 96)) + bytes(range(96, 128))
        self.install(Encr.AES_CBC_256, Integ.SHA2_256_128, ka, kb)
        pkt = ipv4_packet(b"x" * 100)
        self.t_hq.send(pkt)
        self.wire.pump()
        self.assertEqual(self.wire.delivered[BR], [("Tunnel1", pkt)])

    def test_replay_and_tamper_raise_peer_errors(self) -> None:
        self.install()
        self.t_br.send(ipv4_packet(b"once"))
        _, local, remote, data = self.wire.queue.popleft()
        self.hq.input(data, local=remote, remote=local, proto=Proto.ESP)
        with self.assertRaises(vtun.PeerError) as cm:
            self.hq.input(data, local=remote, remote=local, proto=Proto.ESP)
        self.assertEqual(cm.exception.code, vtun.Error.EREPLAY)
        self.t_br.send(ipv4_packet(b"twice"))
        _, local, remote, data = self.wire.queue.popleft()
        bad = data[:-1] + bytes([data[-1] ^ 1])
        with self.assertRaises(vtun.PeerError) as cm:
            self.hq.input(bad, local=remote, remote=local, proto=Proto.ESP)
        self.assertEqual(cm.exception.code, vtun.Error.EINTEGRITY)
        st = self.t_hq.stats
        self.assertEqual((st["drop_replay"], st["drop_integrity"]), (1, 1))

    def test_unknown_spi(self) -> None:
        self.install()
        with self.assertRaises(vtun.PeerError) as cm:
            self.hq.input(struct.pack("!II", 0x7777, 1) + bytes(40),
                          local=HQ, remote=BR, proto=Proto.ESP)
        self.assertEqual(cm.exception.code, vtun.Error.ENOSA)
        self.assertEqual(self.hq.stats["drop_unknown_spi"], 1)

    def test_no_sa_yet(self) -> None:
        with self.assertRaises(vtun.PeerError) as cm:
            self.t_br.send(ipv4_packet(b"too early"))
        self.assertEqual(cm.exception.code, vtun.Error.ENOSA)

    def test_hook_exception_becomes_callback_error(self) -> None:
        self.install()

        def broken(*args: object) -> None:
            raise RuntimeError("host socket closed")
        self.br.send_datagram = broken
        with self.assertLogs("vtun", "ERROR") as logs:
            with self.assertRaises(vtun.CallbackError) as cm:
                self.t_br.send(ipv4_packet(b"lost"))
        self.assertEqual(cm.exception.code, vtun.Error.ECALLBACK)
        self.assertIsInstance(cm.exception.__cause__, RuntimeError)
        self.assertIn("send_datagram", logs.output[0])
        self.assertEqual(self.t_br.stats["drop_hook"], 1)

    def test_deliver_exception(self) -> None:
        self.install()

        def broken(tunnel: vtun.Tunnel, packet: bytes) -> None:
            raise ValueError("no route")
        self.hq.deliver = broken
        self.t_br.send(ipv4_packet(b"dropped by host"))
        with self.assertLogs("vtun", "ERROR"):
            self.wire.pump()
        self.assertEqual(len(self.wire.errors), 1)
        err = self.wire.errors[0]
        self.assertIsInstance(err, vtun.CallbackError)
        self.assertIsInstance(err.__cause__, ValueError)

    def test_batches(self) -> None:
        self.install()
        pkts = [ipv4_packet(bytes([i]) * 10) for i in range(5)]
        self.assertEqual(self.t_br.send_batch(pkts), [0] * 5)
        grams = [(d, l) for _, l, _, d in self.wire.queue]
        self.wire.queue.clear()
        res = self.hq.input_batch(grams, local=HQ, proto=Proto.ESP)
        self.assertEqual(res, [0] * 5)
        self.assertEqual([p for _, p in self.wire.delivered[HQ]], pkts)

    def test_too_little_room_is_not_possible(self) -> None:
        # send() always allocates VTUN_HEADROOM and VTUN_TAILROOM.
        self.install()
        self.t_br.send(ipv4_packet(b"y" * 1300))
        self.assertEqual(len(self.wire.queue), 1)

    def test_events_for_manual_sa(self) -> None:
        self.install()
        kinds = [e.type for e in self.wire.events[HQ]]
        self.assertIn(vtun.EventType.SA_INSTALLED, kinds)
        ev = next(e for e in self.wire.events[HQ]
                  if e.type == vtun.EventType.SA_INSTALLED)
        self.assertEqual(ev.tunnel, self.t_hq)
        self.assertEqual((ev.spi_in, ev.spi_out), (0x1001, 0x2002))


if __name__ == "__main__":
    unittest.main()
