// Helpers shared by the unit tests: a temporary directory and small files.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/stat.h>

namespace ocipack::testing {

class TempDir {
public:
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "ocipack-test-XXXXXX").string();
    m_path = ::mkdtemp(templ.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  const std::filesystem::path& path() const { return m_path; }
  std::filesystem::path operator/(const std::string& name) const { return m_path / name; }

private:
  std::filesystem::path m_path;
};

inline void write(const std::filesystem::path& p, const std::string& content, unsigned mode = 0644) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << content;
  ::chmod(p.c_str(), mode);
}

} // namespace ocipack::testing
