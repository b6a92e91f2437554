add_container_image_index(multi IMAGES /tmp/a.tar)
add_container_image(img OUTPUT multi.tar)
