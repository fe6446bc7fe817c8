/* Addresses: the public vtun_endpoint is also the internal address type. */
#ifndef VTUN_UTIL_ADDR_H
#define VTUN_UTIL_ADDR_H

#include <stdbool.h>

#include "vtun/vtun.h"

/* Longest text of an address, with NUL. */
#define VTUN_ADDRSTRLEN 46

/* Number of address bytes for the family (4, 16, or 0). */
static inline size_t vtun__ep_len(const vtun_endpoint *ep) {
  return ep->family == VTUN_AF_INET ? 4 : ep->family == VTUN_AF_INET6 ? 16 : 0;
}

/* Same family and address (ports ignored). */
bool vtun__ep_addr_eq(const vtun_endpoint *a, const vtun_endpoint *b);

/* Same family, address and port. */
bool vtun__ep_eq(const vtun_endpoint *a, const vtun_endpoint *b);

/* Formats the address into a static-size buffer for messages. */
const char *vtun__ep_str(const vtun_endpoint *ep, char buf[VTUN_ADDRSTRLEN]);

/* Maximum prefix length for the family. */
static inline unsigned vtun__ep_maxprefix(const vtun_endpoint *ep) {
  return ep->family == VTUN_AF_INET ? 32 : 128;
}

/* Copies a formatted address (snprintf style) into a caller's buffer. */
vtun_ssize vtun__ep_copyout(const vtun_endpoint *ep, char *buf, size_t len);

/* snprintf-style copy of a string into a caller's buffer. */
vtun_ssize vtun__strcopyout(const char *s, char *buf, size_t len);

#endif
