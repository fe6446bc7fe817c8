/* Fuzz target: the IKEv2 initiator state machine (a branch
 * context) fed with arbitrary datagrams; see fuzz_ike.h for the input
 * format. Nothing a peer sends may crash, leak or trip a sanitizer. */
#include "fuzz_ike.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct fz_ike f = {0};

  if (fz_ike_setup(&f, false, false) != 0)
    return 0;
  fz_ike_feed(&f, data, size);
  vtun_ctx_free(f.ctx);
  return 0;
}
