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
  # hello-image-load: docker load -i hello-image.tar

The module needs the executable target ``ocipack::ocipack`` (the packing
tool); ``find_package(ocipack)`` and ``add_subdirectory()`` of the ocipack
sources both define it.

At configure time :command:`add_container_image` checks its arguments, and at
the end of the calling directory it writes a JSON build spec with
:command:`file(GENERATE)`, so generator expressions such as
``$<TARGET_FILE:hello>`` resolve per configuration.  At build time the
target ``<name>`` runs ``ocipack build`` on that spec, on top of ``scratch``
or of a local ``BASE`` image.  Bad input is refused at configure time with
an error naming the function, the keyword and the value.
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
                        [VOLUMES <dir>...]
                        [STOPSIGNAL <signal>]
                        [LABELS <key=value>...]
                        [ANNOTATIONS <key=value>...]
                        [TAGS <repository>[:<tag>]...]
                        [BASE <path> [BASE_TAG <ref>]]
                        [SKELETON]
                        [COMPRESSION gzip|zstd|none]
                        [COMPRESSION_LEVEL <level>]
                        [OUTPUT <path>]
                        [EXCLUDE_FROM_ALL]
                        [RUNTIME_DEPENDENCIES AUTO|NONE]
                        [SYSROOT <dir>]
                        [RUNTIME_LIBRARIES <name-or-path>...])

  The image is built ``FROM scratch``, or on top of a local ``BASE`` image.
  Its layers are, from the bottom: the layers of the ``BASE`` (if any),
  the runtime libraries (if any, see ``RUNTIME_DEPENDENCIES``), the files,
  directories and symbolic links that :command:`container_image_add_files`,
  :command:`container_image_add_directories` and
  :command:`container_image_add_symlink` add (if any), and the ``TARGETS``
  (if any); nothing else.

  ``<name>``
    The name of the custom target that builds the tarball.  It must be a
    valid target name that is not used yet, and so must ``<name>-load``.
    The target's property ``CONTAINER_IMAGE_FILE`` holds the absolute path
    of the tarball.  The tarball is rebuilt when the spec, the tool, the
    ``BASE``, a target or an added file changes; the build keeps the layers
    it made in ``${CMAKE_CURRENT_BINARY_DIR}/ocipack/<name>.layers``, so
    that a rebuild compresses again only the layers that changed.

  ``<name>-load``
    Not a keyword: a second custom target, not built by ``all``, that builds
    ``<name>`` and then loads the tarball into the local container engine
    with ``docker load -i <tarball>``, or ``podman load -i <tarball>`` when
    ``docker`` is not found.  The programs are looked up at configure time
    and cached in ``OCIPACK_DOCKER_EXECUTABLE`` and
    ``OCIPACK_PODMAN_EXECUTABLE``.  When neither is found, building
    ``<name>-load`` fails with a message saying so.

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

  ``VOLUMES <dir>...``
    Absolute in-image directories that are mount points for volumes, like
    a Dockerfile's ``VOLUME``; ``.`` and ``..`` components are refused and
    duplicates dropped.  Default: none.

  ``STOPSIGNAL <signal>``
    The signal that stops the container, like a Dockerfile's
    ``STOPSIGNAL``: a name such as ``SIGTERM``, ``TERM`` or ``SIGRTMIN+3``
    (upper case), or a number from 1 to 64; written as given.
    Default: unset (the engine sends ``SIGTERM``).

  ``LABELS <key=value>...``
    Labels of the image config.  Default: none.

  ``ANNOTATIONS <key=value>...``
    Annotations of the image manifest.  Default: the ones filled from the
    calling project, each unless ``ANNOTATIONS`` sets the same key:
    ``org.opencontainers.image.version``, ``...description`` and ``...url``
    from :variable:`PROJECT_VERSION`, :variable:`PROJECT_DESCRIPTION` and
    :variable:`PROJECT_HOMEPAGE_URL` (when not empty, as they are where
    ``add_container_image()`` is called), and
    ``org.opencontainers.image.revision``, the commit checked out, when
    :variable:`CMAKE_CURRENT_SOURCE_DIR` is in a git checkout and git is
    found.  A new commit re-runs the configure step to refresh it.

  ``TAGS <repository>[:<tag>]...``
    The names written into the tarball, as ``docker load`` shows them, for
    example ``hello:1`` or ``registry.example.com:5000/team/hello:1``.
    Repository names are lower case; a name without ``:<tag>`` gets
    ``:latest``; digests (``@sha256:...``) are refused.
    Default: ``<name>:latest``.

  ``BASE <path>``
    A local image to build on, like a Dockerfile's ``FROM``: a tarball
    written by ``docker save``, an OCI archive tarball, or an OCI image
    layout directory.  A relative path is relative to
    :variable:`CMAKE_CURRENT_SOURCE_DIR`; generator expressions are
    allowed.  It may be the output of a custom command.  Its layers are
    kept as they are, and its config is inherited as ``FROM`` does: ``ENV``
    merged by name, the other settings kept unless given here (a new
    ``ENTRYPOINT`` drops an inherited ``CMD``).  Default: none
    (``scratch``).

  ``BASE_TAG <ref>``
    Which image of the ``BASE`` to use when it holds several: a tag such as
    ``1.36``, or a reference such as ``busybox:1.36``.  Refused without
    ``BASE``.  Default: the only image of the ``BASE``.

  ``SKELETON``
    Add a minimal system skeleton, for images without a distribution:
    ``/etc/passwd`` and ``/etc/group`` with ``root`` (0), ``nobody`` and
    ``nonroot`` (65532), so that ``USER nonroot`` works by name, and
    ``/tmp`` with mode ``1777``.  With a ``BASE``, these replace the base's
    own files.  Default: no skeleton.

  ``COMPRESSION gzip|zstd|none``
    Layer compression.  ``gzip`` is what every engine loads.  ``zstd``
    layers are smaller and much faster to decompress, but need Docker 23 or
    newer, containerd 1.5, podman 4 or skopeo 1.4; Docker 20.10 cannot load
    them.  ``none`` writes plain tar layers.  Default: ``gzip``.

  ``COMPRESSION_LEVEL <level>``
    Speed versus size.  gzip (libdeflate's levels): ``1`` (fastest) to
    ``12`` (smallest); the default, ``5``, gives layers the size of
    ``gzip -6``'s in about a quarter of its time.  zstd: ``1`` to ``19``,
    default ``3``.  Not with ``COMPRESSION none``.

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
#]=======================================================================]
function(add_container_image)
  list(APPEND CMAKE_MESSAGE_CONTEXT "ocipack")
  set(options EXCLUDE_FROM_ALL SKELETON)
  set(one_value DESTINATION WORKDIR USER STOPSIGNAL COMPRESSION COMPRESSION_LEVEL OUTPUT BASE
    BASE_TAG RUNTIME_DEPENDENCIES SYSROOT)
  set(multi_value TARGETS ENTRYPOINT CMD ENV EXPOSE VOLUMES LABELS ANNOTATIONS
    TAGS RUNTIME_LIBRARIES)
  set(keywords ${options} ${one_value} ${multi_value})

  if(ARGC EQUAL 0 OR "${ARGV0}" IN_LIST keywords)
    _container_image_fail("add_container_image()"
      "missing image name (the first argument)")
  endif()
  set(name "${ARGV0}")
  set(ctx "add_container_image(${name})")
  _container_image_check_name("${ctx}" "${name}")
  if(TARGET "${name}-load")
    _container_image_fail("${ctx}" "the target \"${name}-load\" already "
      "exists; add_container_image(${name}) defines it to load the image "
      "(rename one of them)")
  endif()

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

  # ---- The base image ----

  # A path of the build host, relative to the source directory; one from a
  # generator expression is resolved by file(GENERATE) and checked by the
  # tool. Rebuild when it changes: a layout directory changes its index.json
  # whenever its content changes (its blobs are named by their digests).
  set(base "")
  set(base_depend "")
  if(DEFINED arg_BASE)
    set(base "${arg_BASE}")
    if(NOT "${base}" MATCHES "\\$<")
      cmake_path(ABSOLUTE_PATH base
        BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" NORMALIZE)
      string(REGEX REPLACE "(.)/+$" "\\1" base "${base}")
    endif()
    set(base_depend "${base}")
    if(IS_DIRECTORY "${base}")
      set(base_depend "${base}/index.json")
    endif()
  endif()
  set(base_tag "")
  if(DEFINED arg_BASE_TAG)
    if(NOT DEFINED arg_BASE)
      _container_image_fail("${ctx}" "BASE_TAG \"${arg_BASE_TAG}\" is given "
        "without BASE; it picks an image of the BASE")
    endif()
    set(base_tag "${arg_BASE_TAG}")
    string(LENGTH "${base_tag}" length)
    if(NOT "${base_tag}" MATCHES "^[A-Za-z0-9_][A-Za-z0-9_.-]*$"
       OR length GREATER 128)
      _container_image_normalize_tag(normalized error "${base_tag}")
      if(NOT "${error}" STREQUAL "")
        _container_image_fail("${ctx}" "BASE_TAG \"${base_tag}\" is neither a "
          "tag nor an image reference <repository>[:<tag>]: ${error}")
      endif()
    endif()
  endif()

  set(compression gzip)
  if(DEFINED arg_COMPRESSION)
    if(NOT "${arg_COMPRESSION}" MATCHES "^(gzip|zstd|none)$")
      _container_image_fail("${ctx}" "COMPRESSION \"${arg_COMPRESSION}\" is "
        "not one of gzip, zstd, none")
    endif()
    set(compression "${arg_COMPRESSION}")
  endif()
  set(compression_level "")
  if(DEFINED arg_COMPRESSION_LEVEL)
    if("${compression}" STREQUAL "none")
      _container_image_fail("${ctx}" "COMPRESSION_LEVEL "
        "\"${arg_COMPRESSION_LEVEL}\" is given with COMPRESSION none; drop one "
        "of them")
    elseif("${compression}" STREQUAL "zstd")
      set(levels "^([1-9]|1[0-9])$" 19)
    else()
      set(levels "^([1-9]|1[0-2])$" 12)
    endif()
    list(GET levels 0 levels_regex)
    list(GET levels 1 max_level)
    if(NOT "${arg_COMPRESSION_LEVEL}" MATCHES "${levels_regex}")
      _container_image_fail("${ctx}" "COMPRESSION_LEVEL "
        "\"${arg_COMPRESSION_LEVEL}\" is not a ${compression} level from 1 "
        "(fastest) to ${max_level} (smallest)")
    endif()
    set(compression_level "${arg_COMPRESSION_LEVEL}")
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

  set(volumes "")
  foreach(volume IN LISTS arg_VOLUMES)
    _container_image_image_dir(volume "${ctx}" VOLUMES "${volume}")
    list(APPEND volumes "${volume}")
  endforeach()
  list(REMOVE_DUPLICATES volumes)

  # Names as Docker's STOPSIGNAL takes them (SIGTERM, TERM, SIGRTMIN+3), or
  # numbers; the tool writes the value as given.
  set(stop_signal "")
  if(DEFINED arg_STOPSIGNAL)
    set(stop_signal "${arg_STOPSIGNAL}")
    if(NOT "${stop_signal}" MATCHES "^(SIG)?[A-Z][A-Z0-9+-]*$"
       AND NOT ("${stop_signal}" MATCHES "^[1-9][0-9]?$"
                AND stop_signal LESS_EQUAL 64))
      _container_image_fail("${ctx}" "STOPSIGNAL \"${stop_signal}\" is not a "
        "signal name (such as SIGTERM or TERM, upper case) or a number from "
        "1 to 64")
    endif()
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

  # ---- Annotations: the user's, then the ones filled from project() ----

  set(annotations "${arg_ANNOTATIONS}")
  set(user_keys "")
  foreach(entry IN LISTS arg_ANNOTATIONS)
    string(REGEX MATCH "^[^=]+" key "${entry}")
    list(APPEND user_keys "${key}")
  endforeach()
  set(revision "")
  if(NOT "org.opencontainers.image.revision" IN_LIST user_keys)
    _container_image_git_revision(revision)
  endif()
  foreach(pair IN ITEMS "version=PROJECT_VERSION"
      "description=PROJECT_DESCRIPTION" "url=PROJECT_HOMEPAGE_URL"
      "revision=revision")
    string(REGEX MATCH "^[^=]+" suffix "${pair}")
    string(REGEX REPLACE "^[^=]+=" "" variable "${pair}")
    set(key "org.opencontainers.image.${suffix}")
    if(NOT "${${variable}}" STREQUAL "" AND NOT key IN_LIST user_keys)
      # A ';' in a description is text, not a list separator.
      string(REPLACE ";" "\\;" value "${${variable}}")
      list(APPEND annotations "${key}=${value}")
    endif()
  endforeach()

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
  # container_image_add_files() and the like may still add to the image, and
  # TARGETS may still be defined, until the end of this directory.

  set(all ALL)
  if(arg_EXCLUDE_FROM_ALL)
    set(all "")
  endif()
  add_custom_target("${name}" ${all} DEPENDS "${output}")
  set_property(TARGET "${name}" PROPERTY CONTAINER_IMAGE_FILE "${output}")
  _container_image_add_load_target("${name}" "${output}")

  set(targets "${arg_TARGETS}")
  list(REMOVE_DUPLICATES targets)
  set(skeleton "${arg_SKELETON}")
  foreach(setting IN ITEMS targets destination compression compression_level
      tags workdir exposed_ports volumes stop_signal annotations base base_tag
      base_depend skeleton runtime_mode sysroot runtime_libraries)
    string(TOUPPER "${setting}" property)
    set_property(TARGET "${name}"
      PROPERTY "_CONTAINER_IMAGE_${property}" "${${setting}}")
  endforeach()
  foreach(kw IN ITEMS ENTRYPOINT CMD ENV USER LABELS)
    set_property(TARGET "${name}"
      PROPERTY "_CONTAINER_IMAGE_${kw}" "${arg_${kw}}")
  endforeach()
  set_property(TARGET "${name}" PROPERTY _CONTAINER_IMAGE_FILES_COUNT 0)
  set_property(TARGET "${name}" PROPERTY _CONTAINER_IMAGE_DIRECTORIES_COUNT 0)
  set_property(TARGET "${name}" PROPERTY _CONTAINER_IMAGE_SYMLINKS_COUNT 0)
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
                              [MODE <octal>] [OWNER <uid>[:<gid>]])

  Call it in the directory that called ``add_container_image(<name>)``,
  before the end of that directory.  All added files, directories and
  symbolic links go into one layer, below the layer of the image's
  ``TARGETS``.

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

  ``OWNER <uid>[:<gid>]``
    The numeric owner of the copied files and directories, such as
    ``65532:65532``; a bare ``<uid>`` means the group of the same number.
    Default: ``0:0`` (root).
#]=======================================================================]
function(container_image_add_files)
  list(APPEND CMAKE_MESSAGE_CONTEXT "ocipack")
  set(one_value DESTINATION MODE OWNER)

  if(ARGC EQUAL 0 OR "${ARGV0}" IN_LIST one_value)
    _container_image_fail("container_image_add_files()"
      "missing image name (the first argument)")
  endif()
  set(name "${ARGV0}")
  set(ctx "container_image_add_files(${name})")
  _container_image_check_image("${ctx}" "${name}" container_image_add_files)

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
  _container_image_mode_owner(mode owner "${ctx}" arg)

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
    set_property(TARGET "${name}" PROPERTY "${prefix}_OWNER" "${owner}")
    math(EXPR count "${count} + 1")

    # Rebuild when it changes; the tool's depfile lists a directory's files.
    string(REGEX REPLACE "(.)/+$" "\\1" depend "${path}")
    set_property(TARGET "${name}" APPEND
      PROPERTY _CONTAINER_IMAGE_FILES_DEPENDS "${depend}")
  endforeach()
  set_property(TARGET "${name}" PROPERTY _CONTAINER_IMAGE_FILES_COUNT ${count})
endfunction()

#[=======================================================================[.rst:
.. command:: container_image_add_directories

  Add empty directories to an image made by :command:`add_container_image`,
  such as mount points or directories the program writes to.

  .. code-block:: cmake

    container_image_add_directories(<name> <dir>...
                                    [MODE <octal>] [OWNER <uid>[:<gid>]])

  Call it in the directory that called ``add_container_image(<name>)``,
  before the end of that directory.  The directories go into the layer of
  the added files.

  ``<name>``
    The image, as named in :command:`add_container_image`.

  ``<dir>...``
    Absolute in-image directories; ``.`` and ``..`` components and ``/``
    itself are refused, and so is a path that is already an added directory
    or symbolic link of the image.  Missing parents are created with the
    default mode and owner.  Required.

  ``MODE <octal>``
    The permissions of the directories, 3 or 4 octal digits such as
    ``0700`` or ``1777``.  Default: ``0755``.

  ``OWNER <uid>[:<gid>]``
    The numeric owner of the directories, such as ``65532:65532``; a bare
    ``<uid>`` means the group of the same number.  Default: ``0:0`` (root).
#]=======================================================================]
function(container_image_add_directories)
  list(APPEND CMAKE_MESSAGE_CONTEXT "ocipack")
  set(one_value MODE OWNER)

  if(ARGC EQUAL 0 OR "${ARGV0}" IN_LIST one_value)
    _container_image_fail("container_image_add_directories()"
      "missing image name (the first argument)")
  endif()
  set(name "${ARGV0}")
  set(ctx "container_image_add_directories(${name})")
  _container_image_check_image("${ctx}" "${name}"
    container_image_add_directories)

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
  # The unparsed arguments are the directories.
  _container_image_check_parsed("${ctx}" arg "${one_value}" "${given}")
  if(NOT DEFINED arg_UNPARSED_ARGUMENTS)
    _container_image_fail("${ctx}" "no directories given")
  endif()
  _container_image_mode_owner(mode owner "${ctx}" arg)

  get_property(count TARGET "${name}"
    PROPERTY _CONTAINER_IMAGE_DIRECTORIES_COUNT)
  foreach(directory IN LISTS arg_UNPARSED_ARGUMENTS)
    _container_image_entry_path(directory "${ctx}" "directory" "${name}"
      "${directory}")
    set(prefix "_CONTAINER_IMAGE_DIRECTORIES_${count}")
    set_property(TARGET "${name}" PROPERTY "${prefix}_PATH" "${directory}")
    set_property(TARGET "${name}" PROPERTY "${prefix}_MODE" "${mode}")
    set_property(TARGET "${name}" PROPERTY "${prefix}_OWNER" "${owner}")
    math(EXPR count "${count} + 1")
  endforeach()
  set_property(TARGET "${name}"
    PROPERTY _CONTAINER_IMAGE_DIRECTORIES_COUNT ${count})
endfunction()

#[=======================================================================[.rst:
.. command:: container_image_add_symlink

  Add a symbolic link to an image made by :command:`add_container_image`.

  .. code-block:: cmake

    container_image_add_symlink(<name> <path> <target>)

  Call it in the directory that called ``add_container_image(<name>)``,
  before the end of that directory.  The link goes into the layer of the
  added files.  For example, ``container_image_add_symlink(img /bin/sh
  busybox)`` makes ``/bin/sh`` point to ``busybox`` next to it.

  ``<name>``
    The image, as named in :command:`add_container_image`.

  ``<path>``
    The absolute in-image path of the link; ``.`` and ``..`` components
    and ``/`` itself are refused, and so is a path that is already an added
    directory or symbolic link of the image.  Missing parents are created
    with the default mode and owner.  Required.

  ``<target>``
    What the link points to, written as given: a path relative to the
    link's directory, or an absolute in-image path.  It need not exist.
    Required, not empty.
#]=======================================================================]
function(container_image_add_symlink)
  list(APPEND CMAKE_MESSAGE_CONTEXT "ocipack")
  if(ARGC EQUAL 0)
    _container_image_fail("container_image_add_symlink()"
      "missing image name (the first argument)")
  endif()
  set(name "${ARGV0}")
  set(ctx "container_image_add_symlink(${name})")
  _container_image_check_image("${ctx}" "${name}" container_image_add_symlink)

  if(ARGC LESS 2)
    _container_image_fail("${ctx}" "no <path> and <target> given")
  endif()
  set(path "${ARGV1}")
  if(ARGC LESS 3)
    _container_image_fail("${ctx}" "no <target> given for the link "
      "\"${path}\"")
  endif()
  set(target "${ARGV2}")
  if(ARGC GREATER 3)
    set(extra "")
    math(EXPR last "${ARGC} - 1")
    foreach(i RANGE 3 ${last})
      string(APPEND extra " \"${ARGV${i}}\"")
    endforeach()
    _container_image_fail("${ctx}" "unexpected argument(s)${extra} after "
      "<path> \"${path}\" and <target> \"${target}\"")
  endif()
  if("${target}" STREQUAL "")
    _container_image_fail("${ctx}" "the <target> of the link \"${path}\" is "
      "empty")
  endif()
  _container_image_entry_path(path "${ctx}" "symbolic link" "${name}"
    "${path}")

  get_property(count TARGET "${name}" PROPERTY _CONTAINER_IMAGE_SYMLINKS_COUNT)
  set(prefix "_CONTAINER_IMAGE_SYMLINKS_${count}")
  set_property(TARGET "${name}" PROPERTY "${prefix}_PATH" "${path}")
  set_property(TARGET "${name}" PROPERTY "${prefix}_TARGET" "${target}")
  math(EXPR count "${count} + 1")
  set_property(TARGET "${name}"
    PROPERTY _CONTAINER_IMAGE_SYMLINKS_COUNT ${count})
endfunction()

# ---- Private: the end of the directory ---------------------------------------

# Validates the TARGETS, writes the build spec and adds the build rule of image
# <name>. Runs deferred, at the end of the directory that made the image.
function(_container_image_finalize name)
  list(APPEND CMAKE_MESSAGE_CONTEXT "ocipack")
  set(ctx "add_container_image(${name})")
  set_property(TARGET "${name}" PROPERTY _CONTAINER_IMAGE_FINALIZED TRUE)

  foreach(setting IN ITEMS targets destination compression compression_level
      tags workdir exposed_ports volumes stop_signal annotations base base_tag
      base_depend skeleton runtime_mode sysroot runtime_libraries entrypoint
      cmd env user
      labels files_count files_depends directories_count symlinks_count)
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
  if(NOT "${compression_level}" STREQUAL "")
    string(APPEND spec_json "  \"compression_level\": ${compression_level},\n")
  endif()
  if(NOT "${base}" STREQUAL "")
    _container_image_json_string(json "${base}")
    set(base_json "{\"path\": ${json}")
    if(NOT "${base_tag}" STREQUAL "")
      _container_image_json_string(json "${base_tag}")
      string(APPEND base_json ", \"tag\": ${json}")
    endif()
    string(APPEND spec_json "  \"base\": ${base_json}},\n")
  endif()
  if(skeleton)
    string(APPEND spec_json "  \"skeleton\": true,\n")
  endif()

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
  _container_image_json_array(json "${volumes}")
  string(APPEND config "    \"volumes\": ${json},\n")
  if(NOT "${stop_signal}" STREQUAL "")
    _container_image_json_string(json "${stop_signal}")
    string(APPEND config "    \"stop_signal\": ${json},\n")
  endif()
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

  # The added files, directories and symbolic links: one layer, in call
  # order; "mode" and "owner" only where given.
  set(layers "")
  if(files_count GREATER 0 OR directories_count GREATER 0
     OR symlinks_count GREATER 0)
    set(files "")
    set(separator "")
    if(files_count GREATER 0)
      math(EXPR last "${files_count} - 1")
      foreach(i RANGE 0 ${last})
        set(prefix "_CONTAINER_IMAGE_FILES_${i}")
        get_property(source TARGET "${name}" PROPERTY "${prefix}_SOURCE")
        get_property(to TARGET "${name}" PROPERTY "${prefix}_DESTINATION")
        _container_image_json_string(json "${source}")
        string(APPEND files "${separator}        {\"source\": ${json}, ")
        _container_image_json_string(json "${to}")
        string(APPEND files "\"destination\": ${json}")
        _container_image_json_mode_owner(json "${name}" "${prefix}")
        string(APPEND files "${json}}")
        set(separator ",\n")
      endforeach()
    endif()

    set(directories "")
    set(separator "")
    if(directories_count GREATER 0)
      math(EXPR last "${directories_count} - 1")
      foreach(i RANGE 0 ${last})
        set(prefix "_CONTAINER_IMAGE_DIRECTORIES_${i}")
        get_property(path TARGET "${name}" PROPERTY "${prefix}_PATH")
        _container_image_json_string(json "${path}")
        string(APPEND directories "${separator}        {\"path\": ${json}")
        _container_image_json_mode_owner(json "${name}" "${prefix}")
        string(APPEND directories "${json}}")
        set(separator ",\n")
      endforeach()
    endif()

    set(symlinks "")
    set(separator "")
    if(symlinks_count GREATER 0)
      math(EXPR last "${symlinks_count} - 1")
      foreach(i RANGE 0 ${last})
        set(prefix "_CONTAINER_IMAGE_SYMLINKS_${i}")
        get_property(path TARGET "${name}" PROPERTY "${prefix}_PATH")
        get_property(target TARGET "${name}" PROPERTY "${prefix}_TARGET")
        _container_image_json_string(json "${path}")
        string(APPEND symlinks "${separator}        {\"path\": ${json}, ")
        _container_image_json_string(json "${target}")
        string(APPEND symlinks "\"target\": ${json}}")
        set(separator ",\n")
      endforeach()
    endif()

    string(APPEND layers "    {\n"
      "      \"created_by\": \"ocipack: container_image_add_files\",\n")
    foreach(kind IN ITEMS files directories symlinks)
      if("${${kind}}" STREQUAL "")
        string(APPEND layers "      \"${kind}\": []")
      else()
        string(APPEND layers "      \"${kind}\": [\n${${kind}}\n      ]")
      endif()
      if(kind STREQUAL "symlinks")
        string(APPEND layers "\n")
      else()
        string(APPEND layers ",\n")
      endif()
    endforeach()
    string(APPEND layers "    }")
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
    string(APPEND layers "\n      ],\n"
      "      \"directories\": [],\n      \"symlinks\": []\n    }")
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
  # The tool keeps the layers it made there, so that a rebuild compresses
  # again only the layers that changed.
  set(cache_dir "${CMAKE_CURRENT_BINARY_DIR}/ocipack/${name}.layers")
  add_custom_command(OUTPUT "${output}"
    COMMAND ocipack::ocipack build
            --spec "${spec}" --output "${output}" --depfile "${depfile}"
            --cache-dir "${cache_dir}"
    DEPENDS "${spec}" ocipack::ocipack ${targets} ${base_depend}
            ${files_depends}
    ${depfile_option}
    COMMENT "Packing container image ${name}"
    VERBATIM)
endfunction()

#[=======================================================================[.rst:
.. command:: add_container_image_index

  Add a target that combines images of different platforms (for example an
  ``amd64`` and an ``arm64`` build of the same program) into one
  multi-platform image tarball: an OCI image index with one entry per
  platform, which containerd, skopeo and registries read whole and which
  ``docker load`` loads for the build machine's platform.

  .. code-block:: cmake

    add_container_image_index(<name>
                              IMAGES <image-target-or-tarball>...
                              [TAGS <repository>[:<tag>]...]
                              [OUTPUT <path>]
                              [EXCLUDE_FROM_ALL])

  ``IMAGES <image-target-or-tarball>...``
    Targets made by :command:`add_container_image` in this project, or
    paths of image tarballs (for example from other build trees, relative
    to :variable:`CMAKE_CURRENT_SOURCE_DIR`).  Two images of the same
    platform are an error at build time.  Required.

  ``TAGS <repository>[:<tag>]...``
    Names of the combined image.  Default: the names of the first image.

  ``OUTPUT <path>``
    The tarball.  Default: ``${CMAKE_CURRENT_BINARY_DIR}/<name>.tar``.

  ``EXCLUDE_FROM_ALL``
    Not built by the default target.

  The target's property ``CONTAINER_IMAGE_FILE`` holds the tarball's path,
  and ``<name>-load`` loads it, as for :command:`add_container_image`.
#]=======================================================================]
function(add_container_image_index)
  list(APPEND CMAKE_MESSAGE_CONTEXT "ocipack")
  cmake_parse_arguments(PARSE_ARGV 0 arg "EXCLUDE_FROM_ALL" "OUTPUT" "IMAGES;TAGS")
  if(NOT DEFINED arg_UNPARSED_ARGUMENTS)
    _container_image_fail("add_container_image_index()" "the image name is missing")
  endif()
  list(POP_FRONT arg_UNPARSED_ARGUMENTS name)
  set(ctx "add_container_image_index(${name})")
  if(arg_UNPARSED_ARGUMENTS)
    list(JOIN arg_UNPARSED_ARGUMENTS " " extra)
    _container_image_fail("${ctx}" "unknown arguments \"${extra}\"")
  endif()
  _container_image_check_name("${ctx}" "${name}")
  _container_image_check_parsed("${ctx}" arg "OUTPUT;IMAGES;TAGS" "${ARGN}")
  if(NOT arg_IMAGES)
    _container_image_fail("${ctx}" "IMAGES is required: the images to combine")
  endif()
  if(NOT TARGET ocipack::ocipack)
    _container_image_fail("${ctx}" "the target ocipack::ocipack (the ocipack tool) is not defined here")
  endif()

  set(inputs "")
  set(depends "")
  set(image_targets "")
  foreach(image IN LISTS arg_IMAGES)
    if(TARGET "${image}")
      get_property(file TARGET "${image}" PROPERTY CONTAINER_IMAGE_FILE)
      if(NOT file)
        _container_image_fail("${ctx}" "IMAGES \"${image}\" is a target but not an image of add_container_image()")
      endif()
      list(APPEND inputs "${file}")
      list(APPEND depends "${file}")
      list(APPEND image_targets "${image}")
    else()
      if(NOT "${image}" MATCHES "\\$<")
        cmake_path(ABSOLUTE_PATH image BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" NORMALIZE)
      endif()
      list(APPEND inputs "${image}")
      list(APPEND depends "${image}")
    endif()
  endforeach()

  set(tag_args "")
  foreach(tag IN LISTS arg_TAGS)
    _container_image_normalize_tag(normalized error "${tag}")
    if(error)
      _container_image_fail("${ctx}" "TAGS value \"${tag}\" is not a valid image reference: ${error}")
    endif()
    list(APPEND tag_args --tag "${normalized}")
  endforeach()

  if(arg_OUTPUT)
    set(output "${arg_OUTPUT}")
    if(NOT IS_ABSOLUTE "${output}")
      set(output "${CMAKE_CURRENT_BINARY_DIR}/${output}")
    endif()
  else()
    set(output "${CMAKE_CURRENT_BINARY_DIR}/${name}.tar")
  endif()
  cmake_path(GET output PARENT_PATH output_dir)
  file(MAKE_DIRECTORY "${output_dir}")

  add_custom_command(OUTPUT "${output}"
    COMMAND ocipack::ocipack index --output "${output}" ${tag_args} ${inputs}
    DEPENDS ocipack::ocipack ${depends}
    COMMENT "Packing multi-platform image ${name}"
    VERBATIM)
  set(all ALL)
  if(arg_EXCLUDE_FROM_ALL)
    set(all "")
  endif()
  add_custom_target("${name}" ${all} DEPENDS "${output}")
  if(image_targets)
    add_dependencies("${name}" ${image_targets})
  endif()
  set_property(TARGET "${name}" PROPERTY CONTAINER_IMAGE_FILE "${output}")
  _container_image_add_load_target("${name}" "${output}")
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

# Fails unless <name> is an image made by add_container_image() in the
# current directory and not finalized yet; <function> is the caller's name.
function(_container_image_check_image ctx name function)
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
      "finalized: call ${function}() before the end of the directory that "
      "called add_container_image(${name}) (${image_dir})")
  endif()
  if(NOT "${image_dir}" STREQUAL "${CMAKE_CURRENT_SOURCE_DIR}")
    _container_image_fail("${ctx}" "called from ${CMAKE_CURRENT_SOURCE_DIR}, "
      "but the image \"${name}\" belongs to ${image_dir}: call ${function}() "
      "in the directory that called add_container_image(${name})")
  endif()
endfunction()

# Sets <mode_out> and <owner_out> from the MODE and OWNER values parsed with
# <prefix> ("" when not given); fails on a bad one. A bare uid becomes
# "<uid>:<uid>".
function(_container_image_mode_owner mode_out owner_out ctx prefix)
  set(mode "")
  if(DEFINED ${prefix}_MODE)
    set(mode "${${prefix}_MODE}")
    if(NOT "${mode}" MATCHES "^[0-7][0-7][0-7][0-7]?$")
      _container_image_fail("${ctx}" "MODE \"${mode}\" is not an octal mode "
        "of 3 or 4 digits (such as 0644)")
    endif()
  endif()
  set(owner "")
  if(DEFINED ${prefix}_OWNER)
    set(owner "${${prefix}_OWNER}")
    # Numbers only: names would need the image's /etc/passwd. IDs are 32-bit
    # and (uid_t)-1 means "no owner".
    if(NOT "${owner}" MATCHES "^([0-9]+)(:([0-9]+))?$"
       OR CMAKE_MATCH_1 GREATER 4294967294
       OR CMAKE_MATCH_3 GREATER 4294967294)
      _container_image_fail("${ctx}" "OWNER \"${owner}\" is not of the form "
        "<uid>[:<gid>] with numeric ids (such as 1000 or 1000:1000) below "
        "4294967295")
    endif()
    if("${CMAKE_MATCH_2}" STREQUAL "")
      set(owner "${owner}:${owner}")
    endif()
  endif()
  set(${mode_out} "${mode}" PARENT_SCOPE)
  set(${owner_out} "${owner}" PARENT_SCOPE)
endfunction()

# Sets <out> to the in-image path <value> of an entry of image <name> (a
# <kind>, "directory" or "symbolic link"), normalized; fails unless it is
# absolute, free of "." and ".." components, not "/", and not the path of an
# entry added before.
function(_container_image_entry_path out ctx kind name value)
  if("${value}" STREQUAL "")
    _container_image_fail("${ctx}" "a ${kind} path is empty")
  endif()
  if(NOT "${value}" MATCHES "^/")
    _container_image_fail("${ctx}" "the ${kind} path \"${value}\" is not an "
      "absolute path in the image")
  endif()
  if("${value}" MATCHES "/(\\.\\.?)(/|$)")
    _container_image_fail("${ctx}" "the ${kind} path \"${value}\" contains a "
      "\"${CMAKE_MATCH_1}\" component")
  endif()
  string(REGEX REPLACE "/+" "/" path "${value}")
  string(REGEX REPLACE "(.)/$" "\\1" path "${path}")
  if("${path}" STREQUAL "/")
    _container_image_fail("${ctx}" "the ${kind} path \"${value}\" is the root "
      "directory")
  endif()
  # One entry per path: a second one would replace the first in the layer.
  get_property(before TARGET "${name}"
    PROPERTY "_CONTAINER_IMAGE_ENTRY:${path}")
  if(NOT "${before}" STREQUAL "")
    _container_image_fail("${ctx}" "the ${kind} path \"${value}\" is already "
      "added to the image as a ${before}")
  endif()
  set_property(TARGET "${name}" PROPERTY "_CONTAINER_IMAGE_ENTRY:${path}"
    "${kind}")
  set(${out} "${path}" PARENT_SCOPE)
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
# tag, and <error> to "", or <error> to why Docker 20.10 (the oldest Docker
# the tarballs load into) would not take <ref> as a tag:
# [<host>[:<port>]/]<path>[:<tag>]. The tool's oci/reference.cpp applies the
# same grammar; tests/references.tsv holds both to it.
function(_container_image_normalize_tag out error ref)
  set(${out} "" PARENT_SCOPE)
  if("${ref}" MATCHES "@")
    set(${error}
      "digests (@sha256:...) are not accepted, only <repository>[:<tag>]"
      PARENT_SCOPE)
    return()
  endif()
  # Docker takes a bare name of 64 hex digits for an image ID.
  if("${ref}" MATCHES "^[a-f0-9]+$")
    string(LENGTH "${ref}" length)
    if(length EQUAL 64)
      set(${error} "64 hexadecimal digits name an image ID, not a repository"
        PARENT_SCOPE)
      return()
    endif()
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
    _container_image_repository_ok(lower_ok "${lower}")
    _container_image_first_component(first "${repository}")
    if(lower_ok)
      set(${error} "the repository name \"${repository}\" must be lowercase"
        PARENT_SCOPE)
    elseif(first STREQUAL "BAD_HOST")
      string(REGEX MATCH "^[^/]*" host "${repository}")
      string(CONCAT message "the registry host \"${host}\" is not names of "
        "letters, digits and inner '-' joined by '.', with an optional "
        ":<port> (Docker 20.10 takes no [IPv6] address)")
      set(${error} "${message}" PARENT_SCOPE)
    else()
      string(CONCAT message "the repository name \"${repository}\" is not "
        "[<host>[:<port>]/]<component>[/<component>...], where a component "
        "is lowercase letters and digits separated by '.', '_', '__' or '-'")
      set(${error} "${message}" PARENT_SCOPE)
    endif()
    return()
  endif()
  _container_image_docker_name(name "${repository}")
  string(LENGTH "${name}" length)
  if(length GREATER 255)
    set(${error} "the name ${name} is ${length} characters, more than 255"
      PARENT_SCOPE)
    return()
  endif()
  if("${name}" STREQUAL "docker.io/library/sha256")
    set(${error} "Docker refuses \"sha256\" as a name: it reads as a digest"
      PARENT_SCOPE)
    return()
  endif()
  set(${error} "" PARENT_SCOPE)
  set(${out} "${repository}:${tag}" PARENT_SCOPE)
endfunction()

# Sets <out> to whether <repository> is [<host>[:<port>]/]<path>, <path> being
# "/"-separated components of [a-z0-9]+ joined by '.', '_', '__' or runs of
# '-'. A first component that only looks like a host (my_host.example/app)
# is read as part of the path, as Docker does.
function(_container_image_repository_ok out repository)
  set(${out} FALSE PARENT_SCOPE)
  # Only these characters may appear (and so no ';' or '[' of CMake lists).
  if(NOT "${repository}" MATCHES "^[A-Za-z0-9._:/-]+$")
    return()
  endif()
  set(path "${repository}")
  _container_image_first_component(first "${repository}")
  if(first STREQUAL "HOST" AND "${repository}" MATCHES "^[^/]*/(.*)$")
    set(path "${CMAKE_MATCH_1}")
  endif()
  set(component "[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*")
  if("${path}" MATCHES "^${component}(/${component})*$")
    set(${out} TRUE PARENT_SCOPE)
  endif()
endfunction()

# Sets <out> to how Docker reads the first component of <repository>: HOST
# when <repository> has a '/' and its first component holds '.' or ':' or is
# "localhost", and is labels of letters, digits and inner '-' joined by '.'
# with an optional :<port>; BAD_HOST when that component looks like a host
# but is none; else PATH.
function(_container_image_first_component out repository)
  set(${out} PATH PARENT_SCOPE)
  if(NOT "${repository}" MATCHES "^([^/]*)/")
    return()
  endif()
  set(first "${CMAKE_MATCH_1}")
  if(NOT "${first}" MATCHES "[.:]" AND NOT "${first}" STREQUAL "localhost")
    return()
  endif()
  set(label "([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])")
  if("${first}" MATCHES "^${label}(\\.${label})*(:[0-9]+)?$")
    set(${out} HOST PARENT_SCOPE)
  else()
    set(${out} BAD_HOST PARENT_SCOPE)
  endif()
endfunction()

# Sets <out> to the name Docker gives valid <repository>, as it counts its
# length: docker.io/ before a Docker Hub name (none, docker.io/ or
# index.docker.io/ written), and library/ before a one-component one.
function(_container_image_docker_name out repository)
  _container_image_first_component(first "${repository}")
  set(name "${repository}")
  if("${repository}" MATCHES "^(docker\\.io|index\\.docker\\.io)/(.*)$")
    set(name "${CMAKE_MATCH_2}")
  elseif(NOT first STREQUAL "PATH")
    set(${out} "${repository}" PARENT_SCOPE)
    return()
  endif()
  if(NOT "${name}" MATCHES "/")
    set(name "library/${name}")
  endif()
  set(${out} "docker.io/${name}" PARENT_SCOPE)
endfunction()

# ---- Private: the load target and the project's annotations -----------------

# Adds the target <name>-load that loads tarball <output> into docker, or
# podman when docker is not found, or fails saying that neither is.
function(_container_image_add_load_target name output)
  find_program(OCIPACK_DOCKER_EXECUTABLE docker
    DOC "docker, run by the <image>-load targets of add_container_image()")
  find_program(OCIPACK_PODMAN_EXECUTABLE podman
    DOC "podman, run by the <image>-load targets of add_container_image() "
        "when docker is not found")
  mark_as_advanced(OCIPACK_DOCKER_EXECUTABLE OCIPACK_PODMAN_EXECUTABLE)
  if(OCIPACK_DOCKER_EXECUTABLE)
    set(commands COMMAND "${OCIPACK_DOCKER_EXECUTABLE}" load -i "${output}"
      COMMENT "Loading container image ${name} with docker")
  elseif(OCIPACK_PODMAN_EXECUTABLE)
    set(commands COMMAND "${OCIPACK_PODMAN_EXECUTABLE}" load -i "${output}"
      COMMENT "Loading container image ${name} with podman")
  else()
    # $<SEMICOLON>: a plain ';' would split the message into two arguments.
    string(CONCAT message "${name}-load: neither docker nor podman was found"
      "$<SEMICOLON> load ${output} with your container tool")
    set(commands COMMAND "${CMAKE_COMMAND}" -E echo "${message}"
      COMMAND "${CMAKE_COMMAND}" -E false)
  endif()
  # Depend on the image target, not on the tarball: a file dependency would
  # give this target a second copy of the image's build rule.
  add_custom_target("${name}-load" ${commands} VERBATIM)
  add_dependencies("${name}-load" "${name}")
endfunction()

# Sets <out_var> to the output of "git <arg>..." run in <source_dir>, or to ""
# when it fails.
macro(_container_image_git_output out_var)
  execute_process(COMMAND "${GIT_EXECUTABLE}" ${ARGN}
    WORKING_DIRECTORY "${source_dir}"
    RESULT_VARIABLE result OUTPUT_VARIABLE ${out_var} ERROR_QUIET
    OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT result EQUAL 0)
    set(${out_var} "")
  endif()
endmacro()

# Sets <out> to the commit checked out in the git work tree that holds
# CMAKE_CURRENT_SOURCE_DIR, or to "" when there is none or git is not found;
# makes a change of that commit re-run the configure step.
function(_container_image_git_revision out)
  set(${out} "" PARENT_SCOPE)
  set(source_dir "${CMAKE_CURRENT_SOURCE_DIR}")
  # Once per directory and configure run: every image of it has the same.
  get_property(known GLOBAL PROPERTY "_CONTAINER_IMAGE_GIT:${source_dir}" SET)
  if(known)
    get_property(revision GLOBAL PROPERTY "_CONTAINER_IMAGE_GIT:${source_dir}")
    set(${out} "${revision}" PARENT_SCOPE)
    return()
  endif()
  set_property(GLOBAL PROPERTY "_CONTAINER_IMAGE_GIT:${source_dir}" "")

  find_package(Git QUIET)
  if(NOT GIT_EXECUTABLE)
    return()
  endif()
  _container_image_git_output(git_dir rev-parse --git-dir)
  if("${git_dir}" STREQUAL "")
    return()
  endif()
  # Re-configure when HEAD moves: HEAD itself (a checkout), the branch it is
  # on (a commit), packed-refs (where the branch may be instead) and the log
  # of HEAD (any move, also from a packed to a loose branch).
  set(watched HEAD packed-refs logs/HEAD)
  _container_image_git_output(branch rev-parse --symbolic-full-name HEAD)
  if("${branch}" MATCHES "^refs/")
    list(APPEND watched "${branch}")
  endif()
  foreach(name IN LISTS watched)
    _container_image_git_output(path rev-parse --git-path "${name}")
    if(NOT "${path}" STREQUAL "")
      cmake_path(ABSOLUTE_PATH path BASE_DIRECTORY "${source_dir}" NORMALIZE)
      if(EXISTS "${path}")
        set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
          "${path}")
      endif()
    endif()
  endforeach()

  _container_image_git_output(revision
    rev-parse --verify --quiet "HEAD^{commit}")
  if(NOT "${revision}" MATCHES "^[0-9a-f]+$")
    return()
  endif()
  set_property(GLOBAL PROPERTY "_CONTAINER_IMAGE_GIT:${source_dir}"
    "${revision}")
  set(${out} "${revision}" PARENT_SCOPE)
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

# Sets <out> to the JSON members ', "mode": "...", "owner": "..."' of the
# entry <prefix> of image <name>, each only when it is set.
function(_container_image_json_mode_owner out name prefix)
  set(members "")
  foreach(key IN ITEMS mode owner)
    string(TOUPPER "${key}" property)
    get_property(value TARGET "${name}" PROPERTY "${prefix}_${property}")
    if(NOT "${value}" STREQUAL "")
      _container_image_json_string(json "${value}")
      string(APPEND members ", \"${key}\": ${json}")
    endif()
  endforeach()
  set(${out} "${members}" PARENT_SCOPE)
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
