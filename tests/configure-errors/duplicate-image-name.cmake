add_container_image(img)
add_container_image(img)
