/* Properties of the algorithms named in enum vtun_encr, vtun_integ,
 * vtun_prf and vtun_dh: sizes, IANA numbers, and which are legacy. */
#ifndef VTUN_UTIL_ALG_H
#define VTUN_UTIL_ALG_H

#include <stdbool.h>
#include <stddef.h>

#include "vtun/vtun.h"

struct vtun__encr_info {
  int id;             /* enum vtun_encr */
  const char *name;   /* configuration name */
  bool aead;          /* carries its own integrity */
  bool legacy;        /* MUST NOT in RFC 8221/8247 (R14) */
  unsigned keylen;    /* key bytes, salt excluded */
  unsigned saltlen;   /* implicit nonce part (RFC 4106/7634) */
  unsigned ivlen;     /* explicit IV in the packet */
  unsigned blocklen;  /* padding boundary for ESP */
  unsigned icvlen;    /* AEAD tag length, 0 otherwise */
  unsigned iana;      /* IKEv2 transform ID (RFC 7296 §3.3.2) */
  unsigned iana_bits; /* key length attribute, 0 when none */
};

struct vtun__integ_info {
  int id;
  const char *name;
  bool legacy;
  unsigned keylen; /* HMAC key bytes */
  unsigned icvlen; /* truncated output */
  unsigned iana;
};

struct vtun__prf_info {
  int id;
  const char *name;
  bool legacy;
  unsigned outlen; /* also the preferred key length */
  unsigned iana;
};

struct vtun__dh_info {
  int id; /* IANA group number */
  const char *name;
  bool legacy;
  unsigned publen; /* KE payload data bytes */
};

/* NULL for an unknown or NONE id. */
const struct vtun__encr_info *vtun__encr_info(int id);
const struct vtun__integ_info *vtun__integ_info(int id);
const struct vtun__prf_info *vtun__prf_info(int id);
const struct vtun__dh_info *vtun__dh_info(int id);

/* Reverse lookups from IKEv2 transform IDs; NULL when unknown. */
const struct vtun__encr_info *vtun__encr_by_iana(unsigned iana, unsigned bits);
const struct vtun__integ_info *vtun__integ_by_iana(unsigned iana);
const struct vtun__prf_info *vtun__prf_by_iana(unsigned iana);

/* Whether id of kind (enum vtun_alg_kind) is forbidden without the
 * legacy switch (R14). */
bool vtun__alg_is_legacy(int kind, int id);

#endif
