"""Configuration objects: one class per handle type of vtun.h.

An object wraps a handle owned by its Context; it keeps the context alive.
Getters and setters are Python properties; a refused change raises the
matching VtunError subclass and changes nothing. After delete() (or when
the context is closed, or a loaded configuration removed the object) any
use raises ArgumentError(VTUN_ESTATE) instead of touching freed memory.
"""

from __future__ import annotations

import ctypes
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Optional, Union

from . import _lib
from ._util import as_bytes, dec, enc, read_text
from .enums import (AddressMode, Auth, DhGroup, DpdType, EncapMode, Encr,
                    ExchangeMode, Family, IdType, IkeVersion, Integ, Layer,
                    Prf, Role, TemplateMode, TunnelProtocol, TunnelState,
                    as_enum)
from .errors import Error, VtunError, make_error

if TYPE_CHECKING:
    from .context import Context
    from .datapath import Initiation


def _prop(field: str, conv: Callable[[int], Any] = int,
          writable: bool = True, doc: str = "") -> property:
    """A property over <prefix>get_<field> and <prefix>set_<field>."""

    def fget(self: Handle) -> Any:
        return conv(self._get("get_" + field))

    def fset(self: Handle, value: Any) -> None:
        self._call("set_" + field, int(value))

    return property(fget, fset if writable else None, doc=doc)


def _enum(cls: Any) -> Callable[[int], Any]:
    return lambda v: as_enum(cls, v)


class Handle:
    """Common part of every configuration object."""

    _prefix: ClassVar[str] = ""
    _scoped: ClassVar[bool] = False  # lives in a virtual system

    def __init__(self, ctx: Context, ptr: int) -> None:
        self._ctx = ctx
        self._ptr: Optional[int] = ptr
        self._ident = self._identity()

    # -- plumbing

    @property
    def _p(self) -> int:
        if self._ptr is None or self._ctx._ptr is None:
            raise make_error(Error.ESTATE, f"{self._describe()} was deleted "
                             "or its context closed")
        return self._ptr

    def _fn(self, name: str) -> Any:
        return getattr(_lib.lib(), self._prefix + name)

    def _get(self, name: str, *args: Any) -> Any:
        return self._fn(name)(self._p, *args)

    def _call(self, name: str, *args: Any) -> int:
        return self._ctx._check(self._fn(name)(self._p, *args))

    def _text(self, name: str, *before: Any, after: tuple[Any, ...] = ()
              ) -> Optional[str]:
        """Text from an snprintf-style getter; None for VTUN_ENOENT."""
        rc, text = read_text(self._fn(name), (self._p, *before), after)
        if rc == Error.ENOENT:
            return None
        self._ctx._check(rc)
        return text

    def _identity(self) -> tuple[Any, ...]:
        vsys = None
        if self._scoped:
            v = self._fn("get_vsys")(self._ptr)
            vsys = dec(_lib.lib().vtun_vsys_get_name(v)) if v else None
        return (vsys, self._key_value())

    def _key_value(self) -> Any:
        return dec(self._fn("get_name")(self._ptr))

    def _refind(self) -> Optional[int]:
        """Looks the object up again by name (after a configuration load
        that may have replaced it)."""
        lib = _lib.lib()
        ctx = self._ctx._ptr
        vsys_name, key = self._ident
        if not self._scoped:
            return self._fn("find")(ctx, enc(key))
        vsys = None
        if vsys_name is not None:
            vsys = lib.vtun_vsys_find(ctx, enc(vsys_name))
            if not vsys:
                return None
        if isinstance(key, int):
            return self._fn("find")(ctx, vsys, key)
        return self._fn("find")(ctx, vsys, enc(key))

    def _describe(self) -> str:
        return f"{type(self).__name__} {self._ident[1]}"

    # -- public

    @property
    def context(self) -> Context:
        """The owning context."""
        return self._ctx

    @property
    def alive(self) -> bool:
        """False once deleted or once the context is closed."""
        return self._ptr is not None and self._ctx._ptr is not None

    @property
    def handle(self) -> int:
        """The C pointer, for code that calls libvtun directly."""
        return self._p

    @property
    def name(self) -> str:
        return dec(self._get("get_name")) or ""

    @property
    def user_data(self) -> Any:
        """Any Python object the host attaches (kept by the context)."""
        return self._ctx._user_data.get((type(self), self._p))

    @user_data.setter
    def user_data(self, value: Any) -> None:
        self._ctx._user_data[(type(self), self._p)] = value

    def delete(self) -> None:
        """Deletes the object in the library; the wrapper goes stale."""
        self._call("delete")
        self._ctx._forget(self)

    def __eq__(self, other: object) -> bool:
        return (type(other) is type(self) and
                other._ptr == self._ptr and  # type: ignore[attr-defined]
                self._ptr is not None)

    def __hash__(self) -> int:
        return hash((type(self), self._ptr))

    def __repr__(self) -> str:
        state = "" if self.alive else " (deleted)"
        return f"<vtun.{self._describe()}{state}>"


