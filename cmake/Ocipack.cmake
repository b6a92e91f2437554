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
# What a JSON string must escape: '"', '\\' and the control characters (a
# global property: the functions run in every directory, the variables of
# this one are not seen there).
string(ASCII 1 _container_image_first_control)
string(ASCII 31 _container_image_last_control)
set_property(GLOBAL PROPERTY _CONTAINER_IMAGE_JSON_SPECIAL
  "[\"\\${_container_image_first_control}-${_container_image_last_control}]")
unset(_container_image_first_control)
unset(_container_image_last_control)
# NEW: Ninja rewrites a depfile (absolute paths) for its own use, as the
# Makefile generators do; the image's build rule, whose depfile the tool
# writes as Ninja reads it, sets OLD for itself.
if(POLICY CMP0116)
  cmake_policy(SET CMP0116 NEW)
endif()

# The keywords of add_container_image(), and a regular expression that
# matches a list holding one of those its steps read, all but TARGETS,
# DESTINATION, TAGS, OUTPUT, EXCLUDE_FROM_ALL and PUSH_INSECURE. In the
# cache, so that every directory sees them, as it sees the functions.
set(_CONTAINER_IMAGE_OPTIONS EXCLUDE_FROM_ALL SKELETON NO_DLOPEN_NOTE TZDATA
  STRIP PUSH_INSECURE CACHE INTERNAL "add_container_image() options")
set(_CONTAINER_IMAGE_ONE_VALUE DESTINATION WORKDIR USER STOPSIGNAL COMPRESSION
  COMPRESSION_LEVEL OUTPUT BASE BASE_TAG RUNTIME_DEPENDENCIES SYSROOT CREATED
  PACKAGE_METADATA CACHE INTERNAL "add_container_image() one-value keywords")
set(_CONTAINER_IMAGE_MULTI_VALUE TARGETS ENTRYPOINT CMD ENV EXPOSE VOLUMES
  LABELS ANNOTATIONS TAGS RUNTIME_LIBRARIES CA_CERTIFICATES LOCALES ICONV SBOM
  CACHE INTERNAL "add_container_image() multi-value keywords")
set(_container_image_keywords ${_CONTAINER_IMAGE_OPTIONS}
  ${_CONTAINER_IMAGE_ONE_VALUE} ${_CONTAINER_IMAGE_MULTI_VALUE})
set(_CONTAINER_IMAGE_KEYWORDS ${_container_image_keywords}
  CACHE INTERNAL "add_container_image() keywords")
list(REMOVE_ITEM _container_image_keywords TARGETS DESTINATION TAGS OUTPUT
  EXCLUDE_FROM_ALL PUSH_INSECURE)
list(JOIN _container_image_keywords "|" _container_image_step_keywords)
set(_CONTAINER_IMAGE_STEP_KEYWORDS
  "(^|;)(${_container_image_step_keywords})(;|$)"
  CACHE INTERNAL "Matches the arguments that may give a keyword of a step")
# ... and one that matches arguments of a call that is not the common one
# (add_container_image() tells): an empty one, or a keyword but TARGETS,
# EXCLUDE_FROM_ALL and PUSH_INSECURE.
set(_CONTAINER_IMAGE_UNCOMMON
  "(^|;)(${_container_image_step_keywords}|DESTINATION|TAGS|OUTPUT|)(;|$)"
  CACHE INTERNAL "Matches the arguments of an uncommon call")
unset(_container_image_keywords)
unset(_container_image_step_keywords)
# The names of the targets CMake defines itself.
set(_CONTAINER_IMAGE_RESERVED all ALL_BUILD clean edit_cache help install
  INSTALL package PACKAGE package_source preinstall rebuild_cache RUN_TESTS
  test ZERO_CHECK CACHE INTERNAL "Target names reserved by CMake")

# A path component of an image's repository name, as Docker reads it. In the
# cache, so that every directory sees it, as it sees the functions.
set(_CONTAINER_IMAGE_PATH_COMPONENT "[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*"
  CACHE INTERNAL "A path component of an image repository name")

define_property(TARGET PROPERTY CONTAINER_IMAGE_SBOM
  BRIEF_DOCS "Absolute paths of the SBOMs that this target writes."
  FULL_DOCS "Set by add_container_image() on the custom target <name>: the "
            "absolute paths of the software bills of materials written beside "
            "the tarball (SBOM), empty with SBOM NONE.")

