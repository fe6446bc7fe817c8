/*
 * libvtun: embeddable route-based IPsec tunnel interfaces.
 *
 * Conventions that hold for every function below unless its block says
 * otherwise:
 *
 * - Fallible calls return 0 or a negative VTUN_E* code. Calls that fill a
 *   caller's string buffer return the length of the full string (like
 *   snprintf): a result >= the buffer size means the copy was cut short. The
 *   buffer is always NUL-terminated when its size is at least 1.
 * - A refused call changes nothing, and leaves a message naming the rule
 *   and the objects in the context, read with vtun_ctx_last_error().
 * - Threads: "config thread" calls (configuration, IKE, timers, queries)
 *   must come from one thread at a time per context. "Data path" calls may
 *   run concurrently with each other as their blocks describe.
 * - Handles belong to their context. The library copies every input and
 *   keeps no caller buffer after a call returns.
 * - Hooks are called only from within a library call, on the caller's
 *   thread; a call that fails because of a refused input never runs a hook.
 */
#ifndef VTUN_H
#define VTUN_H

#include <stddef.h>
#include <stdint.h>

#include "vtun_version.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(VTUN_BUILDING_LIBRARY)
#define VTUN_EXTERN __attribute__((visibility("default")))
#else
#define VTUN_EXTERN
#endif

/** Monotonic time in nanoseconds, from the host's clock. @since 0.1 */
typedef uint64_t vtun_tstamp;

/** Byte count or negative error code. @since 0.1 */
typedef ptrdiff_t vtun_ssize;

/** "Never" as a deadline. @since 0.1 */
#define VTUN_TSTAMP_MAX UINT64_MAX

/** Nanoseconds per second. @since 0.1 */
#define VTUN_SECONDS ((vtun_tstamp)1000000000u)

/* ---------------------------------------------------------------- errors */

/**
 * Error codes, grouped by who is at fault: -1xx the caller's arguments,
 * -2xx a configuration rule (one per rule of REQUIREMENTS R1-R14), -3xx the
 * peer or the packet, -4xx a hook or the crypto backend. At or below
 * VTUN_EFATAL the handle can only be freed.
 * @since 0.1
 */
enum vtun_error {
  VTUN_OK = 0,
  VTUN_EINVAL = -101,    /**< An argument is malformed or out of domain. */
  VTUN_ENOMEM = -102,    /**< Memory could not be allocated. */
  VTUN_ENOENT = -103,    /**< No object of that name or index. */
  VTUN_EEXIST = -104,    /**< An object of that name exists already. */
  VTUN_EBUSY = -105,     /**< The object is in use by another object. */
  VTUN_ENOSPC = -106,    /**< A table or buffer of the caller is full. */
  VTUN_EVERSION = -107,  /**< A struct version this library does not know. */
  VTUN_ENOTSUP = -108,   /**< Valid, but not implemented by this build. */
  VTUN_ESTATE = -109,    /**< Not possible in the object's current state. */
  VTUN_ENOBUFS = -110,   /**< Not enough headroom or tailroom in a buffer. */
  VTUN_ESYNTAX = -111,   /**< Configuration text could not be parsed. */
  VTUN_ETEMPLATE = -112, /**< A template tunnel breaks a template rule. */

  VTUN_ER1_PROFILE_BINDING = -201,      /**< R1: one profile per tunnel. */
  VTUN_ER2_PROFILE_INCOMPLETE = -202,   /**< R2: peer/proposal missing. */
  VTUN_ER3_VPN_INSTANCE_MODE = -203,    /**< R3: vpn-instance needs ipsec. */
  VTUN_ER4_SOURCE_LAYER = -204,         /**< R4: source must be Layer 3. */
  VTUN_ER5_GRE_DESTINATION = -205,      /**< R5: gre needs a destination. */
  VTUN_ER6_DESTINATION_MISMATCH = -206, /**< R6: destination != remote. */
  VTUN_ER7_MULTIPLE_REMOTES = -207,     /**< R7: several remotes + dest. */
  VTUN_ER8_VSYS_PROFILE = -208,         /**< R8: profile of another system. */
  VTUN_ER9_NEGOTIATED_ADDRESS = -209,   /**< R9: needs IKEv2. */
  VTUN_ER10_PEER_ID_MODE = -210,        /**< R10: peer ID matching mode. */
  VTUN_ER11_INTEGRITY = -211,           /**< R11: AEAD vs integrity. */
  VTUN_ER12_RANGE = -212,               /**< R12: value out of range. */
  VTUN_ER13_AMBIGUOUS = -213,           /**< R13: tunnels not told apart. */
  VTUN_ER14_LEGACY_ALGORITHM = -214,    /**< R14: MUST NOT algorithm. */

  VTUN_EAUTH = -301,       /**< The peer failed authentication. */
  VTUN_EREPLAY = -302,     /**< Replayed or too old sequence number. */
  VTUN_EINTEGRITY = -303,  /**< Integrity check (ICV/tag) failed. */
  VTUN_EMALFORMED = -304,  /**< The packet or message is malformed. */
  VTUN_ENOSA = -305,       /**< No SA for the packet (unknown SPI, none). */
  VTUN_ENOMATCH = -306,    /**< No tunnel matches an IKE negotiation. */
  VTUN_ENOPROPOSAL = -307, /**< No proposal acceptable to both ends. */
  VTUN_EPOOLEMPTY = -308,  /**< The address pool is exhausted. */
  VTUN_EPOLICY = -309,     /**< Dropped by policy (selector, dummy). */
  VTUN_ETOOBIG = -310,     /**< The packet exceeds what can be carried. */
  VTUN_ELIFETIME = -311,   /**< The SA reached its hard lifetime. */
  VTUN_EPEER = -312,       /**< The peer sent an error notification. */
  VTUN_ETIMEOUT = -313,    /**< The peer did not answer in time. */

  VTUN_ECALLBACK = -401, /**< A hook returned failure. */
  VTUN_ECRYPTO = -402,   /**< The crypto backend failed. */

  VTUN_EFATAL = -500,    /**< Threshold: at or below, free the handle. */
  VTUN_EINTERNAL = -501, /**< A broken internal invariant. */
};

/**
 * A sentence describing @p err ("unknown error" for a code not in the
 * table). The string is static. Any thread. @since 0.1
 */
VTUN_EXTERN const char *vtun_strerror(int err);

/**
 * The constant's name of @p err, such as "VTUN_EINVAL", or NULL for a code
 * not in the table. The string is static. Any thread. @since 0.1
 */
VTUN_EXTERN const char *vtun_err_name(int err);

/**
 * Whether @p err is at or below VTUN_EFATAL: nonzero means the handle that
 * returned it can only be freed. Any thread. @since 0.1
 */
VTUN_EXTERN int vtun_err_is_fatal(int err);

/**
 * The library's version string, for checking that the loaded library
 * matches the headers (compare with VTUN_VERSION). Any thread. @since 0.1
 */
VTUN_EXTERN const char *vtun_version(void);

/* ---------------------------------------------------- handles and types */

/** A library instance: configuration, SAs, hooks. @since 0.1 */
typedef struct vtun_ctx vtun_ctx;
/** A physical or logical Layer 2/3 interface. @since 0.1 */
typedef struct vtun_iface vtun_iface;
/** A tunnel interface (`interface TunnelN`). @since 0.1 */
typedef struct vtun_tunnel vtun_tunnel;
/** An IKE proposal (`ike proposal N`). @since 0.1 */
typedef struct vtun_ike_proposal vtun_ike_proposal;
/** An IKE peer (`ike peer NAME`). @since 0.1 */
typedef struct vtun_ike_peer vtun_ike_peer;
/** An IPsec proposal (`ipsec proposal NAME`). @since 0.1 */
typedef struct vtun_ipsec_proposal vtun_ipsec_proposal;
/** An IPsec profile (`ipsec profile NAME`). @since 0.1 */
typedef struct vtun_ipsec_profile vtun_ipsec_profile;
/** An address pool handed out through IKEv2 (`ip pool NAME`). @since 0.1 */
typedef struct vtun_pool vtun_pool;
/** A virtual system; NULL stands for the root system. @since 0.1 */
typedef struct vtun_vsys vtun_vsys;
/** A routing instance for outer packets; NULL is the public one. @since 0.1 */
typedef struct vtun_vpn_instance vtun_vpn_instance;

/** Address families used in vtun_endpoint. @since 0.1 */
enum vtun_family {
  VTUN_AF_NONE = 0,
  VTUN_AF_INET = 4,
  VTUN_AF_INET6 = 6,
};

/**
 * An outer address and port, in a fixed layout that every language can
 * build. @p port is in host byte order, 0 for raw ESP or GRE. @since 0.1
 */
typedef struct vtun_endpoint {
  uint8_t family;   /**< enum vtun_family */
  uint8_t reserved; /**< zero */
  uint16_t port;    /**< UDP port, host byte order */
  uint8_t addr[16]; /**< 4 or 16 bytes used, network byte order */
} vtun_endpoint;

/**
 * Parses "192.0.2.1" or "2001:db8::1" into @p ep with @p port.
 * @retval 0 done.
 * @retval VTUN_EINVAL not an address.
 * Any thread. @since 0.1
 */
VTUN_EXTERN int vtun_endpoint_parse(vtun_endpoint *ep, const char *text,
                                    uint16_t port);

/**
 * Formats the address of @p ep (without port) into @p buf.
 * @return the length of the text (snprintf style), or VTUN_EINVAL for an
 * endpoint of no known family. Any thread. @since 0.1
 */
VTUN_EXTERN vtun_ssize vtun_endpoint_format(const vtun_endpoint *ep, char *buf,
                                            size_t len);

/** Outer protocols of datagrams exchanged with the host. @since 0.1 */
enum vtun_proto {
  VTUN_PROTO_GRE = 47, /**< raw GRE (IP protocol 47) */
  VTUN_PROTO_ESP = 50, /**< raw ESP (IP protocol 50) */
  VTUN_PROTO_UDP = 17, /**< UDP: IKE on 500, IKE/ESP/keepalive on 4500 */
};

/* ------------------------------------------------------------ logging */

/** Log levels: the hook receives messages at or below the set level. */
enum vtun_log_level {
  VTUN_LOG_ERROR = 10,
  VTUN_LOG_WARN = 20,
  VTUN_LOG_INFO = 30,
  VTUN_LOG_DEBUG = 40,
};

/** Log topics, a bitmask. @since 0.1 */
enum vtun_log_topic {
  VTUN_TOPIC_CTX = 1u << 0,
  VTUN_TOPIC_CFG = 1u << 1,
  VTUN_TOPIC_IKE = 1u << 2,
  VTUN_TOPIC_ESP = 1u << 3,
  VTUN_TOPIC_GRE = 1u << 4,
  VTUN_TOPIC_CRYPTO = 1u << 5,
  VTUN_TOPIC_ALL = 0x3fu,
};

