# Included by check.cmake after the case configured: the index's build rule
# (Ninja and Makefiles; other generators are not checked).
read_build_rules(rules)
if(NOT "${rules}" STREQUAL "")
  string(CONCAT command "index --output ${BUILD_DIR}/images/multi.tar "
    "--tag app:latest --tag app:1 ${BUILD_DIR}/amd64.tar "
    "${SOURCE_DIR}/other/arm64.tar")
  string(FIND "${rules}" "${command}" at)
  if(at EQUAL -1)
    fail("no build rule runs \"${command}\"")
  endif()
endif()
