add_container_image(img ENV A=1 FOO)