/* -------------------------------------------------------------- events */

/** Tunnel states as the operator sees them. @since 0.1 */
enum vtun_tunnel_state {
  VTUN_STATE_ADMIN_DOWN = 0, /**< disabled by configuration */
  VTUN_STATE_DOWN = 1,       /**< enabled, cannot work (see reason) */
  VTUN_STATE_IDLE = 2,       /**< waits for traffic or for the peer */
  VTUN_STATE_NEGOTIATING = 3,
  VTUN_STATE_UP = 4,
};

/** Kinds of event delivered through the event hook. @since 0.1 */
enum vtun_event_type {
  VTUN_EVENT_TUNNEL_STATE = 1,     /**< state changed; see state, error */
  VTUN_EVENT_ADDRESS_ASSIGNED = 2, /**< address set by IKEv2 */
  VTUN_EVENT_ADDRESS_RELEASED = 3, /**< that address is gone */
  VTUN_EVENT_SA_INSTALLED = 4,     /**< a Child SA pair is in use */
  VTUN_EVENT_SA_REKEYED = 5,       /**< a Child SA pair replaced another */
  VTUN_EVENT_SA_DELETED = 6,       /**< a Child SA pair is gone */
  VTUN_EVENT_SA_SOFT_EXPIRED = 7,  /**< soft lifetime: rekey is due */
  VTUN_EVENT_SA_HARD_EXPIRED = 8,  /**< hard lifetime: SA removed */
  VTUN_EVENT_IKE_SA_UP = 9,        /**< an IKE SA was established */
  VTUN_EVENT_IKE_SA_DOWN = 10,     /**< an IKE SA was deleted */
  /** HQ side: the pool leased this address to the tunnel's peer; the
   * host routes it into the tunnel. */
  VTUN_EVENT_PEER_ADDRESS_ASSIGNED = 11,
  /** HQ side: that lease is gone; the host removes its route. */
  VTUN_EVENT_PEER_ADDRESS_RELEASED = 12,
  /** HQ side: a template created this tunnel for a new branch; the host
   * sets it up (a device, routes) like a configured one. */
  VTUN_EVENT_TUNNEL_CREATED = 13,
  /** HQ side: a template instance is about to be freed (its branch went
   * and the template removes instances); the handle is valid only during
   * the call. */
  VTUN_EVENT_TUNNEL_REMOVED = 14,
};

/**
 * An event. Strings and the struct are valid only during the hook call.
 * Members are only appended. @since 0.1
 */
typedef struct vtun_event {
  uint32_t type;       /**< enum vtun_event_type */
  vtun_tunnel *tunnel; /**< the tunnel concerned, may be NULL */
  int state;           /**< enum vtun_tunnel_state for TUNNEL_STATE */
  int error;           /**< why (a VTUN_E* code) or 0 */
  uint32_t spi_in;     /**< Child SA inbound SPI, host order, or 0 */
  uint32_t spi_out;    /**< Child SA outbound SPI, host order, or 0 */
  const char *address; /**< for ADDRESS_*: "a.b.c.d" or IPv6 text */
  unsigned prefixlen;  /**< for ADDRESS_*: its prefix length */
} vtun_event;

/* --------------------------------------------------------------- hooks */

/** Current version of vtun_hooks. @since 0.1 */
#define VTUN_HOOKS_VERSION 1

/**
 * What the host provides. Any member may be NULL; what a NULL means is
 * said per member. A hook returns 0 or VTUN_ECALLBACK; a failing hook
 * aborts the call that ran it, which then returns VTUN_ECALLBACK.
 * Members are only appended, each with its `@since`.
 * @since 0.1
 */
typedef struct vtun_hooks {
  /** Send one outer datagram (IKE, ESP or GRE). NULL: nothing is sent. */
  int (*send_datagram)(void *user_data, vtun_vpn_instance *vrf, int proto,
                       const vtun_endpoint *local, const vtun_endpoint *remote,
                       const uint8_t *data, size_t len);
  /** Hand a decapsulated inner packet to the host. NULL: dropped. */
  int (*deliver)(void *user_data, vtun_tunnel *tunnel, const uint8_t *pkt,
                 size_t len);
  /** Tell the host of a state change. NULL: not told. */
  void (*event)(void *user_data, const vtun_event *event);
  /** A finished log line without newline. NULL: no logging. */
  void (*log)(void *user_data, int level, unsigned topic, const char *msg,
              size_t len);
  /** Monotonic nanoseconds. NULL: time only comes from call arguments. */
  vtun_tstamp (*now)(void *user_data);
  /** Random bytes. NULL: the crypto backend's generator. */
  int (*random)(void *user_data, uint8_t *buf, size_t len);
  /**
   * Key material for decryption tables (Wireshark/tshark format), one line
   * per call. Only called when the settings switch key_export on.
   */
  void (*key_export)(void *user_data, const char *line, size_t len);
} vtun_hooks;

/* ------------------------------------------------------------ settings */

/** Current version of vtun_settings. @since 0.1 */
#define VTUN_SETTINGS_VERSION 1

struct vtun_crypto_ops;

/**
 * Context-wide settings; fill with vtun_settings_default() first.
 * Members are only appended, each with its `@since`.
 * @since 0.1
 */
typedef struct vtun_settings {
  int log_level;             /**< highest level passed to the hook (30) */
  unsigned log_topics;       /**< topics passed to the hook (all) */
  int allow_legacy;          /**< R14: permit MUST NOT algorithms (0) */
  int key_export;            /**< call the key_export hook (0) */
  uint32_t replay_window;    /**< default anti-replay window (1024) */
  uint32_t cookie_threshold; /**< half-open IKE SAs before cookies (64) */
  int force_udp_encap;       /**< always UDP-encapsulate ESP (0) */
  /** Crypto backend; NULL: the built-in OpenSSL one. */
  const struct vtun_crypto_ops *crypto;
  void *crypto_arg; /**< passed to the backend's init */
} vtun_settings;

/**
 * Fills @p s with the defaults named in each member's comment.
 * Any thread. @since 0.1
 */
VTUN_EXTERN void vtun_settings_default(vtun_settings *s);

/* ------------------------------------------------------------- context */

/**
 * Creates a context. Use the vtun_ctx_new() macro, which passes the struct
 * versions this header has.
 * @param[out] out the new context, owned by the caller (vtun_ctx_free()).
 * @param[in] hooks_version, hooks copied; NULL means no hooks.
 * @param[in] settings_version, settings copied; NULL means defaults.
 * @param[in] user_data passed to every hook.
 * @retval 0 done.
 * @retval VTUN_EVERSION a struct version newer than this library knows.
 * @retval VTUN_EINVAL out is NULL or a setting is out of range.
 * @retval VTUN_ENOMEM no memory.
 * @retval VTUN_ECRYPTO the crypto backend failed to start.
 * Any thread; runs no hook. @since 0.1
 */
VTUN_EXTERN int vtun_ctx_new_versioned(vtun_ctx **out, int hooks_version,
                                       const vtun_hooks *hooks,
                                       int settings_version,
                                       const vtun_settings *settings,
                                       void *user_data);

/** vtun_ctx_new_versioned() with this header's versions. @since 0.1 */
#define vtun_ctx_new(out, hooks, settings, user_data)                          \
  vtun_ctx_new_versioned((out), VTUN_HOOKS_VERSION, (hooks),                   \
                         VTUN_SETTINGS_VERSION, (settings), (user_data))

/**
 * Frees @p ctx and every object in it; keys are wiped. NULL is accepted.
 * Runs no hook (SAs are not deleted at the peer: call vtun_ctx_shutdown()
 * first for that). Config thread. @since 0.1
 */
VTUN_EXTERN void vtun_ctx_free(vtun_ctx *ctx);

/**
 * The detailed message of the last refused call on @p ctx (rule, objects,
 * values), or "" if none. Valid until the next call on the context.
 * Config thread. @since 0.1
 */
VTUN_EXTERN const char *vtun_ctx_last_error(const vtun_ctx *ctx);

/** Sets the pointer returned by vtun_ctx_get_user_data(). @since 0.1 */
VTUN_EXTERN void vtun_ctx_set_user_data(vtun_ctx *ctx, void *user_data);
/** The user data given at creation or by the setter. @since 0.1 */
VTUN_EXTERN void *vtun_ctx_get_user_data(const vtun_ctx *ctx);

/**
 * Switches the R14 legacy switch (see vtun_settings.allow_legacy).
 * Switching it off is refused with VTUN_ER14_LEGACY_ALGORITHM while a
 * legacy algorithm is configured. Config thread. @since 0.1
 */
VTUN_EXTERN int vtun_ctx_set_allow_legacy(vtun_ctx *ctx, int on);
/** The R14 legacy switch. @since 0.1 */
VTUN_EXTERN int vtun_ctx_get_allow_legacy(const vtun_ctx *ctx);

/**
 * Checks the rules that look at several objects at once and that a
 * sequence of single changes may pass through on its way (R11 for
 * proposals in use, R10 and R13). Configuration files are committed after
 * loading. Tunnels do not negotiate before a successful commit.
 * @retval 0 the configuration is consistent.
 * @retval VTUN_ER10_PEER_ID_MODE tunnels told apart only by peer ID with a
 *         peer that cannot use it.
 * @retval VTUN_ER11_INTEGRITY a proposal in use lacks integrity.
 * @retval VTUN_ER13_AMBIGUOUS tunnels that cannot be told apart.
 * Config thread; may run the event hook. @since 0.1
 */
VTUN_EXTERN int vtun_ctx_commit(vtun_ctx *ctx);

/**
 * The earliest time at which vtun_ctx_expire_timers() has work, or
 * VTUN_TSTAMP_MAX. Config thread. @since 0.1
 */
VTUN_EXTERN vtun_tstamp vtun_ctx_next_deadline(const vtun_ctx *ctx);

/**
 * Runs every timer due at @p now (retransmissions, DPD, lifetimes, rekeys).
 * @retval 0 done.
 * @retval VTUN_ECALLBACK a hook failed; remaining timers run next call.
 * Config thread; runs hooks. @since 0.1
 */
VTUN_EXTERN int vtun_ctx_expire_timers(vtun_ctx *ctx, vtun_tstamp now);

/* ------------------------------------------------------ virtual systems */

/**
 * Creates a virtual system, a namespace of its own for IKE peers,
 * proposals, profiles and pools. Tunnels are bound to one with
 * vtun_tunnel_set_vsys().
 * @retval 0 done, *out owned by the context.
 * @retval VTUN_EINVAL bad name (1-31 printable characters, no space).
 * @retval VTUN_EEXIST a virtual system of that name exists.
 * @retval VTUN_ENOMEM no memory.
 * Config thread. @since 0.1
 */
