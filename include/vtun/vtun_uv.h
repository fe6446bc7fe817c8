/*
 * libvtun-uv: a libuv host backend for libvtun.
 *
 * A separate library (libvtun-uv, pkg-config `libvtun-uv`) built only on
 * the public API of libvtun. It creates the vtun_ctx itself, with hooks
 * that send datagrams through its own sockets and read the clock from
 * libuv, and forwards deliver, event, log, random and key_export to the
 * hooks the host gives.
 *
 * Sockets. For each routing domain (the public one, and each vpn-instance
 * the host declares with vtun_uv_add_vpn_instance()) it opens one UDP
 * socket on port 500 and one on port 4500 per address family, bound to
 * the wildcard address with IP_PKTINFO / IPV6_RECVPKTINFO. The local
 * address of each received datagram is read from the packet info, and
 * every datagram is sent from the local address the library names. One
 * wildcard socket serves every local address the configuration uses, so
 * an address that appears, moves (DHCP, PPPoE) or is borrowed by many
 * tunnels needs no socket work. Raw IPv4 sockets for ESP (protocol 50)
 * and GRE (protocol 47) carry what is not UDP-encapsulated.
 *
 * vpn-instances. The host maps each vpn-instance to a Linux network
 * namespace (a path such as /run/netns/red: the sockets are created in
 * it) or to a VRF device (SO_BINDTODEVICE), or both; see
 * vtun_uv_add_vpn_instance(). Datagrams received there reach
 * vtun_ctx_input() with the vpn-instance of that name.
 *
 * Batching. Received datagrams are read with recvmmsg(), with UDP GRO
 * when the kernel offers it, and given to vtun_ctx_input_batch().
 * Datagrams the library sends are queued and written with sendmmsg(),
 * runs of equal size to one destination as one UDP GSO send
 * (UDP_SEGMENT); the queue is flushed at the end of each libuv callback
 * of this library and by vtun_uv_flush().
 *
 * Threads: every function runs on the loop's thread, which is also the
 * context's config thread. Hooks run on that thread.
 */
#ifndef VTUN_UV_H
#define VTUN_UV_H

#include <stddef.h>
#include <stdint.h>

#include "vtun.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(VTUN_UV_BUILDING_LIBRARY)
#define VTUN_UV_EXTERN __attribute__((visibility("default")))
#else
#define VTUN_UV_EXTERN
#endif

/** A libuv host for one libvtun context. @since 0.1 */
typedef struct vtun_uv vtun_uv;

/* libuv's loop, declared here so that this header does not need <uv.h>
 * (which does not compile under strict -std=c11): uv_loop_t is
 * `struct uv_loop_s`. */
struct uv_loop_s;

/** Current version of vtun_uv_settings. @since 0.1 */
#define VTUN_UV_SETTINGS_VERSION 1

/**
 * Settings of the backend; fill with vtun_uv_settings_default() first.
 * Members are only appended, each with its `@since`.
 * @since 0.1
 */
typedef struct vtun_uv_settings {
  /** Context settings, copied; NULL: vtun_settings_default(). */
  const vtun_settings *ctx_settings;
  /** Local UDP port bound for IKE (500). The library still sees it as
   * 500: another value lets tests and unprivileged hosts run. */
  uint16_t ike_port;
  /** Local UDP port bound for NAT traversal (4500), seen as 4500. */
  uint16_t natt_port;
  unsigned batch;  /**< datagrams per recvmmsg/sendmmsg, 1-256 (64) */
  int udp_gso;     /**< send runs as one UDP_SEGMENT write (1) */
  int udp_gro;     /**< ask for UDP_GRO on receive (1) */
  int raw_sockets; /**< open raw ESP and GRE sockets (1) */
  int ipv6;        /**< open IPv6 sockets too (1) */
} vtun_uv_settings;

/**
 * Fills @p s with the defaults named in each member's comment.
 * Any thread. @since 0.1
 */
VTUN_UV_EXTERN void vtun_uv_settings_default(vtun_uv_settings *s);

/**
 * Creates the backend and its context; opens no socket yet (see
 * vtun_uv_start()). Use the vtun_uv_new() macro.
 * @param[in] loop the libuv loop; it must outlive the handle.
 * @param[in] settings_version, settings copied; NULL means defaults.
 * @param[in] hooks the host's hooks, copied. Its send_datagram and now
 * members are ignored: the backend provides them. NULL: no hooks.
 * @param[in] user_data passed to the host's hooks.
 * @param[out] out the new handle, owned by the caller (vtun_uv_close()).
 * @retval 0 done.
 * @retval VTUN_EINVAL loop or out is NULL, or a setting is out of range.
 * @retval VTUN_EVERSION a settings version this library does not know.
 * @retval VTUN_ENOMEM no memory.
 * @retval VTUN_ECRYPTO the context's crypto backend failed to start.
 * Loop thread; runs no hook. @since 0.1
 */
VTUN_UV_EXTERN int vtun_uv_new_versioned(struct uv_loop_s *loop,
                                         int settings_version,
                                         const vtun_uv_settings *settings,
                                         const vtun_hooks *hooks,
                                         void *user_data, vtun_uv **out);

/** vtun_uv_new_versioned() with this header's version. @since 0.1 */
#define vtun_uv_new(loop, settings, hooks, user_data, out)                     \
  vtun_uv_new_versioned((loop), VTUN_UV_SETTINGS_VERSION, (settings), (hooks), \
                        (user_data), (out))

