add_custom_target(tool)
container_image_add_files(tool assets DESTINATION /data)
