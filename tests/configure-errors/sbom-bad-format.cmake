add_container_image(img SBOM JSON)
