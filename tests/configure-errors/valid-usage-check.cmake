# Included by check.cmake after the case configured: check the specs.

# The commit of this checkout, when it is one: the revision annotation.
set(revision "")
find_package(Git QUIET)
if(GIT_EXECUTABLE)
  execute_process(COMMAND "${GIT_EXECUTABLE}" rev-parse --verify --quiet
                          "HEAD^{commit}"
    WORKING_DIRECTORY "${SOURCE_DIR}" RESULT_VARIABLE result
    OUTPUT_VARIABLE revision ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT result EQUAL 0)
    set(revision "")
  endif()
endif()
# Sets <out> to the annotations expected from project(), with <user> (the
# ANNOTATIONS of the image) first and winning.
function(project_annotations out user)
  set(list "${user}")
  set(keys "")
  foreach(entry IN LISTS user)
    string(REGEX MATCH "^[^=]+" key "${entry}")
    list(APPEND keys "${key}")
  endforeach()
  set(prefix org.opencontainers.image)
  # The ';' of the description is escaped: one list element.
  set(filled "${prefix}.version=2.3.4"
    "${prefix}.description=Valid usage\\; every keyword"
    "${prefix}.url=https://example.com/valid-usage")
  if(NOT revision STREQUAL "")
    list(APPEND filled "${prefix}.revision=${revision}")
  endif()
  foreach(entry IN LISTS filled)
    string(REGEX MATCH "^[^=]+" key "${entry}")
    if(NOT key IN_LIST keys)
      string(REPLACE ";" "\\;" entry "${entry}")
      list(APPEND list "${entry}")
    endif()
  endforeach()
  set(${out} "${list}" PARENT_SCOPE)
endfunction()

read_spec(full full)
expect_json("${full}" 1 version)
expect_json("${full}" full image)
# Normalized with :latest, in order, duplicates dropped.
set(tags full:latest registry.example.com:5000/team/full:1.0
  localhost/a__b.c-d---e/f_g:latest)
expect_json_array("${full}" "${tags}" tags)
expect_json("${full}" none compression)
expect_json_absent("${full}" compression_level)
expect_json_absent("${full}" config entrypoint)
expect_json_array("${full}" "/opt/app/server-1.2" config cmd)
string(JSON env_length LENGTH "${full}" config env)
if(NOT env_length EQUAL 7)
  fail("config env has ${env_length} elements, expected 7")
endif()
expect_json("${full}" "PATH=/opt/app" config env 0)
expect_json("${full}" "QUOTE=say \"hi\"" config env 1)
expect_json("${full}" "SEMI=a;b" config env 2)
expect_json("${full}" "TAB=a\tb" config env 3)
expect_json("${full}" "BACKSLASH=C:\\dir" config env 4)
string(ASCII 1 ctrl)
expect_json("${full}" "CTRL=${ctrl}" config env 5)
expect_json("${full}" "EMPTY=" config env 6)
if(NOT full MATCHES [["CTRL=\\u0001"]])
  fail("the control character is not written as \\u0001")
endif()
expect_json("${full}" /srv config workdir)
expect_json("${full}" 1000:1000 config user)
expect_json_array("${full}" "8080/tcp;53/udp;9000/sctp" config exposed_ports)
expect_json_array("${full}" "org.opencontainers.image.title=full;eq=a=b"
  config labels)
# ANNOTATIONS wins over project(VERSION); the rest comes from project().
project_annotations(annotations "org.opencontainers.image.version=1.0")
expect_json_array("${full}" "${annotations}" annotations)
expect_json("${full}"
  "org.opencontainers.image.description=Valid usage; every keyword"
  annotations 1)
if(NOT revision STREQUAL "")
  expect_json("${full}"
    "org.opencontainers.image.revision=${revision}" annotations 3)
endif()
# Not given: no base, no skeleton, no stop signal, no volumes.
expect_json_absent("${full}" base)
expect_json_absent("${full}" skeleton)
expect_json_absent("${full}" config stop_signal)
expect_json_array("${full}" "" config volumes)

