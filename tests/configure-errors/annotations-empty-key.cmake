add_container_image(img ANNOTATIONS =1)
