# The common call (<name> TARGETS <target>... and nothing else) takes a
# shorter way than other calls: its spec must be the same as theirs.
add_executable(app IMPORTED)
set_target_properties(app PROPERTIES IMPORTED_LOCATION /bin/true)
# The first image of a directory makes the parts the others share; the
# second takes the short way; the third gives a keyword that changes
# nothing (DESTINATION /) and takes the whole way.
add_container_image(first TARGETS app)
add_container_image(second TARGETS app)
add_container_image(third TARGETS app DESTINATION /)
# A keyword among the targets' names is a keyword, on either way.
add_container_image(excluded TARGETS app EXCLUDE_FROM_ALL)
# A variable the shared parts are made of changes: they are made again.
set(PROJECT_VERSION 9.8.7)
add_container_image(versioned TARGETS app)
add_container_image(versioned-whole TARGETS app DESTINATION /)
