add_container_image(img CREATED 2024-05-01)
