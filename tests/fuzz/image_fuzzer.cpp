// libFuzzer target: the image tarball readers, which take files from anywhere.
// The input is written to a file (in memory), then read as `ocipack inspect`
// reads it (archive::read_image: every image, every layer listed) and as a
// BASE is read (archive::read_base, then read_base_file on one path of each
// layer). Both go through the one layout reader (archive/layout.hpp), which
// reads the tar's entries in place. Any input must be read or refused with
// an ocipack::Error; anything else is a finding.
#include "archive/base.hpp"
#include "archive/reader.hpp"
#include "elf/elf.hpp"
#include "oci/model.hpp"
#include "util/error.hpp"

#include <clocale>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <sys/mman.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

// The input lives in an anonymous memory file, reached through its
// /proc/self/fd path: nothing is left behind, even when a run crashes.
struct Input {
  int fd = ::memfd_create("image_fuzzer-input", MFD_CLOEXEC);
  fs::path path = "/proc/self/fd/" + std::to_string(fd);

  void write(const std::uint8_t* data, std::size_t size) const {
    if (fd < 0 || ::ftruncate(fd, 0) != 0) fail("memfd_create/ftruncate");
    std::size_t done = 0;
    while (done < size) {
      ssize_t n = ::pwrite(fd, data + done, size - done, static_cast<off_t>(done));
      if (n <= 0) fail("pwrite");
      done += static_cast<std::size_t>(n);
    }
  }
  [[noreturn]] static void fail(const char* what) {
    std::perror(what);
    std::abort();
  }
};

}  // namespace

// The locale `ocipack` runs in (cli::run): names are converted through it.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (std::setlocale(LC_CTYPE, "C.UTF-8") == nullptr) std::setlocale(LC_CTYPE, "C");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Input input;
  input.write(data, size);

  try {
    ocipack::archive::read_image(input.path);
  } catch (const ocipack::Error&) {}

  try {
    const ocipack::archive::BaseImage base = ocipack::archive::read_base(input.path, "", ocipack::elf::host_platform());
    for (const auto& layer : base.layers) {
      if (layer.files.empty()) continue;
      const std::string path = ocipack::archive::layer_path(layer.files.back().path);
      ocipack::archive::read_base_file(base, layer, path, 1 << 20);
    }
  } catch (const ocipack::Error&) {}
  return 0;
}
