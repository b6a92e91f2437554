add_container_image(img LABELS version=1 title=app version=2)