class ScopedHandle(Handle):
    """An object that belongs to a virtual system (None: root)."""

    _scoped = True

    @property
    def vsys(self) -> Optional[Vsys]:
        return self._ctx._wrap(Vsys, self._get("get_vsys"))


class Vsys(Handle):
    """A virtual system (`vtun_vsys`)."""

    _prefix = "vtun_vsys_"


class VpnInstance(Handle):
    """A routing instance for outer packets (`vtun_vpn_instance`)."""

    _prefix = "vtun_vpn_instance_"


class Iface(Handle):
    """A host interface (`vtun_iface`)."""

    _prefix = "vtun_iface_"

    layer = _prop("layer", _enum(Layer))

    def set_address(self, address: Optional[str], prefixlen: int = 0) -> None:
        """Sets the current address of its family (None clears it)."""
        self._call("set_address", enc(address), prefixlen)

    def clear_address(self, family: Family = Family.INET) -> None:
        self._call("clear_address", int(family))

    def get_address(self, family: Family = Family.INET
                    ) -> Optional[tuple[str, int]]:
        """(address, prefix length) of @family, or None."""
        plen = ctypes.c_uint()
        text = self._text("get_address", int(family),
                          after=(ctypes.byref(plen),))
        return None if text is None else (text, plen.value)

    @property
    def address(self) -> Optional[tuple[str, int]]:
        """The IPv4 address and prefix length, or None."""
        return self.get_address(Family.INET)

    @address.setter
    def address(self, value: Optional[tuple[str, int]]) -> None:
        if value is None:
            self.clear_address(Family.INET)
        else:
            self.set_address(*value)


class IkeProposal(ScopedHandle):
    """An IKE proposal (`ike proposal N`)."""

    _prefix = "vtun_ike_proposal_"

    def _key_value(self) -> Any:
        return int(self._fn("get_number")(self._ptr))

    @property
    def number(self) -> int:
        return int(self._get("get_number"))

    @property
    def name(self) -> str:
        return str(self.number)

    auth = _prop("auth", _enum(Auth))
    encr = _prop("encr", _enum(Encr))
    integ = _prop("integ", _enum(Integ))
    prf = _prop("prf", _enum(Prf))
    dh = _prop("dh", _enum(DhGroup))
    lifetime = _prop("lifetime", doc="IKE SA lifetime in seconds")


