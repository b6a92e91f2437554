# SBOM and PACKAGE_METADATA: the defaults, both formats, none, and a
# tarball given with OUTPUT; the project's name and homepage.
set(CMAKE_PROJECT_HOMEPAGE_URL https://example.org/app)
add_container_image(defaults)
add_container_image(both SBOM SPDX CYCLONEDX PACKAGE_METADATA OFF OUTPUT out/both-image.tar)
add_container_image(none SBOM NONE)
foreach(image IN ITEMS defaults both none)
  get_target_property(sbom ${image} CONTAINER_IMAGE_SBOM)
  message(STATUS "${image} SBOM: [${sbom}]")
endforeach()