define_property(TARGET PROPERTY CONTAINER_IMAGE_FILE
  BRIEF_DOCS "Absolute path of the image tarball that this target builds."
  FULL_DOCS "Set by add_container_image() and add_container_image_index() on "
            "the custom target <name>: the absolute path of the OCI image "
            "tarball it builds (OUTPUT).")

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
                        [BASE <path> [BASE_TAG <ref>] | BASE docker://<ref>@sha256:<hex>]
                        [SKELETON]
                        [COMPRESSION gzip|zstd|none]
                        [COMPRESSION_LEVEL <level>]
                        [OUTPUT <path>]
                        [EXCLUDE_FROM_ALL]
                        [RUNTIME_DEPENDENCIES AUTO|NONE]
                        [SYSROOT <dir>]
                        [RUNTIME_LIBRARIES <name-path-or-target>...]
                        [NO_DLOPEN_NOTE]
                        [PUSH_INSECURE]
                        [CA_CERTIFICATES [<pem file>...]]
                        [TZDATA]
                        [LOCALES <name>...]
                        [ICONV <charset>...|ALL]
                        [STRIP]
                        [CREATED EPOCH|GIT|<time>]
                        [SBOM SPDX|CYCLONEDX|NONE...]
                        [PACKAGE_METADATA ON|OFF])

  The image is built ``FROM scratch``, or on top of a local ``BASE`` image.
  Its layers are, from the bottom: the layers of the ``BASE`` (if any),
  the runtime libraries (if any, see ``RUNTIME_DEPENDENCIES``), the files,
  directories and symbolic links that :command:`container_image_add_files`,
  :command:`container_image_add_directories` and
  :command:`container_image_add_symlink` add (if any), and the ``TARGETS``
  with the targets of :command:`container_image_add_targets` (if any);
  nothing else.  :command:`container_image_add_user` adds accounts.

  Errors found at the end of the directory (about targets, which may be
  defined after the call) name the file of the call, as in
  ``add_container_image(app) (called in /src/CMakeLists.txt): ...``: CMake
  gives no line there.

  ``<name>``
    The name of the custom target that builds the tarball.  It must be a
    valid target name that is not used yet, and so must ``<name>-load`` and
    ``<name>-push``.
    The target's property ``CONTAINER_IMAGE_FILE`` holds the absolute path
    of the tarball.  The tarball is rebuilt when the spec, the tool, the
    ``BASE``, a target or an added file changes; the build keeps the layers
    it made in ``${CMAKE_CURRENT_BINARY_DIR}/ocipack/<name>.layers``, so
    that a rebuild compresses again only the layers that changed.

  ``<name>-push``
    Not a keyword: a custom target, not built by ``all``, that builds
    ``<name>`` and pushes the tarball to its ``TAGS`` with ``ocipack push``
    (no daemon; credentials and TLS as Docker reads them), or to the
    references in the environment variable ``OCIPACK_PUSH_TAGS``
    (space-separated) when it is set where the target runs; what it pushed
    goes to ``${CMAKE_CURRENT_BINARY_DIR}/ocipack/<name>.pushed.json``.  A
    tag without a registry host (``app:1``, Docker Hub) is refused.

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
    The user (and group), by name or number, to run as.  A name must be
    in the image's ``/etc/passwd`` (or ``/etc/group``), from ``SKELETON``,
    :command:`container_image_add_user`, the added files or the ``BASE``;
    the build checks it.  Numbers are not checked.  Default: unset (root).

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

  ``BASE docker://<host>/<repository>[:<tag>]@sha256:<hex>``
    An image in a registry (the ``docker://`` of skopeo), pulled when the
    image is built, never at configure time: OCI and Docker schema 2
    manifests and indexes; a multi-platform base gives the platform of the
    targets (an ``arm64`` cross build gets the ``arm64`` image).  The
    digest is required, so that every build of the same sources uses the
    same base: ``ocipack resolve <ref>`` prints ``<ref>@sha256:...``, and a
    reference without one is refused with the digest its tag names now
    when the registry answers.  No host means Docker Hub.  Credentials and
    TLS as for ``ocipack push`` (Docker's and podman's logins, certs.d).
    What is pulled goes into a cache shared by every build on the machine
    (``OCIPACK_CACHE_DIR``, else ``$XDG_CACHE_HOME/ocipack``, else
    ``~/.cache/ocipack``; ``ocipack cache`` shows and prunes it), so a
    rebuild, or a build in another build directory, downloads nothing and
    needs no network.

  ``BASE_TAG <ref>``
    Which image of the ``BASE`` to use when it holds several: a tag such as
    ``1.36``, or a reference such as ``busybox:1.36``.  Refused without
    ``BASE``.  Default: the only image of the ``BASE``.

  ``SKELETON``
    Add a minimal system skeleton, for images without a distribution:
    ``/etc/passwd`` and ``/etc/group`` with ``root`` (0), ``nobody`` and
    ``nonroot`` (65532), so that ``USER nonroot`` works by name, and
    ``/tmp`` with mode ``1777``.  With a ``BASE``, these replace the base's
    own files.  :command:`container_image_add_user` works with or without
    it.  Default: no skeleton.

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
    ``TARGETS`` (and those of :command:`container_image_add_targets`) need,
    directly or through other libraries, found as the dynamic loader would
    find them (``RPATH``/``RUNPATH`` with ``$ORIGIN``,
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

  ``RUNTIME_LIBRARIES <name-path-or-target>...``
    Libraries that the ``TARGETS`` load only with ``dlopen()`` (NSS modules
    such as ``libnss_dns.so.2``, plugins), bundled by ``AUTO`` together with
    their own dependencies.  Each is a file name without ``/``, looked up
    like a ``DT_NEEDED`` name, an absolute path in the target system
    (below ``SYSROOT``), or a shared or module library target of the
    project, IMPORTED too (its name, or ``$<TARGET_FILE:target>``), which
    goes into the image's library directory.  Targets may be defined
    after the call, up to the end of the directory.  Generator expressions
    are allowed; duplicates are dropped.  Refused with
    ``RUNTIME_DEPENDENCIES NONE``.  Default: none.

  ``NO_DLOPEN_NOTE``
    Print no build note when a binary the image takes from the project
    (its targets and added files, not the bundled system libraries)
    imports ``dlopen`` while the image has neither ``RUNTIME_LIBRARIES`` nor
    a plugin (a library among its targets and added files that none of them
    links).  Default: the note is printed.

  ``PUSH_INSECURE``
    Let ``<name>-push`` use plain HTTP and accept an unverified
    certificate (``ocipack push --insecure``).  Default: TLS verified, plain
    HTTP only to a loopback registry that does not speak TLS.

  The next four add what programs read at run time to the image, from
  the ``SYSROOT`` (``/`` by default).  When a
  cross ``SYSROOT`` lacks the certificates, time zones or locales (data of
  no architecture, which Debian's cross packages do not carry), they are
  taken from the build machine, with a build note.

  ``CA_CERTIFICATES [<pem file>...]``
    The sysroot's CA bundle (``/etc/ssl/certs/ca-certificates.crt``, from
    Debian's ``ca-certificates`` package), plus the PEM files given (a
    company's CA), as ``/etc/ssl/certs/ca-certificates.crt``, which
    OpenSSL, GnuTLS and curl read on Debian, and as OpenSSL's own
    ``/usr/lib/ssl/cert.pem`` and ``/usr/lib/ssl/certs`` (links to it).
    The files are relative to :variable:`CMAKE_CURRENT_SOURCE_DIR` unless
    absolute, generator expressions are allowed, duplicates are dropped,
    and the image is rebuilt when one changes.  The keyword alone takes
    the bundle only.  A sysroot without the bundle fails the build, naming
    ``ca-certificates``.  Default: no certificates (a build note when
    libssl, libgnutls or libcurl is in the image).

  ``TZDATA``
    The sysroot's time zones, ``/usr/share/zoneinfo`` (Debian's ``tzdata``
    package; the build fails, naming it, when it is absent), so that
    ``TZ=Europe/Paris`` works.  Default: no time zones (UTC only).

  ``LOCALES <name>...``
    The sysroot's compiled locales: ``C.UTF-8`` from
    ``/usr/lib/locale/C.utf8``, others from ``/usr/lib/locale/<name>/``,
    so that ``std::locale("C.UTF-8")`` and ``setlocale()`` find them.
    Names have glibc's form ``language[_territory][.codeset][@modifier]``,
    such as ``de_DE.UTF-8``; ``C`` and ``POSIX`` are built into the C
    library and refused; duplicates are dropped.  A locale the sysroot
    lacks, or has only inside ``locale-archive``, fails the build, saying
    how to compile it (``localedef``, the ``locales`` package).
    Default: none.

  ``ICONV <charset>...|ALL``
    The gconv modules that ``iconv_open()`` loads (with ``dlopen``) for
    these charsets, such as ``UTF-16LE`` or ``ISO-8859-1``, or every
    module with ``ALL`` (alone), with ``gconv-modules`` and
    ``gconv-modules.d``; never modules of another architecture.  Names as
    iconv takes them: letters, digits and ``- _ . : ( ) + /``.
    Default: none (a build note when a binary of the project imports
    ``iconv_open``).

  ``STRIP``
    Put stripped copies of the project's ELF files into the image: the
    targets, the added ELF files and the project's libraries, stripped
    with :variable:`CMAKE_STRIP` in the build tree; the build outputs are
    untouched, and shared objects and modules keep their dynamic symbols.
    How much it saves depends on the program: ``tests/projects/runtime-data``'s
    small C++ program in Release loses 17% (17,816 to 14,720 bytes); the
    system libraries, already stripped, do not change.  Refused when
    ``CMAKE_STRIP`` is empty or not found.  Default: the files as built.

  ``CREATED EPOCH|GIT|<time>``
    The creation time of the image, which ``docker images`` shows.
    ``EPOCH``: 1970-01-01 ("56 years ago").  ``GIT``: the commit time of
    the ``HEAD`` of the git work tree that holds
    :variable:`CMAKE_CURRENT_SOURCE_DIR`, read at configure time (a new
    commit re-runs the configure step): meaningful to a person and the
    same for every build of one commit; an error when there is no work
    tree, no commit or no git.  ``<time>``: an RFC 3339 time
    ``YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)``, such as
    ``2024-05-01T12:00:00Z``, written as given.  ``SOURCE_DATE_EPOCH``
    in the environment of the build wins over all three.  The times of
    the files in the layers do not change.  Default: ``EPOCH``.

  ``SBOM SPDX|CYCLONEDX|NONE...``
    The software bills of materials written beside the tarball, named as
    it is without ``.tar``: ``SPDX`` (SPDX 2.3 JSON, ``<name>.spdx.json``),
    ``CYCLONEDX`` (CycloneDX 1.6 JSON, ``<name>.cdx.json``), both, or
    ``NONE``.  They list every file of every layer with its checksums, the
    Debian packages of the bundled files (from the sysroot's dpkg
    database), the top-level ``project()`` (name, version, homepage, and
    the git revision when the source directory is a git checkout) and the
    dependency edges between the binaries and their libraries.  The
    target's property ``CONTAINER_IMAGE_SBOM`` holds their paths.
    Default: ``SPDX``.

  ``PACKAGE_METADATA ON|OFF``
    ``ON``: when the image bundles files of Debian packages, the system
    libraries' layer also holds ``/var/lib/dpkg/status.d/<package>`` and
    ``<package>.md5sums`` for each, and the sysroot's ``/etc/os-release``
    (unless the base has one), which scanners (trivy, syft) read.
    ``OFF``: none of these.  Default: ``ON``.
#]=======================================================================]
function(add_container_image)
  list(APPEND CMAKE_MESSAGE_CONTEXT "ocipack")
  # ---- The spec now, but for what only the end of the directory knows ----
  # The common call, in a project of many images: <name> TARGETS <target>...
  # and nothing else, with a name that is its own valid tag (one path
  # component, not too long, not what Docker reads as an image ID) and no
  # target yet, targets that are no keyword (each has a character no
  # keyword has) and need no JSON escape, and the parts of the spec without
  # the steps' keywords made for this directory. Parsing, checks and steps
  # would change nothing: it skips them (cmake_parse_arguments() of all the
  # keywords costs more than the rest of the call). Any other call takes
  # the whole way, through _container_image_settings().
  string(LENGTH "${ARGV0}" length)
  _container_image_parts_key(key)
  get_property(parts DIRECTORY PROPERTY _CONTAINER_IMAGE_DEFAULT_PARTS)
  set(output "${CMAKE_CURRENT_BINARY_DIR}/${ARGV0}.tar")
  get_property(owner GLOBAL PROPERTY "_CONTAINER_IMAGE_OUTPUT:${output}")
  set(target "[A-Za-z0-9_.+:-]*[a-z0-9.+:-][A-Za-z0-9_.+:-]*")
  string(REGEX MATCH
    "^${_CONTAINER_IMAGE_PATH_COMPONENT};TARGETS;(${target}(;${target})*)$"
    common "${ARGV}")
  set(common_targets "${CMAKE_MATCH_3}")
  if("${common}" STREQUAL "" OR length GREATER 200
     OR ARGV0 MATCHES "^[0-9a-f]+$"
     OR ARGV0 STREQUAL "sha256" OR ARGV0 IN_LIST _CONTAINER_IMAGE_RESERVED
     OR TARGET "${ARGV0}" OR TARGET "${ARGV0}-load" OR TARGET "${ARGV0}-push"
     OR NOT "${key}" STREQUAL "${parts}" OR NOT "${owner}" STREQUAL "")
    _container_image_name(name ctx add_container_image ${ARGC} "${ARGV0}"
      "${_CONTAINER_IMAGE_KEYWORDS}")
    _container_image_check_name("${ctx}" "${name}")
    _container_image_check_load_name("${ctx}" "${name}")
    # CA_CERTIFICATES alone takes the sysroot's bundle and no file of ours.
    _container_image_parse(arg "${ctx}" "${_CONTAINER_IMAGE_OPTIONS}"
      "${_CONTAINER_IMAGE_ONE_VALUE}" "${_CONTAINER_IMAGE_MULTI_VALUE}"
      MAY_BE_EMPTY CA_CERTIFICATES)
    _container_image_settings("${ctx}" "${name}" "${ARGV}")
  else()
    set(arg_TARGETS "${common_targets}")
    set(arg_EXCLUDE_FROM_ALL FALSE)
    set(arg_PUSH_INSECURE FALSE)
    set(name "${ARGV0}")
    set(ctx "add_container_image(${name})")
    set(tags "${name}:latest")
    _container_image_spec_header(start "${name}" "${tags}")
    get_property(image DIRECTORY PROPERTY _CONTAINER_IMAGE_DEFAULT_IMAGE)
    string(APPEND start "${image}")
    get_property(config DIRECTORY PROPERTY _CONTAINER_IMAGE_DEFAULT_CONFIG)
    get_property(runtime DIRECTORY PROPERTY _CONTAINER_IMAGE_DEFAULT_RUNTIME)
    get_property(end DIRECTORY PROPERTY _CONTAINER_IMAGE_DEFAULT_END)
    get_property(sbom_formats DIRECTORY PROPERTY _CONTAINER_IMAGE_DEFAULT_SBOM)
    set(base_depend "")
    set(runtime_libraries "")
    set(ca_files "")
    set(destination /)
    set_property(GLOBAL PROPERTY "_CONTAINER_IMAGE_OUTPUT:${output}" "${ctx}")
  endif()
  set(targets "${arg_TARGETS}")
  list(REMOVE_DUPLICATES targets)
  # The rest of the spec, unless container_image_add_*() add to the image
  # or RUNTIME_LIBRARIES name targets: the end of the directory adds the
  # default CMD between start and rest.
  set(added_count 0)
  _container_image_spec_targets_layer(targets_layer "${name}")
  _container_image_spec_layers(layers "" "${targets_layer}")
  string(CONCAT rest "${config}  \"users\": [],\n${runtime}, \"libraries\": [], "
    "\"library_files\": []${end}${layers}}\n")

  # ---- The target now, the build rule at the end of the directory ----
  # container_image_add_files() and the like may still add to the image, and
  # TARGETS may still be defined, until the end of this directory.
  _container_image_define_targets("${name}" "${output}"
    "${arg_EXCLUDE_FROM_ALL}" "${arg_PUSH_INSECURE}" "${tags}")
  _container_image_sbom_paths(sbom_paths "${output}" "${sbom_formats}")
  # The default CMD, the first executable of TARGETS, waits for their types.
  set(default_cmd FALSE)
  if(NOT DEFINED arg_CMD AND NOT DEFINED arg_ENTRYPOINT)
    set(default_cmd TRUE)
  endif()
  # Inside a function CMAKE_CURRENT_LIST_FILE is the caller's file (not its
  # line): the deferred finalize names it, as CMake names only
  # "CMakeLists.txt:DEFERRED" there.
  set_target_properties("${name}" PROPERTIES
    CONTAINER_IMAGE_SBOM "${sbom_paths}"
    _CONTAINER_IMAGE_SOURCE_DIR "${CMAKE_CURRENT_SOURCE_DIR}"
    _CONTAINER_IMAGE_CALL_FILE "${CMAKE_CURRENT_LIST_FILE}"
    _CONTAINER_IMAGE_SPEC_START "${start}"
    _CONTAINER_IMAGE_SPEC_CONFIG "${config}"
    _CONTAINER_IMAGE_SPEC_RUNTIME "${runtime}"
    _CONTAINER_IMAGE_SPEC_END "${end}"
    _CONTAINER_IMAGE_TARGETS "${targets}"
    _CONTAINER_IMAGE_DESTINATION "${destination}"
    _CONTAINER_IMAGE_SPEC_REST "${rest}"
    _CONTAINER_IMAGE_DEFAULT_CMD "${default_cmd}"
    _CONTAINER_IMAGE_RUNTIME_LIBRARIES "${runtime_libraries}"
    _CONTAINER_IMAGE_DEPENDS "${base_depend};${ca_files}")
  _container_image_defer_finalize("${name}")
endfunction()

# Sets <out> to the start of the spec of image <name> with <tags>, up to its
# compression. A macro: cheaper than a function; a valid image name and
# valid tags hold no character that a macro's arguments or JSON would
# change.
macro(_container_image_spec_header out name tags)
  string(REPLACE ";" "\", \"" ${out} "${tags}")
  set(${out} "{\n  \"version\": 1,\n  \"image\": \"${name}\",\n  \"tags\": [\"${${out}}\"],\n")
endmacro()

# The settings of add_container_image(<name>) from the keywords parsed with
# prefix arg (<arguments>: the call's ARGV): sets, in the caller's scope,
# tags, start (the spec up to the "cmd" of its "config"), config, runtime
# and end (the parts of the steps below), base_depend, ca_files,
# sbom_formats, runtime_libraries, destination and output.
function(_container_image_settings ctx name arguments)
  if(DEFINED arg_TAGS)
    _container_image_tags(tags "${ctx}" "${arg_TAGS}")
  else()
    _container_image_normalize_tag(tags error "${name}")
    if(NOT "${error}" STREQUAL "")
      _container_image_fail("${ctx}" "the default tag \"${name}:latest\" is "
        "not a valid image reference (${error}); pass TAGS")
    endif()
  endif()
  _container_image_spec_header(start "${name}" "${tags}")
  # Each step checks its keywords and returns its part of the spec. A call
  # that gives none of their keywords takes the parts they make without
  # them, made once per directory; one that may give one (a keyword in its
  # arguments) runs every step.
  _container_image_default_parts("${ctx}")
  if(arguments MATCHES "${_CONTAINER_IMAGE_STEP_KEYWORDS}")
    _container_image_spec_image(image "${ctx}" arg)
    _container_image_spec_config(config "${ctx}" arg)
    _container_image_spec_runtime(runtime "${ctx}" arg)
    _container_image_spec_end(end "${ctx}" arg)
  endif()
  string(APPEND start "${image}")
  set(destination /)
  if(DEFINED arg_DESTINATION)
    _container_image_image_dir(destination "${ctx}" DESTINATION
      "${arg_DESTINATION}")
  endif()
  _container_image_output(output "${ctx}" "${name}" arg)
  if(DEFINED arg_OUTPUT)
    _container_image_make_output_dir("${output}")
  endif()
  foreach(setting IN ITEMS tags start config runtime end base_depend ca_files
      sbom_formats runtime_libraries destination output)
    set(${setting} "${${setting}}" PARENT_SCOPE)
  endforeach()
endfunction()

# ---- Private: the steps of add_container_image() ----------------------------
# Each checks the keywords parsed with <prefix> and sets <out> to its part
# of the spec (schema version 1), and, in the caller's scope, what the end of
# the directory needs besides.

# Sets <out> to the variables that the default parts of the spec are made
# of (_container_image_default_parts()), but the git HEAD. A macro: cheaper
# than a function, and it has no variable of its own.
macro(_container_image_parts_key out)
  set(${out} "${PROJECT_VERSION};${PROJECT_DESCRIPTION};"
    "${PROJECT_HOMEPAGE_URL};${CMAKE_PROJECT_NAME};${CMAKE_PROJECT_VERSION};"
    "${CMAKE_PROJECT_HOMEPAGE_URL};${CMAKE_SYSROOT}")
endmacro()

# Sets image, config, runtime and end, in the caller's scope, to what
# _container_image_spec_image(), _container_image_spec_config(),
# _container_image_spec_runtime() and _container_image_spec_end() give when
# none of their keywords is given, and base_depend, runtime_libraries,
# ca_files and sbom_formats with them: made once per directory (directory
# properties), again when a variable they read changes (the git HEAD they
# read is the same for the whole directory).
function(_container_image_default_parts ctx)
  _container_image_parts_key(key)
  get_property(parts DIRECTORY PROPERTY _CONTAINER_IMAGE_DEFAULT_PARTS)
  if("${key}" STREQUAL "${parts}")
    get_property(image DIRECTORY PROPERTY _CONTAINER_IMAGE_DEFAULT_IMAGE)
    get_property(config DIRECTORY PROPERTY _CONTAINER_IMAGE_DEFAULT_CONFIG)
    get_property(runtime DIRECTORY PROPERTY _CONTAINER_IMAGE_DEFAULT_RUNTIME)
    get_property(end DIRECTORY PROPERTY _CONTAINER_IMAGE_DEFAULT_END)
    get_property(sbom_formats DIRECTORY PROPERTY _CONTAINER_IMAGE_DEFAULT_SBOM)
  else()
    # No keyword parsed has this prefix.
    set(prefix _container_image_no_keyword)
    _container_image_spec_image(image "${ctx}" ${prefix})
    _container_image_spec_config(config "${ctx}" ${prefix})
    _container_image_spec_runtime(runtime "${ctx}" ${prefix})
    _container_image_spec_end(end "${ctx}" ${prefix})
    set_directory_properties(PROPERTIES _CONTAINER_IMAGE_DEFAULT_PARTS "${key}"
      _CONTAINER_IMAGE_DEFAULT_IMAGE "${image}"
      _CONTAINER_IMAGE_DEFAULT_CONFIG "${config}"
      _CONTAINER_IMAGE_DEFAULT_RUNTIME "${runtime}"
      _CONTAINER_IMAGE_DEFAULT_END "${end}"
      _CONTAINER_IMAGE_DEFAULT_SBOM "${sbom_formats}")
  endif()
  set(image "${image}" PARENT_SCOPE)
  set(config "${config}" PARENT_SCOPE)
  set(runtime "${runtime}" PARENT_SCOPE)
  set(end "${end}" PARENT_SCOPE)
  set(sbom_formats "${sbom_formats}" PARENT_SCOPE)
  # Without their keywords, the steps give no base, libraries or files.
  set(base_depend "" PARENT_SCOPE)
  set(runtime_libraries "" PARENT_SCOPE)
  set(ca_files "" PARENT_SCOPE)
endfunction()

# Sets <out> to the value of <keyword> parsed with <prefix>, or to <default>
# when it is not given; fails unless it is one of the <choice>s that follow.
function(_container_image_choice out ctx prefix keyword default)
  set(value "${default}")
  if(DEFINED ${prefix}_${keyword})
    set(value "${${prefix}_${keyword}}")
    if(NOT value IN_LIST ARGN)
      list(JOIN ARGN ", " choices)
      _container_image_fail("${ctx}" "${keyword} \"${value}\" is not one of "
        "${choices}")
    endif()
  endif()
  set(${out} "${value}" PARENT_SCOPE)
endfunction()

# Sets <out> to the spec after the tags up to the "cmd" of the "config": the
# creation time, compression, base, skeleton, strip program and ENTRYPOINT;
# sets base_depend in the caller's scope: the file of the BASE that a
# rebuild follows, or "".
function(_container_image_spec_image out ctx prefix)
  set(spec "")
  if(DEFINED ${prefix}_CREATED)
    _container_image_created_setting(created "${ctx}" "${${prefix}_CREATED}")
    # CREATED GIT gives seconds (a JSON number), a time given stays a string.
    if("${created}" MATCHES "^[0-9]+$")
      string(APPEND spec "  \"created\": ${created},\n")
    elseif(NOT "${created}" STREQUAL "")
      _container_image_json_string(json "${created}")
      string(APPEND spec "  \"created\": ${json},\n")
    endif()
  endif()
  if(DEFINED ${prefix}_COMPRESSION OR DEFINED ${prefix}_COMPRESSION_LEVEL)
    _container_image_compression_settings(compression "${ctx}" ${prefix})
    string(APPEND spec "${compression}")
  else()
    string(APPEND spec "  \"compression\": \"gzip\",\n")
  endif()
  set(base_depend "")
  if(DEFINED ${prefix}_BASE OR DEFINED ${prefix}_BASE_TAG)
    _container_image_base_settings(base_json "${ctx}" ${prefix})
    string(APPEND spec "${base_json}")
  endif()
  if(${prefix}_SKELETON)
    string(APPEND spec "  \"skeleton\": true,\n")
  endif()
  if(${prefix}_STRIP)
    _container_image_strip_setting(strip "${ctx}")
    _container_image_json_string(json "${strip}")
    string(APPEND spec "  \"strip\": ${json},\n")
  endif()
  string(APPEND spec "  \"config\": {\n    ")
  if(DEFINED ${prefix}_ENTRYPOINT)
    _container_image_check_program("${ctx}" ENTRYPOINT
      "${${prefix}_ENTRYPOINT}")
    _container_image_json_array(json "${${prefix}_ENTRYPOINT}")
    string(APPEND spec "\"entrypoint\": ${json},\n    ")
  endif()
  set(base_depend "${base_depend}" PARENT_SCOPE)
  set(${out} "${spec}" PARENT_SCOPE)
endfunction()

# Sets <out> to the spec from the "cmd" of the "config" (when CMD is given:
# the default one is the end of the directory's) to the "annotations".
function(_container_image_spec_config out ctx prefix)
  set(spec "")
  if(DEFINED ${prefix}_CMD)
    _container_image_check_program("${ctx}" CMD "${${prefix}_CMD}")
    _container_image_json_array(json "${${prefix}_CMD}")
    string(APPEND spec "\"cmd\": ${json},\n    ")
  endif()
  foreach(entry IN LISTS ${prefix}_ENV)
    if(NOT "${entry}" MATCHES "^[^=]+=")
      _container_image_fail("${ctx}" "ENV value \"${entry}\" is not of the "
        "form NAME=value")
    endif()
  endforeach()
  _container_image_json_array(json "${${prefix}_ENV}")
  string(APPEND spec "\"env\": ${json}")
  if(DEFINED ${prefix}_WORKDIR)
    _container_image_image_dir(workdir "${ctx}" WORKDIR "${${prefix}_WORKDIR}")
    _container_image_json_string(json "${workdir}")
    string(APPEND spec ",\n    \"workdir\": ${json}")
  endif()
  if(DEFINED ${prefix}_USER)
    _container_image_check_user("${ctx}" "${${prefix}_USER}")
    _container_image_json_string(json "${${prefix}_USER}")
    string(APPEND spec ",\n    \"user\": ${json}")
  endif()
  set(ports "")
  if(DEFINED ${prefix}_EXPOSE)
    _container_image_exposed_ports(ports "${ctx}" "${${prefix}_EXPOSE}")
  endif()
  _container_image_json_array(json "${ports}")
  string(APPEND spec ",\n    \"exposed_ports\": ${json}")
  set(volumes "")
  foreach(volume IN LISTS ${prefix}_VOLUMES)
    _container_image_image_dir(volume "${ctx}" VOLUMES "${volume}")
    list(APPEND volumes "${volume}")
  endforeach()
  list(REMOVE_DUPLICATES volumes)
  _container_image_json_array(json "${volumes}")
  string(APPEND spec ",\n    \"volumes\": ${json}")
  if(DEFINED ${prefix}_STOPSIGNAL)
    _container_image_check_stop_signal("${ctx}" "${${prefix}_STOPSIGNAL}")
    _container_image_json_string(json "${${prefix}_STOPSIGNAL}")
    string(APPEND spec ",\n    \"stop_signal\": ${json}")
  endif()
  if(DEFINED ${prefix}_LABELS OR DEFINED ${prefix}_ANNOTATIONS)
    _container_image_check_labels("${ctx}" ${prefix})
  endif()
  _container_image_json_array(json "${${prefix}_LABELS}")
  string(APPEND spec ",\n    \"labels\": ${json}\n  },\n")
  _container_image_annotations(annotations ${prefix})
  _container_image_json_array(json "${annotations}")
  string(APPEND spec "  \"annotations\": ${json},\n")
  set(${out} "${spec}" PARENT_SCOPE)
endfunction()

# Sets <out> to the spec's "runtime_dependencies" up to its "libraries", and
# runtime_libraries, in the caller's scope, to RUNTIME_LIBRARIES (the end of
# the directory tells the targets among them).
function(_container_image_spec_runtime out ctx prefix)
  set(runtime_libraries "")
  set(sysroot "")
  set(mode auto)
  if(DEFINED ${prefix}_RUNTIME_DEPENDENCIES OR DEFINED ${prefix}_SYSROOT
     OR DEFINED ${prefix}_RUNTIME_LIBRARIES
     OR NOT "${CMAKE_SYSROOT}" STREQUAL "")
    _container_image_runtime_settings("${ctx}" ${prefix})
  endif()
  set(spec "  \"runtime_dependencies\": {\"mode\": \"${mode}\"")
  if(NOT "${sysroot}" STREQUAL "")
    _container_image_json_string(json "${sysroot}")
    string(APPEND spec ", \"sysroot\": ${json}")
  endif()
  set(runtime_libraries "${runtime_libraries}" PARENT_SCOPE)
  set(${out} "${spec}" PARENT_SCOPE)
endfunction()

# Sets <out> to the spec from the end of "runtime_dependencies" to the
# "layers": "runtime_data", "sbom" and "dlopen_note"; sets ca_files and
# sbom_formats in the caller's scope.
function(_container_image_spec_end out ctx prefix)
  # Origins of build outputs are written relative to it, never by the
  # build directory's path, which would change the bytes with it.
  _container_image_json_string(json "${CMAKE_BINARY_DIR}")
  set(spec ", \"build_dir\": ${json}},\n")
  set(ca_files "")
  set(locales "")
  set(iconv "")
  # CA_CERTIFICATES alone (the sysroot's bundle only) has no value.
  set(ca_certificates false)
  if(DEFINED ${prefix}_CA_CERTIFICATES
     OR "CA_CERTIFICATES" IN_LIST ${prefix}_KEYWORDS_MISSING_VALUES)
    set(ca_certificates true)
  endif()
  if(DEFINED ${prefix}_LOCALES OR DEFINED ${prefix}_ICONV OR ca_certificates)
    _container_image_runtime_data_settings("${ctx}" ${prefix})
  endif()
  set(tzdata false)
  if(${prefix}_TZDATA)
    set(tzdata true)
  endif()
  _container_image_json_array(ca_json "${ca_files}")
  _container_image_json_array(locales_json "${locales}")
  _container_image_json_array(iconv_json "${iconv}")
  string(APPEND spec "  \"runtime_data\": {\"ca_certificates\": "
    "${ca_certificates}, \"ca_files\": ${ca_json}, \"tzdata\": ${tzdata}, "
    "\"locales\": ${locales_json}, \"iconv\": ${iconv_json}},\n")
  _container_image_spec_sbom(sbom "${ctx}" ${prefix})
  string(APPEND spec "  \"sbom\": ${sbom},\n")
  if(${prefix}_NO_DLOPEN_NOTE)
    string(APPEND spec "  \"dlopen_note\": false,\n")
  endif()
  set(ca_files "${ca_files}" PARENT_SCOPE)
  set(sbom_formats "${sbom_formats}" PARENT_SCOPE)
  set(${out} "${spec}" PARENT_SCOPE)
endfunction()

# Sets <out> to a base's members of the spec from BASE and BASE_TAG, and
# base_depend in the caller's scope.
function(_container_image_base_settings out ctx prefix)
  # A path of the build host, relative to the source directory; one from a
  # generator expression is resolved by file(GENERATE) and checked by the
  # tool. Rebuild when it changes: a layout directory changes its index.json
  # whenever its content changes (its blobs are named by their digests).
  set(base "")
  set(base_depend "")
  set(base_reference "")
  if(DEFINED ${prefix}_BASE AND "${${prefix}_BASE}" MATCHES "^docker://")
    # From a registry, pulled when the image is built (not here), pinned by
    # digest: every build of the same sources gets the same base.
    set(base_reference "${${prefix}_BASE}")
    _container_image_check_base_reference("${ctx}" "${base_reference}")
    if(DEFINED ${prefix}_BASE_TAG)
      _container_image_fail("${ctx}" "BASE_TAG \"${${prefix}_BASE_TAG}\" is given "
        "with BASE ${base_reference}; the reference names the image already "
        "(drop BASE_TAG)")
    endif()
  elseif(DEFINED ${prefix}_BASE)
    _container_image_source_path(base "${${prefix}_BASE}")
    if(NOT "${base}" MATCHES "\\$<")
      string(REGEX REPLACE "(.)/+$" "\\1" base "${base}")
    endif()
    set(base_depend "${base}")
    if(IS_DIRECTORY "${base}")
      set(base_depend "${base}/index.json")
    endif()
  endif()
  set(base_tag "")
  if(DEFINED ${prefix}_BASE_TAG)
    set(base_tag "${${prefix}_BASE_TAG}")
    if(NOT DEFINED ${prefix}_BASE)
      _container_image_fail("${ctx}" "BASE_TAG \"${base_tag}\" is given "
        "without BASE; it picks an image of the BASE")
    endif()
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
  set(members "")
  if(NOT "${base_reference}" STREQUAL "")
    _container_image_json_string(json "${base_reference}")
    set(members "  \"base\": {\"reference\": ${json}},\n")
  elseif(NOT "${base}" STREQUAL "")
    _container_image_json_string(json "${base}")
    set(base_json "{\"path\": ${json}")
    if(NOT "${base_tag}" STREQUAL "")
      _container_image_json_string(json "${base_tag}")
      string(APPEND base_json ", \"tag\": ${json}")
    endif()
    set(members "  \"base\": ${base_json}},\n")
  endif()
  set(base_depend "${base_depend}" PARENT_SCOPE)
  set(${out} "${members}" PARENT_SCOPE)
endfunction()

# Fails unless <reference> (docker://...) names a digest; the message gives
# the digest its tag names now when the installed tool can ask the registry
# within a few seconds.
function(_container_image_check_base_reference ctx reference)
  if("${reference}" MATCHES "@sha256:([0-9a-f]+)$")
    string(LENGTH "${CMAKE_MATCH_1}" digits)
    if(NOT digits EQUAL 64)
      _container_image_fail("${ctx}" "BASE \"${reference}\": a sha256 digest "
        "has 64 lower-case hex digits, not ${digits}")
    endif()
    return()
  endif()
  if("${reference}" MATCHES "@")
    _container_image_fail("${ctx}" "BASE \"${reference}\": only sha256 digests "
      "are supported (@sha256:<64 hex digits>)")
  endif()
  set(now "")
  get_target_property(imported ocipack::ocipack IMPORTED)
  if(imported)
    get_target_property(tool ocipack::ocipack LOCATION)
    if(EXISTS "${tool}")
      execute_process(COMMAND "${tool}" resolve "${reference}"
        RESULT_VARIABLE rc OUTPUT_VARIABLE pinned ERROR_QUIET
        OUTPUT_STRIP_TRAILING_WHITESPACE TIMEOUT 10)
      if(rc EQUAL 0 AND "${pinned}" MATCHES "@sha256:")
        set(now "; its tag names ${pinned} now")
      endif()
    endif()
  endif()
  _container_image_fail("${ctx}" "BASE \"${reference}\" names no digest; pin "
    "it, so that every build of these sources uses the same base: BASE "
    "${reference}@sha256:<digest> (`ocipack resolve ${reference}` prints it)${now}")
endfunction()

# Fails unless <value>, the ENTRYPOINT or CMD given (<keyword>), starts with
# a program that is not empty.
function(_container_image_check_program ctx keyword value)
  list(GET value 0 program)
  if("${program}" STREQUAL "")
    _container_image_fail("${ctx}" "the first ${keyword} argument (the program) "
      "is empty")
  endif()
endfunction()

# Sets <out> to the spec's "compression" member (gzip unless COMPRESSION
# says) and its "compression_level" when COMPRESSION_LEVEL is given.
function(_container_image_compression_settings out ctx prefix)
  _container_image_choice(compression "${ctx}" ${prefix} COMPRESSION gzip
    gzip zstd none)
  set(members "  \"compression\": \"${compression}\",\n")
  if(DEFINED ${prefix}_COMPRESSION_LEVEL)
    set(level "${${prefix}_COMPRESSION_LEVEL}")
    if("${compression}" STREQUAL "none")
      _container_image_fail("${ctx}" "COMPRESSION_LEVEL \"${level}\" is given "
        "with COMPRESSION none; drop one of them")
    elseif("${compression}" STREQUAL "zstd")
      set(levels "^([1-9]|1[0-9])$" 19)
    else()
      set(levels "^([1-9]|1[0-2])$" 12)
    endif()
    list(GET levels 0 levels_regex)
    list(GET levels 1 max_level)
    if(NOT "${level}" MATCHES "${levels_regex}")
      _container_image_fail("${ctx}" "COMPRESSION_LEVEL \"${level}\" is not a "
        "${compression} level from 1 (fastest) to ${max_level} (smallest)")
    endif()
    string(APPEND members "  \"compression_level\": ${level},\n")
  endif()
  set(${out} "${members}" PARENT_SCOPE)
endfunction()

# Sets mode (auto or none), sysroot and runtime_libraries, in the caller's
# scope, from RUNTIME_DEPENDENCIES, SYSROOT (default: CMAKE_SYSROOT with
# auto) and RUNTIME_LIBRARIES.
function(_container_image_runtime_settings ctx prefix)
  _container_image_choice(mode "${ctx}" ${prefix} RUNTIME_DEPENDENCIES AUTO
    AUTO NONE)
  string(TOLOWER "${mode}" mode)

  # NONE bundles nothing, so these would be silently ignored.
  if(mode STREQUAL "none")
    if(DEFINED ${prefix}_SYSROOT)
      _container_image_fail("${ctx}" "SYSROOT \"${${prefix}_SYSROOT}\" is "
        "given with RUNTIME_DEPENDENCIES NONE, which resolves no libraries; "
        "drop one of them")
    endif()
    if(DEFINED ${prefix}_RUNTIME_LIBRARIES)
      list(JOIN ${prefix}_RUNTIME_LIBRARIES "\" \"" libraries)
      _container_image_fail("${ctx}" "RUNTIME_LIBRARIES \"${libraries}\" is "
        "given with RUNTIME_DEPENDENCIES NONE, which bundles no libraries; "
        "drop one of them")
    endif()
  endif()

  # The sysroot is a directory of the build host; a generator expression is
  # resolved by file(GENERATE) and checked by the tool.
  set(sysroot "")
  if(DEFINED ${prefix}_SYSROOT)
    set(sysroot "${${prefix}_SYSROOT}")
    set(what "SYSROOT \"${sysroot}\" is not an absolute path")
  elseif(mode STREQUAL "auto" AND NOT "${CMAKE_SYSROOT}" STREQUAL "")
    set(sysroot "${CMAKE_SYSROOT}")
    string(CONCAT what "the default SYSROOT, CMAKE_SYSROOT \"${sysroot}\", "
      "is not an absolute path; pass SYSROOT")
  endif()
  if(NOT "${sysroot}" STREQUAL "" AND NOT "${sysroot}" MATCHES "\\$<")
    cmake_path(IS_ABSOLUTE sysroot absolute)
    if(NOT absolute)
      _container_image_fail("${ctx}" "${what}")
    endif()
  endif()

  # Names are looked up like DT_NEEDED entries, paths are in the target
  # system (below the sysroot), so they start with "/" on any build host.
  set(runtime_libraries "")
  foreach(library IN LISTS ${prefix}_RUNTIME_LIBRARIES)
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
  set(mode "${mode}" PARENT_SCOPE)
  set(sysroot "${sysroot}" PARENT_SCOPE)
  set(runtime_libraries "${runtime_libraries}" PARENT_SCOPE)
endfunction()

# Sets ca_files, locales and iconv, in the caller's scope, from
# CA_CERTIFICATES, LOCALES and ICONV: what programs read at run time, which
# the tool takes from the sysroot.
function(_container_image_runtime_data_settings ctx prefix)
  set(ca_files "")
  foreach(file IN LISTS ${prefix}_CA_CERTIFICATES)
    if("${file}" STREQUAL "")
      _container_image_fail("${ctx}" "a CA_CERTIFICATES path is empty")
    endif()
    _container_image_source_path(file "${file}")
    list(APPEND ca_files "${file}")
  endforeach()
  list(REMOVE_DUPLICATES ca_files)

  set(locales "")
  foreach(locale IN LISTS ${prefix}_LOCALES)
    # glibc answers these itself, without a file.
    if("${locale}" MATCHES "^(C|POSIX)$")
      _container_image_fail("${ctx}" "LOCALES value \"${locale}\" is built "
        "into the C library and needs nothing in the image; drop it (C.UTF-8 "
        "is not built in)")
    endif()
    # glibc's form: language[_territory][.codeset][@modifier].
    set(form "^[A-Za-z]+(_[A-Za-z0-9]+)?([.][A-Za-z0-9_-]+)?(@[A-Za-z0-9_-]+)?$")
    if(NOT "${locale}" MATCHES "${form}")
      _container_image_fail("${ctx}" "LOCALES value \"${locale}\" is not a "
        "locale name language[_territory][.codeset][@modifier], such as "
        "C.UTF-8 or de_DE.UTF-8")
    endif()
    list(APPEND locales "${locale}")
  endforeach()
  list(REMOVE_DUPLICATES locales)

  set(iconv "${${prefix}_ICONV}")
  list(REMOVE_DUPLICATES iconv)
  list(LENGTH iconv count)
  if("ALL" IN_LIST iconv AND count GREATER 1)
    list(REMOVE_ITEM iconv ALL)
    list(JOIN iconv "\" \"" others)
    _container_image_fail("${ctx}" "ICONV ALL (every gconv module) is given "
      "with the charsets \"${others}\"; drop one or the other")
  endif()
  foreach(charset IN LISTS iconv)
    if(NOT "${charset}" MATCHES "^[A-Za-z0-9._:()+/-]+$")
      _container_image_fail("${ctx}" "ICONV value \"${charset}\" is not a "
        "charset name (letters, digits and - _ . : ( ) + /, such as UTF-16LE) "
        "or ALL")
    endif()
  endforeach()
  set(ca_files "${ca_files}" PARENT_SCOPE)
  set(locales "${locales}" PARENT_SCOPE)
  set(iconv "${iconv}" PARENT_SCOPE)
endfunction()

# Sets <out> to CMAKE_STRIP, which STRIP runs (the tool runs it on copies of
# the project's ELF files in the build tree); fails unless it is a program.
function(_container_image_strip_setting out ctx)
  set(strip "${CMAKE_STRIP}")
  if("${strip}" STREQUAL "")
    _container_image_fail("${ctx}" "STRIP is given, but CMAKE_STRIP is "
      "empty: enable the C or CXX language (project(), enable_language()), "
      "which finds it, or set CMAKE_STRIP to the strip program")
  endif()
  if(NOT IS_ABSOLUTE "${strip}" OR NOT EXISTS "${strip}"
     OR IS_DIRECTORY "${strip}")
    _container_image_fail("${ctx}" "STRIP is given, but CMAKE_STRIP "
      "\"${strip}\" is not found (it must be the absolute path of the strip "
      "program)")
  endif()
  set(${out} "${strip}" PARENT_SCOPE)
endfunction()

# Sets <out> to the spec's "sbom" object: the formats (SBOM: spdx,
# cyclonedx, default spdx), PACKAGE_METADATA (default ON) and the project
# the SBOM names: the top-level project() and its git revision, when there
# is one. Sets sbom_formats in the caller's scope.
function(_container_image_spec_sbom out ctx prefix)
  set(sbom_formats spdx)
  if(DEFINED ${prefix}_SBOM)
    set(sbom_formats "")
    foreach(format IN LISTS ${prefix}_SBOM)
      if(NOT format MATCHES "^(SPDX|CYCLONEDX|NONE)$")
        _container_image_fail("${ctx}" "SBOM \"${format}\" is not one of SPDX, "
          "CYCLONEDX, NONE")
      endif()
      string(TOLOWER "${format}" lower)
      if(lower IN_LIST sbom_formats)
        _container_image_fail("${ctx}" "SBOM ${format} is given twice")
      endif()
      list(APPEND sbom_formats "${lower}")
    endforeach()
    list(LENGTH sbom_formats count)
    if("none" IN_LIST sbom_formats AND count GREATER 1)
      _container_image_fail("${ctx}" "SBOM NONE cannot be given with another "
        "format")
    endif()
    list(REMOVE_ITEM sbom_formats none)
  endif()
  set(package_metadata true)
  if(DEFINED ${prefix}_PACKAGE_METADATA)
    _container_image_choice(value "${ctx}" ${prefix} PACKAGE_METADATA ON ON OFF)
    if(value STREQUAL "OFF")
      set(package_metadata false)
    endif()
  endif()
  # No git, or no work tree: an SBOM without the revision, not an error.
  set(git_revision "")
  if(NOT "${sbom_formats}" STREQUAL "")
    _container_image_git_head(git)
  endif()
  set(project "")
  _container_image_json_member(project name "${CMAKE_PROJECT_NAME}")
  _container_image_json_member(project version "${CMAKE_PROJECT_VERSION}")
  _container_image_json_member(project homepage "${CMAKE_PROJECT_HOMEPAGE_URL}")
  _container_image_json_member(project revision "${git_revision}")
  string(SUBSTRING "${project}" 2 -1 project)
  _container_image_json_array(formats "${sbom_formats}")
  string(CONCAT sbom "{\"formats\": ${formats}, \"package_metadata\": "
    "${package_metadata}, \"project\": {${project}}}")
  set(${out} "${sbom}" PARENT_SCOPE)
  set(sbom_formats "${sbom_formats}" PARENT_SCOPE)
endfunction()

# Sets <out> to the SBOM files of the tarball <output>, one per format of
# <formats>: beside it, its name without ".tar" and then ".spdx.json" or
# ".cdx.json".
function(_container_image_sbom_paths out output formats)
  string(REGEX REPLACE "\\.tar$" "" stem "${output}")
  set(paths "")
  foreach(format IN LISTS formats)
    if(format STREQUAL "spdx")
      list(APPEND paths "${stem}.spdx.json")
    else()
      list(APPEND paths "${stem}.cdx.json")
    endif()
  endforeach()
  set(${out} "${paths}" PARENT_SCOPE)
endfunction()

# Sets <out> from CREATED <value>: "" for EPOCH (the tool's default: 1970,
# or SOURCE_DATE_EPOCH), the commit time of HEAD in seconds for GIT, or the
# RFC 3339 time given.
function(_container_image_created_setting out ctx value)
  set(created "")
  if("${value}" STREQUAL "GIT")
    _container_image_git_head(git)
    if(NOT "${git_error}" STREQUAL "")
      _container_image_fail("${ctx}" "CREATED GIT: ${git_error}")
    endif()
    set(created "${git_time}")
  elseif(NOT "${value}" STREQUAL "EPOCH")
    _container_image_rfc3339_error(error "${value}")
    if(NOT "${error}" STREQUAL "")
      _container_image_fail("${ctx}" "CREATED \"${value}\" is neither EPOCH, "
        "GIT nor an RFC 3339 time YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM) "
        "such as 2024-05-01T12:00:00Z: ${error}")
    endif()
    set(created "${value}")
  endif()
  set(${out} "${created}" PARENT_SCOPE)
endfunction()

# Sets <out> to "" when <value> is an RFC 3339 time of the form
# YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM) naming a day of its month,
# otherwise to what is wrong. No leap second: Docker's parser refuses :60.
function(_container_image_rfc3339_error out value)
  set(${out} "" PARENT_SCOPE)
  set(d "[0-9][0-9]")
  # CMake's regular expressions have at most 9 groups: the offset apart.
  if(NOT "${value}" MATCHES
     "^(${d}${d})-(${d})-(${d})T(${d}):(${d}):(${d})([.][0-9]+)?(Z|[+-]${d}:${d})$")
    set(${out} "it is not of that form" PARENT_SCOPE)
    return()
  endif()
  set(index 1)
  foreach(name IN ITEMS year month day hour minute second)
    set(${name} "${CMAKE_MATCH_${index}}")
    math(EXPR index "${index} + 1")
  endforeach()
  set(offset_hour "")
  set(offset_minute "")
  if("${CMAKE_MATCH_8}" MATCHES "^[+-](${d}):(${d})$")
    set(offset_hour "${CMAKE_MATCH_1}")
    set(offset_minute "${CMAKE_MATCH_2}")
  endif()
  math(EXPR by_4 "${year} % 4")
  math(EXPR by_100 "${year} % 100")
  math(EXPR by_400 "${year} % 400")
  set(february 28)
  if(by_4 EQUAL 0 AND (NOT by_100 EQUAL 0 OR by_400 EQUAL 0))
    set(february 29)
  endif()
  set(days 31 ${february} 31 30 31 30 31 31 30 31 30 31)
  foreach(check IN ITEMS "month:1:12" "hour:0:23" "minute:0:59"
      "second:0:59" "offset_hour:0:23" "offset_minute:0:59")
    string(REPLACE ":" ";" check "${check}")
    list(GET check 0 name)
    list(GET check 1 low)
    list(GET check 2 high)
    if(NOT "${${name}}" STREQUAL "" AND (${name} LESS low OR ${name} GREATER high))
      string(REPLACE "_" " " what "${name}")
      set(${out} "the ${what} ${${name}} is not ${low} to ${high}" PARENT_SCOPE)
      return()
    endif()
  endforeach()
  math(EXPR month_index "${month} - 1")
  list(GET days ${month_index} last_day)
  if(day LESS 1 OR day GREATER last_day)
    set(${out} "month ${month} of ${year} has no day ${day}" PARENT_SCOPE)
  endif()
endfunction()

# Fails unless <user>, the USER given, is <user>[:<group>].
function(_container_image_check_user ctx user)
  if("${user}" MATCHES "[ \t\r\n]" OR NOT "${user}" MATCHES "^[^:]+(:[^:]+)?$")
    _container_image_fail("${ctx}" "USER value \"${user}\" is not of the "
      "form <user>[:<group>] (no whitespace, at most one ':', neither part "
      "empty)")
  endif()
endfunction()

# Fails unless LABELS and ANNOTATIONS, parsed with <prefix>, are key=value
# entries, each key once.
function(_container_image_check_labels ctx prefix)
  foreach(kw IN ITEMS LABELS ANNOTATIONS)
    set(keys "")
    foreach(entry IN LISTS ${prefix}_${kw})
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
endfunction()

# Fails unless <signal>, the STOPSIGNAL given, is a signal name as Docker's
# STOPSIGNAL takes it (SIGTERM, TERM, SIGRTMIN+3) or a number; the tool
# writes it as given.
function(_container_image_check_stop_signal ctx signal)
  if(NOT "${signal}" MATCHES "^(SIG)?[A-Z][A-Z0-9+-]*$"
     AND NOT ("${signal}" MATCHES "^[1-9][0-9]?$" AND signal LESS_EQUAL 64))
    _container_image_fail("${ctx}" "STOPSIGNAL \"${signal}\" is not a "
      "signal name (such as SIGTERM or TERM, upper case) or a number from "
      "1 to 64")
  endif()
endfunction()

# Sets <out> to the <ports> of EXPOSE, each with its protocol (tcp when none
# is given), duplicates dropped.
function(_container_image_exposed_ports out ctx ports)
  set(exposed_ports "")
  foreach(port IN LISTS ports)
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
  set(${out} "${exposed_ports}" PARENT_SCOPE)
endfunction()

# Sets <out> to the annotations: the ANNOTATIONS parsed with <prefix>, then
# the ones filled from project() and git, each unless ANNOTATIONS sets its
# key.
function(_container_image_annotations out prefix)
  set(annotations "${${prefix}_ANNOTATIONS}")
  set(user_keys "")
  foreach(entry IN LISTS ${prefix}_ANNOTATIONS)
    string(REGEX MATCH "^[^=]+" key "${entry}")
    list(APPEND user_keys "${key}")
  endforeach()
  set(revision "")
  if(NOT "org.opencontainers.image.revision" IN_LIST user_keys)
    _container_image_git_head(git)
    set(revision "${git_revision}")
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
  set(${out} "${annotations}" PARENT_SCOPE)
endfunction()

#[=======================================================================[.rst:
.. command:: container_image_add_files

  Add files and directories to an image made by :command:`add_container_image`.

  .. code-block:: cmake

    container_image_add_files(<name> <path>... DESTINATION <dir>
                              [RENAME <name>]
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

  ``RENAME <name>``
    The file name in the image, as :command:`install(FILES)` takes it:
    only with exactly one ``<path>``, which does not end in ``/``;
    ``<name>`` has no ``/`` and is not ``.`` or ``..``.  Default: the
    path's own name.

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
  # The other arguments are the paths.
  _container_image_parse_copy(container_image_add_files ${ARGC} "${ARGV0}"
    "files or directories" "DESTINATION;MODE;OWNER;RENAME")
  _container_image_mode_owner(mode owner "${ctx}" arg)
  _container_image_rename(rename "${ctx}" arg)

  foreach(path IN LISTS arg_UNPARSED_ARGUMENTS)
    if("${path}" STREQUAL "")
      _container_image_fail("${ctx}" "a path is empty")
    endif()
    # A trailing "/" (contents only) is kept.
    _container_image_source_path(path "${path}")
    _container_image_add_entry("${name}" FILES SOURCE "${path}"
      DESTINATION "${destination}" NAME "${rename}" MODE "${mode}"
      OWNER "${owner}")
    # Rebuild when it changes; the tool's depfile lists a directory's files.
    string(REGEX REPLACE "(.)/+$" "\\1" depend "${path}")
    set_property(TARGET "${name}" APPEND
      PROPERTY _CONTAINER_IMAGE_FILES_DEPENDS "${depend}")
  endforeach()
endfunction()

# The start of <function>, a function that adds to an image: sets name and
# ctx (<argc> and <argv0> are the caller's ${ARGC} and "${ARGV0}") and
# arg_<keyword> for the <one_value> keywords, the other arguments in
# arg_UNPARSED_ARGUMENTS; fails unless the image may be added to here. A
# macro, as _container_image_parse() is.
macro(_container_image_parse_addition function argc argv0 one_value)
  _container_image_name(name ctx ${function} ${argc} "${argv0}"
    "${one_value}")
  _container_image_check_image("${ctx}" "${name}" ${function})
  _container_image_parse(arg "${ctx}" "" "${one_value}" "" ARGUMENTS)
endmacro()

# The start of <function>, container_image_add_files() or
# container_image_add_targets(), which copy <what> (the arguments that are
# no <one_value> keyword) to a DESTINATION: as
# _container_image_parse_addition(), and sets destination, normalized; fails
# unless <what> and DESTINATION are given.
macro(_container_image_parse_copy function argc argv0 what one_value)
  _container_image_parse_addition(${function} ${argc} "${argv0}"
    "${one_value}")
  if(NOT DEFINED arg_UNPARSED_ARGUMENTS)
    _container_image_fail("${ctx}" "no ${what} given")
  endif()
  if(NOT DEFINED arg_DESTINATION)
    _container_image_fail("${ctx}" "DESTINATION is required")
  endif()
  _container_image_image_dir(destination "${ctx}" DESTINATION
    "${arg_DESTINATION}")
endmacro()

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
  # The other arguments are the directories.
  _container_image_parse_addition(container_image_add_directories ${ARGC}
    "${ARGV0}" "MODE;OWNER")
  if(NOT DEFINED arg_UNPARSED_ARGUMENTS)
    _container_image_fail("${ctx}" "no directories given")
  endif()
  _container_image_mode_owner(mode owner "${ctx}" arg)

  foreach(directory IN LISTS arg_UNPARSED_ARGUMENTS)
    _container_image_entry_path(directory "${ctx}" "directory" "${name}"
      "${directory}")
    _container_image_add_entry("${name}" DIRECTORIES PATH "${directory}"
      MODE "${mode}" OWNER "${owner}")
  endforeach()
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
  # No keywords: the other arguments are <path> and <target>.
  _container_image_parse_addition(container_image_add_symlink ${ARGC}
    "${ARGV0}" "")
  list(LENGTH arg_UNPARSED_ARGUMENTS count)
  if(count LESS 1)
    _container_image_fail("${ctx}" "no <path> and <target> given")
  endif()
  list(GET arg_UNPARSED_ARGUMENTS 0 path)
  if(count LESS 2)
    _container_image_fail("${ctx}" "no <target> given for the link "
      "\"${path}\"")
  endif()
  list(GET arg_UNPARSED_ARGUMENTS 1 target)
  _container_image_no_extra("${ctx}" "${arg_UNPARSED_ARGUMENTS}" 2
    "<path> \"${path}\" and <target> \"${target}\"")
  if("${target}" STREQUAL "")
    _container_image_fail("${ctx}" "the <target> of the link \"${path}\" is "
      "empty")
  endif()
  _container_image_entry_path(path "${ctx}" "symbolic link" "${name}"
    "${path}")
  _container_image_add_entry("${name}" SYMLINKS PATH "${path}"
    TARGET "${target}")
endfunction()

#[=======================================================================[.rst:
.. command:: container_image_add_targets

  Add CMake targets to an image made by :command:`add_container_image`, in
  another in-image directory than its ``TARGETS``: a plugin in
  ``/usr/lib/<program>`` beside a program in ``/usr/sbin``.

  .. code-block:: cmake

    container_image_add_targets(<name> <target>... DESTINATION <dir>)

  Call it in the directory that called ``add_container_image(<name>)``,
  before the end of that directory.  The targets go into the layer of the
  ``TARGETS``, after them, in call order; their own runtime dependencies
  are resolved as those of the ``TARGETS`` are.  They do not change the
  default ``CMD``, which is the first executable of ``TARGETS``.

  ``<name>``
    The image, as named in :command:`add_container_image`.

  ``<target>...``
    Executables, shared libraries and module libraries, IMPORTED ones too.
    They may be defined after the call, up to the end of the directory.
    Required.

  ``DESTINATION <dir>``
    The absolute in-image directory to copy them to; ``.`` and ``..``
    components are refused.  Required.
#]=======================================================================]
function(container_image_add_targets)
  list(APPEND CMAKE_MESSAGE_CONTEXT "ocipack")
  # The other arguments are the targets.
  _container_image_parse_copy(container_image_add_targets ${ARGC} "${ARGV0}"
    targets DESTINATION)
  set(targets "${arg_UNPARSED_ARGUMENTS}")
  if("" IN_LIST targets)
    _container_image_fail("${ctx}" "a target name is empty")
  endif()
  list(REMOVE_DUPLICATES targets)
  # The targets are checked at the end of the directory, which names this
  # call's file (the end of the directory has no other location).
  _container_image_add_entry("${name}" ADDED_TARGETS TARGETS "${targets}"
    DESTINATION "${destination}" CALL_FILE "${CMAKE_CURRENT_LIST_FILE}")
endfunction()

#[=======================================================================[.rst:
.. command:: container_image_add_user

  Add a user account to an image made by :command:`add_container_image`,
  with or without ``SKELETON``.

  .. code-block:: cmake

    container_image_add_user(<name> <user> [UID <n>] [GID <n>]
                             [GROUP <group>] [HOME <dir>] [SHELL <path>])

  Call it in the directory that called ``add_container_image(<name>)``,
  before the end of that directory.  At build time the entries are appended
  to the image's ``/etc/passwd`` and ``/etc/group`` (those of ``SKELETON``,
  of the added files or of the ``BASE``, whichever the image has; none of
  them is replaced), and the home directory is created, owned by the user.

  ``<name>``
    The image, as named in :command:`add_container_image`.

  ``<user>``
    The user name, as Debian's ``useradd`` takes it by default: lower-case
    letters, digits, ``_`` and ``-``, not starting with a digit or ``-``,
    optionally ending in ``$``, at most 32 characters.  Each user once per
    image.  Required.

  ``UID <n>``
    The user id, 0 to 4294967294.  Default: the first id from 1000 that
    the image's ``/etc/passwd`` does not use.

  ``GID <n>``
    The id of the user's primary group, 0 to 4294967294.  Default: the
    user id.

  ``GROUP <group>``
    The name of the user's primary group, named as ``<user>`` is.  Default:
    a group of the user's name.

  ``HOME <dir>``
    The absolute in-image home directory; ``.`` and ``..`` components are
    refused.  Default: ``/home/<user>``.

  ``SHELL <path>``
    The absolute in-image path of the login shell.
    Default: ``/usr/sbin/nologin``.
#]=======================================================================]
function(container_image_add_user)
  list(APPEND CMAKE_MESSAGE_CONTEXT "ocipack")
  # The other argument is the user.
  _container_image_parse_addition(container_image_add_user ${ARGC}
    "${ARGV0}" "UID;GID;GROUP;HOME;SHELL")
  list(LENGTH arg_UNPARSED_ARGUMENTS count)
  if(count EQUAL 0)
    _container_image_fail("${ctx}" "no <user> given")
  endif()
  list(GET arg_UNPARSED_ARGUMENTS 0 user)
  _container_image_no_extra("${ctx}" "${arg_UNPARSED_ARGUMENTS}" 1
    "<user> \"${user}\" (the keywords are UID, GID, GROUP, HOME, SHELL)")
  _container_image_account_name("${ctx}" "the user name" "${user}")
  if(DEFINED arg_GROUP)
    _container_image_account_name("${ctx}" GROUP "${arg_GROUP}")
  endif()
  foreach(keyword IN ITEMS UID GID)
    if(DEFINED arg_${keyword})
      _container_image_account_id("${ctx}" ${keyword} "${arg_${keyword}}")
    endif()
  endforeach()
  set(home "")
  if(DEFINED arg_HOME)
    _container_image_passwd_field("${ctx}" HOME "${arg_HOME}")
    _container_image_image_dir(home "${ctx}" HOME "${arg_HOME}")
    # The home is made owned by the user: never the image's root.
    if("${home}" STREQUAL "/")
      _container_image_fail("${ctx}" "HOME \"${arg_HOME}\" is the root "
        "directory")
    endif()
  endif()
  if(DEFINED arg_SHELL)
    _container_image_passwd_field("${ctx}" SHELL "${arg_SHELL}")
    if(NOT "${arg_SHELL}" MATCHES "^/")
      _container_image_fail("${ctx}" "SHELL \"${arg_SHELL}\" is not an "
        "absolute path in the image")
    endif()
  endif()
  # A second entry of the same name would shadow the first in /etc/passwd.
  get_property(added TARGET "${name}" PROPERTY "_CONTAINER_IMAGE_USER:${user}")
  if(added)
    _container_image_fail("${ctx}" "the user \"${user}\" is already added to "
      "the image")
  endif()
  set_property(TARGET "${name}" PROPERTY "_CONTAINER_IMAGE_USER:${user}" TRUE)
  _container_image_add_entry("${name}" USERS NAME "${user}"
    UID "${arg_UID}" GID "${arg_GID}" GROUP "${arg_GROUP}" HOME "${home}"
    SHELL "${arg_SHELL}")
endfunction()

# Fails when the list <arguments> has more than <count> elements, naming the
# others and <after>, what the first <count> are.
function(_container_image_no_extra ctx arguments count after)
  list(LENGTH arguments length)
  if(length GREATER count)
    list(SUBLIST arguments ${count} -1 rest)
    list(JOIN rest "\" \"" extra)
    _container_image_fail("${ctx}" "unexpected argument(s) \"${extra}\" after "
      "${after}")
  endif()
endfunction()

# Fails, naming <what>, unless <value> is a user or group name as Debian's
# useradd and groupadd take them by default (NAME_REGEX, 32 characters).
function(_container_image_account_name ctx what value)
  string(LENGTH "${value}" length)
  if(NOT "${value}" MATCHES "^[a-z_][a-z0-9_-]*[$]?$" OR length GREATER 32)
    _container_image_fail("${ctx}" "${what} \"${value}\" is not 1 to 32 of "
      "[a-z0-9_-] starting with [a-z_], optionally ending in '$'")
  endif()
endfunction()

# Fails, naming <keyword>, unless <value> is a decimal id from 0 to
# 4294967294 ((uid_t)-1 means "no id") without leading zeros.
function(_container_image_account_id ctx keyword value)
  string(LENGTH "${value}" length)
  if(NOT "${value}" MATCHES "^(0|[1-9][0-9]*)$" OR length GREATER 10
     OR value GREATER 4294967294)
    _container_image_fail("${ctx}" "${keyword} \"${value}\" is not a decimal "
      "id from 0 to 4294967294")
  endif()
endfunction()

# Fails, naming <keyword>, when <value> holds a ':' or a line break, which
# would split its /etc/passwd line.
function(_container_image_passwd_field ctx keyword value)
  if("${value}" MATCHES "[:\r\n]")
    _container_image_fail("${ctx}" "${keyword} \"${value}\" contains a ':' or "
      "a line break, which /etc/passwd cannot hold")
  endif()
endfunction()

# ---- Private: the end of the directory ---------------------------------------

# Makes _container_image_finalize_directory() finalize image <name> at the
# end of the current directory: one deferred call per directory, not one
# per image; and _container_image_rpath_use_origin() run once.
function(_container_image_defer_finalize name)
  get_property(images DIRECTORY PROPERTY _CONTAINER_IMAGES_TO_FINALIZE)
  if("${images}" STREQUAL "")
    cmake_language(DEFER CALL _container_image_finalize_directory)
    _container_image_defer_rpath_use_origin()
  endif()
  set_property(DIRECTORY APPEND PROPERTY _CONTAINER_IMAGES_TO_FINALIZE
    "${name}")
endfunction()

# Finalizes the images of the current directory, in the order they were
# made. Runs deferred, at the end of the directory; an image made by a later
# deferred call schedules the next run.
function(_container_image_finalize_directory)
  get_property(images DIRECTORY PROPERTY _CONTAINER_IMAGES_TO_FINALIZE)
  set_property(DIRECTORY PROPERTY _CONTAINER_IMAGES_TO_FINALIZE "")
  foreach(name IN LISTS images)
    _container_image_finalize("${name}")
  endforeach()
endfunction()

# Validates the targets, writes the build spec and adds the build rule of image
# <name>.
function(_container_image_finalize name)
  list(APPEND CMAKE_MESSAGE_CONTEXT "ocipack")
  set_property(TARGET "${name}" PROPERTY _CONTAINER_IMAGE_FINALIZED TRUE)
  get_property(call_file TARGET "${name}" PROPERTY _CONTAINER_IMAGE_CALL_FILE)
  _container_image_deferred_ctx(ctx add_container_image "${name}"
    "${call_file}")
  if(NOT TARGET ocipack::ocipack)
    _container_image_check_tool("${ctx}")
  endif()
  get_property(targets TARGET "${name}" PROPERTY _CONTAINER_IMAGE_TARGETS)
  get_property(destination TARGET "${name}"
    PROPERTY _CONTAINER_IMAGE_DESTINATION)
  _container_image_check_targets(cmd "${ctx}" "${name}")
  # Every target whose file goes into the image: the build rule depends on them.
  set(image_targets "${targets}")
  get_property(extended TARGET "${name}" PROPERTY _CONTAINER_IMAGE_EXTENDED)
  get_property(runtime_libraries TARGET "${name}"
    PROPERTY _CONTAINER_IMAGE_RUNTIME_LIBRARIES)
  if(extended OR NOT "${runtime_libraries}" STREQUAL "")
    _container_image_spec(spec_json "${ctx}" "${name}")
  else()
    # Nothing was added after the call, which wrote the rest of the spec.
    get_property(start TARGET "${name}" PROPERTY _CONTAINER_IMAGE_SPEC_START)
    get_property(rest TARGET "${name}" PROPERTY _CONTAINER_IMAGE_SPEC_REST)
    set(spec_json "${start}${cmd}${rest}")
  endif()
  _container_image_add_build_rule("${name}" "${spec_json}")
endfunction()

# Sets <out> to the start of the messages of the end of the directory about
# <function>(<name>), called in <file>: CMake names the location of a
# deferred call only "CMakeLists.txt:DEFERRED".
function(_container_image_deferred_ctx out function name file)
  set(${out} "${function}(${name}) (called in ${file})" PARENT_SCOPE)
endfunction()

# Fails unless every one of targets (the caller's: the TARGETS of image
# <name>, to copy to its destination) is an executable, a shared library or
# a module library; sets <out> to the spec's "cmd" member when the image has
# the default CMD: the in-image path of the first executable.
function(_container_image_check_targets out ctx name)
  set(default_cmd "")
  foreach(target IN LISTS targets)
    if(NOT TARGET "${target}")
      _container_image_check_defined("${ctx}" "TARGETS \"${target}\""
        "${target}")
    endif()
    get_property(type TARGET "${target}" PROPERTY TYPE)
    if(NOT "${type}" MATCHES "^(EXECUTABLE|SHARED_LIBRARY|MODULE_LIBRARY)$")
      _container_image_check_target("${ctx}" "TARGETS \"${target}\""
        "${target}")
    endif()
    if("${type}" STREQUAL "EXECUTABLE" AND "${default_cmd}" STREQUAL "")
      set(default_cmd "${target}")
    endif()
  endforeach()
  set(${out} "" PARENT_SCOPE)
  get_property(wanted TARGET "${name}" PROPERTY _CONTAINER_IMAGE_DEFAULT_CMD)
  if(wanted AND NOT "${default_cmd}" STREQUAL "")
    string(REGEX REPLACE "/$" "" directory "${destination}")
    _container_image_json_string(json
      "${directory}/$<TARGET_FILE_NAME:${default_cmd}>")
    set(${out} "\"cmd\": [${json}],\n    " PARENT_SCOPE)
  endif()
endfunction()

# Fails unless every target of the container_image_add_targets() calls for
# image <name> is an executable, a shared library or a module library, naming
# the call's file; sets <out> to all of them.
function(_container_image_check_added_targets out name)
  set(added "")
  _container_image_entry_indices(calls "${name}" ADDED_TARGETS)
  foreach(i IN LISTS calls)
    _container_image_get_entry("${name}" ADDED_TARGETS ${i}
      TARGETS call_targets CALL_FILE file)
    _container_image_deferred_ctx(ctx container_image_add_targets "${name}"
      "${file}")
    foreach(target IN LISTS call_targets)
      _container_image_check_target("${ctx}" "\"${target}\"" "${target}")
    endforeach()
    list(APPEND added ${call_targets})
  endforeach()
  set(${out} "${added}" PARENT_SCOPE)
endfunction()

# Fails, naming <what> (how <ctx> names <target>), unless <target> is an
# executable, a shared library or a module library.
function(_container_image_check_target ctx what target)
  _container_image_check_defined("${ctx}" "${what}" "${target}")
  get_property(type TARGET "${target}" PROPERTY TYPE)
  if(NOT "${type}" MATCHES "^(EXECUTABLE|SHARED_LIBRARY|MODULE_LIBRARY)$")
    _container_image_fail("${ctx}" "${what} is a ${type}; only executables, "
      "shared libraries and module libraries can be put in an image")
  endif()
endfunction()

# Fails, naming <what>, unless <target> is a target; the message names the
# targets whose output name is <target>, the likely mix-up.
function(_container_image_check_defined ctx what target)
  if(NOT TARGET "${target}")
    _container_image_output_name_hint(hint "${target}")
    _container_image_fail("${ctx}" "${what} is not a target (it must be "
      "defined by the end of ${CMAKE_CURRENT_SOURCE_DIR})${hint}")
  endif()
endfunction()

# Sets <built_out> to the targets that the directories of the project
# processed so far (from CMAKE_SOURCE_DIR, through their subdirectories)
# build, and <imported_out> to their IMPORTED targets visible here.
function(_container_image_project_targets built_out imported_out)
  set(built "")
  set(imported "")
  set(directories "${CMAKE_SOURCE_DIR}")
  while(NOT "${directories}" STREQUAL "")
    list(POP_FRONT directories directory)
    get_property(subdirectories DIRECTORY "${directory}"
      PROPERTY SUBDIRECTORIES)
    list(APPEND directories ${subdirectories})
    get_property(targets DIRECTORY "${directory}" PROPERTY BUILDSYSTEM_TARGETS)
    list(APPEND built ${targets})
    get_property(targets DIRECTORY "${directory}" PROPERTY IMPORTED_TARGETS)
    foreach(target IN LISTS targets)
      # An imported target of another directory may not be visible here.
      if(TARGET "${target}")
        list(APPEND imported "${target}")
      endif()
    endforeach()
  endwhile()
  set(${built_out} "${built}" PARENT_SCOPE)
  set(${imported_out} "${imported}" PARENT_SCOPE)
endfunction()

# Sets <out> to "; did you mean <target> (<PROPERTY> <file>)?" for the
# targets defined so far whose OUTPUT_NAME, RUNTIME_OUTPUT_NAME or
# LIBRARY_OUTPUT_NAME is <file>, or to "" when there are none.
function(_container_image_output_name_hint out file)
  set(matches "")
  _container_image_project_targets(built imported)
  foreach(target IN LISTS built imported)
    foreach(property IN ITEMS OUTPUT_NAME RUNTIME_OUTPUT_NAME
        LIBRARY_OUTPUT_NAME)
      get_property(value TARGET "${target}" PROPERTY ${property})
      if("${value}" STREQUAL "${file}")
        list(APPEND matches "${target} (${property} ${file})")
        break()
      endif()
    endforeach()
  endforeach()
  set(hint "")
  if(NOT "${matches}" STREQUAL "")
    list(JOIN matches " or " matches)
    set(hint "; did you mean ${matches}?")
  endif()
  set(${out} "${hint}" PARENT_SCOPE)
endfunction()

# Moves the RUNTIME_LIBRARIES entries that are library targets (a target's
# name, or exactly $<TARGET_FILE:target>) from runtime_libraries to
# runtime_library_files, as $<TARGET_FILE:target>, and sets <out> to those
# targets. Fails on an entry that is a target of another type, on
# $<TARGET_FILE:> of no target, and on a name that is no target but a
# target's output name. Here, not at the call: targets may come later.
function(_container_image_runtime_library_targets out ctx)
  set(libraries "")
  set(library_files "")
  set(library_targets "")
  foreach(entry IN LISTS runtime_libraries)
    set(what "RUNTIME_LIBRARIES \"${entry}\"")
    if("${entry}" MATCHES "^\\$<TARGET_FILE:([^<>]+)>$")
      set(target "${CMAKE_MATCH_1}")
      _container_image_check_defined("${ctx}" "${what}" "${target}")
    elseif(TARGET "${entry}")
      set(target "${entry}")
    else()
      # A file name or path: unless a target has that output name.
      _container_image_output_name_hint(hint "${entry}")
      if(NOT "${hint}" STREQUAL "")
        _container_image_fail("${ctx}" "${what} is not a target${hint}")
      endif()
      list(APPEND libraries "${entry}")
      continue()
    endif()
    get_property(type TARGET "${target}" PROPERTY TYPE)
    if(NOT "${type}" MATCHES "^(SHARED|MODULE)_LIBRARY$")
      _container_image_fail("${ctx}" "${what} is a ${type}; a target there "
        "must be a shared or module library")
    endif()
    list(APPEND library_files "$<TARGET_FILE:${target}>")
    list(APPEND library_targets "${target}")
  endforeach()
  list(REMOVE_DUPLICATES library_files)
  list(REMOVE_DUPLICATES library_targets)
  set(runtime_libraries "${libraries}" PARENT_SCOPE)
  set(runtime_library_files "${library_files}" PARENT_SCOPE)
  set(${out} "${library_targets}" PARENT_SCOPE)
endfunction()

# Sets BUILD_RPATH_USE_ORIGIN on every executable, shared and module library
# that the project builds, unless the project set it on the target itself
# (or through CMAKE_BUILD_RPATH_USE_ORIGIN). Runs once, deferred to the end
# of the top-level directory, when every target exists. Why: CMake's
# build-tree RPATH names the build directory, and the linker writes it into
# the binary (its .dynstr, so every offset after it and the GNU build-id),
# so the same sources would give other image bytes in another build
# directory; $ORIGIN-relative, they do not. All of them, not only the
# images' TARGETS: a plugin may reach an image as an added file, or a
# library through another library's RUNPATH.
function(_container_image_rpath_use_origin)
  _container_image_project_targets(built imported)
  set(unset "")
  foreach(target IN LISTS built)
    get_property(type TARGET "${target}" PROPERTY TYPE)
    if("${type}" MATCHES "^(EXECUTABLE|SHARED_LIBRARY|MODULE_LIBRARY)$")
      get_property(user_set TARGET "${target}"
        PROPERTY BUILD_RPATH_USE_ORIGIN SET)
      if(NOT user_set)
        list(APPEND unset "${target}")
      endif()
    endif()
  endforeach()
  if(NOT "${unset}" STREQUAL "")
    set_property(TARGET ${unset} PROPERTY BUILD_RPATH_USE_ORIGIN ON)
  endif()
endfunction()

# Makes _container_image_rpath_use_origin() run at the end of the top-level
# directory, once for the whole project.
function(_container_image_defer_rpath_use_origin)
  get_property(deferred GLOBAL PROPERTY _CONTAINER_IMAGE_RPATH_DEFERRED)
  if(NOT deferred)
    set_property(GLOBAL PROPERTY _CONTAINER_IMAGE_RPATH_DEFERRED TRUE)
    cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}"
      CALL _container_image_rpath_use_origin)
  endif()
