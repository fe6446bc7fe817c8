"""The Context: a libvtun instance whose hooks are Python callables.

Hooks run on the thread that made the library call, inside that call
(vtun_ctx_input, vtun_tunnel_send, vtun_ctx_commit, ...). An exception
raised by a hook never crosses into C: it is logged on the "vtun" logger,
the hook returns VTUN_ECALLBACK where it returns an int, and the call that
ran it raises CallbackError with the hook's exception as __cause__.
"""

from __future__ import annotations

import ctypes
import logging
import threading
import time
import weakref
from typing import Any, Callable, Iterator, Optional, Union

from . import _lib, datapath
from ._util import dec, enc, read_text
from .datapath import Endpoint, EndpointLike, Event
from .enums import (DumpFlags, IdType, Layer, LogLevel, LogTopic, as_enum,
                    MatchExchange, Proto)
from .errors import Error, make_error
from .objects import (Handle, Iface, IkePeer, IkeProposal, IpsecProfile,
                      IpsecProposal, Pool, Tunnel, VpnInstance, Vsys)

log = logging.getLogger("vtun")
lib_log = logging.getLogger("vtun.lib")

SendDatagramHook = Callable[[Optional[VpnInstance], Proto, Endpoint,
                             Endpoint, bytes], Any]
DeliverHook = Callable[[Tunnel, bytes], Any]
EventHook = Callable[[Event], Any]
LogHook = Callable[[LogLevel, LogTopic, str], Any]
NowHook = Callable[[], int]
RandomHook = Callable[[int], bytes]
KeyExportHook = Callable[[str], Any]

_LEVELS = {LogLevel.ERROR: logging.ERROR, LogLevel.WARN: logging.WARNING,
           LogLevel.INFO: logging.INFO, LogLevel.DEBUG: logging.DEBUG}


def forward_to_logging(level: LogLevel, topic: LogTopic, message: str) -> None:
    """The default log hook: library lines go to the "vtun.lib" logger."""
    lib_log.log(_LEVELS.get(level, logging.DEBUG), "%s", message)


class _Default:
    pass


DEFAULT: Any = _Default()
HOOK_NAMES = ("send_datagram", "deliver", "event", "log", "now", "random",
              "key_export")


def _trampolines(ref: weakref.ReferenceType[Context]) -> dict[str, Any]:
    """C-callable wrappers that find the context through a weak reference
    (no reference cycle) and never let an exception escape."""

    def guard(name: str, fail: Any, fn: Callable[..., Any]) -> Any:
        def call(*args: Any) -> Any:
            ctx = ref()
            if ctx is None:
                return fail
            try:
                return fn(ctx, *args)
            except BaseException as exc:  # never unwind through C
                ctx._hook_failed(name, exc)
                return fail
        return call

    def send(ctx: Context, _ud: Any, vrf: Any, proto: int, local: Any,
             remote: Any, data: Any, n: int) -> int:
        ctx.send_datagram(ctx._wrap(VpnInstance, vrf),
                          as_enum(Proto, proto),
                          Endpoint.from_c(local.contents),
                          Endpoint.from_c(remote.contents),
                          ctypes.string_at(data, n))
        return 0

    def deliver(ctx: Context, _ud: Any, t: Any, pkt: Any, n: int) -> int:
        ctx.deliver(ctx._wrap(Tunnel, t), ctypes.string_at(pkt, n))
        return 0

    def event(ctx: Context, _ud: Any, ev: Any) -> None:
        ctx.event(datapath.event_from_c(ctx, ev.contents))

    def log_(ctx: Context, _ud: Any, level: int, topic: int, msg: Any,
             n: int) -> None:
        text = ctypes.string_at(msg, n).decode(errors="replace")
        ctx.log(as_enum(LogLevel, level), LogTopic(topic), text)

    def now(ctx: Context, _ud: Any) -> int:
        return int(ctx.now())

    def random(ctx: Context, _ud: Any, buf: Any, n: int) -> int:
        data = bytes(ctx.random(n))
        if len(data) != n:
            raise ValueError(f"random hook gave {len(data)} bytes, not {n}")
        ctypes.memmove(buf, data, n)
        return 0

    def key_export(ctx: Context, _ud: Any, line: Any, n: int) -> None:
        ctx.key_export(ctypes.string_at(line, n).decode(errors="replace"))

    cb = Error.ECALLBACK
    return {
        "send_datagram": _lib.SendDatagramFn(guard("send_datagram", cb, send)),
        "deliver": _lib.DeliverFn(guard("deliver", cb, deliver)),
        "event": _lib.EventFn(guard("event", None, event)),
        "log": _lib.LogFn(guard("log", None, log_)),
        "now": _lib.NowFn(guard("now", 0, now)),
        "random": _lib.RandomFn(guard("random", cb, random)),
        "key_export": _lib.KeyExportFn(guard("key_export", None, key_export)),
    }


