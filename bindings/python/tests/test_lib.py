"""Loading, the declared C interface, struct layouts, errors."""

from __future__ import annotations

import ctypes
import os
import pathlib
import re
import shutil
import subprocess
import tempfile
import unittest

import vtun
from vtun import _lib

ROOT = pathlib.Path(__file__).resolve().parents[3]

STRUCTS = {
    "vtun_endpoint": _lib.Endpoint,
    "vtun_event": _lib.Event,
    "vtun_hooks": _lib.Hooks,
    "vtun_settings": _lib.Settings,
    "vtun_pkt": _lib.Pkt,
    "vtun_tunnel_stats": _lib.TunnelStats,
    "vtun_ctx_stats": _lib.CtxStats,
}


def header_functions() -> set[str]:
    names = set()
    for h in ("vtun.h", "vtun_crypto.h"):
        text = (ROOT / "include" / "vtun" / h).read_text()
        for m in re.finditer(r"VTUN_EXTERN[^;(]*?\b(vtun_\w+)\s*\(", text):
            names.add(m.group(1))
    return names


class LoadingTests(unittest.TestCase):
    def test_version_matches(self) -> None:
        major, minor = (int(x) for x in vtun.library_version().split(".")[:2])
        self.assertEqual((major, minor), _lib.EXPECTED_VERSION)
        self.assertTrue(vtun.library_path())

    def test_every_public_function_is_declared(self) -> None:
        declared = set(_lib.PROTOTYPES)
        self.assertEqual(header_functions() - declared, set())
        mapped = set(re.findall(r"^\s+(vtun_\w+);",
                                (ROOT / "src" / "libvtun.map").read_text(),
                                re.M))
        self.assertEqual(mapped - declared, set())
        self.assertEqual(declared - header_functions(), set())

    def test_loaded_library_exports_everything(self) -> None:
        self.assertEqual(_lib.lib().missing, [])

    def test_missing_library_is_a_clear_error(self) -> None:
        with self.assertRaises(vtun.LibraryError) as cm:
            _lib.open_library("/nonexistent/libvtun.so.0")
        self.assertIn("/nonexistent/libvtun.so.0", str(cm.exception))
        self.assertIn("VTUN_LIBRARY", str(cm.exception))

    def test_environment_variable_is_used(self) -> None:
        old = os.environ.get("VTUN_LIBRARY")
        os.environ["VTUN_LIBRARY"] = "/nonexistent/x.so"
        try:
            self.assertEqual(_lib.candidates(), ["/nonexistent/x.so"])
            with self.assertRaises(vtun.LibraryError):
                _lib.open_library()
        finally:
            if old is None:
                del os.environ["VTUN_LIBRARY"]
            else:
                os.environ["VTUN_LIBRARY"] = old

    def test_version_mismatch_is_refused(self) -> None:
        saved = _lib.EXPECTED_VERSION
        _lib.EXPECTED_VERSION = (saved[0] + 7, 0)
        try:
            with self.assertRaises(vtun.LibraryError) as cm:
                _lib.open_library(_lib.lib().path)
            self.assertIn("bindings need", str(cm.exception))
        finally:
            _lib.EXPECTED_VERSION = saved

    def test_pinned_struct_versions(self) -> None:
        self.assertEqual((vtun.HOOKS_VERSION, vtun.SETTINGS_VERSION), (1, 1))
        self.assertEqual((vtun.HEADROOM, vtun.TAILROOM), (96, 64))


