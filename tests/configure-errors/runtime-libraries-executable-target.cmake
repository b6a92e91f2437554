add_executable(hello IMPORTED)
set_target_properties(hello PROPERTIES IMPORTED_LOCATION /opt/hello/bin/hello)
add_container_image(img TARGETS hello RUNTIME_LIBRARIES libnss_dns.so.2 hello)
