add_container_image(img EXPOSE 53/icmp)
