add_container_image(img EXPOSE 70000)
