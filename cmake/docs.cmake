# API documentation with Doxygen: `cmake --build build --target docs` writes
# build/docs/html/index.html from the public headers, docs/getting-started.md, docs/rewards.md,
# docs/outbox.md, docs/kpis.md and docs/deployment.md.
# Included by cmake/install.cmake; tests/consumer/consumer_tests.cmake configures the same
# docs/Doxyfile.in again for the `doxygen_headers` test.
include_guard(GLOBAL)

find_package(Doxygen QUIET)

# rf_configure_doxyfile(OUT output_dir generate_html warn_logfile mainpage input...):
# write a Doxyfile from docs/Doxyfile.in.
function(rf_configure_doxyfile out output_dir generate_html warn_logfile mainpage)
  set(RF_DOXY_OUTPUT_DIR "${output_dir}")
  set(RF_DOXY_GENERATE_HTML "${generate_html}")
  set(RF_DOXY_WARN_LOGFILE "${warn_logfile}")
  set(RF_DOXY_MAINPAGE "${mainpage}")
  set(_inputs "")
  foreach(_in IN LISTS ARGN)
    string(APPEND _inputs " \"${_in}\"")
  endforeach()
  set(RF_DOXY_INPUT "${_inputs}")
  configure_file(${PROJECT_SOURCE_DIR}/docs/Doxyfile.in "${out}" @ONLY)
endfunction()

if(DOXYGEN_FOUND)
  set(_rf_docs_dir ${PROJECT_BINARY_DIR}/docs)
  rf_configure_doxyfile(${_rf_docs_dir}/Doxyfile ${_rf_docs_dir} YES ""
                        ${PROJECT_SOURCE_DIR}/docs/getting-started.md
                        ${PROJECT_SOURCE_DIR}/docs/getting-started.md
                        ${PROJECT_SOURCE_DIR}/docs/rewards.md
                        ${PROJECT_SOURCE_DIR}/docs/outbox.md
                        ${PROJECT_SOURCE_DIR}/docs/kpis.md
                        ${PROJECT_SOURCE_DIR}/docs/deployment.md
                        ${PROJECT_SOURCE_DIR}/include
                        ${PROJECT_BINARY_DIR}/include/referral/version.h)
  if(NOT TARGET docs)
    add_custom_target(docs
      COMMAND ${DOXYGEN_EXECUTABLE} ${_rf_docs_dir}/Doxyfile
      WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
      COMMENT "Writing the API documentation to ${_rf_docs_dir}/html"
      VERBATIM)
  endif()
else()
  message(STATUS "Doxygen not found: no `docs` target")
endif()