VTUN_EXTERN int vtun_vsys_new(vtun_ctx *ctx, const char *name, vtun_vsys **out);
/** The virtual system named @p name, or NULL. @since 0.1 */
VTUN_EXTERN vtun_vsys *vtun_vsys_find(vtun_ctx *ctx, const char *name);
/**
 * Deletes @p vsys. @retval VTUN_EBUSY objects or tunnels still belong to
 * it. @since 0.1
 */
VTUN_EXTERN int vtun_vsys_delete(vtun_vsys *vsys);
/** Its name. @since 0.1 */
VTUN_EXTERN const char *vtun_vsys_get_name(const vtun_vsys *vsys);
/** User data. @since 0.1 */
VTUN_EXTERN void vtun_vsys_set_user_data(vtun_vsys *vsys, void *user_data);
/** User data. @since 0.1 */
VTUN_EXTERN void *vtun_vsys_get_user_data(const vtun_vsys *vsys);

/* -------------------------------------------------------- vpn-instances */

/**
 * Creates a vpn-instance: the routing instance in which a tunnel's outer
 * packets travel; the host maps it to a VRF or network namespace.
 * @retval 0 done. @retval VTUN_EINVAL bad name. @retval VTUN_EEXIST exists.
 * @retval VTUN_ENOMEM no memory. Config thread. @since 0.1
 */
VTUN_EXTERN int vtun_vpn_instance_new(vtun_ctx *ctx, const char *name,
                                      vtun_vpn_instance **out);
/** The vpn-instance named @p name, or NULL. @since 0.1 */
VTUN_EXTERN vtun_vpn_instance *vtun_vpn_instance_find(vtun_ctx *ctx,
                                                      const char *name);
/** Deletes it. @retval VTUN_EBUSY a tunnel uses it. @since 0.1 */
VTUN_EXTERN int vtun_vpn_instance_delete(vtun_vpn_instance *vrf);
/** Its name. @since 0.1 */
VTUN_EXTERN const char *
vtun_vpn_instance_get_name(const vtun_vpn_instance *vrf);
/** User data. @since 0.1 */
VTUN_EXTERN void vtun_vpn_instance_set_user_data(vtun_vpn_instance *vrf,
                                                 void *user_data);
/** User data. @since 0.1 */
VTUN_EXTERN void *vtun_vpn_instance_get_user_data(const vtun_vpn_instance *vrf);

/* ----------------------------------------------------------- interfaces */

/** Interface layers. @since 0.1 */
enum vtun_layer {
  VTUN_LAYER2 = 2,
  VTUN_LAYER3 = 3,
};

/**
 * Declares a host interface (`GigabitEthernet0/0/1`), whose address a
 * tunnel may borrow or use as its source.
 * @param[in] layer VTUN_LAYER2 or VTUN_LAYER3.
 * @retval 0 done. @retval VTUN_EINVAL bad name or layer.
 * @retval VTUN_EEXIST an interface or tunnel of that name exists.
 * @retval VTUN_ENOMEM no memory. Config thread. @since 0.1
 */
VTUN_EXTERN int vtun_iface_new(vtun_ctx *ctx, const char *name, int layer,
                               vtun_iface **out);
/** The interface named @p name, or NULL. @since 0.1 */
VTUN_EXTERN vtun_iface *vtun_iface_find(vtun_ctx *ctx, const char *name);
/** Deletes it. @retval VTUN_EBUSY a tunnel uses it. @since 0.1 */
VTUN_EXTERN int vtun_iface_delete(vtun_iface *iface);
/** Its name. @since 0.1 */
VTUN_EXTERN const char *vtun_iface_get_name(const vtun_iface *iface);
/**
 * Sets the layer. @retval VTUN_EINVAL bad layer.
 * @retval VTUN_ER4_SOURCE_LAYER Layer 2 while a tunnel uses it as source.
 * @since 0.1
 */
VTUN_EXTERN int vtun_iface_set_layer(vtun_iface *iface, int layer);
/** Its layer. @since 0.1 */
VTUN_EXTERN int vtun_iface_get_layer(const vtun_iface *iface);
/**
 * Sets the current address of one family (NULL clears that family). The
 * host calls it whenever DHCP or PPPoE changes the address; tunnels using
 * the interface as source move to the new address and renegotiate.
 * @retval 0 done. @retval VTUN_EINVAL bad address or prefix length.
 * Config thread; may run the event and send hooks. @since 0.1
 */
VTUN_EXTERN int vtun_iface_set_address(vtun_iface *iface, const char *addr,
                                       unsigned prefixlen);
/**
 * Clears the address of family @p family (VTUN_AF_INET/INET6).
 * @retval VTUN_EINVAL bad family. @since 0.1
 */
VTUN_EXTERN int vtun_iface_clear_address(vtun_iface *iface, int family);
/**
 * The current address of @p family into @p buf, its prefix length into
 * @p prefixlen (may be NULL).
 * @return text length; VTUN_ENOENT when none is set. @since 0.1
 */
VTUN_EXTERN vtun_ssize vtun_iface_get_address(const vtun_iface *iface,
                                              int family, char *buf, size_t len,
                                              unsigned *prefixlen);
/** User data. @since 0.1 */
VTUN_EXTERN void vtun_iface_set_user_data(vtun_iface *iface, void *ud);
/** User data. @since 0.1 */
VTUN_EXTERN void *vtun_iface_get_user_data(const vtun_iface *iface);

/* ------------------------------------------------------------ algorithms */

/** Encryption algorithms. @since 0.1 */
enum vtun_encr {
  VTUN_ENCR_NONE = 0,
  VTUN_ENCR_DES = 1,  /**< MUST NOT (R14) */
  VTUN_ENCR_3DES = 2, /**< SHOULD NOT */
  VTUN_ENCR_AES_CBC_128 = 3,
  VTUN_ENCR_AES_CBC_192 = 4,
  VTUN_ENCR_AES_CBC_256 = 5,
  VTUN_ENCR_AES_GCM_128 = 6,       /**< AEAD, 16-byte ICV */
  VTUN_ENCR_AES_GCM_256 = 7,       /**< AEAD, 16-byte ICV */
  VTUN_ENCR_CHACHA20_POLY1305 = 8, /**< AEAD */
};

/** Integrity algorithms (HMAC, truncated as in IPsec). @since 0.1 */
enum vtun_integ {
  VTUN_INTEG_NONE = 0,
  VTUN_INTEG_MD5_96 = 1, /**< MUST NOT (R14) */
  VTUN_INTEG_SHA1_96 = 2,
  VTUN_INTEG_SHA2_256_128 = 3,
  VTUN_INTEG_SHA2_384_192 = 4,
  VTUN_INTEG_SHA2_512_256 = 5,
};

/** Pseudo-random functions for IKE. @since 0.1 */
enum vtun_prf {
  VTUN_PRF_NONE = 0,
  VTUN_PRF_MD5 = 1, /**< MUST NOT (R14) */
  VTUN_PRF_SHA1 = 2,
  VTUN_PRF_SHA2_256 = 3,
  VTUN_PRF_SHA2_384 = 4,
  VTUN_PRF_SHA2_512 = 5,
};

/**
 * Diffie-Hellman groups are given by their IANA number: 1 (MUST NOT), 2, 5,
 * 14, 15, 16, 19, 20, 21, 31 (X25519); 0 is "none" (no PFS). @since 0.1
 */
enum vtun_dh {
  VTUN_DH_NONE = 0,
  VTUN_DH_MODP768 = 1,
  VTUN_DH_MODP1024 = 2,
  VTUN_DH_MODP1536 = 5,
  VTUN_DH_MODP2048 = 14,
  VTUN_DH_MODP3072 = 15,
  VTUN_DH_MODP4096 = 16,
  VTUN_DH_ECP256 = 19,
  VTUN_DH_ECP384 = 20,
  VTUN_DH_ECP521 = 21,
  VTUN_DH_X25519 = 31,
};

/** Kinds of algorithm for vtun_alg_name() and vtun_alg_from_name(). */
enum vtun_alg_kind {
  VTUN_ALG_ENCR = 1,
  VTUN_ALG_INTEG = 2,
  VTUN_ALG_PRF = 3,
  VTUN_ALG_DH = 4,
};

/**
 * The configuration name of an algorithm ("aes-gcm-256", "sha2-256",
 * "dh-group14" ...), or NULL for an unknown one. Static string, any thread.
 * @since 0.1
 */
VTUN_EXTERN const char *vtun_alg_name(int kind, int id);
/**
 * The algorithm of @p kind named @p name, or VTUN_EINVAL when there is
 * none. Any thread. @since 0.1
 */
VTUN_EXTERN int vtun_alg_from_name(int kind, const char *name);

/* --------------------------------------------------------- IKE proposals */

/** IKE authentication methods. @since 0.1 */
enum vtun_auth {
  VTUN_AUTH_PSK = 1, /**< pre-shared key */
};

/**
 * Creates IKE proposal number @p number (1-99) in @p vsys (NULL: root),
 * with the defaults AES-GCM-256, PRF SHA2-256, X25519, 86400 s.
 * @retval 0 done. @retval VTUN_EINVAL number out of 1-99.
 * @retval VTUN_EEXIST exists. @retval VTUN_ENOMEM no memory.
 * Config thread. @since 0.1
 */
VTUN_EXTERN int vtun_ike_proposal_new(vtun_ctx *ctx, vtun_vsys *vsys,
                                      unsigned number, vtun_ike_proposal **out);
/** Proposal @p number of @p vsys, or NULL. @since 0.1 */
VTUN_EXTERN vtun_ike_proposal *
vtun_ike_proposal_find(vtun_ctx *ctx, vtun_vsys *vsys, unsigned number);
/** Deletes it. @retval VTUN_EBUSY a peer lists it. @since 0.1 */
VTUN_EXTERN int vtun_ike_proposal_delete(vtun_ike_proposal *p);
/** Its number. @since 0.1 */
VTUN_EXTERN unsigned vtun_ike_proposal_get_number(const vtun_ike_proposal *p);
/** Its virtual system (NULL: root). @since 0.1 */
VTUN_EXTERN vtun_vsys *vtun_ike_proposal_get_vsys(const vtun_ike_proposal *p);
/**
 * Authentication method. @retval VTUN_EINVAL unknown method. @since 0.1
 */
VTUN_EXTERN int vtun_ike_proposal_set_auth(vtun_ike_proposal *p, int auth);
/** Authentication method. @since 0.1 */
VTUN_EXTERN int vtun_ike_proposal_get_auth(const vtun_ike_proposal *p);
/**
 * Encryption. Choosing an AEAD clears the integrity algorithm (R11).
 * @retval VTUN_EINVAL unknown. @retval VTUN_ER14_LEGACY_ALGORITHM refused
 * legacy. @since 0.1
 */
