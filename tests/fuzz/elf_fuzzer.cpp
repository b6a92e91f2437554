// libFuzzer target: the ELF reader (elf::parse_object: header, program
// headers, PT_INTERP, the dynamic section and its strings) and the platform
// of the header (elf::platform_of). Bytes of any shape must give an Object
// or an ocipack::Error; anything else is a finding.
#include "elf/dynamic.hpp"
#include "elf/elf.hpp"
#include "util/error.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    ocipack::elf::Object object = ocipack::elf::parse_object(ocipack::elf::MemorySource(bytes));
    ocipack::oci::Platform platform = ocipack::elf::platform_of(object.header);
    (void)platform;
  } catch (const ocipack::Error&) {}
  // The header alone, as `ocipack build` reads it from the first 64 bytes.
  try {
    (void)ocipack::elf::platform_of(ocipack::elf::parse_header(bytes.substr(0, 64)));
  } catch (const ocipack::Error&) {}
  return 0;
}
