# Consumer tests: install this build into a fresh prefix and use it the way a host would.
# Included (OPTIONAL) by tests/CMakeLists.txt. The work is done by driver.sh; each test runs
#   driver.sh <build>/tests/consumer/consumer.env <step>
# which can also be run by hand.
#
#   consumer_install     cmake --install into <build>/tests/consumer/prefix; checks the layout
#   consumer_cmake       find_package(referral) + referral::referral / referral::referral_static
#   consumer_pkgconfig   cc $(pkg-config --cflags --libs libreferral), also --static
#   consumer_symbols     libreferral.so exports rf_* only, never rf__*; SONAME libreferral.so.N
#   consumer_api         every RF_API function in the headers is exported, and nothing more
#   doxygen_headers      no undocumented public symbol (skipped when doxygen is missing)
#
# Under RF_SANITIZE the consumers are built with the same -fsanitize flags as the library.

include(${PROJECT_SOURCE_DIR}/cmake/docs.cmake) # find_package(Doxygen), rf_configure_doxyfile()

set(_rf_consumer_src ${CMAKE_CURRENT_LIST_DIR})
set(_rf_consumer_work ${CMAKE_CURRENT_BINARY_DIR}/consumer)
set(_rf_consumer_env ${_rf_consumer_work}/consumer.env)
file(MAKE_DIRECTORY ${_rf_consumer_work})

# Install rules exist unless RF_INSTALL is off (cmake/install.cmake, included after this file).
if(DEFINED RF_INSTALL)
  set(_rf_consumer_install ${RF_INSTALL})
elseif(CMAKE_SOURCE_DIR STREQUAL PROJECT_SOURCE_DIR)
  set(_rf_consumer_install ON)
else()
  set(_rf_consumer_install OFF)
endif()

# The sanitizer (and other code-generation) flags the library is built with: the consumer must
# use them too, or it cannot link an instrumented libreferral.
get_property(_rf_dir_copts DIRECTORY ${PROJECT_SOURCE_DIR} PROPERTY COMPILE_OPTIONS)
get_property(_rf_dir_lopts DIRECTORY ${PROJECT_SOURCE_DIR} PROPERTY LINK_OPTIONS)
set(_rf_consumer_cflags "${CMAKE_C_FLAGS}")
set(_rf_consumer_ldflags "${CMAKE_EXE_LINKER_FLAGS}")
foreach(_opt IN LISTS _rf_dir_copts)
  if(_opt MATCHES "^-f(no-)?sanitize|^-fno-omit-frame-pointer$")
    string(APPEND _rf_consumer_cflags " ${_opt}")
  endif()
endforeach()
foreach(_opt IN LISTS _rf_dir_lopts)
  if(_opt MATCHES "^-f(no-)?sanitize")
    string(APPEND _rf_consumer_ldflags " ${_opt}")
  endif()
endforeach()
string(STRIP "${_rf_consumer_cflags}" _rf_consumer_cflags)
string(STRIP "${_rf_consumer_ldflags}" _rf_consumer_ldflags)

find_program(RF_READELF_EXECUTABLE NAMES readelf HINTS ${CMAKE_READELF})
set(_rf_nm "${CMAKE_NM}")
if(NOT _rf_nm)
  find_program(RF_NM_EXECUTABLE NAMES nm)
  set(_rf_nm "${RF_NM_EXECUTABLE}")
endif()

# The header check: the same Doxyfile template over the headers only (HTML is written too, as
# Doxygen reports undocumented members while writing output; it takes a fraction of a second).
set(_rf_doxyfile ${_rf_consumer_work}/Doxyfile-headers)
rf_configure_doxyfile(${_rf_doxyfile} ${_rf_consumer_work}/doxygen YES
                      ${_rf_consumer_work}/doxygen/warnings.log ""
                      ${PROJECT_SOURCE_DIR}/include
                      ${PROJECT_BINARY_DIR}/include/referral/version.h)
set(_rf_doxygen "")
if(DOXYGEN_FOUND)
  set(_rf_doxygen "${DOXYGEN_EXECUTABLE}")
endif()

# Shell assignments read by driver.sh.
set(_rf_env_vars
  "RF_SOURCE_DIR=${PROJECT_SOURCE_DIR}"
  "RF_BINARY_DIR=${PROJECT_BINARY_DIR}"
  "RF_CONSUMER_DIR=${_rf_consumer_src}"
  "RF_WORK_DIR=${_rf_consumer_work}"
  "RF_PREFIX=${_rf_consumer_work}/prefix"
  "RF_LIBDIR=${CMAKE_INSTALL_LIBDIR}"
  "RF_INCLUDEDIR=${CMAKE_INSTALL_INCLUDEDIR}"
  "RF_VERSION=${PROJECT_VERSION}"
  "RF_SOVERSION=${RF_SOVERSION}"
  "RF_CMAKE=${CMAKE_COMMAND}"
  "RF_GENERATOR=${CMAKE_GENERATOR}"
  "RF_MAKE_PROGRAM=${CMAKE_MAKE_PROGRAM}"
  "RF_CC=${CMAKE_C_COMPILER}"
  "RF_CFLAGS=${_rf_consumer_cflags}"
  "RF_LDFLAGS=${_rf_consumer_ldflags}"
  "RF_PKG_CONFIG=${PKG_CONFIG_EXECUTABLE}"
  "RF_NM=${_rf_nm}"
  "RF_READELF=${RF_READELF_EXECUTABLE}"
  "RF_DOXYGEN=${_rf_doxygen}"
  "RF_DOXYFILE=${_rf_doxyfile}")
set(_rf_env_text "# Written by tests/consumer/consumer_tests.cmake; read by tests/consumer/driver.sh.\n")
foreach(_kv IN LISTS _rf_env_vars)
  string(FIND "${_kv}" "=" _eq)
  string(SUBSTRING "${_kv}" 0 ${_eq} _key)
  math(EXPR _eq "${_eq} + 1")
  string(SUBSTRING "${_kv}" ${_eq} -1 _value)
  string(REPLACE "'" "'\\''" _value "${_value}") # quote for the shell
  string(APPEND _rf_env_text "${_key}='${_value}'\n")
endforeach()
file(CONFIGURE OUTPUT ${_rf_consumer_env} CONTENT "${_rf_env_text}" @ONLY)

find_program(RF_BASH_EXECUTABLE bash)
set(_rf_driver ${RF_BASH_EXECUTABLE} ${_rf_consumer_src}/driver.sh ${_rf_consumer_env})

if(_rf_consumer_install AND RF_BASH_EXECUTABLE)
  add_test(NAME consumer_install COMMAND ${_rf_driver} install)
  set_tests_properties(consumer_install PROPERTIES
    FIXTURES_SETUP referral_installed TIMEOUT 60 LABELS consumer)
  foreach(_step IN ITEMS cmake pkgconfig symbols api)
    add_test(NAME consumer_${_step} COMMAND ${_rf_driver} ${_step})
    set_tests_properties(consumer_${_step} PROPERTIES
      FIXTURES_REQUIRED referral_installed TIMEOUT 120 LABELS consumer)
  endforeach()
endif()

if(RF_BASH_EXECUTABLE)
  add_test(NAME doxygen_headers COMMAND ${_rf_driver} doxygen)
  set_tests_properties(doxygen_headers PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 60 LABELS docs)
endif()
