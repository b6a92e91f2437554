add_container_image(img)
# Runs after the image was finalized at the end of this directory.
cmake_language(DEFER CALL
  container_image_add_targets img plugin DESTINATION /usr/lib)
