add_custom_target(img-push)
add_container_image(img)
