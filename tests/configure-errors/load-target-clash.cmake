add_custom_target(img-load)
add_container_image(img)
