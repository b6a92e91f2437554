# Runs one configure-time case of the Ocipack module, RunCMake style.
#
#   cmake -DCASE=<case> -DOCIPACK_MODULE=<.../Ocipack.cmake>
#         -DWORK_DIR=<scratch dir> [-DGENERATOR=<gen>] [-DMAKE_PROGRAM=<prog>]
#         -P check.cmake
#
# Configures the project of this directory (its CMakeLists.txt), which runs
# <case>.cmake. When <case>-stderr.txt exists, configuring must fail and its
# stderr must match that regex; whitespace runs (CMake wraps long messages)
# are folded to one space in the stderr before matching. Otherwise
# configuring must succeed without a CMake warning or error; then
# <case>-check.cmake, if present, is run here, with SOURCE_DIR and BUILD_DIR
# set and the helpers below available.
cmake_minimum_required(VERSION 3.20)

foreach(var IN ITEMS CASE OCIPACK_MODULE WORK_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check.cmake: pass -D${var}=...")
  endif()
endforeach()
set(SOURCE_DIR "${CMAKE_CURRENT_LIST_DIR}")
if(NOT EXISTS "${SOURCE_DIR}/${CASE}.cmake")
  message(FATAL_ERROR "check.cmake: no case ${SOURCE_DIR}/${CASE}.cmake")
endif()
set(BUILD_DIR "${WORK_DIR}/build")

# ---- Helpers for <case>-check.cmake ------------------------------------------

function(fail)
  string(CONCAT text ${ARGV})
  message(FATAL_ERROR "${CASE}: ${text}")
endfunction()

# Sets <out> to the text of the spec of image <name>; for a multi-config
# generator, that of one configuration.
function(read_spec out name)
  set(spec "${BUILD_DIR}/ocipack/${name}.spec.json")
  if(NOT EXISTS "${spec}")
    file(GLOB specs "${BUILD_DIR}/ocipack/${name}-*.spec.json")
    list(GET specs 0 spec)
  endif()
  if(NOT EXISTS "${spec}")
    fail("no spec was written for image ${name} in ${BUILD_DIR}/ocipack")
  endif()
  file(READ "${spec}" json)
  set(${out} "${json}" PARENT_SCOPE)
endfunction()

# Sets <out> to string(JSON <mode>) of the value at <path>... of <json>;
# fails when there is none.
function(json_query out mode json)
  string(JSON value ERROR_VARIABLE error ${mode} "${json}" ${ARGN})
  if(error)
    fail("${ARGN}: ${error}")
  endif()
  set(${out} "${value}" PARENT_SCOPE)
endfunction()

# Fails unless the JSON value at <path>... of <json> is <expected>.
function(expect_json json expected)
  json_query(actual GET "${json}" ${ARGN})
  if(NOT actual STREQUAL expected)
    fail("${ARGN} is \"${actual}\", expected \"${expected}\"")
  endif()
endfunction()

# Fails unless the JSON array at <path>... of <json> holds exactly the
# strings of the list <expected>.
function(expect_json_array json expected)
  expect_json_type("${json}" ARRAY ${ARGN})
  list(LENGTH expected expected_length)
  expect_json_length("${json}" ${expected_length} ${ARGN})
  set(i 0)
  foreach(item IN LISTS expected)
    string(JSON actual GET "${json}" ${ARGN} ${i})
    if(NOT actual STREQUAL item)
      fail("${ARGN} ${i} is \"${actual}\", expected \"${item}\"")
    endif()
    math(EXPR i "${i} + 1")
  endforeach()
endfunction()

# Fails unless the JSON array or object at <path>... of <json> has <expected>
# elements.
function(expect_json_length json expected)
  json_query(length LENGTH "${json}" ${ARGN})
  if(NOT length EQUAL expected)
    fail("${ARGN} has ${length} elements, expected ${expected}")
  endif()
endfunction()

# Fails unless the JSON value at <path>... of <json> is of <type> (NUMBER,
# STRING, BOOLEAN, ...), as string(JSON TYPE) names it.
function(expect_json_type json type)
  json_query(actual TYPE "${json}" ${ARGN})
  if(NOT actual STREQUAL type)
    fail("${ARGN} is a ${actual}, expected a ${type}")
  endif()
endfunction()

# Fails if <json> has a member at <path>...
function(expect_json_absent json)
  string(JSON actual ERROR_VARIABLE error GET "${json}" ${ARGN})
  if(NOT error)
    fail("${ARGN} is present (\"${actual}\"), expected absent")
  endif()
endfunction()

# Sets <out> to the text of the generated build rules: build.ninja for Ninja;
# CMakeFiles/Makefile.cmake and every build.make for the Makefile generators;
# "" for other generators.
function(read_build_rules out)
  set(text "")
  file(GLOB_RECURSE files "${BUILD_DIR}/build.ninja" "${BUILD_DIR}/*.make"
    "${BUILD_DIR}/CMakeFiles/Makefile.cmake")
  list(SORT files)
  foreach(file IN LISTS files)
    file(READ "${file}" content)
    string(APPEND text "${content}")
  endforeach()
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# Fails unless the build rules of <rules> (read_build_rules()) name each
# <path>... (Ninja names files of the build tree relative to it).
function(expect_rules_depend rules)
  foreach(path IN LISTS ARGN)
    string(FIND "${rules}" "${path}" at)
    if(at EQUAL -1)
      fail("no build rule depends on ${path}")
    endif()
  endforeach()
endfunction()

# ---- Configure the case ------------------------------------------------------

file(REMOVE_RECURSE "${WORK_DIR}")
set(args -S "${SOURCE_DIR}" -B "${BUILD_DIR}" "-DCASE=${CASE}"
  "-DOCIPACK_MODULE=${OCIPACK_MODULE}")
if(GENERATOR)
  list(APPEND args -G "${GENERATOR}")
endif()
if(MAKE_PROGRAM)
  list(APPEND args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" ${args}
  RESULT_VARIABLE result OUTPUT_VARIABLE stdout ERROR_VARIABLE stderr)

if(EXISTS "${SOURCE_DIR}/${CASE}-stderr.txt")
  file(READ "${SOURCE_DIR}/${CASE}-stderr.txt" expected)
  string(STRIP "${expected}" expected)
  string(REGEX REPLACE "[ \t\r\n]+" " " folded "${stderr}")
  if(result EQUAL 0)
    message(FATAL_ERROR "${CASE}: configuring succeeded, expected it to fail "
      "with stderr matching\n  ${expected}\nstderr:\n${stderr}")
  endif()
  if(NOT folded MATCHES "${expected}")
    message(FATAL_ERROR "${CASE}: stderr does not match\n  ${expected}\n"
      "stderr:\n${stderr}")
  endif()
else()
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${CASE}: configuring failed (${result}), expected "
      "success.\nstdout:\n${stdout}\nstderr:\n${stderr}")
  endif()
  if(stderr MATCHES "CMake (Warning|Error|Deprecation)")
    message(FATAL_ERROR "${CASE}: configuring printed a diagnostic:\n"
      "${stderr}")
  endif()
  if(EXISTS "${SOURCE_DIR}/${CASE}-check.cmake")
    include("${SOURCE_DIR}/${CASE}-check.cmake")
  endif()
endif()
message(STATUS "${CASE}: passed")
