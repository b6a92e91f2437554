// libFuzzer target: the image tarball readers, which take files from anywhere.
// The input is written to a file, then read as `ocipack inspect` reads it
// (archive::read_image, and list_layer for every layer of every image) and
// as a BASE is read (archive::read_base, then list_base_layer for every
// layer). Any input must be read or refused with an ocipack::Error; anything
// else is a finding.
#include "archive/base.hpp"
#include "archive/reader.hpp"
#include "oci/model.hpp"
#include "util/error.hpp"

#include <clocale>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

// One private directory per fuzzer process (parallel runs do not collide),
// removed at exit. It holds the input file and read_base's scratch files.
struct WorkDir {
  fs::path dir;
  WorkDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/ocipack-image-fuzzer.XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) {
      std::perror("image_fuzzer: mkdtemp");
      std::abort();
    }
    dir = templ;
  }
  ~WorkDir() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

void write_input(const fs::path& path, const std::uint8_t* data, std::size_t size) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr || (size > 0 && std::fwrite(data, 1, size, f) != size) || std::fclose(f) != 0) {
    std::perror("image_fuzzer: writing the input");
    std::abort();
  }
}

} // namespace

// The locale `ocipack` runs in (cli::run): names are converted through it.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (std::setlocale(LC_CTYPE, "C.UTF-8") == nullptr) std::setlocale(LC_CTYPE, "C");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static WorkDir work;
  const fs::path input = work.dir / "input.tar";
  write_input(input, data, size);

  try {
    ocipack::archive::ReadImage image = ocipack::archive::read_image(input);
    for (const auto& record : image.images) {
      for (const auto& layer : record.manifest.layers) {
        ocipack::archive::list_layer(input, layer.digest, [](const ocipack::archive::LayerFile&) {});
      }
    }
  } catch (const ocipack::Error&) {
  }

  try {
    ocipack::archive::BaseImage base =
        ocipack::archive::read_base(input, "", ocipack::oci::host_platform(), work.dir);
    for (const auto& layer : base.layers) {
      ocipack::archive::list_base_layer(base, layer, [](const ocipack::archive::LayerFile&) {});
    }
  } catch (const ocipack::Error&) {
  }
  return 0;
}
