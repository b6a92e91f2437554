# Git looks no further up than this directory: not in the checkout of ocipack.
cmake_path(GET CMAKE_CURRENT_SOURCE_DIR PARENT_PATH ceiling)
set(ENV{GIT_CEILING_DIRECTORIES} "${ceiling}")
add_container_image(img CREATED GIT)
