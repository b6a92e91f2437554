add_container_image(img TAGS Hello:1)
