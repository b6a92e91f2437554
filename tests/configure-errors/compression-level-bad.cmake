add_container_image(img COMPRESSION_LEVEL 13)
