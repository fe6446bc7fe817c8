"""The enums of vtun.h as Python IntEnum and IntFlag classes."""

from __future__ import annotations

import enum


class Family(enum.IntEnum):
    NONE = 0
    INET = 4
    INET6 = 6


class Proto(enum.IntEnum):
    GRE = 47
    ESP = 50
    UDP = 17


class LogLevel(enum.IntEnum):
    ERROR = 10
    WARN = 20
    INFO = 30
    DEBUG = 40


class LogTopic(enum.IntFlag):
    CTX = 1 << 0
    CFG = 1 << 1
    IKE = 1 << 2
    ESP = 1 << 3
    GRE = 1 << 4
    CRYPTO = 1 << 5
    ALL = 0x3F


class TunnelState(enum.IntEnum):
    ADMIN_DOWN = 0
    DOWN = 1
    IDLE = 2
    NEGOTIATING = 3
    UP = 4


class TemplateMode(enum.IntEnum):
    NONE = 0
    KEEP = 1
    REMOVE = 2


class EventType(enum.IntEnum):
    TUNNEL_STATE = 1
    ADDRESS_ASSIGNED = 2
    ADDRESS_RELEASED = 3
    SA_INSTALLED = 4
    SA_REKEYED = 5
    SA_DELETED = 6
    SA_SOFT_EXPIRED = 7
    SA_HARD_EXPIRED = 8
    IKE_SA_UP = 9
    IKE_SA_DOWN = 10
    PEER_ADDRESS_ASSIGNED = 11
    PEER_ADDRESS_RELEASED = 12
    TUNNEL_CREATED = 13
    TUNNEL_REMOVED = 14


class Layer(enum.IntEnum):
    LAYER2 = 2
    LAYER3 = 3


class Encr(enum.IntEnum):
    NONE = 0
    DES = 1
    DES3 = 2
    AES_CBC_128 = 3
    AES_CBC_192 = 4
    AES_CBC_256 = 5
    AES_GCM_128 = 6
    AES_GCM_256 = 7
    CHACHA20_POLY1305 = 8


class Integ(enum.IntEnum):
    NONE = 0
    MD5_96 = 1
    SHA1_96 = 2
    SHA2_256_128 = 3
    SHA2_384_192 = 4
    SHA2_512_256 = 5


class Prf(enum.IntEnum):
    NONE = 0
    MD5 = 1
    SHA1 = 2
    SHA2_256 = 3
    SHA2_384 = 4
    SHA2_512 = 5


class DhGroup(enum.IntEnum):
    NONE = 0
    MODP768 = 1
    MODP1024 = 2
    MODP1536 = 5
    MODP2048 = 14
    MODP3072 = 15
    MODP4096 = 16
    ECP256 = 19
    ECP384 = 20
    ECP521 = 21
    X25519 = 31


class AlgKind(enum.IntEnum):
    ENCR = 1
    INTEG = 2
    PRF = 3
    DH = 4


class Auth(enum.IntEnum):
    PSK = 1


class IkeVersion(enum.IntFlag):
    IKEV1 = 1
    IKEV2 = 2


class ExchangeMode(enum.IntEnum):
    MAIN = 1
    AGGRESSIVE = 2


class IdType(enum.IntEnum):
    NONE = 0
    IP = 1
    FQDN = 2
    USER_FQDN = 3
    KEY_ID = 4


class DpdType(enum.IntEnum):
    NONE = 0
    PERIODIC = 1
    ON_DEMAND = 2


class EncapMode(enum.IntEnum):
    TUNNEL = 1
    TRANSPORT = 2


class TunnelProtocol(enum.IntEnum):
    NONE = 0
    IPSEC = 1
    GRE = 2


class AddressMode(enum.IntEnum):
    NONE = 0
    STATIC = 1
    UNNUMBERED = 2
    NEGOTIATED = 3


class Role(enum.IntEnum):
    NONE = 0
    INITIATOR = 1
    RESPONDER = 2


class MatchExchange(enum.IntEnum):
    IKEV2 = 1
    IKEV1_MAIN = 2
    IKEV1_AGGRESSIVE = 3


class DumpFlags(enum.IntFlag):
    NONE = 0
    SECRETS = 1 << 0


class SaFlags(enum.IntFlag):
    NONE = 0
    ESN = 1 << 0
    UDP_ENCAP = 1 << 1


def as_enum(cls: type[enum.IntEnum], value: int) -> int:
    """@value as a member of @cls, or the plain int when @cls lacks it
    (a newer library)."""
    try:
        return cls(value)
    except ValueError:
        return int(value)
