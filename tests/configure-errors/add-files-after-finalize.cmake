add_container_image(img)
# Deferred calls run in the order they were scheduled: this one runs after
# the image was finalized at the end of this directory.
cmake_language(DEFER CALL
  container_image_add_files img assets DESTINATION /data)
