# Included by check.cmake after the case configured: check the specs.

read_spec(broker broker-image)
# The default CMD: the first executable of TARGETS, not of the added ones.
expect_json_array("${broker}" "/usr/sbin/broker" config cmd)
expect_json("${broker}" OFF dlopen_note)
# Library targets, by name or $<TARGET_FILE:>, are files of the project;
# duplicates dropped; file names stay libraries.
expect_json_array("${broker}" "libnss_dns.so.2" runtime_dependencies libraries)
expect_json_array("${broker}" "/opt/lib/auth.so;/opt/lib/libstore.so"
  runtime_dependencies library_files)

# Users in call order; only the members given.
expect_json_length("${broker}" 2 users)
expect_json("${broker}" app users 0 name)
foreach(member IN ITEMS uid gid group home shell)
  expect_json_absent("${broker}" users 0 ${member})
endforeach()
expect_json("${broker}" "svc_1$" users 1 name)
expect_json("${broker}" 0 users 1 uid)
expect_json("${broker}" 4294967294 users 1 gid)
string(JSON type TYPE "${broker}" users 1 gid)
if(NOT type STREQUAL "NUMBER")
  fail("users 1 gid is a ${type}, expected a NUMBER")
endif()
expect_json("${broker}" daemon users 1 group)
expect_json("${broker}" /var/lib/svc users 1 home)
expect_json("${broker}" /bin/sh users 1 shell)

expect_json_length("${broker}" 2 layers)
# RENAME: "name" on that entry only.
expect_json("${broker}" "${SOURCE_DIR}/broker.conf.in" layers 0 files 0 source)
expect_json("${broker}" /etc/broker layers 0 files 0 destination)
expect_json("${broker}" broker.conf layers 0 files 0 name)
expect_json_absent("${broker}" layers 0 files 1 name)
# The targets layer: TARGETS, then each call's targets at its destination.
expect_json("${broker}" "ocipack: add_container_image TARGETS broker; container_image_add_targets plugin auth -> /usr/lib/broker; container_image_add_targets tool -> /usr/bin"
  layers 1 created_by)
expect_json_length("${broker}" 4 layers 1 files)
set(i 0)
foreach(file IN ITEMS /opt/bin/broker=/usr/sbin /opt/lib/plugin.so=/usr/lib/broker
    /opt/lib/auth.so=/usr/lib/broker /opt/bin/tool=/usr/bin)
  string(REGEX REPLACE "=.*" "" source "${file}")
  string(REGEX REPLACE ".*=" "" destination "${file}")
  expect_json("${broker}" "${source}" layers 1 files ${i} source)
  expect_json("${broker}" "${destination}" layers 1 files ${i} destination)
  expect_json("${broker}" ON layers 1 files ${i} elf)
  math(EXPR i "${i} + 1")
endforeach()

read_spec(plugins_only plugins-only)
expect_json_absent("${plugins_only}" config cmd)
expect_json_absent("${plugins_only}" dlopen_note)
expect_json_array("${plugins_only}" "" users)
expect_json_array("${plugins_only}" "" runtime_dependencies library_files)
expect_json("${plugins_only}"
  "ocipack: container_image_add_targets plugin -> /usr/lib" layers 0 created_by)
expect_json("${plugins_only}" /opt/lib/plugin.so layers 0 files 0 source)

# The image is rebuilt when an added target or a library target changes
# (Ninja and Makefiles; other generators are not checked).
read_build_rules(rules)
if(NOT rules STREQUAL "")
  expect_rules_depend("${rules}" /opt/bin/tool /opt/lib/plugin.so
    /opt/lib/libstore.so)
endif()
