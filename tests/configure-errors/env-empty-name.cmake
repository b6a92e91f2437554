add_container_image(img ENV =x)
