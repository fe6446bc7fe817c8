/* The one table behind vtun_strerror(), vtun_err_name() and
 * vtun_err_is_fatal(). A new code gets one row here and nowhere else. */
#include "util/err.h"

#include <stddef.h>

struct err_row {
  int code;
  const char *name;
  const char *text;
};

#define ROW(c, t)                                                              \
  { c, #c, t }

static const struct err_row err_table[] = {
    ROW(VTUN_OK, "success"),
    ROW(VTUN_EINVAL, "invalid argument"),
    ROW(VTUN_ENOMEM, "out of memory"),
    ROW(VTUN_ENOENT, "no such object"),
    ROW(VTUN_EEXIST, "object exists already"),
    ROW(VTUN_EBUSY, "object is in use"),
    ROW(VTUN_ENOSPC, "no space left in table or buffer"),
    ROW(VTUN_EVERSION, "unknown struct version"),
    ROW(VTUN_ENOTSUP, "not supported by this build"),
    ROW(VTUN_ESTATE, "not possible in the current state"),
    ROW(VTUN_ENOBUFS, "not enough headroom or tailroom"),
    ROW(VTUN_ESYNTAX, "configuration syntax error"),
    ROW(VTUN_ETEMPLATE, "a template tunnel breaks a template rule"),
    ROW(VTUN_ER1_PROFILE_BINDING,
        "R1: a tunnel has one IPsec profile, a profile one tunnel"),
    ROW(VTUN_ER2_PROFILE_INCOMPLETE,
        "R2: the profile's IKE peer or IPsec proposal does not exist"),
    ROW(VTUN_ER3_VPN_INSTANCE_MODE,
        "R3: a vpn-instance on the destination needs ipsec mode"),
    ROW(VTUN_ER4_SOURCE_LAYER, "R4: the source interface must be Layer 3"),
    ROW(VTUN_ER5_GRE_DESTINATION, "R5: a gre tunnel needs a destination"),
    ROW(VTUN_ER6_DESTINATION_MISMATCH,
        "R6: tunnel destination and IKE peer remote address differ"),
    ROW(VTUN_ER7_MULTIPLE_REMOTES,
        "R7: several remote addresses need a tunnel without destination"),
    ROW(VTUN_ER8_VSYS_PROFILE,
        "R8: the profile belongs to another virtual system"),
    ROW(VTUN_ER9_NEGOTIATED_ADDRESS,
        "R9: a negotiated tunnel address needs an IKEv2 peer"),
    ROW(VTUN_ER10_PEER_ID_MODE,
        "R10: matching by peer ID needs IKEv1 aggressive mode or the "
        "IKEv2 extension"),
    ROW(VTUN_ER11_INTEGRITY,
        "R11: AEAD takes no integrity algorithm; other ciphers need one"),
    ROW(VTUN_ER12_RANGE, "R12: value out of range"),
    ROW(VTUN_ER13_AMBIGUOUS,
        "R13: tunnels on one borrowed address cannot be told apart"),
    ROW(VTUN_ER14_LEGACY_ALGORITHM,
        "R14: algorithm forbidden by RFC 8221/8247 (legacy switch off)"),
    ROW(VTUN_EAUTH, "peer authentication failed"),
    ROW(VTUN_EREPLAY, "replayed packet"),
    ROW(VTUN_EINTEGRITY, "integrity check failed"),
    ROW(VTUN_EMALFORMED, "malformed packet or message"),
    ROW(VTUN_ENOSA, "no security association"),
    ROW(VTUN_ENOMATCH, "no tunnel matches the negotiation"),
    ROW(VTUN_ENOPROPOSAL, "no proposal chosen"),
    ROW(VTUN_EPOOLEMPTY, "address pool exhausted"),
    ROW(VTUN_EPOLICY, "dropped by policy"),
    ROW(VTUN_ETOOBIG, "packet too big"),
    ROW(VTUN_ELIFETIME, "SA lifetime expired"),
    ROW(VTUN_EPEER, "the peer reported an error"),
    ROW(VTUN_ETIMEOUT, "the peer did not answer"),
    ROW(VTUN_ECALLBACK, "a host hook failed"),
    ROW(VTUN_ECRYPTO, "the crypto backend failed"),
    ROW(VTUN_EFATAL, "fatal error"),
    ROW(VTUN_EINTERNAL, "internal error"),
};

#define ERR_COUNT (sizeof(err_table) / sizeof(err_table[0]))

static const struct err_row *err_find(int code) {
  for (size_t i = 0; i < ERR_COUNT; i++)
    if (err_table[i].code == code)
      return &err_table[i];
  return NULL;
}

const char *vtun_strerror(int err) {
  const struct err_row *row = err_find(err);

  return row != NULL ? row->text : "unknown error";
}

const char *vtun_err_name(int err) {
  const struct err_row *row = err_find(err);

  return row != NULL ? row->name : NULL;
}

int vtun_err_is_fatal(int err) {
  return err <= VTUN_EFATAL;
}

size_t vtun__err_count(void) {
  return ERR_COUNT;
}

int vtun__err_code_at(size_t i) {
  return i < ERR_COUNT ? err_table[i].code : 0;
}
