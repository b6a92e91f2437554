# A custom target here, an imported one in a subdirectory: both are found.
add_custom_target(demo_docs)
set_target_properties(demo_docs PROPERTIES OUTPUT_NAME demo)
add_subdirectory(targets-output-name)
add_container_image(img TARGETS demo)
