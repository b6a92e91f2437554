add_executable(hello IMPORTED)
set_target_properties(hello PROPERTIES IMPORTED_LOCATION /opt/hello/bin/hello)
add_container_image(img TARGETS hello RUNTIME_DEPENDENCIES NONE
  SYSROOT /usr/aarch64-linux-gnu)