endfunction()

# ---- The spec: the one input of the tool (schema version 1) ----
# add_container_image() wrote all of it but what the end of the directory
# knows; the functions below read that from the caller's scope.

# Sets <out> to the spec of image <name>: the parts add_container_image()
# stored, with cmd and runtime_libraries of the caller, the users and the
# layers; fails on a target of container_image_add_targets() or
# RUNTIME_LIBRARIES that cannot be in an image. Appends those targets to
# image_targets of the caller.
function(_container_image_spec out ctx name)
  get_property(added_count TARGET "${name}"
    PROPERTY _CONTAINER_IMAGE_ADDED_TARGETS_COUNT)
  set(added_targets "")
  if(added_count)
    _container_image_check_added_targets(added_targets "${name}")
  endif()
  set(runtime_library_files "")
  set(library_targets "")
  if(NOT "${runtime_libraries}" STREQUAL "")
    _container_image_runtime_library_targets(library_targets "${ctx}")
  endif()
  set(image_targets ${image_targets} ${added_targets} ${library_targets}
    PARENT_SCOPE)
  get_property(start TARGET "${name}" PROPERTY _CONTAINER_IMAGE_SPEC_START)
  get_property(config TARGET "${name}" PROPERTY _CONTAINER_IMAGE_SPEC_CONFIG)
  get_property(runtime TARGET "${name}" PROPERTY _CONTAINER_IMAGE_SPEC_RUNTIME)
  get_property(end TARGET "${name}" PROPERTY _CONTAINER_IMAGE_SPEC_END)
  _container_image_spec_users(users "${name}")
  set(libraries "[]")
  set(library_files "[]")
  if(NOT "${runtime_libraries}${runtime_library_files}" STREQUAL "")
    _container_image_json_array(libraries "${runtime_libraries}")
    _container_image_json_array(library_files "${runtime_library_files}")
  endif()
  _container_image_spec_added_layer(added "${name}")
  _container_image_spec_targets_layer(from_targets "${name}")
  _container_image_spec_layers(layers "${added}" "${from_targets}")
  string(CONCAT spec "${start}${cmd}${config}  \"users\": ${users},\n"
    "${runtime}, \"libraries\": ${libraries}, \"library_files\": "
    "${library_files}${end}${layers}}\n")
  set(${out} "${spec}" PARENT_SCOPE)
