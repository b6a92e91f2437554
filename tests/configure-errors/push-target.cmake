# <name>-push pushes the tarball with the tool, PUSH_INSECURE passing
# --insecure; an image without it pushes without.
add_container_image(img PUSH_INSECURE)
add_container_image(secure TAGS registry.example.com/team/secure:1)
