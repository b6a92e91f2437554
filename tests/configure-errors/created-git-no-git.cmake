set(CMAKE_DISABLE_FIND_PACKAGE_Git TRUE)
add_container_image(img CREATED GIT)
