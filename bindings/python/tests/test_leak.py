"""No memory grows over 10,000 context create/free cycles (the C side
and the bindings' hooks, wrappers and buffers)."""

from __future__ import annotations

import gc
import os
import resource
import unittest

import vtun

CYCLES = 10_000
PAGE = resource.getpagesize()


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


def one_cycle(explicit_close: bool) -> None:
    ctx = vtun.Context(send_datagram=lambda *a: None,
                       deliver=lambda *a: None, event=lambda e: None)
    ge = ctx.new_iface("GE1")
    ge.set_address("192.0.2.1", 24)
    peer = ctx.new_ike_peer("p1")
    peer.psk = b"secret"
    t = ctx.new_tunnel("Tunnel1")
    t.protocol = vtun.TunnelProtocol.IPSEC
    t.source = ge
    t.set_address("10.1.1.1", 30)
    t.destination = "198.51.100.2"
    t.set_manual_sa(0x1001, 0x2002, vtun.Encr.AES_GCM_256,
                    bytes(36), bytes(range(36)))
    _ = ctx.dump(secrets=True)
    if explicit_close:
        ctx.close()


@unittest.skipUnless(os.path.exists("/proc/self/statm"), "needs /proc")
class LeakTests(unittest.TestCase):
    def measure(self, explicit_close: bool) -> int:
        for _ in range(200):  # warm up allocator pools and caches
            one_cycle(explicit_close)
        gc.collect()
        before = rss_bytes()
        for _ in range(CYCLES):
            one_cycle(explicit_close)
        gc.collect()
        return rss_bytes() - before

    def test_create_free_cycles(self) -> None:
        grown = self.measure(explicit_close=True)
        # A leak of even 100 bytes per cycle would be 1 MB; allow noise.
        self.assertLess(grown, 1 << 20, f"RSS grew by {grown} bytes")

    def test_garbage_collected_contexts(self) -> None:
        # Contexts dropped without close() are freed by reference
        # counting (the hooks hold the context only weakly).
        grown = self.measure(explicit_close=False)
        self.assertLess(grown, 1 << 20, f"RSS grew by {grown} bytes")


if __name__ == "__main__":
    unittest.main()
