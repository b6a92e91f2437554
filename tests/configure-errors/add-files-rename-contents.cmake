add_container_image(img)
container_image_add_files(img config/ DESTINATION /etc RENAME app)
