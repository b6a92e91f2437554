add_container_image(img COMPRESSION zstd COMPRESSION_LEVEL 20)
