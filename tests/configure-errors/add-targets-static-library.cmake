add_library(util STATIC IMPORTED)
set_target_properties(util PROPERTIES IMPORTED_LOCATION /opt/lib/libutil.a)
add_container_image(img)
container_image_add_targets(img util DESTINATION /usr/lib)
