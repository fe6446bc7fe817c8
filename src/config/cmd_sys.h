/* The system view: global switches, virtual systems, vpn-instances, and
 * the commands that create objects and enter their views. The tables are
 * declared in config/parser.h. */
#ifndef VTUN_CONFIG_CMD_SYS_H
#define VTUN_CONFIG_CMD_SYS_H

#include "config/parser.h"

/* Whether @p name names a tunnel interface ("Tunnel1", any case). */
bool vtun__cfg_is_tunnel_name(const char *name);

#endif