class Context:
    """A libvtun context (vtun_ctx). Use it as a context manager, or call
    close(); objects created through it stay valid until then.

    Hooks are keyword arguments; a hook left out is NULL in C (see
    vtun_hooks for what that means), except `log`, which by default
    forwards to the "vtun.lib" logger (pass log=None for none). A hook
    given at creation can be replaced later by assigning the attribute of
    the same name. Settings are the members of vtun_settings by name.

    - send_datagram(vrf, proto, local, remote, data)
    - deliver(tunnel, packet)
    - event(event)
    - log(level, topic, message)
    - now() -> nanoseconds
    - random(n) -> n bytes
    - key_export(line)
    """

    def __init__(self, *, send_datagram: Optional[SendDatagramHook] = None,
                 deliver: Optional[DeliverHook] = None,
                 event: Optional[EventHook] = None,
                 log: Union[None, LogHook, _Default] = DEFAULT,
                 now: Optional[NowHook] = None,
                 random: Optional[RandomHook] = None,
                 key_export: Optional[KeyExportHook] = None,
                 **settings: int) -> None:
        self._ptr: Optional[int] = None
        self._lib = _lib.lib()
        self._handles: weakref.WeakValueDictionary[Any, Handle] = \
            weakref.WeakValueDictionary()
        self._user_data: dict[Any, Any] = {}
        self._pending = threading.local()
        if log is DEFAULT:
            log = forward_to_logging
        given = {"send_datagram": send_datagram, "deliver": deliver,
                 "event": event, "log": log, "now": now, "random": random,
                 "key_export": key_export}
        for name, fn in given.items():
            setattr(self, name, fn)
        self._hooks, self._cfuncs = self._make_hooks(given)
        self._settings = self._make_settings(settings)
        out = ctypes.c_void_p()
        rc = self._lib.vtun_ctx_new_versioned(
            ctypes.byref(out), _lib.HOOKS_VERSION, ctypes.byref(self._hooks),
            _lib.SETTINGS_VERSION, ctypes.byref(self._settings), None)
        if rc != 0:
            raise make_error(rc, "vtun_ctx_new refused the hooks or settings")
        self._ptr = out.value

    def _make_hooks(self, given: dict[str, Any]
                    ) -> tuple[_lib.Hooks, dict[str, Any]]:
        tramp = _trampolines(weakref.ref(self))
        hooks = _lib.Hooks()
        used = {}
        for name in HOOK_NAMES:
            if given[name] is not None:
                used[name] = tramp[name]
                setattr(hooks, name, tramp[name])
        return hooks, used

    def _make_settings(self, values: dict[str, int]) -> _lib.Settings:
        s = _lib.Settings()
        self._lib.vtun_settings_default(ctypes.byref(s))
        known = {name for name, _ in _lib.Settings._fields_}
        known -= {"crypto", "crypto_arg"}
        for name, value in values.items():
            if name not in known:
                raise TypeError(f"unknown setting {name!r}; known: "
                                f"{', '.join(sorted(known))}")
            setattr(s, name, int(value))
        return s

    # -- lifetime

    def close(self) -> None:
        """Frees the context and every object in it (vtun_ctx_free)."""
        if self._ptr is None:
            return
        self._lib.vtun_ctx_free(self._ptr)
        self._ptr = None
        for h in list(self._handles.values()):
            h._ptr = None
        self._handles.clear()
        self._user_data.clear()

    def __enter__(self) -> Context:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    @property
    def closed(self) -> bool:
        return self._ptr is None

    @property
    def _p(self) -> int:
        if self._ptr is None:
            raise make_error(Error.ESTATE, "the context is closed")
        return self._ptr

    @property
    def handle(self) -> int:
        """The vtun_ctx pointer, for code that calls libvtun directly."""
        return self._p

    # -- errors and hooks

    def _hook_failed(self, name: str, exc: BaseException) -> None:
        log.error("exception in the %s hook", name, exc_info=exc)
        if getattr(self._pending, "exc", None) is None:
            self._pending.exc = exc

    def _check(self, rc: int) -> int:
        """Raises the exception for a negative @rc, with the refusal
        message and any exception a hook raised during the call."""
        pending = getattr(self._pending, "exc", None)
        self._pending.exc = None
        if rc >= 0:
            return rc
        detail = self.last_error if self._ptr is not None else ""
        err = make_error(rc, detail)
        if pending is not None:
            raise err from pending
        raise err

    @property
    def last_error(self) -> str:
        """The detailed message of the last refused call ("" if none)."""
        return dec(self._lib.vtun_ctx_last_error(self._p)) or ""

    def _wrap(self, cls: type, ptr: Optional[int]) -> Any:
        """The one wrapper of @ptr (None for NULL)."""
        if not ptr:
            return None
        key = (cls, ptr)
        h = self._handles.get(key)
        if h is None:
            h = cls(self, ptr)
            self._handles[key] = h
        return h

    def _forget(self, h: Handle) -> None:
        self._handles.pop((type(h), h._ptr), None)
        self._user_data.pop((type(h), h._ptr), None)
        h._ptr = None

    def _revalidate(self) -> None:
        """Marks stale the wrappers whose object a load replaced."""
        for h in list(self._handles.values()):
            if h._ptr is not None and h._refind() != h._ptr:
                self._forget(h)

    def _new(self, cls: type, fn: Any, *args: Any) -> Any:
        out = ctypes.c_void_p()
        self._check(fn(self._p, *args, ctypes.byref(out)))
        return self._wrap(cls, out.value)

    # -- settings

    @property
    def allow_legacy(self) -> bool:
        """The R14 legacy-algorithm switch."""
        return bool(self._lib.vtun_ctx_get_allow_legacy(self._p))

    @allow_legacy.setter
    def allow_legacy(self, on: bool) -> None:
        self._check(self._lib.vtun_ctx_set_allow_legacy(self._p, int(on)))

    # -- objects: creation

    def new_vsys(self, name: str) -> Vsys:
        return self._new(Vsys, self._lib.vtun_vsys_new, enc(name))

    def new_vpn_instance(self, name: str) -> VpnInstance:
        return self._new(VpnInstance, self._lib.vtun_vpn_instance_new,
                         enc(name))

    def new_iface(self, name: str, layer: Layer = Layer.LAYER3) -> Iface:
        return self._new(Iface, self._lib.vtun_iface_new, enc(name),
                         int(layer))

    def new_ike_proposal(self, number: int, vsys: Optional[Vsys] = None
                         ) -> IkeProposal:
        return self._new(IkeProposal, self._lib.vtun_ike_proposal_new,
                         _vp(vsys), number)

    def new_ike_peer(self, name: str, vsys: Optional[Vsys] = None) -> IkePeer:
        return self._new(IkePeer, self._lib.vtun_ike_peer_new, _vp(vsys),
                         enc(name))

    def new_ipsec_proposal(self, name: str, vsys: Optional[Vsys] = None
                           ) -> IpsecProposal:
        return self._new(IpsecProposal, self._lib.vtun_ipsec_proposal_new,
                         _vp(vsys), enc(name))

    def new_ipsec_profile(self, name: str, vsys: Optional[Vsys] = None
                          ) -> IpsecProfile:
        return self._new(IpsecProfile, self._lib.vtun_ipsec_profile_new,
                         _vp(vsys), enc(name))

    def new_pool(self, name: str, vsys: Optional[Vsys] = None) -> Pool:
        return self._new(Pool, self._lib.vtun_pool_new, _vp(vsys), enc(name))

    def new_tunnel(self, name: str) -> Tunnel:
        return self._new(Tunnel, self._lib.vtun_tunnel_new, enc(name))

    # -- objects: lookup (None when absent)

    def find_vsys(self, name: str) -> Optional[Vsys]:
        return self._wrap(Vsys, self._lib.vtun_vsys_find(self._p, enc(name)))

    def find_vpn_instance(self, name: str) -> Optional[VpnInstance]:
        return self._wrap(VpnInstance, self._lib.vtun_vpn_instance_find(
            self._p, enc(name)))

    def find_iface(self, name: str) -> Optional[Iface]:
        return self._wrap(Iface,
                          self._lib.vtun_iface_find(self._p, enc(name)))

    def find_ike_proposal(self, number: int, vsys: Optional[Vsys] = None
                          ) -> Optional[IkeProposal]:
        return self._wrap(IkeProposal, self._lib.vtun_ike_proposal_find(
            self._p, _vp(vsys), number))

    def find_ike_peer(self, name: str, vsys: Optional[Vsys] = None
                      ) -> Optional[IkePeer]:
        return self._wrap(IkePeer, self._lib.vtun_ike_peer_find(
            self._p, _vp(vsys), enc(name)))

    def find_ipsec_proposal(self, name: str, vsys: Optional[Vsys] = None
                            ) -> Optional[IpsecProposal]:
        return self._wrap(IpsecProposal, self._lib.vtun_ipsec_proposal_find(
            self._p, _vp(vsys), enc(name)))

    def find_ipsec_profile(self, name: str, vsys: Optional[Vsys] = None
                           ) -> Optional[IpsecProfile]:
        return self._wrap(IpsecProfile, self._lib.vtun_ipsec_profile_find(
            self._p, _vp(vsys), enc(name)))

    def find_pool(self, name: str, vsys: Optional[Vsys] = None
                  ) -> Optional[Pool]:
        return self._wrap(Pool, self._lib.vtun_pool_find(self._p, _vp(vsys),
                                                         enc(name)))

    def find_tunnel(self, name: str) -> Optional[Tunnel]:
        return self._wrap(Tunnel,
                          self._lib.vtun_tunnel_find(self._p, enc(name)))

    def tunnel(self, name: str) -> Tunnel:
        """Tunnel @name; KeyError when there is none."""
        t = self.find_tunnel(name)
        if t is None:
            raise KeyError(name)
        return t

    def tunnels(self) -> Iterator[Tunnel]:
        """The tunnels in creation order (vtun_tunnel_next)."""
        prev = None
        while True:
            prev = self._lib.vtun_tunnel_next(self._p, prev)
            if not prev:
                return
            yield self._wrap(Tunnel, prev)

    def __iter__(self) -> Iterator[Tunnel]:
        return self.tunnels()

    # -- whole configuration

    def commit(self) -> None:
        """Checks the rules over several objects; tunnels negotiate only
        after a successful commit (may run hooks)."""
        self._check(self._lib.vtun_ctx_commit(self._p))

    def load(self, text: Union[str, bytes]) -> None:
        """Loads configuration text, then commits; all or nothing."""
        raw = enc(text) or b""
        try:
            self._check(self._lib.vtun_config_load(self._p, raw, len(raw)))
        finally:
            self._revalidate()

    def dump(self, secrets: bool = False) -> str:
        """The configuration as text vtun_config_load() reads back; keys
        are `******` unless @secrets."""
        flags = DumpFlags.SECRETS if secrets else DumpFlags.NONE
        rc, text = read_text(self._lib.vtun_config_dump,
                             (self._p, int(flags)), size=4096)
        self._check(rc)
        return text

    def display(self, what: str = "interface tunnel") -> str:
        """An operator's view: "interface tunnel", "ike sa", "ipsec sa",
        "statistics" or "current-configuration"."""
        rc, text = read_text(self._lib.vtun_ctx_display,
                             (self._p, enc(what)), size=4096)
        self._check(rc)
        return text

    # -- matching

    def _match_args(self, local: str, remote: str, exchange: int,
                    id_type: int, id: Optional[str],
                    vrf: Optional[VpnInstance]) -> tuple[Any, ...]:
        return (self._p, _vp(vrf), enc(local), enc(remote), int(exchange),
                int(id_type), enc(id))

    def match(self, local: str, remote: str,
              exchange: MatchExchange = MatchExchange.IKEV2,
              id_type: IdType = IdType.NONE, id: Optional[str] = None,
              vrf: Optional[VpnInstance] = None) -> Optional[Tunnel]:
        """The tunnel a new negotiation from @remote to @local picks, or
        None (VTUN_ENOMATCH; the reason is in last_error)."""
        out = ctypes.c_void_p()
        rc = self._lib.vtun_ctx_match(
            *self._match_args(local, remote, exchange, id_type, id, vrf),
            ctypes.byref(out))
        if rc == Error.ENOMATCH:
            return None
        self._check(rc)
        return self._wrap(Tunnel, out.value)

    def explain_match(self, local: str, remote: str,
                      exchange: MatchExchange = MatchExchange.IKEV2,
                      id_type: IdType = IdType.NONE, id: Optional[str] = None,
                      vrf: Optional[VpnInstance] = None) -> str:
        """match()'s decision step by step."""
        args = self._match_args(local, remote, exchange, id_type, id, vrf)
        rc, text = read_text(self._lib.vtun_ctx_explain_match, args,
                             size=1024)
        self._check(rc)
        return text

    # -- timers and input

    @property
    def next_deadline(self) -> Optional[int]:
        """When expire_timers() has work (ns), or None for never."""
        t = self._lib.vtun_ctx_next_deadline(self._p)
        return None if t == _lib.TSTAMP_MAX else t

    def expire_timers(self, now: Optional[int] = None) -> None:
        """Runs the timers due at @now (ns; default time.monotonic_ns())."""
        if now is None:
            now = self.now() if self.now is not None else time.monotonic_ns()
        self._check(self._lib.vtun_ctx_expire_timers(self._p, now))

    def input(self, data: bytes, local: EndpointLike, remote: EndpointLike,
              proto: Proto = Proto.UDP,
              vrf: Optional[VpnInstance] = None) -> None:
        """Gives the library one datagram from the network (IKE, ESP,
        GRE); raises PeerError for a dropped one (no SA, replay...)."""
        datapath.ctx_input(self, data, proto, local, remote, vrf)

    def input_batch(self, datagrams: list[tuple[bytes, EndpointLike]],
                    local: EndpointLike, proto: Proto = Proto.ESP,
                    vrf: Optional[VpnInstance] = None) -> list[int]:
        """Several datagrams arrived at @local: (data, remote) pairs.
        Returns each one's result code."""
        return datapath.ctx_input_batch(self, datagrams, proto, local, vrf)

    @property
    def stats(self) -> dict[str, int]:
        """The context-wide counters as a dict."""
        return datapath.ctx_stats(self)

    def __repr__(self) -> str:
        return f"<vtun.Context {'closed' if self.closed else hex(self._p)}>"


def _vp(obj: Optional[Handle]) -> Optional[int]:
    return obj._p if obj is not None else None
