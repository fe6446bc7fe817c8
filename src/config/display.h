/* vtun_ctx_display(): the operator's views as text, in the loose shape of
 * the vendor's `display` commands (header lines, aligned columns). */
#ifndef VTUN_CONFIG_DISPLAY_H
#define VTUN_CONFIG_DISPLAY_H

#include "vtun/vtun.h"

#endif
