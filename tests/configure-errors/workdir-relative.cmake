add_container_image(img WORKDIR srv)
