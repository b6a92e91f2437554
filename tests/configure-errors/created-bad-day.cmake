# 2023 is no leap year.
add_container_image(img CREATED 2023-02-29T12:00:00Z)
