add_container_image(img)
container_image_add_user(img app GID 4294967295)
