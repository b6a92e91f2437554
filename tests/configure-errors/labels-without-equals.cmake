add_container_image(img LABELS maintainer)
