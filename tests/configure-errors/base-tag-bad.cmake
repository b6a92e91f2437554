add_container_image(img BASE busybox.tar BASE_TAG Busybox:1.36)
