# The project enables no language: CMake looked for no strip program.
add_container_image(img STRIP)
