add_container_image(img)
container_image_add_targets(img DESTINATION /usr/lib/app)