/**
 * The context the backend created. It stays owned by @p uvh and is freed
 * by vtun_uv_close(); configure it with the libvtun calls. Loop thread.
 * @since 0.1
 */
VTUN_UV_EXTERN vtun_ctx *vtun_uv_get_ctx(const vtun_uv *uvh);

/**
 * Maps vpn-instance @p name to where its outer packets travel: sockets
 * for it are created inside the network namespace @p netns_path (NULL:
 * the current one) and bound with SO_BINDTODEVICE to @p device (NULL:
 * none, typically a VRF master device). Datagrams received on them are
 * given to the library with the context's vpn-instance of that name, and
 * datagrams the library sends for it leave through them. Call before or
 * after vtun_uv_start(); after it the sockets open at once.
 * @retval 0 done. @retval VTUN_EINVAL bad name, path or device.
 * @retval VTUN_EEXIST already mapped. @retval VTUN_ENOSPC 16 mapped.
 * @retval VTUN_EBUSY a port is in use there.
 * @retval VTUN_ECALLBACK a system call failed (vtun_uv_last_error()).
 * Loop thread; runs no hook. @since 0.1
 */
VTUN_UV_EXTERN int vtun_uv_add_vpn_instance(vtun_uv *uvh, const char *name,
                                            const char *netns_path,
                                            const char *device);

/**
 * Opens the sockets of the public routing domain and of the mapped
 * vpn-instances, starts receiving and arms the timer.
 * @retval 0 done.
 * @retval VTUN_EBUSY a port is in use (another IKE daemon?).
 * @retval VTUN_ENOTSUP not permitted (ports below 1024 and raw sockets
 * need CAP_NET_BIND_SERVICE and CAP_NET_RAW).
 * @retval VTUN_ESTATE started already, or closing.
 * @retval VTUN_ECALLBACK another system call failed.
 * The reason, with the address and port, is in vtun_uv_last_error().
 * On failure no socket stays open. Loop thread; runs no hook. @since 0.1
 */
VTUN_UV_EXTERN int vtun_uv_start(vtun_uv *uvh);

/**
 * Re-arms the timer for the context's next deadline. Call it after
 * configuration calls made outside this library's callbacks (loading a
 * configuration, enabling a tunnel), which may have added timers.
 * Loop thread; runs no hook. @since 0.1
 */
VTUN_UV_EXTERN void vtun_uv_schedule(vtun_uv *uvh);

/**
 * Writes the queued outgoing datagrams now. Hosts call it after sending
 * a batch through vtun_tunnel_send_batch() from their own callbacks.
 * @return how many datagrams could not be sent (dropped and counted in
 * vtun_uv_stats.tx_errors); 0 when all went out. Loop thread. @since 0.1
 */
VTUN_UV_EXTERN vtun_ssize vtun_uv_flush(vtun_uv *uvh);

/** Counters of the backend. Members are only appended. @since 0.1 */
typedef struct vtun_uv_stats {
  uint64_t rx_datagrams;   /**< datagrams read (GRO segments counted) */
  uint64_t rx_syscalls;    /**< recvmmsg/recvmsg calls that returned data */
  uint64_t rx_gro_batches; /**< reads that carried GRO-merged segments */
  uint64_t tx_datagrams;   /**< datagrams handed to the kernel */
  uint64_t tx_syscalls;    /**< sendmmsg/sendmsg calls */
  uint64_t tx_gso_sends;   /**< UDP_SEGMENT messages among them */
  uint64_t tx_errors;      /**< datagrams the kernel refused */
  uint64_t tx_no_socket;   /**< datagrams for a domain without socket */
  uint64_t input_errors;   /**< datagrams vtun_ctx_input refused */
  int udp_gso;             /**< UDP GSO is in use (1) or not (0) */
  int udp_gro;             /**< UDP GRO is in use (1) or not (0) */
} vtun_uv_stats;

/**
 * Copies the counters into @p out (@p size bytes of it: pass
 * sizeof(*out)). @retval 0 done. @retval VTUN_EINVAL size too small.
 * Loop thread. @since 0.1
 */
VTUN_UV_EXTERN int vtun_uv_get_stats(const vtun_uv *uvh, vtun_uv_stats *out,
                                     size_t size);

/**
 * The message of the last failed call on @p uvh (which system call,
 * address, port and errno text), or "". Valid until the next call.
 * Loop thread. @since 0.1
 */
VTUN_UV_EXTERN const char *vtun_uv_last_error(const vtun_uv *uvh);

/** Called once @p uvh is gone; @p arg as given to vtun_uv_close(). */
typedef void (*vtun_uv_close_cb)(void *arg);

/**
 * Stops receiving and the timer, flushes the send queue, closes every
 * socket and, once libuv has closed the handles, frees the context (no
 * hook runs from vtun_ctx_free()) and the handle, then calls @p cb (may
 * be NULL). The host deletes its tunnels first (vtun_tunnel_delete())
 * when the peers should hear of it, and runs the loop until @p cb.
 * NULL is accepted. Loop thread. @since 0.1
 */
VTUN_UV_EXTERN void vtun_uv_close(vtun_uv *uvh, vtun_uv_close_cb cb, void *arg);

/** Sets the pointer returned by vtun_uv_get_user_data(). @since 0.1 */
VTUN_UV_EXTERN void vtun_uv_set_user_data(vtun_uv *uvh, void *user_data);
/** The user data given at creation or by the setter. @since 0.1 */
VTUN_UV_EXTERN void *vtun_uv_get_user_data(const vtun_uv *uvh);

#ifdef __cplusplus
}
#endif

#endif /* VTUN_UV_H */
