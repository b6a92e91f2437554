add_custom_target(hello)
add_container_image(hello)
