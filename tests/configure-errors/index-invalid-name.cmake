add_container_image_index(acme/multi IMAGES /tmp/a.tar)
