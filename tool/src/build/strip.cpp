#include "build/strip.hpp"

#include "elf/dynamic.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/process.hpp"
#include "util/sha256.hpp"

#include <cstdlib>
#include <sys/stat.h>

namespace fs = std::filesystem;

namespace ocipack::build {

namespace {

// What identifies a file's content for reuse: a rewrite changes its size,
// modification or change time.
std::string identity_of(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw_errno("cannot read " + path.string());
  return std::to_string(st.st_dev) + " " + std::to_string(st.st_ino) + " " + std::to_string(st.st_size) + " " +
         std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + " " +
         std::to_string(st.st_ctim.tv_sec) + "." + std::to_string(st.st_ctim.tv_nsec) + "\n";
}

}  // namespace

Stripper::Stripper(fs::path strip, fs::path dir) : m_strip(std::move(strip)), m_dir(std::move(dir)) {
  std::error_code ec;
  fs::create_directories(m_dir, ec);
  if (ec) throw Error("cannot create " + m_dir.string() + ": " + ec.message());
}

Stripper Stripper::for_this_build(fs::path strip, const fs::path& parent) {
  std::string pattern = (parent / ".ocipack-strip-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw_errno("cannot create a directory in " + parent.string());
  Stripper s(std::move(strip), pattern);
  s.m_temporary = true;
  return s;
}

Stripper::Stripper(Stripper&& other) noexcept
    : m_strip(std::move(other.m_strip)), m_dir(std::move(other.m_dir)), m_temporary(other.m_temporary) {
  other.m_temporary = false;
}

Stripper::~Stripper() {
  if (!m_temporary) return;
  std::error_code ec;
  fs::remove_all(m_dir, ec);
}

void Stripper::strip(layer::Entry& entry) {
  if (entry.type != layer::Entry::Type::File || entry.source.empty()) return;
  const fs::path source = entry.source;
  // One copy per source path, under a name that keeps its file name.
  const std::string key = util::Sha256::hex_of(source.string()).substr(0, 16);
  const fs::path copy = m_dir / (key + "-" + source.filename().string());
  const fs::path record = m_dir / (key + "-" + source.filename().string() + ".source");
  const std::string identity = identity_of(source);
  std::error_code ec;
  if (!fs::exists(copy, ec) || !fs::exists(record, ec) || util::read_file(record) != identity) {
    const elf::Object object = elf::read_object(source);
    const bool executable = !object.interpreter.empty() || object.header.type == 2;  // ET_EXEC
    const fs::path temporary = copy.string() + ".tmp";
    with_context("STRIP " + source.string(), [&] {
      util::run_program({m_strip.string(), executable ? "--strip-all" : "--strip-unneeded", "-o", temporary.string(),
                         source.string()});
    });
    fs::rename(temporary, copy, ec);
    if (ec) throw Error("cannot rename " + temporary.string() + ": " + ec.message());
    util::write_file_atomically(record, identity);
  }
  struct stat st {};
  if (::stat(copy.c_str(), &st) != 0) throw_errno("cannot read " + copy.string());
  entry.source = copy;
  entry.size = static_cast<std::uint64_t>(st.st_size);
}

}  // namespace ocipack::build
