add_container_image(img)
container_image_add_directories(img /usr/bin)
container_image_add_symlink(img /usr//bin/ /bin)
