add_container_image(img DESTINATION /opt/../etc)