string(JSON layer_count LENGTH "${full}" layers)
if(NOT layer_count EQUAL 2)
  fail("full has ${layer_count} layers, expected 2")
endif()
# Layer 0: the added files, in call order; mode only where MODE was given.
expect_json("${full}" "ocipack: container_image_add_files" layers 0 created_by)
string(JSON file_count LENGTH "${full}" layers 0 files)
if(NOT file_count EQUAL 4)
  fail("layer 0 has ${file_count} files, expected 4")
endif()
expect_json("${full}" "${SOURCE_DIR}/assets" layers 0 files 0 source)
expect_json("${full}" /data layers 0 files 0 destination)
expect_json_absent("${full}" layers 0 files 0 mode)
expect_json_absent("${full}" layers 0 files 0 owner)
expect_json("${full}" "${SOURCE_DIR}/config/" layers 0 files 1 source)
expect_json("${full}" /etc/app layers 0 files 1 destination)
expect_json("${full}" 0644 layers 0 files 1 mode)
expect_json("${full}" /etc/app.conf layers 0 files 2 source)
expect_json("${full}" /opt/server/bin/share/ layers 0 files 3 source)
expect_json_array("${full}" "" layers 0 directories)
expect_json_array("${full}" "" layers 0 symlinks)
# Layer 1: the TARGETS, duplicates dropped, each an ELF file.
expect_json("${full}" "ocipack: add_container_image TARGETS plugin server"
  layers 1 created_by)
expect_json("${full}" /opt/lib/plugin.so layers 1 files 0 source)
expect_json("${full}" /opt/app layers 1 files 0 destination)
expect_json("${full}" ON layers 1 files 0 elf)
expect_json("${full}" /opt/server/bin/server-1.2 layers 1 files 1 source)
expect_json("${full}" ON layers 1 files 1 elf)
expect_json_array("${full}" "" layers 1 directories)
expect_json_array("${full}" "" layers 1 symlinks)
# RUNTIME_DEPENDENCIES NONE: no sysroot, no libraries.
expect_json("${full}" none runtime_dependencies mode)
expect_json_absent("${full}" runtime_dependencies sysroot)
expect_json_array("${full}" "" runtime_dependencies libraries)
# The top build directory: origins of build outputs are relative to it.
expect_json("${full}" "${BUILD_DIR}" runtime_dependencies build_dir)

read_spec(entry entry)
expect_json_array("${entry}" "entry:latest" tags)
expect_json("${entry}" gzip compression)
expect_json("${entry}" 9 compression_level)
expect_json_array("${entry}" "/server;--verbose" config entrypoint)
expect_json_absent("${entry}" config cmd)
expect_json_absent("${entry}" config workdir)
expect_json_absent("${entry}" config user)
expect_json_array("${entry}" "" config env)
expect_json_array("${entry}" "" config exposed_ports)
expect_json_array("${entry}" "" config labels)
project_annotations(annotations "")
expect_json_array("${entry}" "${annotations}" annotations)
expect_json_array("${entry}" "" config volumes)
string(JSON layer_count LENGTH "${entry}" layers)
if(NOT layer_count EQUAL 1)
  fail("entry has ${layer_count} layers, expected 1 (no added files)")
endif()
expect_json("${entry}" / layers 0 files 0 destination)
# The default: AUTO, no sysroot (CMAKE_SYSROOT is not set), no libraries.
expect_json("${entry}" auto runtime_dependencies mode)
expect_json_absent("${entry}" runtime_dependencies sysroot)
expect_json_array("${entry}" "" runtime_dependencies libraries)
expect_json("${entry}" "${BUILD_DIR}" runtime_dependencies build_dir)

read_spec(both both)
expect_json("${both}" zstd compression)
expect_json("${both}" 19 compression_level)
expect_json_array("${both}" "/bin/sh;-c" config entrypoint)
expect_json("${both}" "echo \"$HOME\" \\ done" config cmd 0)

