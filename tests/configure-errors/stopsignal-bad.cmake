add_container_image(img STOPSIGNAL sigterm)