endfunction()

# Sets <out> to the spec's "layers": the layer of the <added> files (or "")
# and the layer of the targets <from_targets> (or "").
function(_container_image_spec_layers out added from_targets)
  if(NOT "${added}" STREQUAL "" AND NOT "${from_targets}" STREQUAL "")
    string(APPEND added ",\n")
  endif()
  set(layers "${added}${from_targets}")
  if("${layers}" STREQUAL "")
    set(${out} "  \"layers\": []\n" PARENT_SCOPE)
  else()
    set(${out} "  \"layers\": [\n${layers}\n  ]\n" PARENT_SCOPE)
  endif()
endfunction()

# Sets <out> to the layer of the files, directories and symbolic links added
# to image <name>: one layer, in call order; "" when none was added.
function(_container_image_spec_added_layer out name)
  set(${out} "" PARENT_SCOPE)
  get_property(added TARGET "${name}" PROPERTY _CONTAINER_IMAGE_ADDED_ENTRIES)
  if(NOT added)
    return()
  endif()
  set(files_keys source destination name:optional mode:optional
    owner:optional)
  set(directories_keys path mode:optional owner:optional)
  set(symlinks_keys path target)
  string(CONCAT layer "    {\n"
    "      \"created_by\": \"ocipack: container_image_add_files\",\n")
  set(separator ",\n")
  foreach(kind IN ITEMS files directories symlinks)
    _container_image_json_entries(entries "${name}" ${kind} "        "
      ${${kind}_keys})
    if(kind STREQUAL "symlinks")
      set(separator "\n")
    endif()
    if("${entries}" STREQUAL "")
      string(APPEND layer "      \"${kind}\": []${separator}")
    else()
      string(APPEND layer "      \"${kind}\": [\n${entries}\n      ]${separator}")
    endif()
  endforeach()
  string(APPEND layer "    }")
  set(${out} "${layer}" PARENT_SCOPE)
