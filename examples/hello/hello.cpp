// The program in the example image: it explains how it got there.
#include <iostream>

int main() {
  std::cout << R"(
Hello from ocipack!
This message shows that your container image was built and runs correctly.

To make it, these steps happened:
 1. CMake compiled hello.cpp into the executable target "hello"
    (linked statically, so it needs no shared library at all).
 2. add_container_image(hello-image TARGETS hello) had ocipack pack that
    target into a layer: a reproducible tar stream, gzip-compressed and
    named by its SHA-256 digest.
 3. ocipack wrote the image config (CMD ["/hello"]), the OCI manifest and
    index, and one tarball, hello-image.tar: no Dockerfile, no daemon,
    the same bytes on every rebuild.
 4. "docker load" read the tarball and "docker run" started this container
    FROM scratch: this program is the only file in it.

Next: add ENV, EXPOSE, USER, files and more to add_container_image(); see
the README's usage reference.
)";
  return 0;
}
