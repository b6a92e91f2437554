add_container_image_index(multi IMAGE /tmp/a.tar)