endfunction()

# Sets <out> to the layer of the targets and destination of the caller (the
# TARGETS of image <name>) and the targets of its
# container_image_add_targets() calls (added_count of the caller), in call
# order, each an ELF file copied to its destination; "" when there are none.
function(_container_image_spec_targets_layer out name)
  set(files "")
  set(created_by "")
  if(NOT "${targets}" STREQUAL "")
    list(JOIN targets " " target_names)
    list(APPEND created_by "add_container_image TARGETS ${target_names}")
    _container_image_json_target_files(files "${targets}" "${destination}")
  endif()
  set(calls "")
  if(added_count)
    _container_image_entry_indices(calls "${name}" ADDED_TARGETS)
  endif()
  foreach(i IN LISTS calls)
    _container_image_get_entry("${name}" ADDED_TARGETS ${i}
      TARGETS call_targets DESTINATION to)
    list(JOIN call_targets " " target_names)
    list(APPEND created_by
      "container_image_add_targets ${target_names} -> ${to}")
    _container_image_json_target_files(call_files "${call_targets}" "${to}")
    if(NOT "${files}" STREQUAL "")
      string(APPEND files ",\n")
    endif()
    string(APPEND files "${call_files}")
  endforeach()
  if("${files}" STREQUAL "")
    set(${out} "" PARENT_SCOPE)
    return()
  endif()
  list(JOIN created_by "; " created_by)
  _container_image_json_string(json "ocipack: ${created_by}")
  string(CONCAT layer "    {\n      \"created_by\": ${json},\n"
    "      \"files\": [\n${files}\n      ],\n"
    "      \"directories\": [],\n      \"symlinks\": []\n    }")
  set(${out} "${layer}" PARENT_SCOPE)
