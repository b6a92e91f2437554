add_container_image(img)
container_image_add_directories(img /data var/cache)
