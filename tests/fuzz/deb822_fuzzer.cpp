// libFuzzer target: the deb822 readers (sbom::parse_status and
// sbom::copyright_license), which read a base image's status.d files and
// any tarball `ocipack inspect` is given, as well as the build machine's
// dpkg database. Any input must either parse or be refused with an
// ocipack::Error; anything else escaping (another exception, a crash, a
// sanitizer report) is a finding.
#include "sbom/dpkg.hpp"
#include "util/error.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    for (const ocipack::sbom::Package& p : ocipack::sbom::parse_status(text, "status")) {
      // Each stanza is whole lines: it parses again to the same package.
      const auto again = ocipack::sbom::parse_status(p.stanza, "stanza");
      if (again.size() != 1 || again[0].name != p.name || again[0].stanza != p.stanza) __builtin_trap();
    }
  } catch (const ocipack::Error&) {}
  (void)ocipack::sbom::copyright_license(text);  // never throws: free-form text is NOASSERTION
  return 0;
}
