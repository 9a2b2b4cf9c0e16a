# abi_compatible: the shared library keeps the ABI of the last release
# (abi/libreferral.abi); see scripts/check-abi.sh.
add_test(NAME abi_compatible
         COMMAND ${PROJECT_SOURCE_DIR}/scripts/check-abi.sh ${PROJECT_BINARY_DIR})
set_tests_properties(abi_compatible PROPERTIES SKIP_RETURN_CODE 77 LABELS abi)
