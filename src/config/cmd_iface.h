/* The views of interfaces and tunnel interfaces. The tables are declared
 * in config/parser.h. */
#ifndef VTUN_CONFIG_CMD_IFACE_H
#define VTUN_CONFIG_CMD_IFACE_H

#include "config/args.h"

/* Tunnel protocols by name, shared with the dump. */
extern const struct vtun__cfg_enum vtun__cfg_tunnel_protocols[];
extern const struct vtun__cfg_enum vtun__cfg_template_modes[];

#endif
