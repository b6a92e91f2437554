# Included by check.cmake after the case configured: the img-load target
# prints why it cannot load, then fails.

read_build_rules(rules)
if(NOT "${rules}" STREQUAL "")
  string(CONCAT message "img-load: neither docker nor podman was found; "
    "load ${BUILD_DIR}/img.tar with your container tool")
  string(FIND "${rules}" "${message}" at)
  if(at EQUAL -1)
    fail("the build rules do not print \"${message}\"")
  endif()
  if(NOT rules MATCHES "-E false")
    fail("the build rules of img-load do not run \"cmake -E false\"")
  endif()
endif()
