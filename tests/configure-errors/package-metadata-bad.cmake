add_container_image(img PACKAGE_METADATA YES)
