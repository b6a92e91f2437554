add_container_image(img STOPSIGNAL 65)
