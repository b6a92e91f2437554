add_container_image(img ENTRYPOINT "" --flag)
