# Every executable, shared and module library of the project gets
# BUILD_RPATH_USE_ORIGIN at the end of the top-level directory (those of
# container_image_add_targets(), RUNTIME_LIBRARIES, the libraries they link,
# and the others: a plugin may reach an image as an added file), except
# where the project set it.
enable_language(C)
file(WRITE "${CMAKE_CURRENT_BINARY_DIR}/empty.c" "")
add_library(dep SHARED "${CMAKE_CURRENT_BINARY_DIR}/empty.c")
add_library(plugin MODULE "${CMAKE_CURRENT_BINARY_DIR}/empty.c")
target_link_libraries(plugin PRIVATE dep)
add_library(loaded SHARED "${CMAKE_CURRENT_BINARY_DIR}/empty.c")
add_library(other SHARED "${CMAKE_CURRENT_BINARY_DIR}/empty.c")
add_library(own SHARED "${CMAKE_CURRENT_BINARY_DIR}/empty.c")
set_target_properties(own PROPERTIES BUILD_RPATH_USE_ORIGIN OFF)
add_container_image(img RUNTIME_LIBRARIES "$<TARGET_FILE:loaded>")
container_image_add_targets(img plugin DESTINATION /usr/lib/app)

# Runs after the module's deferred call, which was deferred first.
function(check_rpath_origin)
  foreach(target IN ITEMS dep plugin loaded other own)
    get_property(origin TARGET ${target} PROPERTY BUILD_RPATH_USE_ORIGIN)
    set(expected ON)
    if(target STREQUAL "own")
      set(expected OFF)
    endif()
    if(NOT "${origin}" STREQUAL "${expected}")
      message(FATAL_ERROR "BUILD_RPATH_USE_ORIGIN of ${target} is "
        "\"${origin}\", expected \"${expected}\"")
    endif()
  endforeach()
endfunction()
cmake_language(DEFER CALL check_rpath_origin)
