add_library(plugin MODULE IMPORTED)
set_target_properties(plugin PROPERTIES IMPORTED_LOCATION /opt/lib/plugin.so)
add_container_image(img)
container_image_add_targets(img plugin plugn DESTINATION /usr/lib/app)
