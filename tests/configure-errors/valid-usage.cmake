# Filled into the annotations of every image, unless ANNOTATIONS sets them.
project(valid-usage VERSION 2.3.4 LANGUAGES NONE
  DESCRIPTION "Valid usage; every keyword"
  HOMEPAGE_URL "https://example.com/valid-usage")

# Every keyword, and no CMD/ENTRYPOINT: CMD defaults to the first executable.
string(ASCII 1 ctrl)
add_container_image(full
  TARGETS plugin server plugin
  DESTINATION /opt//app/
  ENV "PATH=/opt/app" "QUOTE=say \"hi\"" "SEMI=a;b" "TAB=a\tb"
      "BACKSLASH=C:\\dir" "CTRL=${ctrl}" "EMPTY="
  WORKDIR /srv/
  USER 1000:1000
  EXPOSE 8080 53/udp 9000/sctp 8080/tcp
  LABELS org.opencontainers.image.title=full "eq=a=b"
  ANNOTATIONS org.opencontainers.image.version=1.0
  TAGS full registry.example.com:5000/team/full:1.0 full:latest
       localhost/a__b.c-d---e/f_g
  COMPRESSION none
  OUTPUT images/full.tar
  EXCLUDE_FROM_ALL
  RUNTIME_DEPENDENCIES NONE)
container_image_add_files(full assets DESTINATION /data)
container_image_add_files(full config/ /etc/app.conf
  "$<TARGET_FILE_DIR:server>/share/" DESTINATION /etc/app/ MODE 0644)

# TARGETS may be defined after add_container_image(), in the same directory.
add_executable(server IMPORTED)
set_target_properties(server PROPERTIES
  IMPORTED_LOCATION /opt/server/bin/server-1.2)
add_library(plugin MODULE IMPORTED)
set_target_properties(plugin PROPERTIES IMPORTED_LOCATION /opt/lib/plugin.so)

# ENTRYPOINT without CMD: CMD stays unset.
add_container_image(entry TARGETS server ENTRYPOINT /server --verbose
  COMPRESSION_LEVEL 9)

# Both, with an argument that needs escaping.
add_container_image(both ENTRYPOINT /bin/sh -c CMD "echo \"$HOME\" \\ done"
  COMPRESSION zstd COMPRESSION_LEVEL 19)

# Nothing at all.
add_container_image(empty)

# Runtime dependencies: explicit AUTO, a sysroot and dlopen()ed libraries
# (duplicates dropped, generator expressions resolved).
add_container_image(libs TARGETS server
  RUNTIME_DEPENDENCIES AUTO
  SYSROOT /opt/sysroot
  RUNTIME_LIBRARIES libnss_dns.so.2 /usr/lib/x/libfoo.so libnss_dns.so.2
                    "$<TARGET_FILE:plugin>")

# CMAKE_SYSROOT, as a cross toolchain file sets it, is the default SYSROOT
# of AUTO; SYSROOT overrides it; NONE ignores it.
set(CMAKE_SYSROOT /usr/aarch64-linux-gnu)
add_container_image(cross TARGETS server)
add_container_image(cross-override TARGETS server SYSROOT /opt/other)
add_container_image(cross-none TARGETS server RUNTIME_DEPENDENCIES NONE)
unset(CMAKE_SYSROOT)

# Every keyword of issue 4: a base image picked by tag, the skeleton,
# volumes, a stop signal, owners, empty directories and symbolic links.
add_container_image(based TARGETS server
  BASE base/busybox.tar BASE_TAG busybox:1.36
  SKELETON
  VOLUMES /data//cache/ /var/log /data/cache
  STOPSIGNAL SIGRTMIN+3
  USER nonroot
  ANNOTATIONS org.opencontainers.image.url=https://example.com/based)
container_image_add_files(based assets DESTINATION /srv OWNER 1000)
container_image_add_files(based config/ DESTINATION /etc/app
  MODE 0640 OWNER 0:10)
container_image_add_directories(based /data/ /var//cache MODE 0700 OWNER 65532)
container_image_add_directories(based /run/app)
container_image_add_symlink(based /usr/bin/sh busybox)
container_image_add_symlink(based /bin//env/ ../usr/bin/env)

# A layout directory as BASE (it exists: depend on its index.json), no tag;
# only links: the files layer still has all three arrays.
file(MAKE_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}/layout")
add_container_image(on-layout BASE "${CMAKE_CURRENT_BINARY_DIR}/layout/"
  STOPSIGNAL 9)
container_image_add_symlink(on-layout /etc/localtime /usr/share/zoneinfo/UTC)

# A BASE from a generator expression, passed through; only directories.
add_container_image(on-genex BASE "$<TARGET_FILE_DIR:server>/base.tar"
  STOPSIGNAL TERM)
container_image_add_directories(on-genex /tmp MODE 1777)

foreach(image IN ITEMS full based on-layout)
  if(NOT TARGET ${image}-load)
    message(FATAL_ERROR "add_container_image(${image}) made no ${image}-load")
  endif()
  get_property(deps TARGET ${image}-load PROPERTY MANUALLY_ADDED_DEPENDENCIES)
  if(NOT deps STREQUAL image)
    message(FATAL_ERROR "${image}-load depends on \"${deps}\", expected "
      "\"${image}\"")
  endif()
endforeach()

foreach(image IN ITEMS full entry empty)
  get_property(file TARGET ${image} PROPERTY CONTAINER_IMAGE_FILE)
  set(expected "${CMAKE_CURRENT_BINARY_DIR}/${image}.tar")
  if(image STREQUAL "full")
    set(expected "${CMAKE_CURRENT_BINARY_DIR}/images/full.tar")
  endif()
  if(NOT file STREQUAL expected)
    message(FATAL_ERROR "CONTAINER_IMAGE_FILE of ${image} is \"${file}\", "
      "expected \"${expected}\"")
  endif()
endforeach()