endfunction()

# Sets <out> to the JSON objects, one a line, that copy the files of the
# <targets> to the in-image directory <destination> as ELF files.
function(_container_image_json_target_files out targets destination)
  _container_image_json_string(to "${destination}")
  set(files "")
  set(separator "")
  foreach(target IN LISTS targets)
    string(APPEND files "${separator}        {\"source\": "
      "\"$<TARGET_FILE:${target}>\", \"destination\": ${to}, \"elf\": true}")
    set(separator ",\n")
  endforeach()
  set(${out} "${files}" PARENT_SCOPE)
endfunction()

# Sets <out> to the spec's "users" array: the users added to image <name>,
# in call order, with the members given (the tool fills in the others).
function(_container_image_spec_users out name)
  get_property(count TARGET "${name}" PROPERTY _CONTAINER_IMAGE_USERS_COUNT)
  if(NOT count)
    set(${out} "[]" PARENT_SCOPE)
    return()
  endif()
  _container_image_json_entries(entries "${name}" users "    " name
    uid:number gid:number group:optional home:optional shell:optional)
  if("${entries}" STREQUAL "")
    set(${out} "[]" PARENT_SCOPE)
  else()
    set(${out} "[\n${entries}\n  ]" PARENT_SCOPE)
  endif()
endfunction()

