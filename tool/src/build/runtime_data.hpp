// What programs read at run time besides their libraries, copied from the
// sysroot: the CA bundle (CA_CERTIFICATES), /usr/share/zoneinfo (TZDATA),
// compiled locales (LOCALES) and glibc's gconv modules (ICONV).
#pragma once

#include "elf/elf.hpp"
#include "layer/entry.hpp"
#include "spec/spec.hpp"

#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace ocipack::build {

struct RuntimeData {
  // Files, symlinks and directories, sorted with their parents
  // (layer::finalize has run; running it again over more entries is fine).
  std::vector<layer::Entry> entries;
  // The gconv modules copied (host file, image path): ELF objects whose own
  // libraries (DT_NEEDED, e.g. libJIS.so through $ORIGIN) are to be resolved.
  std::vector<layer::ElfFile> modules;
  // What was taken from the build machine because a cross sysroot lacked it.
  std::vector<std::string> notes;
};

// Collects the data `spec` asks for from `sysroot`, for a target of the ELF
// header `target` (its library directories, byte order and word size). A
// cross sysroot (not "/") that lacks architecture-independent data
// (certificates, zoneinfo; locales when the build machine has the target's
// byte order and word size) gets it from the build machine, with a note;
// gconv modules never. `build_root` is the build machine's root (tests give
// another). Every file read is added to `inputs`. Throws Error naming the
// keyword (CA_CERTIFICATES, TZDATA, LOCALES, ICONV), the value and the
// package that provides what is missing.
RuntimeData collect_runtime_data(const spec::RuntimeDataSpec& spec, const std::filesystem::path& sysroot,
                                 const elf::Header& target, std::set<std::string>& inputs,
                                 const std::filesystem::path& build_root = "/");

// A locale name with its codeset normalized as glibc looks it up:
// "de_DE.UTF-8@euro" -> "de_DE.utf8@euro", "C.UTF-8" -> "C.utf8".
std::string normalize_locale(const std::string& name);

}  // namespace ocipack::build
