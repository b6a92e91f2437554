add_container_image(img VOLUMES /data var/log)
