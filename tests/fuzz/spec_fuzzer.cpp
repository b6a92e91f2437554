// libFuzzer target: the build spec reader (spec::parse), which takes the JSON
// the CMake module writes. Any input must either parse or be refused with an
// ocipack::Error; anything else escaping (another exception, a crash, a
// sanitizer report) is a finding.
#include "spec/spec.hpp"
#include "util/error.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    ocipack::spec::BuildSpec spec = ocipack::spec::parse(text);
    (void)spec;
  } catch (const ocipack::Error&) {}
  return 0;
}