# ---- Files and the build rule ----

# Writes <spec_json>, the spec of image <name>, with file(GENERATE) and adds
# the custom command that builds the tarball from it; reads image_targets
# from the caller's scope.
function(_container_image_add_build_rule name spec_json)
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
  get_property(sbom_paths TARGET "${name}" PROPERTY CONTAINER_IMAGE_SBOM)
  get_property(depends TARGET "${name}" PROPERTY _CONTAINER_IMAGE_DEPENDS)
  get_property(files_depends TARGET "${name}"
    PROPERTY _CONTAINER_IMAGE_FILES_DEPENDS)
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
  # Ninja: the tool writes the depfile as Ninja reads it, naming the output
  # as build.ninja does (relative to the top build directory when under
  # it), so no `cmake -E cmake_transform_depfile` runs after every build
  # (CMP0116 OLD, for this command only): 13 ms of a 30 ms pack step.
  set(depfile_target "")
  if(depfile_option AND CMAKE_GENERATOR MATCHES "^Ninja")
    string(LENGTH "${CMAKE_BINARY_DIR}/" prefix_length)
    string(SUBSTRING "${output}" 0 ${prefix_length} prefix)
    if(prefix STREQUAL "${CMAKE_BINARY_DIR}/")
      string(SUBSTRING "${output}" ${prefix_length} -1 ninja_output)
    else()
      set(ninja_output "${output}")
    endif()
    set(depfile_target --depfile-target "${ninja_output}")
    cmake_policy(PUSH)
    cmake_policy(SET CMP0116 OLD)
  endif()
  add_custom_command(OUTPUT "${output}" ${sbom_paths}
    COMMAND ocipack::ocipack build
            --spec "${spec}" --output "${output}" --depfile "${depfile}"
            ${depfile_target} --cache-dir "${cache_dir}"
    DEPENDS "${spec}" ocipack::ocipack ${image_targets} ${depends}
            ${files_depends}
    ${depfile_option}
    COMMENT "Packing container image ${name}"
    VERBATIM)
  if(depfile_target)
    cmake_policy(POP)
  endif()
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
                              [EXCLUDE_FROM_ALL]
                              [PUSH_INSECURE])

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

  ``PUSH_INSECURE``
    As for :command:`add_container_image`.

  The target's property ``CONTAINER_IMAGE_FILE`` holds the tarball's path,
  ``<name>-load`` loads it and ``<name>-push`` pushes every platform's
  image, then the index, to the ``TAGS`` (or the first image's names), as
  for :command:`add_container_image`.
#]=======================================================================]
function(add_container_image_index)
  list(APPEND CMAKE_MESSAGE_CONTEXT "ocipack")
  set(options EXCLUDE_FROM_ALL PUSH_INSECURE)
  set(one_value OUTPUT)
  set(multi_value IMAGES TAGS)
  _container_image_name(name ctx add_container_image_index ${ARGC} "${ARGV0}"
    "${options};${one_value};${multi_value}")
  _container_image_check_name("${ctx}" "${name}")
  _container_image_check_load_name("${ctx}" "${name}")
  _container_image_parse(arg "${ctx}"
    "${options}" "${one_value}" "${multi_value}")
  if(NOT DEFINED arg_IMAGES)
    _container_image_fail("${ctx}" "IMAGES is required: the images to combine")
  endif()
  _container_image_check_tool("${ctx}")

  _container_image_index_inputs(inputs image_targets "${ctx}" "${arg_IMAGES}")
  # Without TAGS the tool takes the names of the first image.
  set(tag_args "")
  if(DEFINED arg_TAGS)
    _container_image_tags(tags "${ctx}" "${arg_TAGS}")
    foreach(tag IN LISTS tags)
      list(APPEND tag_args --tag "${tag}")
    endforeach()
  endif()
  _container_image_output(output "${ctx}" "${name}" arg)
  _container_image_make_output_dir("${output}")

  add_custom_command(OUTPUT "${output}"
    COMMAND ocipack::ocipack index --output "${output}" ${tag_args} ${inputs}
    DEPENDS ocipack::ocipack ${inputs}
    COMMENT "Packing multi-platform image ${name}"
    VERBATIM)
  # Without TAGS, the index's names are the first image's: the tool reads them.
  set(push_tags "")
  if(DEFINED arg_TAGS)
    set(push_tags "${tags}")
  endif()
  _container_image_define_targets("${name}" "${output}"
    "${arg_EXCLUDE_FROM_ALL}" "${arg_PUSH_INSECURE}" "${push_tags}")
  if(image_targets)
    add_dependencies("${name}" ${image_targets})
  endif()
endfunction()

# Sets <inputs_out> to the tarballs of <images> (the IMAGES of an index):
# that of each image target, or the path, absolute; <targets_out> to the
# image targets among them.
function(_container_image_index_inputs inputs_out targets_out ctx images)
  set(inputs "")
  set(image_targets "")
  foreach(image IN LISTS images)
    if(TARGET "${image}")
      get_property(file TARGET "${image}" PROPERTY CONTAINER_IMAGE_FILE)
      if(NOT file)
        _container_image_fail("${ctx}" "IMAGES \"${image}\" is a target but "
          "not an image of add_container_image()")
      endif()
      list(APPEND inputs "${file}")
      list(APPEND image_targets "${image}")
    else()
      _container_image_source_path(image "${image}")
      list(APPEND inputs "${image}")
    endif()
  endforeach()
  set(${inputs_out} "${inputs}" PARENT_SCOPE)
  set(${targets_out} "${image_targets}" PARENT_SCOPE)
endfunction()

# ---- Private: what both image functions make ---------------------------------

# Sets <out> to the absolute, normalized tarball of image <name>: the OUTPUT
# parsed with <prefix>, relative to the binary directory, or <name>.tar
# there; fails when it names a directory or is the output of another image,
# and otherwise claims it for <ctx>.
function(_container_image_output out ctx name prefix)
  set(output "${CMAKE_CURRENT_BINARY_DIR}/${name}.tar")
  if(DEFINED ${prefix}_OUTPUT)
    set(output "${${prefix}_OUTPUT}")
    if("${output}" MATCHES "/$")
      _container_image_fail("${ctx}" "OUTPUT \"${output}\" names a "
        "directory, not the tarball")
    endif()
    if(NOT IS_ABSOLUTE "${output}")
      set(output "${CMAKE_CURRENT_BINARY_DIR}/${output}")
    endif()
  endif()
  cmake_path(SET output NORMALIZE "${output}")
  # Two rules writing one file would race, and one image would be lost.
  get_property(owner GLOBAL PROPERTY "_CONTAINER_IMAGE_OUTPUT:${output}")
  if(NOT "${owner}" STREQUAL "")
    _container_image_fail("${ctx}" "OUTPUT \"${output}\" is already the output "
      "of ${owner}")
  endif()
  set_property(GLOBAL PROPERTY "_CONTAINER_IMAGE_OUTPUT:${output}" "${ctx}")
  set(${out} "${output}" PARENT_SCOPE)
endfunction()

# Creates the directory of tarball <output> (unless it is a generator
# expression): Ninja creates the directory of an OUTPUT, the Makefile
# generators do not.
function(_container_image_make_output_dir output)
  if(NOT "${output}" MATCHES "\\$<")
    cmake_path(GET output PARENT_PATH output_dir)
    file(MAKE_DIRECTORY "${output_dir}")
  endif()
endfunction()

# Adds the target <name> that builds tarball <output> (with "all" unless
# <exclude_from_all>), its property CONTAINER_IMAGE_FILE, <name>-load and
# <name>-push (one function: a project of many images calls it for each).
function(_container_image_define_targets name output exclude_from_all insecure tags)
  set(all ALL)
  if(exclude_from_all)
    set(all "")
  endif()
  add_custom_target("${name}" ${all} DEPENDS "${output}")
  set_property(TARGET "${name}" PROPERTY CONTAINER_IMAGE_FILE "${output}")

  # <name>-load loads the tarball into docker, or podman when docker is not
  # found, or fails saying that neither is. The search once per configure
  # run: a program not found is searched for again at every find_program().
  get_property(searched GLOBAL PROPERTY _CONTAINER_IMAGE_ENGINES_SEARCHED)
  if(NOT searched)
    find_program(OCIPACK_DOCKER_EXECUTABLE docker
      DOC "docker, run by the <image>-load targets of add_container_image()")
    find_program(OCIPACK_PODMAN_EXECUTABLE podman
      DOC "podman, run by the <image>-load targets of add_container_image() "
          "when docker is not found")
    mark_as_advanced(OCIPACK_DOCKER_EXECUTABLE OCIPACK_PODMAN_EXECUTABLE)
    set_property(GLOBAL PROPERTY _CONTAINER_IMAGE_ENGINES_SEARCHED TRUE)
  endif()
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

  # <name>-push, not built by all: builds the image, then pushes the tarball
  # to its tags (or to the references in OCIPACK_PUSH_TAGS, read by the tool
  # when the target runs, so that a CI job can pick a tag without
  # configuring again), and writes what it pushed to
  # ocipack/<name>.pushed.json.
  set(flags "")
  if(insecure)
    set(flags --insecure)
  endif()
  # The TAGS as written: the tarball's own names spell docker.io out, so the
  # tool could not tell "app:1" (refused: say docker.io/...) from a Docker
  # Hub name written in full.
  add_custom_target("${name}-push"
    COMMAND ocipack::ocipack push
            --digest-file "${CMAKE_CURRENT_BINARY_DIR}/ocipack/${name}.pushed.json"
            ${flags} "${output}" ${tags}
    COMMENT "Pushing container image ${name}"
    VERBATIM)
  add_dependencies("${name}-push" "${name}")
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

# Sets <name_out> to the image name, the first argument of <function>(), and
# <ctx_out> to "<function>(<name>)", the start of its messages; fails when it
# is missing, or is one of <keywords>. <argc> and <argv0> are the caller's
# ${ARGC} and "${ARGV0}".
function(_container_image_name name_out ctx_out function argc argv0 keywords)
  if(argc EQUAL 0 OR "${argv0}" IN_LIST keywords)
    _container_image_fail("${function}()"
      "missing image name (the first argument)")
  endif()
  set(${name_out} "${argv0}" PARENT_SCOPE)
  set(${ctx_out} "${function}(${argv0})" PARENT_SCOPE)
endfunction()

# Fails unless <name> can become the target of a new image.
function(_container_image_check_name ctx name)
  if(NOT "${name}" MATCHES "^[A-Za-z0-9_.+-]+$")
    _container_image_fail("${ctx}" "the image name \"${name}\" is not a valid "
      "target name (letters, digits and _ . + - only)")
  endif()
  if(name IN_LIST _CONTAINER_IMAGE_RESERVED)
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

# Fails when the target <name>-load, which an image <name> defines to load
# it, exists already.
function(_container_image_check_load_name ctx name)
  if(NOT TARGET "${name}-load" AND NOT TARGET "${name}-push")
    return()
  endif()
  foreach(suffix IN ITEMS load push)
    if(TARGET "${name}-${suffix}")
      _container_image_fail("${ctx}" "the target \"${name}-${suffix}\" already "
        "exists; ${ctx} defines it to ${suffix} the image (rename one of "
        "them)")
    endif()
  endforeach()
endfunction()

# Fails unless the target ocipack::ocipack, the tool, is defined here.
function(_container_image_check_tool ctx)
  if(NOT TARGET ocipack::ocipack)
    _container_image_fail("${ctx}" "the target ocipack::ocipack (the ocipack "
      "tool) is not defined here; call find_package(ocipack CONFIG REQUIRED), "
      "or add_subdirectory() the ocipack sources, in this directory or a "
      "parent one")
  endif()
endfunction()

# Sets <out> to <tags> (the TAGS given), each with ":latest" when it has no
# tag, duplicates dropped; fails on one that is not an image reference.
function(_container_image_tags out ctx tags)
  set(normalized_tags "")
  foreach(tag IN LISTS tags)
    _container_image_normalize_tag(normalized error "${tag}")
    if(NOT "${error}" STREQUAL "")
      _container_image_fail("${ctx}" "TAGS value \"${tag}\" is not a valid "
        "image reference: ${error}")
    endif()
    list(APPEND normalized_tags "${normalized}")
  endforeach()
  list(REMOVE_DUPLICATES normalized_tags)
  set(${out} "${normalized_tags}" PARENT_SCOPE)
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

# Sets <out> to the RENAME parsed with <prefix> ("" when not given); fails
# unless it is a file name and the <prefix>_UNPARSED_ARGUMENTS (the paths)
# are one path that names a file or directory, not a directory's contents.
function(_container_image_rename out ctx prefix)
  set(${out} "" PARENT_SCOPE)
  if(NOT DEFINED ${prefix}_RENAME)
    return()
  endif()
  set(rename "${${prefix}_RENAME}")
  if("${rename}" MATCHES "/" OR "${rename}" MATCHES "^\\.\\.?$")
    _container_image_fail("${ctx}" "RENAME \"${rename}\" is not a file name "
      "(no '/', not \".\" or \"..\")")
  endif()
  list(LENGTH ${prefix}_UNPARSED_ARGUMENTS count)
  if(count GREATER 1)
    list(JOIN ${prefix}_UNPARSED_ARGUMENTS "\" \"" paths)
    _container_image_fail("${ctx}" "RENAME \"${rename}\" is given with "
      "${count} paths (\"${paths}\"); it renames a single file")
  endif()
  if("${${prefix}_UNPARSED_ARGUMENTS}" MATCHES "/$")
    _container_image_fail("${ctx}" "RENAME \"${rename}\" is given with the "
      "path \"${${prefix}_UNPARSED_ARGUMENTS}\", which ends in '/' (a "
      "directory's contents); it renames a single file")
  endif()
  set(${out} "${rename}" PARENT_SCOPE)
endfunction()

# Sets <out> to the in-image path <value> of an entry of image <name> (a
# <kind>, "directory" or "symbolic link"), normalized; fails unless it is
# absolute, free of "." and ".." components, not "/", and not the path of an
# entry added before.
function(_container_image_entry_path out ctx kind name value)
  if("${value}" STREQUAL "")
    _container_image_fail("${ctx}" "a ${kind} path is empty")
  endif()
  _container_image_image_dir(path "${ctx}" "the ${kind} path" "${value}")
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

# Appends an entry to the <kind> (FILES, DIRECTORIES or SYMLINKS) of image
# <name>: the <key> <value> pairs that follow (a value may be empty) become
# the properties _CONTAINER_IMAGE_<kind>_<index>_<key>.
function(_container_image_add_entry name kind)
  get_property(count TARGET "${name}" PROPERTY "_CONTAINER_IMAGE_${kind}_COUNT")
  if("${count}" STREQUAL "")
    set(count 0)
  endif()
  math(EXPR last "${ARGC} - 1")
  foreach(key_at RANGE 2 ${last} 2)
    math(EXPR value_at "${key_at} + 1")
    set_property(TARGET "${name}" PROPERTY
      "_CONTAINER_IMAGE_${kind}_${count}_${ARGV${key_at}}" "${ARGV${value_at}}")
  endforeach()
  math(EXPR count "${count} + 1")
  set_property(TARGET "${name}" PROPERTY "_CONTAINER_IMAGE_${kind}_COUNT"
    ${count})
  if(kind MATCHES "^(FILES|DIRECTORIES|SYMLINKS)$")
    set_property(TARGET "${name}" PROPERTY _CONTAINER_IMAGE_ADDED_ENTRIES TRUE)
  endif()
  # The spec written at the call misses it.
  set_property(TARGET "${name}" PROPERTY _CONTAINER_IMAGE_EXTENDED TRUE)
endfunction()

# Sets <out> to the indices of the entries of <kind> of image <name>, from 0,
# as _container_image_add_entry() numbered them; "" when there are none.
function(_container_image_entry_indices out name kind)
  get_property(count TARGET "${name}" PROPERTY "_CONTAINER_IMAGE_${kind}_COUNT")
  set(indices "")
  if(count GREATER 0)
    math(EXPR last "${count} - 1")
    foreach(i RANGE 0 ${last})
      list(APPEND indices ${i})
    endforeach()
  endif()
  set(${out} "${indices}" PARENT_SCOPE)
endfunction()

# Sets, for each <key> <variable> pair that follows, <variable> to the <key>
# of entry <index> of the <kind> of image <name>.
function(_container_image_get_entry name kind index)
  math(EXPR last "${ARGC} - 1")
  foreach(key_at RANGE 3 ${last} 2)
    math(EXPR variable_at "${key_at} + 1")
    get_property(value TARGET "${name}" PROPERTY
      "_CONTAINER_IMAGE_${kind}_${index}_${ARGV${key_at}}")
    set(${ARGV${variable_at}} "${value}" PARENT_SCOPE)
  endforeach()
endfunction()

# Parses the arguments of the calling function after the first (the name)
# with cmake_parse_arguments(PARSE_ARGV), setting <prefix>_<keyword>, and
# fails, naming <ctx>, on a keyword given without a value or with only an
# empty string, and on an argument that is no keyword, unless ARGUMENTS
# follows (they are then in <prefix>_UNPARSED_ARGUMENTS). The keywords after
# MAY_BE_EMPTY may be given without values (then they are in
# <prefix>_KEYWORDS_MISSING_VALUES). A macro, because PARSE_ARGV reads the
# arguments of the function it runs in.
macro(_container_image_parse prefix ctx options one_value multi_value)
  cmake_parse_arguments(PARSE_ARGV 1 ${prefix}
    "${options}" "${one_value}" "${multi_value}")
  # An empty argument (the calling function's ARGV has an empty element)
  # may be the only value of a keyword, which leaves no trace above; only
  # then is the parse done again, every keyword as an option, to tell
  # `USER ""` from no USER at all.
  if(ARGV MATCHES "(^|;)(;|$)")
    cmake_parse_arguments(PARSE_ARGV 1 ${prefix}_GIVEN
      "${options};${one_value};${multi_value}" "" "")
    _container_image_check_parsed("${ctx}" ${prefix} "${options}"
      "${one_value};${multi_value}" EMPTY ${ARGN})
  elseif(DEFINED ${prefix}_KEYWORDS_MISSING_VALUES
         OR DEFINED ${prefix}_UNPARSED_ARGUMENTS)
    _container_image_check_parsed("${ctx}" ${prefix} "${options}"
      "${one_value};${multi_value}" ${ARGN})
  endif()
endmacro()

# The checks of _container_image_parse() on what it parsed with <prefix>;
# EMPTY: <prefix>_GIVEN_<keyword> tells which keywords were written.
function(_container_image_check_parsed ctx prefix options value_keywords)
  cmake_parse_arguments(check "ARGUMENTS;EMPTY" "" "MAY_BE_EMPTY" ${ARGN})
  foreach(keyword IN LISTS ${prefix}_KEYWORDS_MISSING_VALUES)
    if(NOT keyword IN_LIST check_MAY_BE_EMPTY)
      _container_image_fail("${ctx}" "${keyword} is given without a value")
    endif()
  endforeach()
  if(check_EMPTY)
    foreach(keyword IN LISTS value_keywords)
      # Undefined when given without values; "" when given an empty string.
      if(keyword IN_LIST check_MAY_BE_EMPTY AND NOT DEFINED ${prefix}_${keyword})
        continue()
      endif()
      if(${prefix}_GIVEN_${keyword} AND "${${prefix}_${keyword}}" STREQUAL "")
        _container_image_fail("${ctx}" "${keyword} is given without a value")
      endif()
    endforeach()
  endif()
  if(DEFINED ${prefix}_UNPARSED_ARGUMENTS AND NOT check_ARGUMENTS)
    set(unknown "")
    foreach(argument IN LISTS ${prefix}_UNPARSED_ARGUMENTS)
      string(APPEND unknown " \"${argument}\"")
    endforeach()
    set(keywords ${options} ${value_keywords})
    list(JOIN keywords ", " known)
    _container_image_fail("${ctx}" "unknown argument(s)${unknown} (the "
      "keywords are ${known})")
  endif()
endfunction()

# Sets <out> to the build host's path <value>, made absolute relative to
# CMAKE_CURRENT_SOURCE_DIR and normalized (a trailing "/" kept), or as given
# when it holds a generator expression, which file(GENERATE) resolves.
function(_container_image_source_path out value)
  if(NOT "${value}" MATCHES "\\$<")
    cmake_path(ABSOLUTE_PATH value
      BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" NORMALIZE)
  endif()
  set(${out} "${value}" PARENT_SCOPE)
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
  # Most names are one path component: no host, no Docker Hub prefix.
  if("${repository}" MATCHES "^${_CONTAINER_IMAGE_PATH_COMPONENT}$")
    set(ok TRUE)
  else()
    _container_image_repository_ok(ok "${repository}")
  endif()
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
  set(name "docker.io/library/${repository}")
  if("${repository}" MATCHES "/")
    _container_image_docker_name(name "${repository}")
  endif()
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
  # Docker 20.10's `docker tag` sends the short name (docker.io/library/
  # dropped), and its daemon takes a name of 64 hex digits for an image ID.
  if("${name}" MATCHES "^docker\\.io/library/[a-f0-9]+$")
    string(LENGTH "${name}" length)
    if(length EQUAL 82)  # docker.io/library/ (18) + 64
      set(${error} "64 hexadecimal digits name an image ID, not a repository"
        PARENT_SCOPE)
      return()
    endif()
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
  set(component "${_CONTAINER_IMAGE_PATH_COMPONENT}")
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

# ---- Private: the project's git HEAD -----------------------------------------

# Sets <out_var> to the output of "git <arg>..." run in <source_dir>, or to ""
# when it fails; git_stderr to what it printed there.
macro(_container_image_git_output out_var)
  execute_process(COMMAND "${GIT_EXECUTABLE}" ${ARGN}
    WORKING_DIRECTORY "${source_dir}"
    RESULT_VARIABLE result OUTPUT_VARIABLE ${out_var}
    ERROR_VARIABLE git_stderr
    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_STRIP_TRAILING_WHITESPACE)
  if(NOT result EQUAL 0)
    set(${out_var} "")
  endif()
endmacro()

# Sets <prefix>_revision and <prefix>_time to the commit checked out in the
# git work tree that holds CMAKE_CURRENT_SOURCE_DIR and its commit time
# (seconds since 1970), and <prefix>_error to "", or <prefix>_error to why
# there is none; makes a change of that commit re-run the configure step.
function(_container_image_git_head prefix)
  set(source_dir "${CMAKE_CURRENT_SOURCE_DIR}")
  # Once per directory and configure run: every image of it has the same.
  set(key "_CONTAINER_IMAGE_GIT:${source_dir}")
  get_property(known GLOBAL PROPERTY "${key}:error" SET)
  if(NOT known)
    _container_image_read_git_head()
    foreach(part IN ITEMS revision time error)
      set_property(GLOBAL PROPERTY "${key}:${part}" "${${part}}")
    endforeach()
  endif()
  foreach(part IN ITEMS revision time error)
    get_property(value GLOBAL PROPERTY "${key}:${part}")
    set(${prefix}_${part} "${value}" PARENT_SCOPE)
  endforeach()
endfunction()

# The reading of _container_image_git_head(): sets revision, time and error
# in the caller's scope, which sets source_dir.
function(_container_image_read_git_head)
  set(revision "" PARENT_SCOPE)
  set(time "" PARENT_SCOPE)
  set(error "git is not found (find_package(Git))" PARENT_SCOPE)
  find_package(Git QUIET)
  if(NOT GIT_EXECUTABLE)
    return()
  endif()
  _container_image_git_output(git_dir rev-parse --git-dir)
  if("${git_dir}" STREQUAL "")
    set(error "${source_dir} is not in a git work tree (${git_stderr})"
      PARENT_SCOPE)
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

  _container_image_git_output(head rev-parse --verify --quiet "HEAD^{commit}")
  _container_image_git_output(seconds log -1 --format=%ct "HEAD^{commit}")
  if(NOT "${head}" MATCHES "^[0-9a-f]+$" OR NOT "${seconds}" MATCHES "^[0-9]+$")
    set(error "the git work tree of ${source_dir} has no commit checked out"
      PARENT_SCOPE)
    return()
  endif()
  set(revision "${head}" PARENT_SCOPE)
  set(time "${seconds}" PARENT_SCOPE)
  set(error "" PARENT_SCOPE)
endfunction()

# ---- Private: JSON -----------------------------------------------------------

# Sets <out> to <value> as a JSON string, quotes included.
function(_container_image_json_string out value)
  # Most values need no escape: one match, where the escapes cost ten
  # commands (a configure of many images runs this thousands of times).
  get_property(special GLOBAL PROPERTY _CONTAINER_IMAGE_JSON_SPECIAL)
  if(NOT "${value}" MATCHES "${special}")
    set(${out} "\"${value}\"" PARENT_SCOPE)
    return()
  endif()
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

# Appends ", "<key>": <value>" to the variable <var> of the caller, <value>
# as a JSON string, unless <value> is empty.
function(_container_image_json_member var key value)
  if(NOT "${value}" STREQUAL "")
    _container_image_json_string(json "${value}")
    set(${var} "${${var}}, \"${key}\": ${json}" PARENT_SCOPE)
  endif()
endfunction()

# Sets <out> to the JSON objects, one a line, each after <indent>, of the
# entries of <kind> (files, directories, symlinks or users) of image <name>:
# the members <key>[:optional|:number]..., a string always, an optional
# string or a number only where it is set.
function(_container_image_json_entries out name kind indent)
  string(TOUPPER "${kind}" property_kind)
  set(entries "")
  set(separator "")
  _container_image_entry_indices(indices "${name}" ${property_kind})
  foreach(i IN LISTS indices)
    set(members "")
    foreach(member IN ITEMS ${ARGN})
      string(REGEX REPLACE ":.*" "" key "${member}")
      string(TOUPPER "${key}" property)
      _container_image_get_entry("${name}" ${property_kind} ${i}
        ${property} value)
      if("${value}" STREQUAL "" AND member MATCHES ":")
        continue()
      endif()
      set(json "${value}")
      if(NOT member MATCHES ":number$")
        _container_image_json_string(json "${value}")
      endif()
      string(APPEND members ", \"${key}\": ${json}")
    endforeach()
    string(SUBSTRING "${members}" 2 -1 members)
    string(APPEND entries "${separator}${indent}{${members}}")
    set(separator ",\n")
  endforeach()
  set(${out} "${entries}" PARENT_SCOPE)
endfunction()

# Sets <out> to the CMake list <items> as a JSON array of strings. Pass the
# list quoted ("${list}"): an element holding an escaped "\;" stays one
# string, with a plain ';' in it.
function(_container_image_json_array out items)
  get_property(special GLOBAL PROPERTY _CONTAINER_IMAGE_JSON_SPECIAL)
  if(NOT "${items}" MATCHES "${special}")
    # No element needs an escape (an escaped "\;" would: it holds a "\").
    if("${items}" STREQUAL "")
      set(${out} "[]" PARENT_SCOPE)
    else()
      list(JOIN items "\", \"" json)
      set(${out} "[\"${json}\"]" PARENT_SCOPE)
    endif()
    return()
  endif()
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
