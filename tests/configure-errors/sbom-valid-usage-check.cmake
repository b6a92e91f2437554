# Included by check.cmake after the case configured: the specs' "sbom", the
# property CONTAINER_IMAGE_SBOM and the custom command's outputs.
read_spec(defaults defaults)
expect_json_length("${defaults}" 1 sbom formats)
expect_json("${defaults}" spdx sbom formats 0)
expect_json("${defaults}" ON sbom package_metadata)
expect_json("${defaults}" sbom-valid-usage sbom project name)
expect_json("${defaults}" https://example.org/app sbom project homepage)
expect_json_absent("${defaults}" sbom project version)

read_spec(both both)
expect_json("${both}" spdx sbom formats 0)
expect_json("${both}" cyclonedx sbom formats 1)
expect_json("${both}" OFF sbom package_metadata)

read_spec(none none)
expect_json_length("${none}" 0 sbom formats)

foreach(line IN ITEMS "defaults SBOM: [${BUILD_DIR}/defaults.spdx.json]"
    "both SBOM: [${BUILD_DIR}/out/both-image.spdx.json;${BUILD_DIR}/out/both-image.cdx.json]"
    "none SBOM: []")
  string(FIND "${stdout}" "${line}" at)
  if(at EQUAL -1)
    fail("configure did not print \"${line}\"")
  endif()
endforeach()

# The SBOMs are outputs of the image's custom command (Ninja: one rule).
read_build_rules(rules)
if(rules MATCHES "build ")
  if(NOT rules MATCHES "build [^\n]*defaults\\.tar [^\n]*defaults\\.spdx\\.json")
    fail("defaults.spdx.json is not an output of the rule that builds defaults.tar")
  endif()
endif()
