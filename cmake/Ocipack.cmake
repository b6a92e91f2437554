#[=======================================================================[.rst:
Ocipack
-------

Build OCI container image tarballs from CMake targets, without a Dockerfile
and without a container daemon.

.. code-block:: cmake

  find_package(ocipack CONFIG REQUIRED)  # or add_subdirectory(ocipack)

  add_executable(hello hello.cpp)
  add_container_image(hello-image TARGETS hello)
  # builds hello-image.tar: FROM scratch, COPY hello /, CMD ["/hello"]

The module needs the executable target ``ocipack::ocipack`` (the packing
tool); ``find_package(ocipack)`` and ``add_subdirectory()`` of the ocipack
sources both define it.

At configure time :command:`add_container_image` checks its arguments, and at
the end of the calling directory it writes a JSON build spec with
:command:`file(GENERATE)`, so generator expressions such as
``$<TARGET_FILE:hello>`` resolve per configuration.  At build time the
target ``<name>`` runs ``ocipack build`` on that spec.  Bad input is refused
at configure time with an error naming the function, the keyword and the
value.
#]=======================================================================]

include_guard(GLOBAL)

# Functions record the policies in effect where they are defined, so these
# settings apply to every call, whatever the caller's own policies are.
cmake_policy(PUSH)
cmake_policy(VERSION 3.20...3.25)
# NEW: Ninja rewrites the tool's depfile (absolute paths) for its own use, as
# the Makefile generators do; OLD would take its paths verbatim and warn.
if(POLICY CMP0116)
  cmake_policy(SET CMP0116 NEW)
endif()

define_property(TARGET PROPERTY CONTAINER_IMAGE_FILE
  BRIEF_DOCS "Absolute path of the image tarball that this target builds."
  FULL_DOCS "Set by add_container_image() on the custom target <name>: the "
            "absolute path of the OCI image tarball it builds (OUTPUT).")

