/* The context's lookup tables for inbound traffic: ESP SPI -> SA, and
 * (vpn-instance, local, remote, GRE key) -> GRE tunnel.
 *
 * Lookups run on data path threads without a lock, inside a read-side
 * section of the context's esp/rcu.h. Changes happen on the config thread
 * only. The SPI table is open-addressed with linear probing, at most half
 * full counting removed slots, so a lookup, hit or miss, takes a constant
 * expected number of probes; insertion and removal change one slot in
 * place, and only a resize publishes a new table. The GRE table is small
 * and rebuilt whole on each change. */
#ifndef VTUN_ESP_SADB_H
#define VTUN_ESP_SADB_H

#include <stddef.h>
#include <stdint.h>

#include "esp/rcu.h"
#include "esp/sa.h"

struct vtun__sadb;
struct vtun__dp_conf;

/* Makes empty tables; @p seed mixes the hash. */
int vtun__sadb_new(uint64_t seed, struct vtun__sadb **out);

/* Frees the tables (not the SAs or snapshots in them). NULL accepted. */
void vtun__sadb_free(struct vtun__sadb *db);

/* The inbound SA with @p spi, or NULL. Data path, in a read section. */
struct vtun__esp_sa *vtun__sadb_lookup(const struct vtun__sadb *db,
                                       uint32_t spi);

/* Adds @p sa under its SPI: VTUN_EEXIST when the SPI is taken,
 * VTUN_ENOMEM. Config thread. */
int vtun__sadb_insert(struct vtun__sadb *db, struct vtun__rcu *rcu,
                      struct vtun__esp_sa *sa);

/* Removes @p sa if it is in the table. Config thread; the caller retires
 * the SA afterwards. */
void vtun__sadb_remove(struct vtun__sadb *db, struct vtun__esp_sa *sa);

/* The number of SAs in the table. */
size_t vtun__sadb_count(const struct vtun__sadb *db);

/* Replaces the GRE table by one holding the @p n snapshots of @p confs
 * (plain or protected GRE tunnels). VTUN_ENOMEM leaves the old table.
 * Config thread. */
int vtun__sadb_gre_set(struct vtun__sadb *db, struct vtun__rcu *rcu,
                       struct vtun__dp_conf *const *confs, size_t n);

/* The GRE tunnel snapshot for a datagram, or NULL. Data path, in a read
 * section. */
const struct vtun__dp_conf *vtun__sadb_gre_lookup(const struct vtun__sadb *db,
                                                  const vtun_vpn_instance *vrf,
                                                  const vtun_endpoint *local,
                                                  const vtun_endpoint *remote,
                                                  bool has_key, uint32_t key);

#endif