VTUN_EXTERN int vtun_ike_proposal_set_encr(vtun_ike_proposal *p, int encr);
/** Encryption. @since 0.1 */
VTUN_EXTERN int vtun_ike_proposal_get_encr(const vtun_ike_proposal *p);
/**
 * Integrity. @retval VTUN_EINVAL unknown.
 * @retval VTUN_ER11_INTEGRITY integrity with AEAD encryption, or none with
 * a non-AEAD one. @retval VTUN_ER14_LEGACY_ALGORITHM refused legacy.
 * @since 0.1
 */
VTUN_EXTERN int vtun_ike_proposal_set_integ(vtun_ike_proposal *p, int integ);
/** Integrity. @since 0.1 */
VTUN_EXTERN int vtun_ike_proposal_get_integ(const vtun_ike_proposal *p);
/**
 * PRF. @retval VTUN_EINVAL unknown or none.
 * @retval VTUN_ER14_LEGACY_ALGORITHM refused legacy. @since 0.1
 */
VTUN_EXTERN int vtun_ike_proposal_set_prf(vtun_ike_proposal *p, int prf);
/** PRF. @since 0.1 */
VTUN_EXTERN int vtun_ike_proposal_get_prf(const vtun_ike_proposal *p);
/**
 * DH group. @retval VTUN_EINVAL unknown or none.
 * @retval VTUN_ER14_LEGACY_ALGORITHM refused legacy. @since 0.1
 */
VTUN_EXTERN int vtun_ike_proposal_set_dh(vtun_ike_proposal *p, int group);
/** DH group. @since 0.1 */
VTUN_EXTERN int vtun_ike_proposal_get_dh(const vtun_ike_proposal *p);
/**
 * IKE SA lifetime in seconds. @retval VTUN_ER12_RANGE outside 60-604800.
 * @since 0.1
 */
VTUN_EXTERN int vtun_ike_proposal_set_lifetime(vtun_ike_proposal *p,
                                               uint32_t seconds);
/** IKE SA lifetime in seconds. @since 0.1 */
VTUN_EXTERN uint32_t vtun_ike_proposal_get_lifetime(const vtun_ike_proposal *p);
/** User data. @since 0.1 */
VTUN_EXTERN void vtun_ike_proposal_set_user_data(vtun_ike_proposal *p,
                                                 void *ud);
/** User data. @since 0.1 */
VTUN_EXTERN void *vtun_ike_proposal_get_user_data(const vtun_ike_proposal *p);

/* -------------------------------------------------------------- IKE peers */

/** IKE versions, a bitmask. @since 0.1 */
enum vtun_ike_version {
  VTUN_IKEV1 = 1,
  VTUN_IKEV2 = 2,
};

/** IKEv1 phase 1 exchange modes. @since 0.1 */
enum vtun_exchange_mode {
  VTUN_MODE_MAIN = 1,
  VTUN_MODE_AGGRESSIVE = 2,
};

/** Identity types (`local-id-type` / `remote-id-type`). @since 0.1 */
enum vtun_id_type {
  VTUN_ID_NONE = 0,
  VTUN_ID_IP = 1,        /**< the IKE address itself (default) */
  VTUN_ID_FQDN = 2,      /**< host.example.net */
  VTUN_ID_USER_FQDN = 3, /**< user@example.net */
  VTUN_ID_KEY_ID = 4,    /**< opaque bytes given as text */
};

/** DPD modes. @since 0.1 */
enum vtun_dpd_type {
  VTUN_DPD_NONE = 0,
  VTUN_DPD_PERIODIC = 1,  /**< probe every idle period */
  VTUN_DPD_ON_DEMAND = 2, /**< probe when traffic goes out unanswered */
};

/** Most remote addresses one IKE peer may list. @since 0.1 */
#define VTUN_MAX_REMOTE_ADDRS 8
/** Most proposals one IKE peer may list. @since 0.1 */
#define VTUN_MAX_PEER_PROPOSALS 8

/**
 * Creates IKE peer @p name in @p vsys (NULL: root), with the defaults
 * IKEv2, NAT traversal on, DPD periodic 30 s / 15 s / 3 retries.
 * @retval 0 done. @retval VTUN_EINVAL bad name. @retval VTUN_EEXIST exists.
 * @retval VTUN_ENOMEM no memory. Config thread. @since 0.1
 */
VTUN_EXTERN int vtun_ike_peer_new(vtun_ctx *ctx, vtun_vsys *vsys,
                                  const char *name, vtun_ike_peer **out);
/** Peer @p name of @p vsys, or NULL. @since 0.1 */
VTUN_EXTERN vtun_ike_peer *vtun_ike_peer_find(vtun_ctx *ctx, vtun_vsys *vsys,
                                              const char *name);
/**
 * Deletes it; the PSK is wiped. @retval VTUN_EBUSY a profile applied to a
 * tunnel uses it. @since 0.1
 */
VTUN_EXTERN int vtun_ike_peer_delete(vtun_ike_peer *peer);
/** Its name. @since 0.1 */
VTUN_EXTERN const char *vtun_ike_peer_get_name(const vtun_ike_peer *peer);
/** Its virtual system. @since 0.1 */
VTUN_EXTERN vtun_vsys *vtun_ike_peer_get_vsys(const vtun_ike_peer *peer);
/**
 * IKE versions allowed, a mask of enum vtun_ike_version.
 * @retval VTUN_EINVAL empty or unknown mask.
 * @retval VTUN_ER9_NEGOTIATED_ADDRESS IKEv2 removed while a tunnel using
 * the peer requests its address through IKEv2. @since 0.1
 */
VTUN_EXTERN int vtun_ike_peer_set_versions(vtun_ike_peer *peer, unsigned mask);
/** IKE versions allowed. @since 0.1 */
VTUN_EXTERN unsigned vtun_ike_peer_get_versions(const vtun_ike_peer *peer);
/**
 * IKEv1 exchange mode. @retval VTUN_EINVAL unknown mode. @since 0.1
 */
VTUN_EXTERN int vtun_ike_peer_set_exchange_mode(vtun_ike_peer *peer, int mode);
/** IKEv1 exchange mode. @since 0.1 */
VTUN_EXTERN int vtun_ike_peer_get_exchange_mode(const vtun_ike_peer *peer);
/**
 * Sets the pre-shared key (copied; wiped when replaced or freed).
 * @retval VTUN_EINVAL empty or longer than 256 bytes. @since 0.1
 */
VTUN_EXTERN int vtun_ike_peer_set_psk(vtun_ike_peer *peer, const uint8_t *key,
                                      size_t len);
/**
 * Copies the pre-shared key into @p buf. Never logged; meant for
 * configuration dumps with secrets.
 * @return the key length (even when larger than @p len);
 * VTUN_ENOENT when none is set. @since 0.1
 */
VTUN_EXTERN vtun_ssize vtun_ike_peer_get_psk(const vtun_ike_peer *peer,
                                             uint8_t *buf, size_t len);
/**
 * Local identity. @p type VTUN_ID_IP uses the local IKE address when
 * @p value is NULL. @retval VTUN_EINVAL bad type or value. @since 0.1
 */
VTUN_EXTERN int vtun_ike_peer_set_local_id(vtun_ike_peer *peer, int type,
                                           const char *value);
/**
 * Local identity type into *type and value into @p buf ("" if none).
 * @return value length. @since 0.1
 */
VTUN_EXTERN vtun_ssize vtun_ike_peer_get_local_id(const vtun_ike_peer *peer,
                                                  int *type, char *buf,
                                                  size_t len);
/**
 * Remote identity expected from the peer (VTUN_ID_NONE: any).
 * @retval VTUN_EINVAL bad type or value. @since 0.1
 */
VTUN_EXTERN int vtun_ike_peer_set_remote_id(vtun_ike_peer *peer, int type,
                                            const char *value);
/** Remote identity, as vtun_ike_peer_get_local_id(). @since 0.1 */
VTUN_EXTERN vtun_ssize vtun_ike_peer_get_remote_id(const vtun_ike_peer *peer,
                                                   int *type, char *buf,
                                                   size_t len);
/**
 * Appends a remote address (tried in order when initiating).
 * @retval VTUN_EINVAL bad address. @retval VTUN_EEXIST listed already.
 * @retval VTUN_ENOSPC VTUN_MAX_REMOTE_ADDRS reached.
 * @retval VTUN_ER6_DESTINATION_MISMATCH a tunnel using the peer has
 * another destination. @retval VTUN_ER7_MULTIPLE_REMOTES a second address
 * while a tunnel using the peer has a destination. @since 0.1
 */
VTUN_EXTERN int vtun_ike_peer_add_remote_address(vtun_ike_peer *peer,
                                                 const char *addr);
/**
 * Removes a remote address. @retval VTUN_ENOENT not listed. @since 0.1
 */
VTUN_EXTERN int vtun_ike_peer_remove_remote_address(vtun_ike_peer *peer,
                                                    const char *addr);
/** How many remote addresses are listed. @since 0.1 */
VTUN_EXTERN unsigned
vtun_ike_peer_get_remote_address_count(const vtun_ike_peer *peer);
/**
 * Remote address @p index into @p buf. @return text length;
 * VTUN_ENOENT past the last. @since 0.1
 */
VTUN_EXTERN vtun_ssize vtun_ike_peer_get_remote_address(
    const vtun_ike_peer *peer, unsigned index, char *buf, size_t len);
/**
 * Appends IKE proposal @p prop (same virtual system) to those offered.
 * @retval VTUN_EINVAL another virtual system. @retval VTUN_EEXIST listed.
 * @retval VTUN_ENOSPC VTUN_MAX_PEER_PROPOSALS reached. @since 0.1
 */
VTUN_EXTERN int vtun_ike_peer_add_proposal(vtun_ike_peer *peer,
                                           vtun_ike_proposal *prop);
/** Removes @p prop. @retval VTUN_ENOENT not listed. @since 0.1 */
VTUN_EXTERN int vtun_ike_peer_remove_proposal(vtun_ike_peer *peer,
                                              vtun_ike_proposal *prop);
/** How many proposals are listed. @since 0.1 */
VTUN_EXTERN unsigned
vtun_ike_peer_get_proposal_count(const vtun_ike_peer *peer);
/** Proposal @p index, or NULL past the last. @since 0.1 */
VTUN_EXTERN vtun_ike_proposal *
vtun_ike_peer_get_proposal(const vtun_ike_peer *peer, unsigned index);
/**
 * Dead peer detection. @p idle 10-3600 s, @p retransmit 2-60 s,
 * @p retries 1-10.
 * @retval VTUN_EINVAL unknown type. @retval VTUN_ER12_RANGE out of range.
 * @since 0.1
 */
VTUN_EXTERN int vtun_ike_peer_set_dpd(vtun_ike_peer *peer, int type,
                                      uint32_t idle, uint32_t retransmit,
                                      uint32_t retries);
