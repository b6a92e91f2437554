add_container_image(img LOCALES de-DE.UTF-8)
