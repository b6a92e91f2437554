add_container_image(img BASE docker://127.0.0.1:1/base/busybox:1)
