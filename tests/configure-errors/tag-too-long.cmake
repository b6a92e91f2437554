string(REPEAT x 129 tag)
add_container_image(img TAGS hello:${tag})