read_spec(empty empty)
expect_json_absent("${empty}" config cmd)
expect_json_array("${empty}" "" layers)
expect_json("${empty}" auto runtime_dependencies mode)

read_spec(libs libs)
expect_json("${libs}" auto runtime_dependencies mode)
expect_json("${libs}" /opt/sysroot runtime_dependencies sysroot)
expect_json_array("${libs}" "libnss_dns.so.2;/usr/lib/x/libfoo.so"
  runtime_dependencies libraries)
# $<TARGET_FILE:> of a library target: a file of the project.
expect_json_array("${libs}" "/opt/lib/plugin.so"
  runtime_dependencies library_files)
# The tool adds the libraries' layer itself: the spec's layers are unchanged.
string(JSON layer_count LENGTH "${libs}" layers)
if(NOT layer_count EQUAL 1)
  fail("libs has ${layer_count} layers, expected 1 (the TARGETS)")
endif()
expect_json("${libs}" "ocipack: add_container_image TARGETS server"
  layers 0 created_by)

read_spec(cross cross)
expect_json("${cross}" auto runtime_dependencies mode)
expect_json("${cross}" /usr/aarch64-linux-gnu runtime_dependencies sysroot)
expect_json_array("${cross}" "" runtime_dependencies libraries)

read_spec(cross_override cross-override)
expect_json("${cross_override}" /opt/other runtime_dependencies sysroot)

read_spec(cross_none cross-none)
expect_json("${cross_none}" none runtime_dependencies mode)
expect_json_absent("${cross_none}" runtime_dependencies sysroot)

# ---- Issue 4: base, skeleton, volumes, stop signal, owners, directories,
# symbolic links, load targets, --cache-dir ----

read_spec(based based)
expect_json("${based}" "${SOURCE_DIR}/base/busybox.tar" base path)
expect_json("${based}" busybox:1.36 base tag)
expect_json("${based}" ON skeleton)
# Normalized like DESTINATION, duplicates dropped.
expect_json_array("${based}" "/data/cache;/var/log" config volumes)
expect_json("${based}" SIGRTMIN+3 config stop_signal)
expect_json("${based}" nonroot config user)
# ANNOTATIONS wins over project(HOMEPAGE_URL).
project_annotations(annotations
  "org.opencontainers.image.url=https://example.com/based")
expect_json_array("${based}" "${annotations}" annotations)
string(JSON layer_count LENGTH "${based}" layers)
if(NOT layer_count EQUAL 2)
  fail("based has ${layer_count} layers, expected 2")
endif()
expect_json("${based}" "ocipack: container_image_add_files" layers 0 created_by)
# A bare uid is its own gid.
expect_json("${based}" "${SOURCE_DIR}/assets" layers 0 files 0 source)
expect_json("${based}" 1000:1000 layers 0 files 0 owner)
expect_json_absent("${based}" layers 0 files 0 mode)
expect_json("${based}" 0:10 layers 0 files 1 owner)
expect_json("${based}" 0640 layers 0 files 1 mode)
# Directories in call order, normalized; mode and owner only where given.
string(JSON count LENGTH "${based}" layers 0 directories)
if(NOT count EQUAL 3)
  fail("based has ${count} directories, expected 3")
endif()
expect_json("${based}" /data layers 0 directories 0 path)
expect_json("${based}" 0700 layers 0 directories 0 mode)
expect_json("${based}" 65532:65532 layers 0 directories 0 owner)
expect_json("${based}" /var/cache layers 0 directories 1 path)
expect_json("${based}" 65532:65532 layers 0 directories 1 owner)
expect_json("${based}" /run/app layers 0 directories 2 path)
expect_json_absent("${based}" layers 0 directories 2 mode)
expect_json_absent("${based}" layers 0 directories 2 owner)
# Symbolic links: the path normalized, the target as given.
string(JSON count LENGTH "${based}" layers 0 symlinks)
if(NOT count EQUAL 2)
  fail("based has ${count} symlinks, expected 2")
