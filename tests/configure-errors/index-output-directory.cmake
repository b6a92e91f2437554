add_container_image_index(multi IMAGES /tmp/a.tar OUTPUT out/)
