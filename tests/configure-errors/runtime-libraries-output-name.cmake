add_library(greet_plugin MODULE IMPORTED)
set_target_properties(greet_plugin PROPERTIES
  IMPORTED_LOCATION /opt/lib/greet.so OUTPUT_NAME greet)
add_container_image(img RUNTIME_LIBRARIES greet)
