/* vtun_config_load(): all or nothing through a trial run on a scratch
 * context that holds a copy of the current configuration. */
#ifndef VTUN_CONFIG_LOAD_H
#define VTUN_CONFIG_LOAD_H

#include "vtun/vtun.h"

/* Largest configuration text accepted, in bytes. */
#define VTUN_CFG_TEXT_MAX (4u << 20)

#endif
