# Install rules, the exported CMake package, the pkg-config file and the `docs` target.
# Included at the end of the top-level CMakeLists.txt, after the targets exist.
#
# Installed layout (relative to the prefix; LIBDIR is CMAKE_INSTALL_LIBDIR):
#   include/referral.h, include/referral/*.h, include/referral/sys/backend.h and sys/records.h
#   include/referral/version.h                (generated; version.h.in is not installed)
#   LIBDIR/libreferral.so -> .so.SOVERSION -> .so.VERSION, LIBDIR/libreferral.a
#   LIBDIR/cmake/referral/referral{Config,ConfigVersion,Targets,StaticTargets}*.cmake
#   LIBDIR/pkgconfig/libreferral.pc
#   share/doc/referral/LICENSE
#
# Components: referral_Runtime (the shared library and the licence) and
# referral_Development (headers, static library, namelink, CMake package, pkg-config file),
# so that `cmake --install build --component referral_Runtime` installs only what a
# program needs at run time.

include(CMakePackageConfigHelpers)

# Install rules by default only when libreferral is the top-level project, not when a host
# vendors it with add_subdirectory().
if(CMAKE_SOURCE_DIR STREQUAL PROJECT_SOURCE_DIR)
  set(_rf_install_default ON)
else()
  set(_rf_install_default OFF)
endif()
option(RF_INSTALL "Generate the install rules of libreferral" ${_rf_install_default})

include(${CMAKE_CURRENT_LIST_DIR}/docs.cmake)

if(NOT RF_INSTALL)
  return()
endif()

set(RF_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/referral
    CACHE STRING "Where the CMake package files of libreferral are installed (relative to the prefix)")
set(RF_INSTALL_PKGCONFIGDIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig
    CACHE STRING "Where libreferral.pc is installed (relative to the prefix)")

# --- Headers -------------------------------------------------------------------------------
install(FILES ${PROJECT_SOURCE_DIR}/include/referral.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        COMPONENT referral_Development)
# include/referral/*.h and include/referral/sys/*.h; version.h.in does not match *.h.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/referral/
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/referral
        COMPONENT referral_Development
        FILES_MATCHING PATTERN "*.h")
install(FILES ${PROJECT_BINARY_DIR}/include/referral/version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/referral
        COMPONENT referral_Development)

# --- Libraries -----------------------------------------------------------------------------
# Two export sets: the shared library has no link dependencies a consumer must find, while the
# static one needs sqlite3 and uuid (found again by referralConfig.cmake), so a host that links
# only the shared library never needs their development files.
install(TARGETS referral
        EXPORT referralTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
                COMPONENT referral_Runtime
                NAMELINK_COMPONENT referral_Development
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
                COMPONENT referral_Development
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
                COMPONENT referral_Runtime
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS referral_static
        EXPORT referralStaticTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
                COMPONENT referral_Development
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

install(FILES ${PROJECT_SOURCE_DIR}/LICENSE
        DESTINATION ${CMAKE_INSTALL_DOCDIR}
        COMPONENT referral_Runtime)

# --- CMake package: find_package(referral CONFIG) -> referral::referral, referral::referral_static
install(EXPORT referralTargets
        NAMESPACE referral::
        FILE referralTargets.cmake
        DESTINATION ${RF_INSTALL_CMAKEDIR}
        COMPONENT referral_Development)
install(EXPORT referralStaticTargets
        NAMESPACE referral::
        FILE referralStaticTargets.cmake
        DESTINATION ${RF_INSTALL_CMAKEDIR}
        COMPONENT referral_Development)

configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/referralConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/referralConfig.cmake
  INSTALL_DESTINATION ${RF_INSTALL_CMAKEDIR}
  NO_SET_AND_CHECK_MACRO)
# 0.x releases: the SOVERSION, not this check, is what guards the ABI (see RF_SOVERSION).
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/cmake/referralConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cmake/referralConfig.cmake
              ${PROJECT_BINARY_DIR}/cmake/referralConfigVersion.cmake
        DESTINATION ${RF_INSTALL_CMAKEDIR}
        COMPONENT referral_Development)

# --- pkg-config ----------------------------------------------------------------------------
# The .pc file is written at install time, not at configure time, so that its prefix is the one
# actually installed to (`cmake --install build --prefix /opt/x` then gives prefix=/opt/x).
# file(INSTALL) honours DESTDIR and records the file in install_manifest.txt.
foreach(_rf_dir IN ITEMS LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${_rf_dir}}")
    set(_rf_pc_${_rf_dir} "${CMAKE_INSTALL_${_rf_dir}}")
  elseif(_rf_dir STREQUAL "LIBDIR")
    set(_rf_pc_${_rf_dir} "\${exec_prefix}/${CMAKE_INSTALL_${_rf_dir}}")
  else()
    set(_rf_pc_${_rf_dir} "\${prefix}/${CMAKE_INSTALL_${_rf_dir}}")
  endif()
endforeach()
if(IS_ABSOLUTE "${RF_INSTALL_PKGCONFIGDIR}")
  set(_rf_pc_dest "${RF_INSTALL_PKGCONFIGDIR}")
else()
  set(_rf_pc_dest "\${CMAKE_INSTALL_PREFIX}/${RF_INSTALL_PKGCONFIGDIR}")
endif()
# libpq joins the private dependencies when the PostgreSQL backend is built in: as -lpq only, not
# in Requires.private, because `pkg-config --static libpq` names libpq's own static dependencies
# (-lpgcommon -lpgport -lgssapi_krb5 ...), which distributions such as Debian do not ship; a static
# libreferral links the shared libpq, which brings its own.
if(RF_WITH_POSTGRES)
  set(_rf_pc_requires_pq "")
  set(_rf_pc_libs_pq " -lpq")
else()
  set(_rf_pc_requires_pq "")
  set(_rf_pc_libs_pq "")
endif()
install(CODE "
  # Generated by cmake/install.cmake: write libreferral.pc for the prefix installed to.
  get_filename_component(_rf_prefix \"\${CMAKE_INSTALL_PREFIX}\" ABSOLUTE)
  set(RF_PC_PREFIX \"\${_rf_prefix}\")
  set(RF_PC_LIBDIR [==[${_rf_pc_LIBDIR}]==])
  set(RF_PC_INCLUDEDIR [==[${_rf_pc_INCLUDEDIR}]==])
  set(PROJECT_VERSION [==[${PROJECT_VERSION}]==])
  set(PROJECT_DESCRIPTION [==[${PROJECT_DESCRIPTION}]==])
  set(RF_PC_REQUIRES_PQ [==[${_rf_pc_requires_pq}]==])
  set(RF_PC_LIBS_PQ [==[${_rf_pc_libs_pq}]==])
  configure_file([==[${PROJECT_SOURCE_DIR}/pkgconfig/libreferral.pc.in]==]
                 [==[${PROJECT_BINARY_DIR}/pkgconfig/libreferral.pc]==] @ONLY)
  file(INSTALL DESTINATION \"${_rf_pc_dest}\" TYPE FILE
       FILES [==[${PROJECT_BINARY_DIR}/pkgconfig/libreferral.pc]==])
" COMPONENT referral_Development)
