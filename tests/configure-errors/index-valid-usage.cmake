# An image target and a tarball; TAGS normalized with :latest, duplicates
# dropped, as for add_container_image().
add_container_image(amd64)
add_container_image_index(multi IMAGES amd64 other/arm64.tar
  TAGS app app:1 app:latest app:1 OUTPUT images//multi.tar EXCLUDE_FROM_ALL)
get_property(file TARGET multi PROPERTY CONTAINER_IMAGE_FILE)
if(NOT file STREQUAL "${CMAKE_CURRENT_BINARY_DIR}/images/multi.tar")
  message(FATAL_ERROR "CONTAINER_IMAGE_FILE of multi is \"${file}\"")
endif()
get_property(deps TARGET multi PROPERTY MANUALLY_ADDED_DEPENDENCIES)
if(NOT deps STREQUAL "amd64")
  message(FATAL_ERROR "multi depends on \"${deps}\", expected \"amd64\"")
endif()
if(NOT TARGET multi-load)
  message(FATAL_ERROR "add_container_image_index(multi) made no multi-load")
endif()
