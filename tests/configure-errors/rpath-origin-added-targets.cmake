# container_image_add_targets() and RUNTIME_LIBRARIES targets get
# BUILD_RPATH_USE_ORIGIN as TARGETS do, with the libraries they link.
enable_language(C)
file(WRITE "${CMAKE_CURRENT_BINARY_DIR}/empty.c" "")
add_library(dep SHARED "${CMAKE_CURRENT_BINARY_DIR}/empty.c")
add_library(plugin MODULE "${CMAKE_CURRENT_BINARY_DIR}/empty.c")
target_link_libraries(plugin PRIVATE dep)
add_library(loaded SHARED "${CMAKE_CURRENT_BINARY_DIR}/empty.c")
add_library(untouched SHARED "${CMAKE_CURRENT_BINARY_DIR}/empty.c")
add_container_image(img RUNTIME_LIBRARIES "$<TARGET_FILE:loaded>")
container_image_add_targets(img plugin DESTINATION /usr/lib/app)

# Runs after the image's finalize, which was deferred first.
function(check_rpath_origin)
  foreach(target IN ITEMS dep plugin loaded untouched)
    get_property(origin TARGET ${target} PROPERTY BUILD_RPATH_USE_ORIGIN)
    set(expected ON)
    if(target STREQUAL "untouched")
      set(expected "")
    endif()
    if(NOT "${origin}" STREQUAL "${expected}")
      message(FATAL_ERROR "BUILD_RPATH_USE_ORIGIN of ${target} is "
        "\"${origin}\", expected \"${expected}\"")
    endif()
  endforeach()
endfunction()
cmake_language(DEFER CALL check_rpath_origin)
