add_container_image(img)
add_container_image_index(img IMAGES /tmp/a.tar)
