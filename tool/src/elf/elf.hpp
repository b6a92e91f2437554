// ELF identification: which platform a binary runs on. Reads bytes only;
// nothing from the host is executed.
#pragma once

#include "oci/model.hpp"

#include <cstdint>
#include <filesystem>
#include <string_view>

namespace ocipack::elf {

struct Header {
  bool is_64 = false;
  bool little_endian = true;
  std::uint8_t os_abi = 0;
  std::uint16_t type = 0;     // ET_EXEC, ET_DYN, ...
  std::uint16_t machine = 0;  // EM_*
  std::uint32_t flags = 0;
};

// Parses the ELF header at the start of `bytes`; throws Error when the bytes
// are not an ELF file or are truncated.
Header parse_header(std::string_view bytes);

// Reads the header of the file at `path` (errors name the file).
Header read_header(const std::filesystem::path& path);

// What ocipack knows of an ELF machine (e_machine, with the class and byte
// order where they matter): its OCI platform and glibc's names for it.
struct Machine {
  const char* architecture;  // OCI (GOARCH) spelling: "amd64", "arm64", ...
  const char* variant;       // "v7" or ""
  const char* multiarch;     // glibc's (Debian's) multiarch tuple, nullptr: none known
  const char* hwcap;         // glibc's $PLATFORM, nullptr: none known
};

// The machine of a header, or nullptr when the table does not know it.
const Machine* find_machine(const Header& h);

// The OCI platform of a header (x86-64 -> amd64, AArch64 -> arm64, ...);
// throws Error for machines or OS ABIs that have no OCI name.
oci::Platform platform_of(const Header& h);

// The platform of the machine this tool was built for ("linux/amd64", ...;
// architecture "unknown" when the table does not know it).
oci::Platform host_platform();

}  // namespace ocipack::elf
