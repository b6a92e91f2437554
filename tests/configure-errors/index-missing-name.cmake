add_container_image_index(IMAGES /tmp/a.tar)