class IkePeer(ScopedHandle):
    """An IKE peer (`ike peer NAME`)."""

    _prefix = "vtun_ike_peer_"

    versions = _prop("versions", IkeVersion)
    exchange_mode = _prop("exchange_mode", _enum(ExchangeMode))
    nat_traversal = _prop("nat_traversal", bool)
    ikev2_id_match = _prop("ikev2_id_match", bool)

    @property
    def psk(self) -> Optional[bytes]:
        """The pre-shared key (bytes), or None when none is set. Setting
        accepts bytes or str."""
        size = 257
        while True:
            buf = ctypes.create_string_buffer(size)
            n = self._get("get_psk", buf, size)
            if n == Error.ENOENT:
                return None
            self._ctx._check(n)
            if n <= size:
                return buf.raw[:n]
            size = n

    @psk.setter
    def psk(self, key: Union[bytes, str]) -> None:
        data = as_bytes(key)
        self._call("set_psk", data, len(data))

    def set_psk_master(self, secret: Union[bytes, str]) -> None:
        """Derive each branch's key from @secret (see vtun.h)."""
        data = as_bytes(secret)
        self._call("set_psk_master", data, len(data))

    @property
    def psk_derived(self) -> bool:
        return bool(self._get("get_psk_derived"))

    def _id(self, which: str) -> tuple[IdType, str]:
        kind = ctypes.c_int()
        text = self._text(f"get_{which}_id", ctypes.byref(kind))
        return as_enum(IdType, kind.value), text or ""

    @property
    def local_id(self) -> tuple[IdType, str]:
        """(IdType, value); set with a tuple, or an IdType alone."""
        return self._id("local")

    @local_id.setter
    def local_id(self, value: Any) -> None:
        kind, text = value if isinstance(value, tuple) else (value, None)
        self._call("set_local_id", int(kind), enc(text))

    @property
    def remote_id(self) -> tuple[IdType, str]:
        return self._id("remote")

    @remote_id.setter
    def remote_id(self, value: Any) -> None:
        kind, text = value if isinstance(value, tuple) else (value, None)
        self._call("set_remote_id", int(kind), enc(text))

    @property
    def remote_addresses(self) -> list[str]:
        count = self._get("get_remote_address_count")
        return [self._text("get_remote_address", i) or ""
                for i in range(count)]

    def add_remote_address(self, address: str) -> None:
        self._call("add_remote_address", enc(address))

    def remove_remote_address(self, address: str) -> None:
        self._call("remove_remote_address", enc(address))

    @property
    def proposals(self) -> list[IkeProposal]:
        count = self._get("get_proposal_count")
        return [self._ctx._wrap(IkeProposal, self._get("get_proposal", i))
                for i in range(count)]

    def add_proposal(self, proposal: IkeProposal) -> None:
        self._call("add_proposal", proposal._p)

    def remove_proposal(self, proposal: IkeProposal) -> None:
        self._call("remove_proposal", proposal._p)

    @property
    def dpd(self) -> dict[str, int]:
        """{'type', 'idle', 'retransmit', 'retries'}; set with set_dpd()."""
        kind = ctypes.c_int()
        vals = [ctypes.c_uint32() for _ in range(3)]
        self._get("get_dpd", ctypes.byref(kind),
                  *(ctypes.byref(v) for v in vals))
        return {"type": as_enum(DpdType, kind.value), "idle": vals[0].value,
                "retransmit": vals[1].value, "retries": vals[2].value}

    def set_dpd(self, type: DpdType, idle: int = 30, retransmit: int = 15,
                retries: int = 3) -> None:
        self._call("set_dpd", int(type), idle, retransmit, retries)

    @property
    def pool(self) -> Optional[Pool]:
        return self._ctx._wrap(Pool, self._get("get_pool"))

    @pool.setter
    def pool(self, pool: Optional[Pool]) -> None:
        self._call("set_pool", pool._p if pool is not None else None)


class IpsecProposal(ScopedHandle):
    """An IPsec proposal (`ipsec proposal NAME`)."""

    _prefix = "vtun_ipsec_proposal_"

    encr = _prop("encr", _enum(Encr))
    integ = _prop("integ", _enum(Integ))
    encap_mode = _prop("encap_mode", _enum(EncapMode))


class IpsecProfile(ScopedHandle):
    """An IPsec profile (`ipsec profile NAME`)."""

    _prefix = "vtun_ipsec_profile_"

    pfs = _prop("pfs", _enum(DhGroup))
    replay_window = _prop("replay_window")
    esn = _prop("esn", bool)

    @property
    def ike_peer(self) -> Optional[str]:
        """The IKE peer's name (set with a name, an IkePeer or None)."""
        return dec(self._get("get_ike_peer"))

    @ike_peer.setter
    def ike_peer(self, peer: Union[None, str, IkePeer]) -> None:
        name = peer.name if isinstance(peer, IkePeer) else peer
        self._call("set_ike_peer", enc(name))

    @property
    def proposal(self) -> Optional[str]:
        """The IPsec proposal's name (set with a name, an IpsecProposal or
        None)."""
        return dec(self._get("get_proposal"))

    @proposal.setter
    def proposal(self, prop: Union[None, str, IpsecProposal]) -> None:
        name = prop.name if isinstance(prop, IpsecProposal) else prop
        self._call("set_proposal", enc(name))

    @property
    def lifetime(self) -> tuple[int, int]:
        """(seconds, kilobytes); set with such a tuple."""
        sec, kb = ctypes.c_uint32(), ctypes.c_uint64()
        self._get("get_lifetime", ctypes.byref(sec), ctypes.byref(kb))
        return sec.value, kb.value

    @lifetime.setter
    def lifetime(self, value: tuple[int, int]) -> None:
        self._call("set_lifetime", value[0], value[1])

    @property
    def tunnel(self) -> Optional[Tunnel]:
        return self._ctx._wrap(Tunnel, self._get("get_tunnel"))


