add_container_image(img RUNTIME_LIBRARIES "$<TARGET_FILE:plugn>")
