/* The views of IPsec proposals, IPsec profiles and address pools. The
 * tables are declared in config/parser.h. */
#ifndef VTUN_CONFIG_CMD_IPSEC_H
#define VTUN_CONFIG_CMD_IPSEC_H

#include "config/args.h"

/* Encapsulation modes by name, shared with the dump. */
extern const struct vtun__cfg_enum vtun__cfg_encap_modes[];

#endif
