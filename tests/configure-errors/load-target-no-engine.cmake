# Find neither docker nor podman, whatever this machine has.
set(CMAKE_FIND_USE_SYSTEM_ENVIRONMENT_PATH OFF)
set(CMAKE_FIND_USE_CMAKE_SYSTEM_PATH OFF)
set(CMAKE_FIND_USE_CMAKE_ENVIRONMENT_PATH OFF)
set(CMAKE_FIND_USE_CMAKE_PATH OFF)
set(CMAKE_FIND_USE_PACKAGE_ROOT_PATH OFF)
add_container_image(img)
if(OCIPACK_DOCKER_EXECUTABLE OR OCIPACK_PODMAN_EXECUTABLE)
  message(FATAL_ERROR "found \"${OCIPACK_DOCKER_EXECUTABLE}\" "
    "\"${OCIPACK_PODMAN_EXECUTABLE}\" although the search was off")
endif()
if(NOT TARGET img-load)
  message(FATAL_ERROR "no target img-load")
endif()
