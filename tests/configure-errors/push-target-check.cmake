# Included by check.cmake after the case configured: the -push targets' commands.
read_build_rules(rules)
if(NOT "${rules}" STREQUAL "")
  foreach(expected IN ITEMS
      "push ${BUILD_DIR}/img.tar --digest-file ${BUILD_DIR}/ocipack/img.pushed.json --insecure"
      "push ${BUILD_DIR}/secure.tar --digest-file ${BUILD_DIR}/ocipack/secure.pushed.json")
    string(FIND "${rules}" "${expected}" at)
    if(at EQUAL -1)
      fail("the build rules do not run \"ocipack ${expected}\"")
    endif()
  endforeach()
  if(rules MATCHES "secure.pushed.json --insecure")
    fail("the image without PUSH_INSECURE pushes with --insecure")
  endif()
endif()
