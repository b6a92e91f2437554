add_container_image(img SBOM CYCLONEDX SPDX CYCLONEDX)
