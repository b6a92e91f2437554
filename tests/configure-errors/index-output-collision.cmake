add_container_image(img OUTPUT out/image.tar)
add_container_image_index(multi IMAGES img OUTPUT out//image.tar)
