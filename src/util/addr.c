#include "util/addr.h"

#include <arpa/inet.h>
#include <string.h>

int vtun_endpoint_parse(vtun_endpoint *ep, const char *text, uint16_t port) {
  vtun_endpoint tmp;

  if (ep == NULL || text == NULL)
    return VTUN_EINVAL;
  memset(&tmp, 0, sizeof(tmp));
  tmp.port = port;
  if (inet_pton(AF_INET, text, tmp.addr) == 1)
    tmp.family = VTUN_AF_INET;
  else if (inet_pton(AF_INET6, text, tmp.addr) == 1)
    tmp.family = VTUN_AF_INET6;
  else
    return VTUN_EINVAL;
  *ep = tmp;
  return 0;
}

vtun_ssize vtun_endpoint_format(const vtun_endpoint *ep, char *buf,
                                size_t len) {
  char tmp[VTUN_ADDRSTRLEN];

  if (ep == NULL || vtun__ep_len(ep) == 0)
    return VTUN_EINVAL;
  return vtun__strcopyout(vtun__ep_str(ep, tmp), buf, len);
}

bool vtun__ep_addr_eq(const vtun_endpoint *a, const vtun_endpoint *b) {
  return a->family == b->family &&
         memcmp(a->addr, b->addr, vtun__ep_len(a)) == 0;
}

bool vtun__ep_eq(const vtun_endpoint *a, const vtun_endpoint *b) {
  return vtun__ep_addr_eq(a, b) && a->port == b->port;
}

const char *vtun__ep_str(const vtun_endpoint *ep, char buf[VTUN_ADDRSTRLEN]) {
  int af = ep->family == VTUN_AF_INET ? AF_INET : AF_INET6;

  if (vtun__ep_len(ep) == 0 ||
      inet_ntop(af, ep->addr, buf, VTUN_ADDRSTRLEN) == NULL)
    strcpy(buf, "-");
  return buf;
}

vtun_ssize vtun__ep_copyout(const vtun_endpoint *ep, char *buf, size_t len) {
  char tmp[VTUN_ADDRSTRLEN];

  return vtun__strcopyout(vtun__ep_str(ep, tmp), buf, len);
}

vtun_ssize vtun__strcopyout(const char *s, char *buf, size_t len) {
  size_t n = strlen(s);

  if (buf != NULL && len > 0) {
    size_t c = n < len - 1 ? n : len - 1;

    memcpy(buf, s, c);
    buf[c] = '\0';
  }
  return (vtun_ssize)n;
}