endif()
expect_json("${based}" /usr/bin/sh layers 0 symlinks 0 path)
expect_json("${based}" busybox layers 0 symlinks 0 target)
expect_json("${based}" /bin/env layers 0 symlinks 1 path)
expect_json("${based}" ../usr/bin/env layers 0 symlinks 1 target)
expect_json("${based}" "ocipack: add_container_image TARGETS server"
  layers 1 created_by)
expect_json_array("${based}" "" layers 1 directories)
expect_json_array("${based}" "" layers 1 symlinks)

read_spec(on_layout on-layout)
expect_json("${on_layout}" "${BUILD_DIR}/layout" base path)
expect_json_absent("${on_layout}" base tag)
expect_json_absent("${on_layout}" skeleton)
expect_json("${on_layout}" 9 config stop_signal)
string(JSON layer_count LENGTH "${on_layout}" layers)
if(NOT layer_count EQUAL 1)
  fail("on-layout has ${layer_count} layers, expected 1 (the links)")
endif()
expect_json_array("${on_layout}" "" layers 0 files)
expect_json_array("${on_layout}" "" layers 0 directories)
expect_json("${on_layout}" /etc/localtime layers 0 symlinks 0 path)
expect_json("${on_layout}" /usr/share/zoneinfo/UTC layers 0 symlinks 0 target)

read_spec(on_genex on-genex)
expect_json("${on_genex}" /opt/server/bin/base.tar base path)
expect_json("${on_genex}" TERM config stop_signal)
expect_json_array("${on_genex}" "" layers 0 files)
expect_json("${on_genex}" /tmp layers 0 directories 0 path)
expect_json("${on_genex}" 1777 layers 0 directories 0 mode)
expect_json_array("${on_genex}" "" layers 0 symlinks)

# The build rules (Ninja and Makefiles; other generators are not checked):
# --cache-dir, the BASE as a dependency (index.json for a layout directory;
# Ninja names files of the build tree relative to it),
# the load targets, and a re-configure on a new commit.
read_build_rules(rules)
if(NOT rules STREQUAL "")
  foreach(image IN ITEMS full based on-layout)
    string(FIND "${rules}" "--cache-dir ${BUILD_DIR}/ocipack/${image}.layers"
      at)
    if(at EQUAL -1)
      fail("the build rule of ${image} has no --cache-dir "
           "${BUILD_DIR}/ocipack/${image}.layers")
    endif()
  endforeach()
  foreach(depend IN ITEMS "${SOURCE_DIR}/base/busybox.tar"
      layout/index.json /opt/server/bin/base.tar)
    string(FIND "${rules}" "${depend}" at)
    if(at EQUAL -1)
      fail("no build rule depends on the base ${depend}")
    endif()
  endforeach()
  string(FIND "${rules}" " load -i ${BUILD_DIR}/images/full.tar" load_at)
  string(FIND "${rules}" "full-load: neither docker nor podman was found"
    none_at)
  if(load_at EQUAL -1 AND none_at EQUAL -1)
    fail("full-load neither loads ${BUILD_DIR}/images/full.tar nor says why")
  endif()
  if(NOT revision STREQUAL "")
    execute_process(COMMAND "${GIT_EXECUTABLE}" rev-parse --git-path HEAD
      WORKING_DIRECTORY "${SOURCE_DIR}" OUTPUT_VARIABLE head
      OUTPUT_STRIP_TRAILING_WHITESPACE)
    cmake_path(ABSOLUTE_PATH head BASE_DIRECTORY "${SOURCE_DIR}" NORMALIZE)
    string(FIND "${rules}" "${head}" at)
    if(at EQUAL -1)
      fail("the configure step does not depend on ${head}")
    endif()
  endif()
endif()