#[=======================================================================[.rst:
.. command:: add_container_image

  Add a target that packs CMake targets into an OCI image tarball.

  .. code-block:: cmake

    add_container_image(<name>
                        [TARGETS <target>...]
                        [DESTINATION <dir>]
                        [ENTRYPOINT <arg>...]
                        [CMD <arg>...]
                        [ENV <NAME=value>...]
                        [WORKDIR <dir>]
                        [USER <user>[:<group>]]
                        [EXPOSE <port>[/tcp|/udp|/sctp]...]
                        [LABELS <key=value>...]
                        [ANNOTATIONS <key=value>...]
                        [TAGS <repository>[:<tag>]...]
                        [COMPRESSION gzip|none]
                        [OUTPUT <path>]
                        [EXCLUDE_FROM_ALL]
                        [RUNTIME_DEPENDENCIES AUTO|NONE]
                        [SYSROOT <dir>]
                        [RUNTIME_LIBRARIES <name-or-path>...])

  The image is built ``FROM scratch``.  Its layers are, from the bottom: the
  runtime libraries (if any, see ``RUNTIME_DEPENDENCIES``), the files that
  :command:`container_image_add_files` adds (if any), and the ``TARGETS``;
  nothing else.

  ``<name>``
    The name of the custom target that builds the tarball.  It must be a
    valid target name that is not used yet.  The target's property
    ``CONTAINER_IMAGE_FILE`` holds the absolute path of the tarball.  The
    tarball is rebuilt when the spec, the tool, a target or an added file
    changes.

  ``TARGETS <target>...``
    Executables, shared libraries and module libraries to copy into the
    image, IMPORTED ones too.  They may be defined after the call, up to the
    end of the calling directory.  Default: none.

  ``DESTINATION <dir>``
    The absolute in-image directory the ``TARGETS`` are copied to; ``.`` and
    ``..`` components are refused.  Default: ``/``.

  ``ENTRYPOINT <arg>...``
    The entrypoint, in exec form (like a Dockerfile's JSON form).
    Default: unset.

  ``CMD <arg>...``
    The command, in exec form.  Default: when neither ``CMD`` nor
    ``ENTRYPOINT`` is given, the in-image path of the first executable in
    ``TARGETS`` (``<DESTINATION>/<file name>``); otherwise unset.

  ``ENV <NAME=value>...``
    Environment variables.  Default: ``PATH=/usr/local/sbin:/usr/local/bin:``
    ``/usr/sbin:/usr/bin:/sbin:/bin``, which the tool adds unless ``ENV``
    sets ``PATH``.

  ``WORKDIR <dir>``
    The absolute working directory.  Default: unset (``/``).

  ``USER <user>[:<group>]``
    The user (and group), by name or number, to run as.
    Default: unset (root).

  ``EXPOSE <port>[/tcp|/udp|/sctp]...``
    Exposed ports, 1 to 65535; a bare port means ``/tcp``.  Default: none.

  ``LABELS <key=value>...``
    Labels of the image config.  Default: none.

  ``ANNOTATIONS <key=value>...``
    Annotations of the image manifest.  Default: none.

  ``TAGS <repository>[:<tag>]...``
    The names written into the tarball, as ``docker load`` shows them, for
    example ``hello:1`` or ``registry.example.com:5000/team/hello:1``.
    Repository names are lower case; a name without ``:<tag>`` gets
    ``:latest``; digests (``@sha256:...``) are refused.
    Default: ``<name>:latest``.

  ``COMPRESSION gzip|none``
    Layer compression.  ``zstd`` is not supported yet.  Default: ``gzip``.

  ``OUTPUT <path>``
    The tarball; a relative path is relative to
    :variable:`CMAKE_CURRENT_BINARY_DIR`.
    Default: ``${CMAKE_CURRENT_BINARY_DIR}/<name>.tar``.

  ``EXCLUDE_FROM_ALL``
    Do not build the image with the default (``all``) target.
    Default: built by ``all``.

  ``RUNTIME_DEPENDENCIES AUTO|NONE``
    ``AUTO`` bundles the ELF interpreter and every shared library that the
    ``TARGETS`` need, directly or through other libraries, found as the
    dynamic loader would find them (``RPATH``/``RUNPATH`` with ``$ORIGIN``,
    ``$LIB`` and ``$PLATFORM`` expanded, the directories of
    ``ld.so.conf``, then the default directories), into a layer of their own
    below the added files and the ``TARGETS``.  ``NONE`` bundles nothing:
    link the ``TARGETS`` statically, or add what they need with
    :command:`container_image_add_files`.  Default: ``AUTO``.

  ``SYSROOT <dir>``
    The absolute directory that ``AUTO`` resolves the libraries in, as if it
    were the root of the target system: for cross builds, for example
    ``/usr/aarch64-linux-gnu``.  Generator expressions are allowed.  Refused
    with ``RUNTIME_DEPENDENCIES NONE``.  Default:
    :variable:`CMAKE_SYSROOT` when it is set and not empty (for ``AUTO``),
    otherwise unset (``/``).

  ``RUNTIME_LIBRARIES <name-or-path>...``
    Libraries that the ``TARGETS`` load only with ``dlopen()`` (NSS modules
    such as ``libnss_dns.so.2``, plugins), bundled by ``AUTO`` together with
    their own dependencies.  Each is a file name without ``/``, looked up
    like a ``DT_NEEDED`` name, or an absolute path in the target system
    (below ``SYSROOT``).  Generator expressions are allowed; duplicates are
    dropped.  Refused with ``RUNTIME_DEPENDENCIES NONE``.  Default: none.

  ``BASE`` is reserved for a base image and refused in this version.
#]=======================================================================]
function(add_container_image)
  list(APPEND CMAKE_MESSAGE_CONTEXT "ocipack")
  set(options EXCLUDE_FROM_ALL)
  set(one_value DESTINATION WORKDIR USER COMPRESSION OUTPUT BASE
    RUNTIME_DEPENDENCIES SYSROOT)
  set(multi_value TARGETS ENTRYPOINT CMD ENV EXPOSE LABELS ANNOTATIONS TAGS
    RUNTIME_LIBRARIES)
  set(keywords ${options} ${one_value} ${multi_value})

  if(ARGC EQUAL 0 OR "${ARGV0}" IN_LIST keywords)
    _container_image_fail("add_container_image()"
      "missing image name (the first argument)")
  endif()
  set(name "${ARGV0}")
  set(ctx "add_container_image(${name})")
  _container_image_check_name("${ctx}" "${name}")

  cmake_parse_arguments(PARSE_ARGV 1 arg
    "${options}" "${one_value}" "${multi_value}")
  # The keywords actually written, to tell `USER ""` from no USER at all.
  set(given "")
  if(ARGC GREATER 1)
    math(EXPR last "${ARGC} - 1")
    foreach(i RANGE 1 ${last})
      if("${ARGV${i}}" IN_LIST keywords)
        list(APPEND given "${ARGV${i}}")
      endif()
    endforeach()
  endif()
  _container_image_check_parsed("${ctx}" arg "${one_value};${multi_value}"
    "${given}")
  if(DEFINED arg_UNPARSED_ARGUMENTS)
    set(unknown "")
    foreach(argument IN LISTS arg_UNPARSED_ARGUMENTS)
      string(APPEND unknown " \"${argument}\"")
    endforeach()
    list(JOIN keywords ", " known)
    _container_image_fail("${ctx}" "unknown argument(s)${unknown} (the "
      "keywords are ${known})")
  endif()

  # ---- Options that this version refuses ----

  if("BASE" IN_LIST given)
    _container_image_fail("${ctx}" "BASE \"${arg_BASE}\" is not supported yet: "
      "images are built FROM scratch in this version")
  endif()

  set(compression gzip)
  if(DEFINED arg_COMPRESSION)
    if("${arg_COMPRESSION}" STREQUAL "zstd")
      _container_image_fail("${ctx}" "COMPRESSION \"zstd\" is not supported "
        "yet; use gzip or none")
    elseif(NOT "${arg_COMPRESSION}" MATCHES "^(gzip|none)$")
      _container_image_fail("${ctx}" "COMPRESSION \"${arg_COMPRESSION}\" is "
        "not one of gzip, none")
    endif()
    set(compression "${arg_COMPRESSION}")
  endif()

  # ---- Runtime dependencies ----

  set(runtime_mode auto)
  if(DEFINED arg_RUNTIME_DEPENDENCIES)
    if(NOT "${arg_RUNTIME_DEPENDENCIES}" MATCHES "^(AUTO|NONE)$")
      _container_image_fail("${ctx}" "RUNTIME_DEPENDENCIES "
        "\"${arg_RUNTIME_DEPENDENCIES}\" is not one of AUTO, NONE")
    endif()
    string(TOLOWER "${arg_RUNTIME_DEPENDENCIES}" runtime_mode)
  endif()

  # NONE bundles nothing, so these would be silently ignored.
  if(runtime_mode STREQUAL "none")
    if(DEFINED arg_SYSROOT)
      _container_image_fail("${ctx}" "SYSROOT \"${arg_SYSROOT}\" is given "
        "with RUNTIME_DEPENDENCIES NONE, which resolves no libraries; drop "
        "one of them")
    endif()
    if(DEFINED arg_RUNTIME_LIBRARIES)
      list(JOIN arg_RUNTIME_LIBRARIES "\" \"" libraries)
      _container_image_fail("${ctx}" "RUNTIME_LIBRARIES \"${libraries}\" is "
        "given with RUNTIME_DEPENDENCIES NONE, which bundles no libraries; "
        "drop one of them")
    endif()
  endif()

  # The sysroot is a directory of the build host; a generator expression is
  # resolved by file(GENERATE) and checked by the tool.
  set(sysroot "")
  if(DEFINED arg_SYSROOT)
    set(sysroot "${arg_SYSROOT}")
    if(NOT "${sysroot}" MATCHES "\\$<")
      cmake_path(IS_ABSOLUTE sysroot absolute)
      if(NOT absolute)
        _container_image_fail("${ctx}" "SYSROOT \"${sysroot}\" is not an "
          "absolute path")
      endif()
    endif()
  elseif(runtime_mode STREQUAL "auto" AND NOT "${CMAKE_SYSROOT}" STREQUAL "")
    set(sysroot "${CMAKE_SYSROOT}")
    if(NOT "${sysroot}" MATCHES "\\$<")
      cmake_path(IS_ABSOLUTE sysroot absolute)
      if(NOT absolute)
        _container_image_fail("${ctx}" "the default SYSROOT, CMAKE_SYSROOT "
          "\"${sysroot}\", is not an absolute path; pass SYSROOT")
      endif()
    endif()
  endif()

  # Names are looked up like DT_NEEDED entries, paths are in the target
  # system (below the sysroot), so they start with "/" on any build host.
  set(runtime_libraries "")
  foreach(library IN LISTS arg_RUNTIME_LIBRARIES)
    if("${library}" STREQUAL "")
      _container_image_fail("${ctx}" "a RUNTIME_LIBRARIES value is empty")
    endif()
    if(NOT "${library}" MATCHES "\\$<"
       AND ("${library}" MATCHES "^\\.\\.?$"
            OR ("${library}" MATCHES "/" AND NOT "${library}" MATCHES "^/")))
      _container_image_fail("${ctx}" "RUNTIME_LIBRARIES value \"${library}\" "
        "is neither a file name (without '/') nor an absolute path")
    endif()
    list(APPEND runtime_libraries "${library}")
  endforeach()
  list(REMOVE_DUPLICATES runtime_libraries)

  # ---- In-image paths and the config ----

  set(destination /)
  if(DEFINED arg_DESTINATION)
    _container_image_image_dir(destination "${ctx}" DESTINATION
      "${arg_DESTINATION}")
  endif()

  set(workdir "")
  if(DEFINED arg_WORKDIR)
    _container_image_image_dir(workdir "${ctx}" WORKDIR "${arg_WORKDIR}")
  endif()

  foreach(kw IN ITEMS ENTRYPOINT CMD)
    if(DEFINED arg_${kw})
      list(GET arg_${kw} 0 program)
      if("${program}" STREQUAL "")
        _container_image_fail("${ctx}" "the first ${kw} argument (the program) "
          "is empty")
      endif()
    endif()
  endforeach()

  foreach(entry IN LISTS arg_ENV)
    if(NOT "${entry}" MATCHES "^[^=]+=")
      _container_image_fail("${ctx}" "ENV value \"${entry}\" is not of the "
        "form NAME=value")
    endif()
  endforeach()
  foreach(kw IN ITEMS LABELS ANNOTATIONS)
    set(keys "")
    foreach(entry IN LISTS arg_${kw})
      if(NOT "${entry}" MATCHES "^([^=]+)=")
        _container_image_fail("${ctx}" "${kw} value \"${entry}\" is not of the "
          "form key=value")
      endif()
      # A label or annotation is a map entry: a second value would be lost.
      if("${CMAKE_MATCH_1}" IN_LIST keys)
        _container_image_fail("${ctx}" "${kw} key \"${CMAKE_MATCH_1}\" is "
          "given twice")
      endif()
      list(APPEND keys "${CMAKE_MATCH_1}")
    endforeach()
  endforeach()

  if(DEFINED arg_USER AND ("${arg_USER}" MATCHES "[ \t\r\n]"
                           OR NOT "${arg_USER}" MATCHES "^[^:]+(:[^:]+)?$"))
    _container_image_fail("${ctx}" "USER value \"${arg_USER}\" is not of the "
      "form <user>[:<group>] (no whitespace, at most one ':', neither part "
      "empty)")
  endif()

  set(exposed_ports "")
  foreach(port IN LISTS arg_EXPOSE)
    set(port_re "^([1-9][0-9]?[0-9]?[0-9]?[0-9]?)(/(tcp|udp|sctp))?$")
    if(NOT "${port}" MATCHES "${port_re}" OR CMAKE_MATCH_1 GREATER 65535)
      _container_image_fail("${ctx}" "EXPOSE value \"${port}\" is not of the "
        "form <port>[/tcp|/udp|/sctp] with a port from 1 to 65535")
    endif()
    if(NOT "${port}" MATCHES "/")
      string(APPEND port "/tcp")
    endif()
    list(APPEND exposed_ports "${port}")
  endforeach()
  list(REMOVE_DUPLICATES exposed_ports)

  # ---- Names and the output ----

  set(tags "")
  if(DEFINED arg_TAGS)
    foreach(tag IN LISTS arg_TAGS)
      _container_image_normalize_tag(normalized error "${tag}")
      if(NOT "${error}" STREQUAL "")
        _container_image_fail("${ctx}" "TAGS value \"${tag}\" is not a valid "
          "image reference: ${error}")
      endif()
      list(APPEND tags "${normalized}")
    endforeach()
  else()
    _container_image_normalize_tag(tags error "${name}")
    if(NOT "${error}" STREQUAL "")
      _container_image_fail("${ctx}" "the default tag \"${name}:latest\" is "
        "not a valid image reference (${error}); pass TAGS")
    endif()
  endif()
  list(REMOVE_DUPLICATES tags)

  set(output "${CMAKE_CURRENT_BINARY_DIR}/${name}.tar")
  if(DEFINED arg_OUTPUT)
    if("${arg_OUTPUT}" MATCHES "/$")
      _container_image_fail("${ctx}" "OUTPUT \"${arg_OUTPUT}\" names a "
        "directory, not the tarball")
    endif()
    set(output "${arg_OUTPUT}")
    if(NOT IS_ABSOLUTE "${output}")
      set(output "${CMAKE_CURRENT_BINARY_DIR}/${output}")
    endif()
  endif()
  cmake_path(SET output NORMALIZE "${output}")
  get_property(owner GLOBAL PROPERTY "_CONTAINER_IMAGE_OUTPUT:${output}")
  if(NOT "${owner}" STREQUAL "")
    _container_image_fail("${ctx}" "OUTPUT \"${output}\" is already the output "
      "of add_container_image(${owner})")
  endif()
  set_property(GLOBAL PROPERTY "_CONTAINER_IMAGE_OUTPUT:${output}" "${name}")

  # ---- The target now, the build rule at the end of the directory ----
  # container_image_add_files() may still add to the image, and TARGETS may
  # still be defined, until the end of this directory.

  set(all ALL)
  if(arg_EXCLUDE_FROM_ALL)
    set(all "")
  endif()
  add_custom_target("${name}" ${all} DEPENDS "${output}")
  set_property(TARGET "${name}" PROPERTY CONTAINER_IMAGE_FILE "${output}")

  set(targets "${arg_TARGETS}")
  list(REMOVE_DUPLICATES targets)
  foreach(setting IN ITEMS targets destination compression tags workdir
      exposed_ports runtime_mode sysroot runtime_libraries)
    string(TOUPPER "${setting}" property)
    set_property(TARGET "${name}"
      PROPERTY "_CONTAINER_IMAGE_${property}" "${${setting}}")
  endforeach()
  foreach(kw IN ITEMS ENTRYPOINT CMD ENV USER LABELS ANNOTATIONS)
    set_property(TARGET "${name}"
      PROPERTY "_CONTAINER_IMAGE_${kw}" "${arg_${kw}}")
  endforeach()
  set_property(TARGET "${name}" PROPERTY _CONTAINER_IMAGE_FILES_COUNT 0)
  set_property(TARGET "${name}" PROPERTY _CONTAINER_IMAGE_FINALIZED FALSE)
  set_property(TARGET "${name}"
    PROPERTY _CONTAINER_IMAGE_SOURCE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")

  # EVAL so that the name is expanded now: the arguments of a deferred call
  # are otherwise evaluated when it runs, where ${name} no longer exists.
  # The name is a valid target name, so it needs no quoting beyond [[ ]].
  cmake_language(EVAL CODE
    "cmake_language(DEFER CALL _container_image_finalize [[${name}]])")
endfunction()

#[=======================================================================[.rst:
.. command:: container_image_add_files

  Add files and directories to an image made by :command:`add_container_image`.

  .. code-block:: cmake

    container_image_add_files(<name> <path>... DESTINATION <dir>
                              [MODE <octal>])

  Call it in the directory that called ``add_container_image(<name>)``,
  before the end of that directory.  All added files go into one layer,
  below the layer of the image's ``TARGETS``.

  ``<name>``
    The image, as named in :command:`add_container_image`.

  ``<path>...``
    Files and directories, relative to :variable:`CMAKE_CURRENT_SOURCE_DIR`
    unless absolute; generator expressions are allowed (each must give one
    path).  As with :command:`install(DIRECTORY)`, a directory is copied
    under its own name (``assets`` with ``DESTINATION /data`` gives
    ``/data/assets/...``), or only its contents when the path ends in ``/``.
    Symbolic links stay symbolic links.  Required.

  ``DESTINATION <dir>``
    The absolute in-image directory to copy to; ``.`` and ``..`` components
    are refused.  Required.

  ``MODE <octal>``
    The permissions of the copied files, 3 or 4 octal digits such as
    ``0644``.  Default: ``0755`` for directories and executables, ``0644``
    for other files.
#]=======================================================================]
function(container_image_add_files)
  list(APPEND CMAKE_MESSAGE_CONTEXT "ocipack")
  set(one_value DESTINATION MODE)

  if(ARGC EQUAL 0 OR "${ARGV0}" IN_LIST one_value)
    _container_image_fail("container_image_add_files()"
      "missing image name (the first argument)")
  endif()
  set(name "${ARGV0}")
  set(ctx "container_image_add_files(${name})")

  if(NOT TARGET "${name}")
    _container_image_fail("${ctx}" "\"${name}\" is not an image made by "
      "add_container_image()")
  endif()
  get_property(image_dir TARGET "${name}" PROPERTY _CONTAINER_IMAGE_SOURCE_DIR)
  if("${image_dir}" STREQUAL "")
    _container_image_fail("${ctx}" "\"${name}\" is a target, but not an image "
      "made by add_container_image()")
  endif()
  get_property(finalized TARGET "${name}" PROPERTY _CONTAINER_IMAGE_FINALIZED)
  if(finalized)
    _container_image_fail("${ctx}" "the image \"${name}\" is already "
      "finalized: call container_image_add_files() before the end of the "
      "directory that called add_container_image(${name}) (${image_dir})")
  endif()
  if(NOT "${image_dir}" STREQUAL "${CMAKE_CURRENT_SOURCE_DIR}")
    _container_image_fail("${ctx}" "called from ${CMAKE_CURRENT_SOURCE_DIR}, "
      "but the image \"${name}\" belongs to ${image_dir}: call "
      "container_image_add_files() in the directory that called "
      "add_container_image(${name})")
  endif()

  cmake_parse_arguments(PARSE_ARGV 1 arg "" "${one_value}" "")
  set(given "")
  if(ARGC GREATER 1)
    math(EXPR last "${ARGC} - 1")
    foreach(i RANGE 1 ${last})
      if("${ARGV${i}}" IN_LIST one_value)
        list(APPEND given "${ARGV${i}}")
      endif()
    endforeach()
  endif()
  # The unparsed arguments are the paths.
  _container_image_check_parsed("${ctx}" arg "${one_value}" "${given}")

  if(NOT DEFINED arg_UNPARSED_ARGUMENTS)
    _container_image_fail("${ctx}" "no files or directories given")
  endif()
  if(NOT DEFINED arg_DESTINATION)
    _container_image_fail("${ctx}" "DESTINATION is required")
  endif()
  _container_image_image_dir(destination "${ctx}" DESTINATION
    "${arg_DESTINATION}")
  set(mode "")
  if(DEFINED arg_MODE)
    if(NOT "${arg_MODE}" MATCHES "^[0-7][0-7][0-7][0-7]?$")
      _container_image_fail("${ctx}" "MODE \"${arg_MODE}\" is not an octal "
        "mode of 3 or 4 digits (such as 0644)")
    endif()
    set(mode "${arg_MODE}")
  endif()

  get_property(count TARGET "${name}" PROPERTY _CONTAINER_IMAGE_FILES_COUNT)
  foreach(path IN LISTS arg_UNPARSED_ARGUMENTS)
    if("${path}" STREQUAL "")
      _container_image_fail("${ctx}" "a path is empty")
    endif()
    # A generator expression is resolved by file(GENERATE), as given. A plain
    # path is made absolute; NORMALIZE keeps a trailing "/" (contents only).
    if(NOT "${path}" MATCHES "\\$<")
      cmake_path(ABSOLUTE_PATH path
        BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" NORMALIZE)
    endif()
    set(prefix "_CONTAINER_IMAGE_FILES_${count}")
    set_property(TARGET "${name}" PROPERTY "${prefix}_SOURCE" "${path}")
    set_property(TARGET "${name}"
      PROPERTY "${prefix}_DESTINATION" "${destination}")
    set_property(TARGET "${name}" PROPERTY "${prefix}_MODE" "${mode}")
    math(EXPR count "${count} + 1")

    # Rebuild when it changes; the tool's depfile lists a directory's files.
    string(REGEX REPLACE "(.)/+$" "\\1" depend "${path}")
    set_property(TARGET "${name}" APPEND
      PROPERTY _CONTAINER_IMAGE_FILES_DEPENDS "${depend}")
  endforeach()
  set_property(TARGET "${name}" PROPERTY _CONTAINER_IMAGE_FILES_COUNT ${count})
endfunction()

# ---- Private: the end of the directory ---------------------------------------

# Validates the TARGETS, writes the build spec and adds the build rule of image
# <name>. Runs deferred, at the end of the directory that made the image.
function(_container_image_finalize name)
  list(APPEND CMAKE_MESSAGE_CONTEXT "ocipack")
  set(ctx "add_container_image(${name})")
  set_property(TARGET "${name}" PROPERTY _CONTAINER_IMAGE_FINALIZED TRUE)

  foreach(setting IN ITEMS targets destination compression tags workdir
      exposed_ports runtime_mode sysroot runtime_libraries entrypoint cmd env
      user labels annotations files_count files_depends)
    string(TOUPPER "${setting}" property)
    get_property(${setting} TARGET "${name}"
      PROPERTY "_CONTAINER_IMAGE_${property}")
  endforeach()

  if(NOT TARGET ocipack::ocipack)
    _container_image_fail("${ctx}" "the target ocipack::ocipack (the ocipack "
      "tool) is not defined here; call find_package(ocipack CONFIG REQUIRED), "
      "or add_subdirectory() the ocipack sources, in this directory or a "
      "parent one")
  endif()

  # The path of the first executable is the default CMD.
  set(default_cmd "")
  foreach(target IN LISTS targets)
    if(NOT TARGET "${target}")
      _container_image_fail("${ctx}" "TARGETS \"${target}\" is not a target "
        "(it must be defined by the end of ${CMAKE_CURRENT_SOURCE_DIR})")
    endif()
    get_property(type TARGET "${target}" PROPERTY TYPE)
    if(NOT "${type}" MATCHES "^(EXECUTABLE|SHARED_LIBRARY|MODULE_LIBRARY)$")
      _container_image_fail("${ctx}" "TARGETS \"${target}\" is a ${type}; "
        "only executables, shared libraries and module libraries can be put "
        "in an image")
    endif()
    if("${type}" STREQUAL "EXECUTABLE" AND "${default_cmd}" STREQUAL "")
      string(REGEX REPLACE "/$" "" directory "${destination}")
      set(default_cmd "${directory}/$<TARGET_FILE_NAME:${target}>")
    endif()
  endforeach()
  if("${cmd}" STREQUAL "" AND "${entrypoint}" STREQUAL "")
    set(cmd "${default_cmd}")
  endif()

  # ---- The spec: the one input of the tool (schema version 1) ----

  set(spec_json "{\n  \"version\": 1,\n")
  _container_image_json_string(json "${name}")
  string(APPEND spec_json "  \"image\": ${json},\n")
  _container_image_json_array(json "${tags}")
  string(APPEND spec_json "  \"tags\": ${json},\n")
  _container_image_json_string(json "${compression}")
  string(APPEND spec_json "  \"compression\": ${json},\n")

  set(config "")
  if(NOT "${entrypoint}" STREQUAL "")
    _container_image_json_array(json "${entrypoint}")
    string(APPEND config "    \"entrypoint\": ${json},\n")
  endif()
  if(NOT "${cmd}" STREQUAL "")
    _container_image_json_array(json "${cmd}")
    string(APPEND config "    \"cmd\": ${json},\n")
  endif()
  _container_image_json_array(json "${env}")
  string(APPEND config "    \"env\": ${json},\n")
  if(NOT "${workdir}" STREQUAL "")
    _container_image_json_string(json "${workdir}")
    string(APPEND config "    \"workdir\": ${json},\n")
  endif()
  if(NOT "${user}" STREQUAL "")
    _container_image_json_string(json "${user}")
    string(APPEND config "    \"user\": ${json},\n")
  endif()
  _container_image_json_array(json "${exposed_ports}")
  string(APPEND config "    \"exposed_ports\": ${json},\n")
  _container_image_json_array(json "${labels}")
  string(APPEND config "    \"labels\": ${json}\n")
  string(APPEND spec_json "  \"config\": {\n${config}  },\n")

  _container_image_json_array(json "${annotations}")
  string(APPEND spec_json "  \"annotations\": ${json},\n")

  # The tool adds the layer of the libraries itself, below the others.
  _container_image_json_string(json "${runtime_mode}")
  set(runtime "{\"mode\": ${json}")
  if(NOT "${sysroot}" STREQUAL "")
    _container_image_json_string(json "${sysroot}")
    string(APPEND runtime ", \"sysroot\": ${json}")
  endif()
  _container_image_json_array(json "${runtime_libraries}")
  string(APPEND runtime ", \"libraries\": ${json}}")
  string(APPEND spec_json "  \"runtime_dependencies\": ${runtime},\n")

  set(layers "")
  if(files_count GREATER 0)
    set(files "")
    math(EXPR last "${files_count} - 1")
    foreach(i RANGE 0 ${last})
      set(prefix "_CONTAINER_IMAGE_FILES_${i}")
      get_property(source TARGET "${name}" PROPERTY "${prefix}_SOURCE")
      get_property(to TARGET "${name}" PROPERTY "${prefix}_DESTINATION")
      get_property(mode TARGET "${name}" PROPERTY "${prefix}_MODE")
      _container_image_json_string(json "${source}")
      string(APPEND files "        {\"source\": ${json}, ")
      _container_image_json_string(json "${to}")
      string(APPEND files "\"destination\": ${json}")
      if(NOT "${mode}" STREQUAL "")
        _container_image_json_string(json "${mode}")
        string(APPEND files ", \"mode\": ${json}")
      endif()
      if(i LESS last)
        string(APPEND files "},\n")
      else()
        string(APPEND files "}\n")
      endif()
    endforeach()
    string(APPEND layers "    {\n"
      "      \"created_by\": \"ocipack: container_image_add_files\",\n"
      "      \"files\": [\n${files}      ]\n"
      "    }")
  endif()
  if(NOT "${targets}" STREQUAL "")
    if(NOT "${layers}" STREQUAL "")
      string(APPEND layers ",\n")
    endif()
    list(JOIN targets " " target_names)
    _container_image_json_string(json
      "ocipack: add_container_image TARGETS ${target_names}")
    string(APPEND layers "    {\n      \"created_by\": ${json},\n"
      "      \"files\": [\n")
    _container_image_json_string(to "${destination}")
    set(separator "")
    foreach(target IN LISTS targets)
      string(APPEND layers "${separator}        {\"source\": "
        "\"$<TARGET_FILE:${target}>\", \"destination\": ${to}, "
        "\"elf\": true}")
      set(separator ",\n")
    endforeach()
    string(APPEND layers "\n      ]\n    }")
  endif()
  if("${layers}" STREQUAL "")
    string(APPEND spec_json "  \"layers\": []\n}\n")
  else()
    string(APPEND spec_json "  \"layers\": [\n${layers}\n  ]\n}\n")
  endif()

  # ---- Files and the build rule ----

  get_property(multi_config GLOBAL PROPERTY GENERATOR_IS_MULTI_CONFIG)
  if(multi_config)
    set(spec "${CMAKE_CURRENT_BINARY_DIR}/ocipack/${name}-$<CONFIG>.spec.json")
  else()
    set(spec "${CMAKE_CURRENT_BINARY_DIR}/ocipack/${name}.spec.json")
  endif()
  # file(GENERATE) rewrites the spec only when its content changes, so an
  # unchanged image is not rebuilt by a re-configure.
  file(GENERATE OUTPUT "${spec}" CONTENT "${spec_json}")

  get_property(output TARGET "${name}" PROPERTY CONTAINER_IMAGE_FILE)
  # Ninja creates the directory of an OUTPUT, the Makefile generators do not.
  if(NOT "${output}" MATCHES "\\$<")
    cmake_path(GET output PARENT_PATH output_dir)
    file(MAKE_DIRECTORY "${output_dir}")
  endif()
  set(depfile "${CMAKE_CURRENT_BINARY_DIR}/ocipack/${name}.d")
  # The depfile adds the files inside added directories. CMake 3.20 reads
  # it with Ninja and Makefiles only; 3.21 added Visual Studio and Xcode.
  set(depfile_option "")
  if("${CMAKE_GENERATOR}" MATCHES "Ninja|Makefiles"
     OR CMAKE_VERSION VERSION_GREATER_EQUAL 3.21)
    set(depfile_option DEPFILE "${depfile}")
  endif()
  add_custom_command(OUTPUT "${output}"
    COMMAND ocipack::ocipack build
            --spec "${spec}" --output "${output}" --depfile "${depfile}"
    DEPENDS "${spec}" ocipack::ocipack ${targets} ${files_depends}
    ${depfile_option}
    COMMENT "Packing container image ${name}"
    VERBATIM)
endfunction()

# ---- Private: checks ---------------------------------------------------------

# Stops with "<ctx>: <text>..." (the pieces concatenated, ';' kept).
function(_container_image_fail ctx)
  set(text "")
  if(ARGC GREATER 1)
    math(EXPR last "${ARGC} - 1")
    foreach(i RANGE 1 ${last})
      string(APPEND text "${ARGV${i}}")
    endforeach()
  endif()
  message(FATAL_ERROR "${ctx}: ${text}")
endfunction()

# Fails unless <name> can become the target of a new image.
function(_container_image_check_name ctx name)
  if(NOT "${name}" MATCHES "^[A-Za-z0-9_.+-]+$")
    _container_image_fail("${ctx}" "the image name \"${name}\" is not a valid "
      "target name (letters, digits and _ . + - only)")
  endif()
  set(reserved all ALL_BUILD clean edit_cache help install INSTALL package
    PACKAGE package_source preinstall rebuild_cache RUN_TESTS test ZERO_CHECK)
  if(name IN_LIST reserved)
    _container_image_fail("${ctx}" "the image name \"${name}\" is reserved by "
      "CMake")
  endif()
  if(TARGET "${name}")
    get_property(image_dir TARGET "${name}"
      PROPERTY _CONTAINER_IMAGE_SOURCE_DIR)
    if(NOT "${image_dir}" STREQUAL "")
      _container_image_fail("${ctx}" "an image named \"${name}\" already "
        "exists (made in ${image_dir})")
    endif()
    _container_image_fail("${ctx}" "the image name \"${name}\" is already the "
      "name of a target")
  endif()
endfunction()

# Fails on a keyword written without a value, or with only an empty string.
# <prefix> is that of cmake_parse_arguments(); <given> the keywords written.
function(_container_image_check_parsed ctx prefix keywords given)
  foreach(keyword IN LISTS ${prefix}_KEYWORDS_MISSING_VALUES)
    _container_image_fail("${ctx}" "${keyword} is given without a value")
  endforeach()
  foreach(keyword IN LISTS keywords)
    if(keyword IN_LIST given AND "${${prefix}_${keyword}}" STREQUAL "")
      _container_image_fail("${ctx}" "${keyword} is given without a value")
    endif()
  endforeach()
endfunction()

# Sets <out> to the in-image directory <value> without repeated or trailing
# slashes; fails, naming <keyword>, unless it is absolute and free of "." and
# ".." components.
function(_container_image_image_dir out ctx keyword value)
  if(NOT "${value}" MATCHES "^/")
    _container_image_fail("${ctx}" "${keyword} \"${value}\" is not an absolute "
      "path in the image")
  endif()
  if("${value}" MATCHES "/(\\.\\.?)(/|$)")
    _container_image_fail("${ctx}" "${keyword} \"${value}\" contains a "
      "\"${CMAKE_MATCH_1}\" component")
  endif()
  string(REGEX REPLACE "/+" "/" value "${value}")
  string(REGEX REPLACE "(.)/$" "\\1" value "${value}")
  set(${out} "${value}" PARENT_SCOPE)
endfunction()

# Sets <out> to image reference <ref> with ":latest" appended when it has no
# tag, and <error> to "", or <error> to why <ref> does not follow the Docker
# reference grammar: [<host>[:<port>]/]<path>[:<tag>].
function(_container_image_normalize_tag out error ref)
  set(${out} "" PARENT_SCOPE)
  if("${ref}" MATCHES "@")
    set(${error}
      "digests (@sha256:...) are not accepted, only <repository>[:<tag>]"
      PARENT_SCOPE)
    return()
  endif()
  # The tag follows the last ':' that has no '/' after it (a port has).
  set(repository "${ref}")
  set(tag latest)
  if("${ref}" MATCHES "^(.*):([^:/]*)$")
    set(repository "${CMAKE_MATCH_1}")
    set(tag "${CMAKE_MATCH_2}")
    string(LENGTH "${tag}" length)
    if(NOT "${tag}" MATCHES "^[A-Za-z0-9_][A-Za-z0-9_.-]*$"
       OR length GREATER 128)
      string(CONCAT message "the tag \"${tag}\" is not 1 to 128 of "
        "[A-Za-z0-9_.-] starting with [A-Za-z0-9_]")
      set(${error} "${message}" PARENT_SCOPE)
      return()
    endif()
  endif()
  _container_image_repository_ok(ok "${repository}")
  if(NOT ok)
    string(TOLOWER "${repository}" lower)
    _container_image_repository_ok(ok "${lower}")
    if(ok)
      set(${error} "the repository name \"${repository}\" must be lowercase"
        PARENT_SCOPE)
    else()
      string(CONCAT message "the repository name \"${repository}\" is not "
        "[<host>[:<port>]/]<component>[/<component>...], where a component "
        "is lowercase letters and digits separated by '.', '_', '__' or '-'")
      set(${error} "${message}" PARENT_SCOPE)
    endif()
    return()
  endif()
  set(${error} "" PARENT_SCOPE)
  set(${out} "${repository}:${tag}" PARENT_SCOPE)
endfunction()

# Sets <out> to whether <repository> is [<host>[:<port>]/]<path>.
function(_container_image_repository_ok out repository)
  set(${out} FALSE PARENT_SCOPE)
  string(LENGTH "${repository}" length)
  if("${repository}" MATCHES ";" OR length EQUAL 0 OR length GREATER 255)
    return()
  endif()
  set(component "^[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*$")
  set(label "([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])")
  set(host "^(${label}(\\.${label})*|\\[[0-9A-Fa-f:.]+\\])(:[0-9]+)?$")

  string(REPLACE "/" ";" components "${repository}")
  list(GET components 0 first)
  list(LENGTH components count)
  if(count GREATER 1 AND NOT "${first}" MATCHES "${component}"
     AND "${first}" MATCHES "${host}")
    list(REMOVE_AT components 0)
  endif()
  foreach(part IN LISTS components)
    if(NOT "${part}" MATCHES "${component}")
      return()
    endif()
  endforeach()
  set(${out} TRUE PARENT_SCOPE)
endfunction()

# ---- Private: JSON -----------------------------------------------------------

# Sets <out> to <value> as a JSON string, quotes included.
function(_container_image_json_string out value)
  string(REPLACE "\\" "\\\\" value "${value}")
  string(REPLACE "\"" "\\\"" value "${value}")
  string(REPLACE "\n" "\\n" value "${value}")
  string(REPLACE "\t" "\\t" value "${value}")
  string(REPLACE "\r" "\\r" value "${value}")
  # Other control characters (CMake strings cannot hold NUL) as \u00XX.
  string(ASCII 1 first)
  string(ASCII 31 last)
  if("${value}" MATCHES "[${first}-${last}]")
    set(hex 0123456789abcdef)
    foreach(code RANGE 1 31)
      string(ASCII ${code} char)
      math(EXPR high "${code} / 16")
      math(EXPR low "${code} % 16")
      string(SUBSTRING "${hex}" ${high} 1 high)
      string(SUBSTRING "${hex}" ${low} 1 low)
      string(REPLACE "${char}" "\\u00${high}${low}" value "${value}")
    endforeach()
  endif()
  set(${out} "\"${value}\"" PARENT_SCOPE)
endfunction()

# Sets <out> to the CMake list <items> as a JSON array of strings. Pass the
# list quoted ("${list}"): an element holding an escaped "\;" stays one
# string, with a plain ';' in it.
function(_container_image_json_array out items)
  set(json "")
  set(separator "")
  foreach(item IN LISTS items)
    _container_image_json_string(string "${item}")
    string(APPEND json "${separator}${string}")
    set(separator ", ")
  endforeach()
  set(${out} "[${json}]" PARENT_SCOPE)
endfunction()

cmake_policy(POP)
