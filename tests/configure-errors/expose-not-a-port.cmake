add_container_image(img EXPOSE 80 http)
