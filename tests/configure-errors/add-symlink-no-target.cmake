add_container_image(img)
container_image_add_symlink(img /bin/sh)
