# Included by check.cmake after the case configured: check the specs.

read_spec(defaults defaults)
expect_json("${defaults}" OFF runtime_data ca_certificates)
expect_json_array("${defaults}" "" runtime_data ca_files)
expect_json("${defaults}" OFF runtime_data tzdata)
expect_json_array("${defaults}" "" runtime_data locales)
expect_json_array("${defaults}" "" runtime_data iconv)
expect_json_type("${defaults}" BOOLEAN runtime_data tzdata)
expect_json_length("${defaults}" 5 runtime_data)
expect_json_absent("${defaults}" strip)
expect_json_absent("${defaults}" created)

read_spec(data data)
expect_json("${data}" ON runtime_data ca_certificates)
expect_json_array("${data}"
  "${SOURCE_DIR}/certs/company-ca.pem;/etc/extra/ca.pem;/opt/certs/genex.pem"
  runtime_data ca_files)
expect_json("${data}" ON runtime_data tzdata)
expect_json_array("${data}" "C.UTF-8;de_DE.UTF-8;en_US.utf8;sr_RS@latin"
  runtime_data locales)
expect_json_array("${data}" "UTF-16LE;ISO_8859-1:1987;ISO-10646/UCS2/"
  runtime_data iconv)
expect_json("${data}" "${CMAKE_COMMAND}" strip)
expect_json("${data}" "2024-02-29T23:59:59.5+02:00" created)
expect_json_type("${data}" STRING created)

read_spec(bundle bundle)
expect_json("${bundle}" ON runtime_data ca_certificates)
expect_json_array("${bundle}" "" runtime_data ca_files)
expect_json_array("${bundle}" ALL runtime_data iconv)
expect_json_absent("${bundle}" created)

read_spec(bundle_last bundle-last)
expect_json("${bundle_last}" ON runtime_data ca_certificates)
expect_json("${bundle_last}" ON runtime_data tzdata)
expect_json("${bundle_last}" "2024-05-01T12:00:00Z" created)

# The commit time, a number; the revision annotation is read with it.
file(READ "${BUILD_DIR}/repo-build/ocipack/from-git.spec.json" from_git)
expect_json("${from_git}" 1714564800 created)
expect_json_type("${from_git}" NUMBER created)
set(repo "${BUILD_DIR}/repo")
find_package(Git REQUIRED)
execute_process(COMMAND "${GIT_EXECUTABLE}" rev-parse HEAD
  WORKING_DIRECTORY "${repo}" OUTPUT_VARIABLE head
  OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
expect_json_array("${from_git}" "org.opencontainers.image.revision=${head}"
  annotations)

# The CA files are dependencies of the image; a new commit re-configures
# (Ninja names files of the build tree relative to it).
read_build_rules(rules)
if(NOT rules STREQUAL "")
  expect_rules_depend("${rules}" "${SOURCE_DIR}/certs/company-ca.pem"
    /etc/extra/ca.pem /opt/certs/genex.pem repo/.git/logs/HEAD)
endif()
