/* Walks every error code of the table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "util/err.h"

static void test_every_code_named(void **state) {
  (void)state;
  assert_true(vtun__err_count() > 40);
  for (size_t i = 0; i < vtun__err_count(); i++) {
    int code = vtun__err_code_at(i);
    const char *name = vtun_err_name(code);

    assert_non_null(name);
    assert_int_equal(strncmp(name, "VTUN_", 5), 0);
    assert_string_not_equal(vtun_strerror(code), "unknown error");
    assert_int_equal(vtun_err_is_fatal(code), code <= VTUN_EFATAL);
  }
}

static void test_codes_unique(void **state) {
  (void)state;
  for (size_t i = 0; i < vtun__err_count(); i++)
    for (size_t j = i + 1; j < vtun__err_count(); j++)
      assert_int_not_equal(vtun__err_code_at(i), vtun__err_code_at(j));
}

static void test_unknown_code(void **state) {
  (void)state;
  assert_null(vtun_err_name(-999));
  assert_string_equal(vtun_strerror(-999), "unknown error");
  assert_true(vtun_err_is_fatal(VTUN_EINTERNAL));
  assert_false(vtun_err_is_fatal(VTUN_EINVAL));
}

static void test_rule_texts_name_rule(void **state) {
  (void)state;
  for (int r = 1; r <= 14; r++) {
    char prefix[8];

    snprintf(prefix, sizeof(prefix), "R%d:", r);
    assert_int_equal(strncmp(vtun_strerror(-200 - r), prefix, strlen(prefix)),
                     0);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_code_named),
      cmocka_unit_test(test_codes_unique),
      cmocka_unit_test(test_unknown_code),
      cmocka_unit_test(test_rule_texts_name_rule),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
