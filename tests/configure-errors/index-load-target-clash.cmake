add_custom_target(multi-load)
add_container_image_index(multi IMAGES /tmp/a.tar)