/** DPD settings; any out-pointer may be NULL. @since 0.1 */
VTUN_EXTERN void vtun_ike_peer_get_dpd(const vtun_ike_peer *peer, int *type,
                                       uint32_t *idle, uint32_t *retransmit,
                                       uint32_t *retries);
/** NAT traversal on or off. @since 0.1 */
VTUN_EXTERN int vtun_ike_peer_set_nat_traversal(vtun_ike_peer *peer, int on);
/** NAT traversal. @since 0.1 */
VTUN_EXTERN int vtun_ike_peer_get_nat_traversal(const vtun_ike_peer *peer);
/**
 * The address pool served to branches (HQ side); NULL removes it.
 * @retval VTUN_EINVAL another virtual system. @since 0.1
 */
VTUN_EXTERN int vtun_ike_peer_set_pool(vtun_ike_peer *peer, vtun_pool *pool);
/** The address pool, or NULL. @since 0.1 */
VTUN_EXTERN vtun_pool *vtun_ike_peer_get_pool(const vtun_ike_peer *peer);
/**
 * The extension (beyond the vendor) that lets an IKEv2 responder pick the
 * tunnel by the received IDi, as IKEv1 aggressive mode does (R10).
 * @since 0.1
 */
VTUN_EXTERN int vtun_ike_peer_set_ikev2_id_match(vtun_ike_peer *peer, int on);
/** The IKEv2 peer-ID matching extension. @since 0.1 */
VTUN_EXTERN int vtun_ike_peer_get_ikev2_id_match(const vtun_ike_peer *peer);

/**
 * Makes the peer derive each branch's pre-shared key from one secret and
 * the branch's identity (beyond comparable products): the key used for a
 * branch with identity type T and value V is the lower-case hex text of
 * HKDF-SHA-256 (RFC 5869) with the secret as input key material, the salt
 * "libvtun branch psk v1", the info T (one byte) || V, and 32 bytes of
 * output; vtun_derive_branch_psk() prints it for the branch's
 * configuration. A derived key replaces a plain one and vice versa.
 * @retval 0 done. @retval VTUN_EINVAL empty or over 256 bytes.
 * @retval VTUN_ENOMEM no memory. Config thread. @since 0.1
 */
VTUN_EXTERN int vtun_ike_peer_set_psk_master(vtun_ike_peer *peer,
                                             const uint8_t *secret, size_t len);
/** Whether the peer derives branch keys from a secret. @since 0.1 */
VTUN_EXTERN int vtun_ike_peer_get_psk_derived(const vtun_ike_peer *peer);
/**
 * Prints the pre-shared key a branch with identity @p id_type / @p id
 * must configure when the headquarters derives keys from @p secret (see
 * vtun_ike_peer_set_psk_master()): 64 hex characters.
 * @return the text length (64) or VTUN_EINVAL for an empty secret or
 * identity, VTUN_ENOTSUP without the OpenSSL backend, VTUN_ECRYPTO when
 * it fails. Any thread. @since 0.1
 */
VTUN_EXTERN vtun_ssize vtun_derive_branch_psk(const uint8_t *secret, size_t len,
                                              int id_type, const char *id,
                                              char *buf, size_t buflen);
/** User data. @since 0.1 */
VTUN_EXTERN void vtun_ike_peer_set_user_data(vtun_ike_peer *peer, void *ud);
/** User data. @since 0.1 */
VTUN_EXTERN void *vtun_ike_peer_get_user_data(const vtun_ike_peer *peer);

/* --------------------------------------------------------- IPsec proposals */

/** Encapsulation modes of an IPsec proposal. @since 0.1 */
enum vtun_encap_mode {
  VTUN_ENCAP_TUNNEL = 1,
  VTUN_ENCAP_TRANSPORT = 2, /**< LIMITATION: refused, see limitations */
};

/**
 * Creates IPsec proposal @p name in @p vsys: ESP, AES-CBC-256 with
 * SHA2-256 (the vendor default), tunnel mode.
 * @retval 0 done. @retval VTUN_EINVAL bad name. @retval VTUN_EEXIST exists.
 * @retval VTUN_ENOMEM no memory. Config thread. @since 0.1
 */
VTUN_EXTERN int vtun_ipsec_proposal_new(vtun_ctx *ctx, vtun_vsys *vsys,
                                        const char *name,
                                        vtun_ipsec_proposal **out);
/** Proposal @p name of @p vsys, or NULL. @since 0.1 */
VTUN_EXTERN vtun_ipsec_proposal *
vtun_ipsec_proposal_find(vtun_ctx *ctx, vtun_vsys *vsys, const char *name);
/** Deletes it. @retval VTUN_EBUSY an applied profile uses it. @since 0.1 */
VTUN_EXTERN int vtun_ipsec_proposal_delete(vtun_ipsec_proposal *p);
/** Its name. @since 0.1 */
VTUN_EXTERN const char *
vtun_ipsec_proposal_get_name(const vtun_ipsec_proposal *p);
/** Its virtual system. @since 0.1 */
VTUN_EXTERN vtun_vsys *
vtun_ipsec_proposal_get_vsys(const vtun_ipsec_proposal *p);
/**
 * ESP encryption; an AEAD clears integrity (R11).
 * @retval VTUN_EINVAL unknown or none.
 * @retval VTUN_ER14_LEGACY_ALGORITHM refused legacy. @since 0.1
 */
VTUN_EXTERN int vtun_ipsec_proposal_set_encr(vtun_ipsec_proposal *p, int encr);
/** ESP encryption. @since 0.1 */
VTUN_EXTERN int vtun_ipsec_proposal_get_encr(const vtun_ipsec_proposal *p);
/**
 * ESP integrity. @retval VTUN_EINVAL unknown.
 * @retval VTUN_ER11_INTEGRITY integrity with AEAD, or none without.
 * @retval VTUN_ER14_LEGACY_ALGORITHM refused legacy. @since 0.1
 */
VTUN_EXTERN int vtun_ipsec_proposal_set_integ(vtun_ipsec_proposal *p,
                                              int integ);
/** ESP integrity. @since 0.1 */
VTUN_EXTERN int vtun_ipsec_proposal_get_integ(const vtun_ipsec_proposal *p);
/**
 * Encapsulation mode. @retval VTUN_EINVAL unknown.
 * @retval VTUN_ENOTSUP transport mode (a LIMITATION). @since 0.1
 */
VTUN_EXTERN int vtun_ipsec_proposal_set_encap_mode(vtun_ipsec_proposal *p,
                                                   int mode);
/** Encapsulation mode. @since 0.1 */
VTUN_EXTERN int
vtun_ipsec_proposal_get_encap_mode(const vtun_ipsec_proposal *p);
/** User data. @since 0.1 */
VTUN_EXTERN void vtun_ipsec_proposal_set_user_data(vtun_ipsec_proposal *p,
                                                   void *ud);
/** User data. @since 0.1 */
VTUN_EXTERN void *
vtun_ipsec_proposal_get_user_data(const vtun_ipsec_proposal *p);

/* ---------------------------------------------------------- IPsec profiles */

/**
 * Creates IPsec profile @p name in @p vsys: no peer, no proposal, no PFS,
 * SA lifetimes 3600 s and 1843200 KB, ESN off, replay window from the
 * settings.
 * @retval 0 done. @retval VTUN_EINVAL bad name. @retval VTUN_EEXIST exists.
 * @retval VTUN_ENOMEM no memory. Config thread. @since 0.1
 */
VTUN_EXTERN int vtun_ipsec_profile_new(vtun_ctx *ctx, vtun_vsys *vsys,
                                       const char *name,
                                       vtun_ipsec_profile **out);
/** Profile @p name of @p vsys, or NULL. @since 0.1 */
VTUN_EXTERN vtun_ipsec_profile *
vtun_ipsec_profile_find(vtun_ctx *ctx, vtun_vsys *vsys, const char *name);
/** Deletes it. @retval VTUN_EBUSY applied to a tunnel. @since 0.1 */
VTUN_EXTERN int vtun_ipsec_profile_delete(vtun_ipsec_profile *prof);
/** Its name. @since 0.1 */
VTUN_EXTERN const char *
vtun_ipsec_profile_get_name(const vtun_ipsec_profile *prof);
/** Its virtual system. @since 0.1 */
VTUN_EXTERN vtun_vsys *
vtun_ipsec_profile_get_vsys(const vtun_ipsec_profile *prof);
/**
 * Names the IKE peer (of the profile's virtual system; it need not exist
 * yet, R2 checks when the profile is applied). NULL unsets.
 * @retval VTUN_EINVAL bad name. @retval VTUN_EBUSY the profile is applied
 * (remove it from its tunnel first). @since 0.1
 */
VTUN_EXTERN int vtun_ipsec_profile_set_ike_peer(vtun_ipsec_profile *prof,
                                                const char *peer_name);
/** The IKE peer's name, or NULL. @since 0.1 */
VTUN_EXTERN const char *
vtun_ipsec_profile_get_ike_peer(const vtun_ipsec_profile *prof);
/**
 * Names the IPsec proposal, like vtun_ipsec_profile_set_ike_peer().
 * @retval VTUN_EINVAL bad name. @retval VTUN_EBUSY applied. @since 0.1
 */
VTUN_EXTERN int vtun_ipsec_profile_set_proposal(vtun_ipsec_profile *prof,
                                                const char *proposal_name);
/** The IPsec proposal's name, or NULL. @since 0.1 */
VTUN_EXTERN const char *
vtun_ipsec_profile_get_proposal(const vtun_ipsec_profile *prof);
/**
 * PFS group for Child SA rekeys (VTUN_DH_NONE: no PFS).
 * @retval VTUN_EINVAL unknown. @retval VTUN_ER14_LEGACY_ALGORITHM refused
 * legacy. @since 0.1
 */
VTUN_EXTERN int vtun_ipsec_profile_set_pfs(vtun_ipsec_profile *prof, int group);
/** PFS group. @since 0.1 */
VTUN_EXTERN int vtun_ipsec_profile_get_pfs(const vtun_ipsec_profile *prof);
/**
 * SA lifetimes: @p seconds 30-604800, @p kilobytes 0 (none) or
 * 2560-4294967295. @retval VTUN_ER12_RANGE out of range. @since 0.1
 */
VTUN_EXTERN int vtun_ipsec_profile_set_lifetime(vtun_ipsec_profile *prof,
                                                uint32_t seconds,
                                                uint64_t kilobytes);
/** SA lifetimes; either pointer may be NULL. @since 0.1 */
VTUN_EXTERN void vtun_ipsec_profile_get_lifetime(const vtun_ipsec_profile *prof,
                                                 uint32_t *seconds,
                                                 uint64_t *kilobytes);
/**
 * Anti-replay window in packets, 0 (off) or 32-65536 in steps of 32.
 * @retval VTUN_ER12_RANGE otherwise. @since 0.1
 */
VTUN_EXTERN int vtun_ipsec_profile_set_replay_window(vtun_ipsec_profile *prof,
                                                     uint32_t packets);
