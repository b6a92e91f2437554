add_container_image(img DESTINATION bin)
