#include "util/alg.h"

#include <string.h>

/* Legacy marks follow RFC 8221 §5-6 (ESP) and RFC 8247 §2 (IKEv2): only
 * what they say MUST NOT be used is refused without the switch. */
static const struct vtun__encr_info encr_table[] = {
    {VTUN_ENCR_DES, "des", false, true, 8, 0, 8, 8, 0, 2, 0},
    {VTUN_ENCR_3DES, "3des", false, false, 24, 0, 8, 8, 0, 3, 0},
    {VTUN_ENCR_AES_CBC_128, "aes-128", false, false, 16, 0, 16, 16, 0, 12, 128},
    {VTUN_ENCR_AES_CBC_192, "aes-192", false, false, 24, 0, 16, 16, 0, 12, 192},
    {VTUN_ENCR_AES_CBC_256, "aes-256", false, false, 32, 0, 16, 16, 0, 12, 256},
    {VTUN_ENCR_AES_GCM_128, "aes-gcm-128", true, false, 16, 4, 8, 4, 16, 20,
     128},
    {VTUN_ENCR_AES_GCM_256, "aes-gcm-256", true, false, 32, 4, 8, 4, 16, 20,
     256},
    {VTUN_ENCR_CHACHA20_POLY1305, "chacha20-poly1305", true, false, 32, 4, 8, 4,
     16, 28, 0},
};

static const struct vtun__integ_info integ_table[] = {
    {VTUN_INTEG_MD5_96, "md5", true, 16, 12, 1},
    {VTUN_INTEG_SHA1_96, "sha1", false, 20, 12, 2},
    {VTUN_INTEG_SHA2_256_128, "sha2-256", false, 32, 16, 12},
    {VTUN_INTEG_SHA2_384_192, "sha2-384", false, 48, 24, 13},
    {VTUN_INTEG_SHA2_512_256, "sha2-512", false, 64, 32, 14},
};

static const struct vtun__prf_info prf_table[] = {
    {VTUN_PRF_MD5, "hmac-md5", true, 16, 1},
    {VTUN_PRF_SHA1, "hmac-sha1", false, 20, 2},
    {VTUN_PRF_SHA2_256, "hmac-sha2-256", false, 32, 5},
    {VTUN_PRF_SHA2_384, "hmac-sha2-384", false, 48, 6},
    {VTUN_PRF_SHA2_512, "hmac-sha2-512", false, 64, 7},
};

static const struct vtun__dh_info dh_table[] = {
    {VTUN_DH_MODP768, "dh-group1", true, 96},
    {VTUN_DH_MODP1024, "dh-group2", false, 128},
    {VTUN_DH_MODP1536, "dh-group5", false, 192},
    {VTUN_DH_MODP2048, "dh-group14", false, 256},
    {VTUN_DH_MODP3072, "dh-group15", false, 384},
    {VTUN_DH_MODP4096, "dh-group16", false, 512},
    {VTUN_DH_ECP256, "dh-group19", false, 64},
    {VTUN_DH_ECP384, "dh-group20", false, 96},
    {VTUN_DH_ECP521, "dh-group21", false, 132},
    {VTUN_DH_X25519, "dh-group31", false, 32},
};

#define COUNT(t) (sizeof(t) / sizeof((t)[0]))

/* One lookup per table; the tables are small, so a scan is fine. */
#define FIND_BY(table, field, value)                                           \
  for (size_t i_ = 0; i_ < COUNT(table); i_++)                                 \
    if ((table)[i_].field == (value))                                          \
      return &(table)[i_];                                                     \
  return NULL

const struct vtun__encr_info *vtun__encr_info(int id) {
  FIND_BY(encr_table, id, id);
}

const struct vtun__integ_info *vtun__integ_info(int id) {
  FIND_BY(integ_table, id, id);
}

const struct vtun__prf_info *vtun__prf_info(int id) {
  FIND_BY(prf_table, id, id);
}

const struct vtun__dh_info *vtun__dh_info(int id) {
  FIND_BY(dh_table, id, id);
}

const struct vtun__encr_info *vtun__encr_by_iana(unsigned iana, unsigned bits) {
  for (size_t i = 0; i < COUNT(encr_table); i++)
    if (encr_table[i].iana == iana && encr_table[i].iana_bits == bits)
      return &encr_table[i];
  return NULL;
}

const struct vtun__integ_info *vtun__integ_by_iana(unsigned iana) {
  FIND_BY(integ_table, iana, iana);
}

const struct vtun__prf_info *vtun__prf_by_iana(unsigned iana) {
  FIND_BY(prf_table, iana, iana);
}

bool vtun__alg_is_legacy(int kind, int id) {
  const struct vtun__encr_info *e;
  const struct vtun__integ_info *g;
  const struct vtun__prf_info *p;
  const struct vtun__dh_info *d;

  switch (kind) {
  case VTUN_ALG_ENCR:
    return (e = vtun__encr_info(id)) != NULL && e->legacy;
  case VTUN_ALG_INTEG:
    return (g = vtun__integ_info(id)) != NULL && g->legacy;
  case VTUN_ALG_PRF:
    return (p = vtun__prf_info(id)) != NULL && p->legacy;
  case VTUN_ALG_DH:
    return (d = vtun__dh_info(id)) != NULL && d->legacy;
  }
  return false;
}

const char *vtun_alg_name(int kind, int id) {
  const struct vtun__encr_info *e;
  const struct vtun__integ_info *g;
  const struct vtun__prf_info *p;
  const struct vtun__dh_info *d;

  switch (kind) {
  case VTUN_ALG_ENCR:
    return (e = vtun__encr_info(id)) != NULL ? e->name : NULL;
  case VTUN_ALG_INTEG:
    return (g = vtun__integ_info(id)) != NULL ? g->name : NULL;
  case VTUN_ALG_PRF:
    return (p = vtun__prf_info(id)) != NULL ? p->name : NULL;
  case VTUN_ALG_DH:
    return (d = vtun__dh_info(id)) != NULL ? d->name : NULL;
  }
  return NULL;
}

#define NAME_IN(table)                                                         \
  for (size_t i_ = 0; i_ < COUNT(table); i_++)                                 \
    if (strcmp((table)[i_].name, name) == 0)                                   \
      return (table)[i_].id;                                                   \
  return VTUN_EINVAL

static int encr_from_name(const char *name) {
  NAME_IN(encr_table);
}
static int integ_from_name(const char *name) {
  NAME_IN(integ_table);
}
static int prf_from_name(const char *name) {
  NAME_IN(prf_table);
}
static int dh_from_name(const char *name) {
  NAME_IN(dh_table);
}

int vtun_alg_from_name(int kind, const char *name) {
  if (name == NULL)
    return VTUN_EINVAL;
  switch (kind) {
  case VTUN_ALG_ENCR:
    return encr_from_name(name);
  case VTUN_ALG_INTEG:
    return integ_from_name(name);
  case VTUN_ALG_PRF:
    return prf_from_name(name);
  case VTUN_ALG_DH:
    return dh_from_name(name);
  }
  return VTUN_EINVAL;
}