/** Anti-replay window. @since 0.1 */
VTUN_EXTERN uint32_t
vtun_ipsec_profile_get_replay_window(const vtun_ipsec_profile *prof);
/** Extended sequence numbers on or off. @since 0.1 */
VTUN_EXTERN int vtun_ipsec_profile_set_esn(vtun_ipsec_profile *prof, int on);
/** Extended sequence numbers. @since 0.1 */
VTUN_EXTERN int vtun_ipsec_profile_get_esn(const vtun_ipsec_profile *prof);
/** The tunnel it is applied to, or NULL. @since 0.1 */
VTUN_EXTERN vtun_tunnel *
vtun_ipsec_profile_get_tunnel(const vtun_ipsec_profile *prof);
/** User data. @since 0.1 */
VTUN_EXTERN void vtun_ipsec_profile_set_user_data(vtun_ipsec_profile *prof,
                                                  void *ud);
/** User data. @since 0.1 */
VTUN_EXTERN void *
vtun_ipsec_profile_get_user_data(const vtun_ipsec_profile *prof);

/* ---------------------------------------------------------- address pools */

/**
 * Creates address pool @p name in @p vsys (empty; add ranges).
 * @retval 0 done. @retval VTUN_EINVAL bad name. @retval VTUN_EEXIST exists.
 * @retval VTUN_ENOMEM no memory. Config thread. @since 0.1
 */
VTUN_EXTERN int vtun_pool_new(vtun_ctx *ctx, vtun_vsys *vsys, const char *name,
                              vtun_pool **out);
/** Pool @p name of @p vsys, or NULL. @since 0.1 */
VTUN_EXTERN vtun_pool *vtun_pool_find(vtun_ctx *ctx, vtun_vsys *vsys,
                                      const char *name);
/** Deletes it. @retval VTUN_EBUSY a peer uses it. @since 0.1 */
VTUN_EXTERN int vtun_pool_delete(vtun_pool *pool);
/** Its name. @since 0.1 */
VTUN_EXTERN const char *vtun_pool_get_name(const vtun_pool *pool);
/** Its virtual system. @since 0.1 */
VTUN_EXTERN vtun_vsys *vtun_pool_get_vsys(const vtun_pool *pool);
/**
 * Sets the network the pool's addresses are handed out in, such as
 * 203.0.113.0/24: its network and broadcast addresses are never leased,
 * and its mask is sent as INTERNAL_IP4_NETMASK. Without ranges, the whole
 * network is leased. @retval VTUN_EINVAL bad address or prefix (IPv4,
 * 8-30). @retval VTUN_EBUSY leases are out. @since 0.1
 */
VTUN_EXTERN int vtun_pool_set_network(vtun_pool *pool, const char *addr,
                                      unsigned prefixlen);
/** The network into @p buf, prefix into *prefixlen. @since 0.1 */
VTUN_EXTERN vtun_ssize vtun_pool_get_network(const vtun_pool *pool, char *buf,
                                             size_t len, unsigned *prefixlen);
/**
 * Adds a range of addresses inside the network (`section`), inclusive.
 * @retval VTUN_EINVAL bad, reversed, or outside the network.
 * @retval VTUN_EEXIST overlaps a range. @retval VTUN_ENOSPC 16 ranges.
 * @retval VTUN_ESTATE no network set. @since 0.1
 */
VTUN_EXTERN int vtun_pool_add_range(vtun_pool *pool, const char *first,
                                    const char *last);
/** How many ranges. @since 0.1 */
VTUN_EXTERN unsigned vtun_pool_get_range_count(const vtun_pool *pool);
/**
 * Range @p index as "first-last". @return length; VTUN_ENOENT past the
 * last. @since 0.1
 */
VTUN_EXTERN vtun_ssize vtun_pool_get_range(const vtun_pool *pool,
                                           unsigned index, char *buf,
                                           size_t len);
/**
 * Leases an address to identity @p id (sticky: the same identity gets the
 * same address back while the lease is held or remembered).
 * @retval 0 done, the address in @p buf.
 * @retval VTUN_EPOOLEMPTY no address left (counted).
 * @retval VTUN_EINVAL empty id. Config thread. @since 0.1
 */
VTUN_EXTERN int vtun_pool_lease(vtun_pool *pool, const char *id, char *buf,
                                size_t len);
/**
 * Releases the lease of @p id; the address is remembered for it until
 * another identity needs it. @retval VTUN_ENOENT no lease. @since 0.1
 */
VTUN_EXTERN int vtun_pool_release(vtun_pool *pool, const char *id);
/**
 * Pool figures; any pointer may be NULL: addresses in total, leased now,
 * and refusals because the pool was empty. @since 0.1
 */
VTUN_EXTERN void vtun_pool_get_usage(const vtun_pool *pool, uint32_t *size,
                                     uint32_t *leased, uint64_t *exhausted);
/** User data. @since 0.1 */
VTUN_EXTERN void vtun_pool_set_user_data(vtun_pool *pool, void *ud);
/** User data. @since 0.1 */
VTUN_EXTERN void *vtun_pool_get_user_data(const vtun_pool *pool);

/* -------------------------------------------------------- tunnel interfaces */

/** Tunnel encapsulation (`tunnel-protocol`). @since 0.1 */
enum vtun_tunnel_protocol {
  VTUN_TUNNEL_NONE = 0, /**< not yet set: the tunnel stays down */
  VTUN_TUNNEL_IPSEC = 1,
  VTUN_TUNNEL_GRE = 2,
};

/** Where a tunnel's own address comes from. @since 0.1 */
enum vtun_address_mode {
  VTUN_ADDR_NONE = 0,
  VTUN_ADDR_STATIC = 1,     /**< `ip address A M` */
  VTUN_ADDR_UNNUMBERED = 2, /**< `ip address unnumbered interface X` */
  VTUN_ADDR_NEGOTIATED = 3, /**< `ip address ike-negotiated` (IKEv2) */
};

/**
 * Creates tunnel interface @p name (`Tunnel1`), in the root system,
 * enabled, with no protocol yet.
 * @retval 0 done. @retval VTUN_EINVAL bad name. @retval VTUN_EEXIST an
 * interface or tunnel of that name exists. @retval VTUN_ENOMEM no memory.
 * Config thread. @since 0.1
 */
VTUN_EXTERN int vtun_tunnel_new(vtun_ctx *ctx, const char *name,
                                vtun_tunnel **out);
/** Tunnel @p name, or NULL. @since 0.1 */
VTUN_EXTERN vtun_tunnel *vtun_tunnel_find(vtun_ctx *ctx, const char *name);
/**
 * Deletes it, its SAs and the binding of its profile. Deletes SAs at the
 * peer first when IKE SAs exist. Config thread; may run hooks. @since 0.1
 */
VTUN_EXTERN int vtun_tunnel_delete(vtun_tunnel *t);
/**
 * The tunnel after @p prev in creation order (NULL: the first), or NULL at
 * the end. @since 0.1
 */
VTUN_EXTERN vtun_tunnel *vtun_tunnel_next(vtun_ctx *ctx, vtun_tunnel *prev);
/** Its name. @since 0.1 */
VTUN_EXTERN const char *vtun_tunnel_get_name(const vtun_tunnel *t);
/** Its context. @since 0.1 */
VTUN_EXTERN vtun_ctx *vtun_tunnel_get_ctx(const vtun_tunnel *t);
/**
 * `tunnel-protocol ipsec|gre`.
 * @retval VTUN_EINVAL unknown. @retval VTUN_ER3_VPN_INSTANCE_MODE gre
 * while the destination names a vpn-instance. @since 0.1
 */
VTUN_EXTERN int vtun_tunnel_set_protocol(vtun_tunnel *t, int protocol);
/** The protocol. @since 0.1 */
VTUN_EXTERN int vtun_tunnel_get_protocol(const vtun_tunnel *t);
/**
 * Static address (`ip address A M`).
 * @retval VTUN_EINVAL bad address or prefix. @since 0.1
 */
VTUN_EXTERN int vtun_tunnel_set_address(vtun_tunnel *t, const char *addr,
                                        unsigned prefixlen);
/**
 * Borrows the address of @p iface (`ip address unnumbered interface X`).
 * @retval VTUN_EINVAL NULL interface. @since 0.1
 */
VTUN_EXTERN int vtun_tunnel_set_unnumbered(vtun_tunnel *t, vtun_iface *iface);
/**
 * Requests the address from the peer through IKEv2.
 * @retval VTUN_ER9_NEGOTIATED_ADDRESS the applied profile's peer lacks
 * IKEv2. @since 0.1
 */
VTUN_EXTERN int vtun_tunnel_set_address_negotiated(vtun_tunnel *t);
/** Removes the address whatever its mode. @since 0.1 */
VTUN_EXTERN int vtun_tunnel_clear_address(vtun_tunnel *t);
/** The address mode. @since 0.1 */
VTUN_EXTERN int vtun_tunnel_get_address_mode(const vtun_tunnel *t);
/** The interface whose address is borrowed, or NULL. @since 0.1 */
VTUN_EXTERN vtun_iface *vtun_tunnel_get_unnumbered(const vtun_tunnel *t);
/**
 * The address in effect (static, the borrowed interface's current one, or
 * the one assigned through IKEv2) and its prefix length.
 * @return text length; VTUN_ENOENT when there is none now. @since 0.1
 */
VTUN_EXTERN vtun_ssize vtun_tunnel_get_address(const vtun_tunnel *t, char *buf,
                                               size_t len, unsigned *prefixlen);
/**
 * `source A`: the local IKE address. @retval VTUN_EINVAL bad address.
 * @since 0.1
 */
VTUN_EXTERN int vtun_tunnel_set_source_address(vtun_tunnel *t,
                                               const char *addr);
/**
 * `source X`: the local IKE address is @p iface's current one.
 * @retval VTUN_EINVAL NULL. @retval VTUN_ER4_SOURCE_LAYER not Layer 3.
 * @since 0.1
 */
VTUN_EXTERN int vtun_tunnel_set_source_iface(vtun_tunnel *t, vtun_iface *iface);
/** Removes the source. @since 0.1 */
VTUN_EXTERN int vtun_tunnel_clear_source(vtun_tunnel *t);
/**
 * The configured source address ("" if it is an interface or unset).
 * @return length. @since 0.1
 */
VTUN_EXTERN vtun_ssize vtun_tunnel_get_source_address(const vtun_tunnel *t,
                                                      char *buf, size_t len);
/** The source interface, or NULL. @since 0.1 */
VTUN_EXTERN vtun_iface *vtun_tunnel_get_source_iface(const vtun_tunnel *t);
/**
 * `destination [vpn-instance V] A`; @p vrf may be NULL.
 * @retval VTUN_EINVAL bad address. @retval VTUN_ER3_VPN_INSTANCE_MODE
 * vpn-instance in gre mode. @retval VTUN_ER6_DESTINATION_MISMATCH the
 * profile's peer has another remote address. @retval
 * VTUN_ER7_MULTIPLE_REMOTES that peer lists several. @since 0.1
 */
