add_container_image(img LOCALES C.UTF-8 POSIX)