@unittest.skipUnless(shutil.which("cc"), "no C compiler to read the layout")
class LayoutTests(unittest.TestCase):
    """Compiles a probe against vtun.h and compares every member's
    offset and every struct's size with the ctypes declarations."""

    def probe(self) -> dict[str, int]:
        lines = ['#include <stdio.h>', '#include <stddef.h>',
                 '#include "vtun/vtun.h"', 'int main(void) {']
        for cname, cls in STRUCTS.items():
            lines.append(f'printf("{cname} %zu\\n", sizeof({cname}));')
            for field, *_ in cls._fields_:
                lines.append(f'printf("{cname}.{field} %zu\\n", '
                             f'offsetof({cname}, {field}));')
        lines += ["return 0;", "}"]
        with tempfile.TemporaryDirectory() as tmp:
            src = pathlib.Path(tmp) / "probe.c"
            src.write_text("\n".join(lines))
            # vtun.h includes the generated version header; its content
            # does not matter for layouts.
            (pathlib.Path(tmp) / "vtun_version.h").write_text("")
            exe = pathlib.Path(tmp) / "probe"
            subprocess.run(["cc", "-std=c11", f"-I{ROOT / 'include'}",
                            f"-I{ROOT / 'include' / 'vtun'}", f"-I{tmp}",
                            str(src), "-o", str(exe)], check=True)
            out = subprocess.run([str(exe)], check=True, text=True,
                                 capture_output=True).stdout
        return {k: int(v) for k, v in (ln.split() for ln in out.splitlines())}

    def test_layouts_match_c(self) -> None:
        c = self.probe()
        for cname, cls in STRUCTS.items():
            self.assertEqual(ctypes.sizeof(cls), c[cname], cname)
            for field, *_ in cls._fields_:
                self.assertEqual(getattr(cls, field).offset,
                                 c[f"{cname}.{field}"], f"{cname}.{field}")


class ErrorTests(unittest.TestCase):
    def test_classes_by_group(self) -> None:
        cases = {
            vtun.Error.EINVAL: vtun.ArgumentError,
            vtun.Error.ENOENT: vtun.NotFoundError,
            vtun.Error.ESYNTAX: vtun.ConfigSyntaxError,
            vtun.Error.ER6_DESTINATION_MISMATCH: vtun.RuleError,
            vtun.Error.EREPLAY: vtun.PeerError,
            vtun.Error.ECALLBACK: vtun.CallbackError,
            vtun.Error.ECRYPTO: vtun.CallbackError,
            vtun.Error.EINTERNAL: vtun.FatalError,
        }
        for code, cls in cases.items():
            err = vtun.make_error(code, "detail")
            self.assertIs(type(err), cls)
            self.assertIsInstance(err, vtun.VtunError)
            self.assertEqual(err.code, code)
            self.assertEqual(err.name, "VTUN_" + code.name)
            self.assertEqual(err.detail, "detail")

    def test_every_code_has_a_name_in_the_library(self) -> None:
        for code in vtun.Error:
            if code == vtun.Error.OK:
                continue
            self.assertEqual(vtun.err_name(code), "VTUN_" + code.name)
            self.assertTrue(vtun.strerror(code))

    def test_rule_name(self) -> None:
        err = vtun.make_error(vtun.Error.ER13_AMBIGUOUS)
        self.assertEqual(err.rule, "R13")
        self.assertFalse(err.fatal)
        self.assertTrue(vtun.make_error(vtun.Error.EINTERNAL).fatal)

    def test_unknown_setting(self) -> None:
        with self.assertRaises(TypeError):
            vtun.Context(no_such_setting=1)

    def test_bad_setting_value(self) -> None:
        with self.assertRaises(vtun.ArgumentError) as cm:
            vtun.Context(replay_window=33)
        self.assertEqual(cm.exception.code, vtun.Error.EINVAL)


class AlgorithmTests(unittest.TestCase):
    def test_names(self) -> None:
        self.assertEqual(vtun.alg_name(vtun.AlgKind.ENCR,
                                       vtun.Encr.AES_GCM_256), "aes-gcm-256")
        self.assertEqual(vtun.alg_from_name(vtun.AlgKind.ENCR, "aes-gcm-256"),
                         vtun.Encr.AES_GCM_256)
        with self.assertRaises(vtun.ArgumentError):
            vtun.alg_from_name(vtun.AlgKind.ENCR, "rot13")
        self.assertTrue(vtun.has_openssl())

    def test_derived_branch_psk(self) -> None:
        key = vtun.derive_branch_psk(b"master", vtun.IdType.FQDN,
                                     "br.example.net")
        self.assertEqual(len(key), 64)
        self.assertEqual(key, vtun.derive_branch_psk(
            "master", vtun.IdType.FQDN, "br.example.net"))


if __name__ == "__main__":
    unittest.main()