VTUN_EXTERN int vtun_tunnel_set_destination(vtun_tunnel *t, const char *addr,
                                            vtun_vpn_instance *vrf);
/** Removes the destination. @since 0.1 */
VTUN_EXTERN int vtun_tunnel_clear_destination(vtun_tunnel *t);
/** The destination. @return length; VTUN_ENOENT if unset. @since 0.1 */
VTUN_EXTERN vtun_ssize vtun_tunnel_get_destination(const vtun_tunnel *t,
                                                   char *buf, size_t len);
/** The destination's vpn-instance, or NULL. @since 0.1 */
VTUN_EXTERN vtun_vpn_instance *
vtun_tunnel_get_vpn_instance(const vtun_tunnel *t);
/**
 * Applies @p prof (NULL removes the applied one).
 * @retval VTUN_ER1_PROFILE_BINDING the tunnel has a profile, or @p prof
 * is applied to another tunnel. @retval VTUN_ER2_PROFILE_INCOMPLETE its
 * IKE peer or IPsec proposal does not exist. @retval
 * VTUN_ER6_DESTINATION_MISMATCH / VTUN_ER7_MULTIPLE_REMOTES against the
 * destination. @retval VTUN_ER8_VSYS_PROFILE the profile belongs to
 * another system than the tunnel. @retval VTUN_ER9_NEGOTIATED_ADDRESS the
 * tunnel requests its address and the peer lacks IKEv2.
 * Config thread; removing may run hooks. @since 0.1
 */
VTUN_EXTERN int vtun_tunnel_set_profile(vtun_tunnel *t,
                                        vtun_ipsec_profile *prof);
/** The applied profile, or NULL. @since 0.1 */
VTUN_EXTERN vtun_ipsec_profile *vtun_tunnel_get_profile(const vtun_tunnel *t);
/**
 * Binds the tunnel to virtual system @p vsys (NULL: root).
 * @retval VTUN_ER8_VSYS_PROFILE the applied profile belongs to another
 * system. @since 0.1
 */
VTUN_EXTERN int vtun_tunnel_set_vsys(vtun_tunnel *t, vtun_vsys *vsys);
/** The virtual system, or NULL for root. @since 0.1 */
VTUN_EXTERN vtun_vsys *vtun_tunnel_get_vsys(const vtun_tunnel *t);
/** Administratively up (1, default) or down (`shutdown`). @since 0.1 */
VTUN_EXTERN int vtun_tunnel_set_enabled(vtun_tunnel *t, int on);
/** Administrative state. @since 0.1 */
VTUN_EXTERN int vtun_tunnel_get_enabled(const vtun_tunnel *t);
/**
 * Negotiate on first traffic (1) instead of as soon as enabled (0,
 * default). @since 0.1
 */
VTUN_EXTERN int vtun_tunnel_set_on_demand(vtun_tunnel *t, int on);
/** Negotiate on first traffic. @since 0.1 */
VTUN_EXTERN int vtun_tunnel_get_on_demand(const vtun_tunnel *t);

/** What a template tunnel does with an instance whose branch went. */
enum vtun_template_mode {
  VTUN_TEMPLATE_NONE = 0,   /**< an ordinary tunnel (default) */
  VTUN_TEMPLATE_KEEP = 1,   /**< template; instances stay when down */
  VTUN_TEMPLATE_REMOVE = 2, /**< template; instances go with their SA */
};

/**
 * Makes @p t a template (beyond comparable products): it never negotiates
 * itself; when a branch that no other tunnel matches (REQUIREMENTS
 * section 4, steps 2-5) completes IKE_AUTH on its local address, the
 * library creates a tunnel for that branch, keyed by the identity (IDi)
 * it presented, with the template's source, address mode, MTU and
 * profile, and reports VTUN_EVENT_TUNNEL_CREATED. The branch's next
 * negotiation with the same identity finds the same instance. Instances
 * are named `<template>-<n>`, show in vtun_tunnel_next() and the
 * displays, not in the configuration dump; vtun_tunnel_get_template()
 * tells them apart. With VTUN_TEMPLATE_REMOVE an instance whose IKE SA
 * goes is freed after VTUN_EVENT_TUNNEL_REMOVED; with KEEP it stays idle
 * until its branch returns or the template goes.
 * Rules, checked by vtun_ctx_commit() (VTUN_ETEMPLATE): the template is
 * in ipsec mode with a profile, has no destination and does not request
 * its address; its IKE peer accepts IKEv2 and has neither remote
 * addresses nor a remote ID (any branch identity is accepted; give it a
 * key derived per branch with vtun_ike_peer_set_psk_master()). A second
 * template, or an unconstrained responder-only tunnel, on the same local
 * address is ambiguous (VTUN_ER13_AMBIGUOUS).
 * Turning a template back into an ordinary tunnel (NONE) frees its
 * instances.
 * @retval 0 done. @retval VTUN_EINVAL unknown mode.
 * @retval VTUN_ESTATE @p t is itself an instance. Config thread.
 * @since 0.1
 */
VTUN_EXTERN int vtun_tunnel_set_template(vtun_tunnel *t, int mode);
/** The template mode of @p t (VTUN_TEMPLATE_NONE for instances and
 * ordinary tunnels). Config thread. @since 0.1 */
VTUN_EXTERN int vtun_tunnel_get_template_mode(const vtun_tunnel *t);
/**
 * The template that created @p t, or NULL for a configured tunnel.
 * Instances take the tunnel setters like any tunnel, but what they are
 * given lasts only as long as they do; vtun_tunnel_delete() frees one
 * (its branch gets a new one when it comes back). Config thread.
 * @since 0.1
 */
VTUN_EXTERN vtun_tunnel *vtun_tunnel_get_template(const vtun_tunnel *t);
/**
 * The identity of the branch an instance serves (its IDi as text) and
 * its type (VTUN_ID_*) through @p type (may be NULL), copied into
 * @p buf as snprintf() would: truncated to @p len - 1 bytes and
 * terminated. @return the full length (compare it with @p len), or
 * VTUN_ENOENT for a tunnel no template made. Config thread. @since 0.1
 */
VTUN_EXTERN vtun_ssize vtun_tunnel_get_branch_id(const vtun_tunnel *t,
                                                 int *type, char *buf,
                                                 size_t len);
/**
 * GRE key (RFC 2890); @p present 0 removes it. @since 0.1
 */
VTUN_EXTERN int vtun_tunnel_set_gre_key(vtun_tunnel *t, int present,
                                        uint32_t key);
/** GRE key: returns 1 and sets *key when present, else 0. @since 0.1 */
VTUN_EXTERN int vtun_tunnel_get_gre_key(const vtun_tunnel *t, uint32_t *key);
/** GRE sequence numbers (RFC 2890) on or off. @since 0.1 */
VTUN_EXTERN int vtun_tunnel_set_gre_sequence(vtun_tunnel *t, int on);
/** GRE sequence numbers. @since 0.1 */
VTUN_EXTERN int vtun_tunnel_get_gre_sequence(const vtun_tunnel *t);
/**
 * GRE keepalive: @p period 0 (off) or 1-32767 s, @p retries 1-255.
 * @retval VTUN_ER12_RANGE out of range. @since 0.1
 */
VTUN_EXTERN int vtun_tunnel_set_keepalive(vtun_tunnel *t, uint32_t period,
                                          uint32_t retries);
/** GRE keepalive; either pointer may be NULL. @since 0.1 */
VTUN_EXTERN void vtun_tunnel_get_keepalive(const vtun_tunnel *t,
                                           uint32_t *period, uint32_t *retries);
/**
 * The largest inner packet the tunnel carries without fragmenting outside
 * (default 1400). @retval VTUN_ER12_RANGE outside 576-9000. @since 0.1
 */
VTUN_EXTERN int vtun_tunnel_set_mtu(vtun_tunnel *t, uint32_t mtu);
/** The MTU. @since 0.1 */
VTUN_EXTERN uint32_t vtun_tunnel_get_mtu(const vtun_tunnel *t);
/** The operational state. @since 0.1 */
VTUN_EXTERN int vtun_tunnel_get_state(const vtun_tunnel *t);
/**
 * Why the tunnel cannot work now: 0 when it can, else the rule or error
 * that keeps it down (such as VTUN_ER5_GRE_DESTINATION), with the reason
 * in vtun_ctx_last_error(). Config thread. @since 0.1
 */
VTUN_EXTERN int vtun_tunnel_check(vtun_tunnel *t);
/** User data. @since 0.1 */
VTUN_EXTERN void vtun_tunnel_set_user_data(vtun_tunnel *t, void *ud);
/** User data. @since 0.1 */
VTUN_EXTERN void *vtun_tunnel_get_user_data(const vtun_tunnel *t);

/* ---------------------------------------------- who starts: initiation */

/** Roles a tunnel takes in IKE. @since 0.1 */
enum vtun_role {
  VTUN_ROLE_NONE = 0,      /**< cannot negotiate (see the error) */
  VTUN_ROLE_INITIATOR = 1, /**< starts towards a remote address */
  VTUN_ROLE_RESPONDER = 2, /**< only answers */
};

/**
 * How @p t negotiates (REQUIREMENTS section 3): its role, the remote IKE
 * address tried @p index-th (destination, else the peer's remote addresses
 * in order), and the local address (the source address or the source
 * interface's current one).
 * @param[out] role enum vtun_role.
 * @param[out] remote, local filled when known ("" otherwise); each may be
 * NULL with its length 0.
 * @retval 0 done. @retval VTUN_ENOENT @p index past the last remote.
 * @retval another code: the rule that keeps the tunnel from negotiating,
 * with *role VTUN_ROLE_NONE. Config thread. @since 0.1
 */
VTUN_EXTERN int vtun_tunnel_get_initiation(vtun_tunnel *t, unsigned index,
                                           int *role, char *remote,
                                           size_t remote_len, char *local,
                                           size_t local_len);
/**
 * The same decision in words, one line per reason. @return text length.
 * Config thread. @since 0.1
 */
VTUN_EXTERN vtun_ssize vtun_tunnel_explain_initiation(vtun_tunnel *t, char *buf,
                                                      size_t len);

/* ------------------------------------------------- headquarters matching */

/** How an IKE negotiation arrives, for matching. @since 0.1 */
enum vtun_match_exchange {
  VTUN_MATCH_IKEV2 = 1,
  VTUN_MATCH_IKEV1_MAIN = 2,
  VTUN_MATCH_IKEV1_AGGRESSIVE = 3,
};

