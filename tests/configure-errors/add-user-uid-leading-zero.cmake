add_container_image(img)
container_image_add_user(img app UID 01000)
