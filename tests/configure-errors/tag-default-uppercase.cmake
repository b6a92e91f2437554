add_container_image(Hello)
