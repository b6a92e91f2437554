add_container_image(img ICONV UTF-16LE ALL)
