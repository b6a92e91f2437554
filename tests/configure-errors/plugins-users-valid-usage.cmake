# Targets in two more places, a renamed file, users, NO_DLOPEN_NOTE and
# library targets in RUNTIME_LIBRARIES; the targets are defined afterwards.
add_container_image(broker-image TARGETS broker DESTINATION /usr/sbin
  NO_DLOPEN_NOTE
  RUNTIME_LIBRARIES libnss_dns.so.2 auth "$<TARGET_FILE:store>"
                    "$<TARGET_FILE:auth>")
container_image_add_targets(broker-image plugin auth plugin
  DESTINATION /usr/lib//broker/)
container_image_add_targets(broker-image tool DESTINATION /usr/bin)
container_image_add_files(broker-image broker.conf.in DESTINATION /etc/broker
  RENAME broker.conf)
container_image_add_files(broker-image extra.conf DESTINATION /etc/broker)
container_image_add_user(broker-image app)
container_image_add_user(broker-image svc_1$ UID 0 GID 4294967294 GROUP daemon
  HOME /var//lib/svc/ SHELL /bin/sh)

add_executable(broker IMPORTED)
set_target_properties(broker PROPERTIES IMPORTED_LOCATION /opt/bin/broker)
add_executable(tool IMPORTED)
set_target_properties(tool PROPERTIES IMPORTED_LOCATION /opt/bin/tool)
add_library(plugin MODULE IMPORTED)
set_target_properties(plugin PROPERTIES IMPORTED_LOCATION /opt/lib/plugin.so)
add_library(auth MODULE IMPORTED)
set_target_properties(auth PROPERTIES IMPORTED_LOCATION /opt/lib/auth.so)
add_library(store SHARED IMPORTED)
set_target_properties(store PROPERTIES IMPORTED_LOCATION /opt/lib/libstore.so)

# Only container_image_add_targets(): the layer is still there, and no CMD.
add_container_image(plugins-only)
container_image_add_targets(plugins-only plugin DESTINATION /usr/lib)
