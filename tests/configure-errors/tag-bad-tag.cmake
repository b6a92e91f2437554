add_container_image(img TAGS hello:-1)
