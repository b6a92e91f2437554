add_container_image(img)
container_image_add_files(img app.conf DESTINATION /etc RENAME ..)