class Pool(ScopedHandle):
    """An address pool handed out through IKEv2 (`ip pool NAME`)."""

    _prefix = "vtun_pool_"

    @property
    def network(self) -> Optional[tuple[str, int]]:
        """(network, prefix length) or None; set with such a tuple."""
        plen = ctypes.c_uint()
        text = self._text("get_network", after=(ctypes.byref(plen),))
        return (text, plen.value) if text else None

    @network.setter
    def network(self, value: tuple[str, int]) -> None:
        self._call("set_network", enc(value[0]), value[1])

    def add_range(self, first: str, last: str) -> None:
        self._call("add_range", enc(first), enc(last))

    @property
    def ranges(self) -> list[str]:
        count = self._get("get_range_count")
        return [self._text("get_range", i) or "" for i in range(count)]

    def lease(self, identity: str) -> str:
        """Leases an address to @identity and returns it."""
        buf = ctypes.create_string_buffer(64)
        self._call("lease", enc(identity), buf, len(buf))
        return buf.value.decode()

    def release(self, identity: str) -> None:
        self._call("release", enc(identity))

    @property
    def usage(self) -> dict[str, int]:
        """{'size', 'leased', 'exhausted'}."""
        size, leased = ctypes.c_uint32(), ctypes.c_uint32()
        exhausted = ctypes.c_uint64()
        self._get("get_usage", ctypes.byref(size), ctypes.byref(leased),
                  ctypes.byref(exhausted))
        return {"size": size.value, "leased": leased.value,
                "exhausted": exhausted.value}


