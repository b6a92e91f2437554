add_container_image(img COMPRESSION none COMPRESSION_LEVEL 3)
