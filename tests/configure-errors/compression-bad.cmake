add_container_image(img COMPRESSION xz)
