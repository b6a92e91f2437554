add_container_image(img TAGS "acme/he llo!:1")
