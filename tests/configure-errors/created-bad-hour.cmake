add_container_image(img CREATED 2024-05-01T24:00:00+02:00)
