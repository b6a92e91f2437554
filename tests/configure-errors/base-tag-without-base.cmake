add_container_image(img BASE_TAG busybox:1.36)
