# Included by check.cmake after the case configured: the specs of the short
# and the whole way, their names apart, are the same.

# Sets <out> to the spec of image <name> with its name written as NAME.
function(spec_without_name out name)
  read_spec(json "${name}")
  string(REPLACE "${name}" "NAME" json "${json}")
  set(${out} "${json}" PARENT_SCOPE)
endfunction()

spec_without_name(first first)
foreach(image IN ITEMS second third excluded)
  spec_without_name(other ${image})
  if(NOT other STREQUAL first)
    fail("the spec of ${image} differs from that of first:\n${other}\n${first}")
  endif()
endforeach()
spec_without_name(versioned versioned)
spec_without_name(versioned_whole versioned-whole)
if(NOT versioned STREQUAL versioned_whole)
  fail("the spec of versioned differs from that of versioned-whole:\n"
    "${versioned}\n${versioned_whole}")
endif()
expect_json("${versioned}" "org.opencontainers.image.version=9.8.7"
  annotations 0)
if(versioned STREQUAL first)
  fail("PROJECT_VERSION set between the calls changed no spec")
endif()
# EXCLUDE_FROM_ALL is a keyword, not a target: "excluded" is not in all.
read_build_rules(rules)
if(rules MATCHES "build all: phony[^\n]*excluded")
  fail("excluded is built by all")
endif()
