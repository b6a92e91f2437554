set(CMAKE_STRIP /nonexistent/strip)
add_container_image(img STRIP)
