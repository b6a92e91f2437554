add_container_image(img USER "app user")
