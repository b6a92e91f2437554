add_container_image(img)
container_image_add_files(img app.conf other.conf DESTINATION /etc
  RENAME main.conf)
