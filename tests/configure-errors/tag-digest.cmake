string(REPEAT 0123456789abcdef 4 hex)
add_container_image(img TAGS hello@sha256:${hex})