class Tunnel(Handle):
    """A tunnel interface (`interface TunnelN`)."""

    _prefix = "vtun_tunnel_"

    protocol = _prop("protocol", _enum(TunnelProtocol))
    enabled = _prop("enabled", bool)
    on_demand = _prop("on_demand", bool)
    gre_sequence = _prop("gre_sequence", bool)
    mtu = _prop("mtu")
    state = _prop("state", _enum(TunnelState), writable=False)
    address_mode = _prop("address_mode", _enum(AddressMode), writable=False)

    # -- own address

    @property
    def address(self) -> Optional[tuple[str, int]]:
        """The address in effect and its prefix length, or None. Set with
        (address, prefixlen), an Iface (unnumbered), "ike-negotiated", or
        None (clears)."""
        plen = ctypes.c_uint()
        text = self._text("get_address", after=(ctypes.byref(plen),))
        return None if text is None else (text, plen.value)

    @address.setter
    def address(self, value: Any) -> None:
        if value is None:
            self._call("clear_address")
        elif isinstance(value, Iface):
            self._call("set_unnumbered", value._p)
        elif value == "ike-negotiated":
            self._call("set_address_negotiated")
        else:
            self._call("set_address", enc(value[0]), value[1])

    def set_address(self, address: str, prefixlen: int) -> None:
        self._call("set_address", enc(address), prefixlen)

    def set_unnumbered(self, iface: Iface) -> None:
        self._call("set_unnumbered", iface._p)

    def set_address_negotiated(self) -> None:
        self._call("set_address_negotiated")

    def clear_address(self) -> None:
        self._call("clear_address")

    @property
    def unnumbered(self) -> Optional[Iface]:
        return self._ctx._wrap(Iface, self._get("get_unnumbered"))

    # -- source and destination

    @property
    def source(self) -> Union[None, str, Iface]:
        """The source: an address (str), an Iface, or None; settable."""
        iface = self.source_iface
        if iface is not None:
            return iface
        return self.source_address

    @source.setter
    def source(self, value: Union[None, str, Iface]) -> None:
        if value is None:
            self._call("clear_source")
        elif isinstance(value, Iface):
            self._call("set_source_iface", value._p)
        else:
            self._call("set_source_address", enc(value))

    @property
    def source_address(self) -> Optional[str]:
        return self._text("get_source_address") or None

    @property
    def source_iface(self) -> Optional[Iface]:
        return self._ctx._wrap(Iface, self._get("get_source_iface"))

    @property
    def destination(self) -> Optional[str]:
        """The destination address or None; setting a str uses the public
        instance (set_destination() takes a vpn-instance)."""
        return self._text("get_destination")

    @destination.setter
    def destination(self, address: Optional[str]) -> None:
        if address is None:
            self._call("clear_destination")
        else:
            self.set_destination(address)

    def set_destination(self, address: str,
                        vpn_instance: Optional[VpnInstance] = None) -> None:
        vrf = vpn_instance._p if vpn_instance is not None else None
        self._call("set_destination", enc(address), vrf)

    def clear_destination(self) -> None:
        self._call("clear_destination")

    @property
    def vpn_instance(self) -> Optional[VpnInstance]:
        return self._ctx._wrap(VpnInstance, self._get("get_vpn_instance"))

    # -- profile, system, GRE

    @property
    def profile(self) -> Optional[IpsecProfile]:
        return self._ctx._wrap(IpsecProfile, self._get("get_profile"))

    @profile.setter
    def profile(self, prof: Optional[IpsecProfile]) -> None:
        self._call("set_profile", prof._p if prof is not None else None)

    @property
    def template_mode(self) -> TemplateMode:
        """Whether this tunnel is a template, and what happens to its
        instances when their branch goes."""
        return as_enum(TemplateMode, self._get("get_template_mode"))

    @template_mode.setter
    def template_mode(self, mode: TemplateMode) -> None:
        self._call("set_template", int(mode))

    @property
    def template(self) -> Optional[Tunnel]:
        """The template that created this tunnel, or None."""
        return self._ctx._wrap(Tunnel, self._get("get_template"))

    @property
    def branch_id(self) -> Optional[tuple[IdType, str]]:
        """(IdType, identity) of the branch an instance serves, or None."""
        kind = ctypes.c_int()
        text = self._text("get_branch_id", ctypes.byref(kind))
        return None if text is None else (as_enum(IdType, kind.value), text)

    @property
    def vsys(self) -> Optional[Vsys]:
        return self._ctx._wrap(Vsys, self._get("get_vsys"))

    @vsys.setter
    def vsys(self, vsys: Optional[Vsys]) -> None:
        self._call("set_vsys", vsys._p if vsys is not None else None)

    @property
    def gre_key(self) -> Optional[int]:
        """The GRE key or None (removes it)."""
        key = ctypes.c_uint32()
        return key.value if self._get("get_gre_key", ctypes.byref(key)) \
            else None

    @gre_key.setter
    def gre_key(self, key: Optional[int]) -> None:
        self._call("set_gre_key", int(key is not None), key or 0)

    @property
    def keepalive(self) -> tuple[int, int]:
        """(period, retries); set with such a tuple."""
        period, retries = ctypes.c_uint32(), ctypes.c_uint32()
        self._get("get_keepalive", ctypes.byref(period),
                  ctypes.byref(retries))
        return period.value, retries.value

    @keepalive.setter
    def keepalive(self, value: tuple[int, int]) -> None:
        self._call("set_keepalive", value[0], value[1])

    # -- state and initiation

    def check(self) -> Optional[VtunError]:
        """None when the tunnel can work, else the error that keeps it
        down (not raised), with the reason as its detail."""
        rc = self._get("check")
        if rc == 0:
            return None
        return make_error(rc, self._ctx.last_error)

    def initiation(self, index: int = 0) -> Initiation:
        """How the tunnel negotiates (role, remote tried @index-th, local).
        Raises NotFoundError past the last remote, or the rule's error."""
        from .datapath import Initiation
        role = ctypes.c_int()
        remote = ctypes.create_string_buffer(64)
        local = ctypes.create_string_buffer(64)
        self._call("get_initiation", index, ctypes.byref(role), remote, 64,
                   local, 64)
        return Initiation(as_enum(Role, role.value),
                          remote.value.decode() or None,
                          local.value.decode() or None)

    def explain_initiation(self) -> str:
        return self._text("explain_initiation") or ""

    # -- data path (see datapath.py)

    def send(self, packet: bytes) -> None:
        """Encapsulates one inner IP packet and sends it through the
        send_datagram hook."""
        from .datapath import tunnel_send
        tunnel_send(self, packet)

    def send_batch(self, packets: list[bytes]) -> list[int]:
        """Sends several packets; returns each one's result code."""
        from .datapath import tunnel_send_batch
        return tunnel_send_batch(self, packets)

    def set_manual_sa(self, spi_in: int, spi_out: int, encr: Encr,
                      key_in: bytes, key_out: bytes,
                      integ: Integ = Integ.NONE, flags: int = 0) -> None:
        """Installs a Child SA pair from explicit keys (each key: the
        encryption key, then the salt, then the integrity key)."""
        kin, kout = as_bytes(key_in), as_bytes(key_out)
        self._call("set_manual_sa", spi_in, spi_out, int(encr), int(integ),
                   kin, len(kin), kout, len(kout), int(flags))

    @property
    def stats(self) -> dict[str, int]:
        """The tunnel's counters as a dict."""
        out = _lib.TunnelStats()
        self._call("get_stats", ctypes.byref(out), ctypes.sizeof(out))
        return _lib.struct_dict(out)
