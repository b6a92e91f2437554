# Included by check.cmake after the case configured: the -push targets' commands.
read_build_rules(rules)
if(NOT "${rules}" STREQUAL "")
  foreach(expected IN ITEMS
      "push --digest-file ${BUILD_DIR}/ocipack/img.pushed.json --insecure ${BUILD_DIR}/img.tar img:latest"
      "push --digest-file ${BUILD_DIR}/ocipack/secure.pushed.json ${BUILD_DIR}/secure.tar registry.example.com/team/secure:1")
    string(FIND "${rules}" "${expected}" at)
    if(at EQUAL -1)
      fail("the build rules do not run \"ocipack ${expected}\"")
    endif()
  endforeach()
  if(rules MATCHES "secure.pushed.json --insecure")
    fail("the image without PUSH_INSECURE pushes with --insecure")
  endif()
endif()
