// STRIP: the layers get stripped copies of the build's ELF files, made with
// the project's strip program (CMAKE_STRIP) in a directory of the build
// tree; the build outputs are never touched. A copy is made again only when
// its source changed, so an unchanged rebuild reuses the same file (and the
// layer cache its layer).
#pragma once

#include "layer/entry.hpp"

#include <filesystem>

namespace ocipack::build {

class Stripper {
public:
  // `strip`: the program; `dir`: where the copies are kept (created).
  Stripper(std::filesystem::path strip, std::filesystem::path dir);
  // Copies kept only for this build: in a new directory under `parent`,
  // removed with the Stripper.
  static Stripper for_this_build(std::filesystem::path strip, const std::filesystem::path& parent);
  ~Stripper();
  Stripper(Stripper&& other) noexcept;
  Stripper(const Stripper&) = delete;
  Stripper& operator=(const Stripper&) = delete;
  Stripper& operator=(Stripper&&) = delete;

  // Points `entry` (a regular file of the build: a target, an added ELF
  // file, a project library) at its stripped copy. Executables lose every
  // symbol but the dynamic ones (--strip-all), shared objects keep what
  // linking and dlopen() need (--strip-unneeded): .dynsym always stays.
  void strip(layer::Entry& entry);

private:
  std::filesystem::path m_strip, m_dir;
  bool m_temporary = false;
};

}  // namespace ocipack::build
