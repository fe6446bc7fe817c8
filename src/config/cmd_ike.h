/* The views of IKE proposals and IKE peers. The tables are declared in
 * config/parser.h. */
#ifndef VTUN_CONFIG_CMD_IKE_H
#define VTUN_CONFIG_CMD_IKE_H

#include "config/args.h"

/* Keyword tables shared with the dump. */
extern const struct vtun__cfg_enum vtun__cfg_auth_methods[];
extern const struct vtun__cfg_enum vtun__cfg_exchange_modes[];
extern const struct vtun__cfg_enum vtun__cfg_id_types[];
extern const struct vtun__cfg_enum vtun__cfg_dpd_types[];

#endif
