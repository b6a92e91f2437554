add_library(broker_plugin MODULE IMPORTED)
set_target_properties(broker_plugin PROPERTIES
  IMPORTED_LOCATION /opt/lib/plugin.so LIBRARY_OUTPUT_NAME plugin)
add_container_image(img)
container_image_add_targets(img plugin DESTINATION /usr/lib/broker)