/**
 * Picks the tunnel for a new IKE negotiation arriving at @p local from
 * @p remote (REQUIREMENTS section 4): destination, then peer remote
 * address, then peer ID (IKEv1 aggressive, or IKEv2 with the extension),
 * then the single responder-only tunnel. A pure function of the
 * configuration.
 * @param[in] vrf where it arrived (NULL: public).
 * @param[in] id_type, id the received identity (VTUN_ID_NONE/NULL when not
 * known yet).
 * @retval 0 *out is the tunnel. @retval VTUN_ENOMATCH none or several
 * (the reason in vtun_ctx_last_error()). @retval VTUN_EINVAL bad address.
 * Config thread. @since 0.1
 */
VTUN_EXTERN int vtun_ctx_match(vtun_ctx *ctx, vtun_vpn_instance *vrf,
                               const char *local, const char *remote,
                               int exchange, int id_type, const char *id,
                               vtun_tunnel **out);
/**
 * Explains the decision of vtun_ctx_match() step by step: the candidates,
 * which step decided, and why others lost. @return text length, or
 * VTUN_EINVAL for a bad address. Config thread. @since 0.1
 */
VTUN_EXTERN vtun_ssize vtun_ctx_explain_match(vtun_ctx *ctx,
                                              vtun_vpn_instance *vrf,
                                              const char *local,
                                              const char *remote, int exchange,
                                              int id_type, const char *id,
                                              char *buf, size_t len);

/* --------------------------------------------------------- configuration */

/**
 * Loads configuration text in the vendor's CLI syntax (see
 * doc/configuration.md), then commits. All or nothing: on any error the
 * context is unchanged and vtun_ctx_last_error() says "line L, column C:"
 * and why.
 * @retval 0 done. @retval VTUN_ESYNTAX unknown command or bad argument.
 * @retval a rule's code when a command breaks it. @retval VTUN_ENOMEM.
 * Config thread; may run hooks. @since 0.1
 */
VTUN_EXTERN int vtun_config_load(vtun_ctx *ctx, const char *text, size_t len);

/** Flags for vtun_config_dump(). @since 0.1 */
enum vtun_dump_flags {
  VTUN_DUMP_SECRETS = 1u << 0, /**< write pre-shared keys in clear */
};

/**
 * Writes the configuration as text that vtun_config_load() reads back to
 * the same configuration (`display current-configuration`). Without
 * VTUN_DUMP_SECRETS keys are written as `******` and do not load back.
 * @return the text length (snprintf style). Config thread. @since 0.1
 */
VTUN_EXTERN vtun_ssize vtun_config_dump(vtun_ctx *ctx, unsigned flags,
                                        char *buf, size_t len);

/* ----------------------------------------------------------- data path */

/** Headroom a buffer passed to vtun_tunnel_send() needs. @since 0.1 */
#define VTUN_HEADROOM 96
/** Tailroom a buffer passed to vtun_tunnel_send() needs. @since 0.1 */
#define VTUN_TAILROOM 64

/** Flags for vtun_tunnel_set_manual_sa(). @since 0.1 */
enum vtun_sa_flags {
  VTUN_SA_ESN = 1u << 0,       /**< extended sequence numbers */
  VTUN_SA_UDP_ENCAP = 1u << 1, /**< ESP in UDP 4500 (RFC 3948) */
};

/**
 * Installs a Child SA pair from explicit keys (manual keying), replacing
 * the tunnel's current pair; the old inbound SA stays valid for packets in
 * flight until the next call. Each key is the encryption key, then the
 * salt (4 bytes for AES-GCM and ChaCha20-Poly1305), then the integrity
 * key. Outer addresses are the tunnel's local and remote ones.
 * @retval 0 done. @retval VTUN_EINVAL bad algorithm, key length or SPI
 * (0-255 are reserved). @retval VTUN_EEXIST @p spi_in is in use.
 * @retval VTUN_ESTATE the tunnel has no local or remote address.
 * @retval VTUN_ENOTSUP the algorithm is not in this build.
 * @retval VTUN_ECRYPTO the backend refused the key. @retval VTUN_ENOMEM.
 * Config thread; runs the event hook. @since 0.1
 */
VTUN_EXTERN int vtun_tunnel_set_manual_sa(vtun_tunnel *t, uint32_t spi_in,
                                          uint32_t spi_out, int encr, int integ,
                                          const uint8_t *key_in,
                                          size_t key_in_len,
                                          const uint8_t *key_out,
                                          size_t key_out_len, unsigned flags);

/**
 * Encapsulates the inner IP packet at buf[off, off+len) in place (ESP,
 * GRE, or GRE then ESP) and passes the result to send_datagram. The
 * buffer's capacity is @p cap; at least VTUN_HEADROOM bytes before and
 * VTUN_TAILROOM after the packet must be free.
 * @retval 0 sent. @retval VTUN_ENOSA no outbound SA (counted; an on-demand
 * tunnel starts negotiating). @retval VTUN_ENOBUFS too little room.
 * @retval VTUN_ETOOBIG larger than the MTU. @retval VTUN_EMALFORMED not
 * an IPv4/IPv6 packet. @retval VTUN_ELIFETIME the SA's hard limit.
 * @retval VTUN_ECALLBACK send_datagram failed.
 * Data path: may run concurrently with vtun_ctx_input() and with sends on
 * other tunnels; sends on one tunnel must not overlap (LIMITATION: the
 * outbound crypto context of an SA serves one thread at a time).
 * @since 0.1
 */
VTUN_EXTERN int vtun_tunnel_send(vtun_tunnel *t, uint8_t *buf, size_t off,
                                 size_t len, size_t cap);

/** One packet of a batch. @since 0.1 */
typedef struct vtun_pkt {
  uint8_t *buf;         /**< buffer */
  size_t off;           /**< where the packet starts */
  size_t len;           /**< its length */
  size_t cap;           /**< buffer capacity */
  vtun_endpoint remote; /**< input: where it came from */
  int result;           /**< out: what the single call would return */
} vtun_pkt;

/**
 * vtun_tunnel_send() for @p n packets; each packet's result is set.
 * @return how many were sent. Data path, as vtun_tunnel_send(). @since 0.1
 */
VTUN_EXTERN vtun_ssize vtun_tunnel_send_batch(vtun_tunnel *t, vtun_pkt *pkts,
                                              size_t n);

/**
 * Takes one datagram from the network: IKE (UDP 500, or 4500 with the
 * non-ESP marker), ESP (raw or in UDP 4500), NAT keepalives, GRE. ESP and
 * GRE are decapsulated in place and the inner packet passed to deliver.
 * @param[in] vrf where it arrived (NULL: public).
 * @param[in] proto enum vtun_proto; @p local and @p remote carry the ports.
 * @retval 0 consumed (delivered, answered, or a keepalive).
 * @retval VTUN_ENOSA unknown SPI. @retval VTUN_EREPLAY replayed.
 * @retval VTUN_EINTEGRITY bad ICV. @retval VTUN_EMALFORMED malformed.
 * @retval VTUN_EPOLICY dropped by policy (a dummy packet, say).
 * @retval VTUN_ECALLBACK a hook failed.
 * Every drop is counted under its reason and changes no SA state.
 * Data path for ESP and GRE: may run concurrently with sends; inputs for
 * one SA must not overlap (LIMITATION as for send). IKE datagrams are
 * config-thread work: the host calls this from the config thread for UDP
 * 500/4500 or serialises it. @since 0.1
 */
VTUN_EXTERN int vtun_ctx_input(vtun_ctx *ctx, vtun_vpn_instance *vrf, int proto,
                               const vtun_endpoint *local,
                               const vtun_endpoint *remote, uint8_t *buf,
                               size_t len);

/**
 * vtun_ctx_input() for @p n datagrams that arrived at @p local; each
 * packet's remote and result are used. @return how many were consumed.
 * @since 0.1
 */
VTUN_EXTERN vtun_ssize vtun_ctx_input_batch(vtun_ctx *ctx,
                                            vtun_vpn_instance *vrf, int proto,
                                            const vtun_endpoint *local,
                                            vtun_pkt *pkts, size_t n);

/* ----------------------------------------------------------- statistics */

/**
 * Per-tunnel counters. Every drop reason has its own member. Members are
 * only appended; pass sizeof to the getter. @since 0.1
 */
typedef struct vtun_tunnel_stats {
  uint64_t tx_packets, tx_bytes; /**< inner packets/bytes sent */
  uint64_t rx_packets, rx_bytes; /**< inner packets/bytes delivered */
  uint64_t drop_no_sa;           /**< no SA to send with or for the SPI */
  uint64_t drop_replay;          /**< replayed or too old */
  uint64_t drop_integrity;       /**< ICV or tag mismatch */
  uint64_t drop_malformed;       /**< bad length, padding, header */
  uint64_t drop_too_big;         /**< over the MTU */
  uint64_t drop_lifetime;        /**< SA past its hard limit */
  uint64_t drop_policy;          /**< dummy packets, unknown next header */
  uint64_t drop_no_room;         /**< host buffer lacked head/tailroom */
  uint64_t drop_hook;            /**< deliver or send hook failed */
  uint64_t gre_keepalives_rx;    /**< GRE keepalives answered */
} vtun_tunnel_stats;

/**
 * Copies the counters of @p t into @p out (@p size bytes of it: pass
 * sizeof(*out)). Any thread (values read without tearing one by one).
 * @retval VTUN_EINVAL size too small for the first version. @since 0.1
 */
VTUN_EXTERN int vtun_tunnel_get_stats(const vtun_tunnel *t,
                                      vtun_tunnel_stats *out, size_t size);

/**
 * Context-wide counters for what belongs to no tunnel. @since 0.1
 */
typedef struct vtun_ctx_stats {
  uint64_t rx_datagrams;      /**< every datagram given to input */
  uint64_t drop_unknown_spi;  /**< ESP for no SA */
  uint64_t drop_malformed;    /**< too short, bad marker, bad header */
  uint64_t drop_no_tunnel;    /**< GRE for no tunnel */
  uint64_t ike_no_match;      /**< IKE negotiations matching no tunnel */
  uint64_t ike_dropped;       /**< IKE messages dropped */
  uint64_t nat_keepalives_rx; /**< NAT keepalives received */
  uint64_t pool_exhausted;    /**< leases refused for an empty pool */
} vtun_ctx_stats;

/** Copies the context counters, as vtun_tunnel_get_stats(). @since 0.1 */
VTUN_EXTERN int vtun_ctx_get_stats(const vtun_ctx *ctx, vtun_ctx_stats *out,
                                   size_t size);

/**
 * Operator's view as text: @p what is "interface tunnel", "ike sa",
 * "ipsec sa", "statistics" or "current-configuration".
 * @return text length. @retval VTUN_EINVAL unknown view. Config thread.
 * @since 0.1
 */
VTUN_EXTERN vtun_ssize vtun_ctx_display(vtun_ctx *ctx, const char *what,
                                        char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* VTUN_H */
