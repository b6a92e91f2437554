add_container_image(a OUTPUT out/image.tar)
add_container_image(b OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/out//image.tar)
