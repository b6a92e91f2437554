add_container_image(acme/app)
