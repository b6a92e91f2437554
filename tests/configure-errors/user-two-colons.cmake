add_container_image(img USER 1000:1000:1)
