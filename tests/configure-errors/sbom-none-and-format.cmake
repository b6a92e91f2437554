add_container_image(img SBOM NONE SPDX)
