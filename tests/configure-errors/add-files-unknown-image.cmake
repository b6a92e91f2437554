add_container_image(img)
container_image_add_files(imgg assets DESTINATION /data)
