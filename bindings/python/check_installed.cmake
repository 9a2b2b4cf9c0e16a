# ctest python_installed: install the runtime and Python components into a
# fresh prefix, then run check_installed.py against it.
file(REMOVE_RECURSE ${RF_PREFIX})
foreach(component referral_Runtime referral_Python)
  execute_process(COMMAND ${CMAKE_COMMAND} --install ${RF_BUILD} --prefix ${RF_PREFIX} --component ${component}
                  RESULT_VARIABLE rc OUTPUT_QUIET)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "installing ${component} failed")
  endif()
endforeach()
# PYTHONPATH from the test environment points at the build tree; replace it.
set(ENV{PYTHONPATH} ${RF_SITE})
# -P: the script sits beside the source package, which must not shadow the install.
execute_process(COMMAND ${RF_PYTHON} -P ${RF_CHECK} ${RF_PREFIX} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the installed Python package does not work on its own")
endif()
