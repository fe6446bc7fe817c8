/* Error table access for the library's own use. */
#ifndef VTUN_UTIL_ERR_H
#define VTUN_UTIL_ERR_H

#include "vtun/vtun.h"

/* Number of entries in the table, and the code of entry @p i; for tests
 * that walk every code. */
size_t vtun__err_count(void);
int vtun__err_code_at(size_t i);

#endif
