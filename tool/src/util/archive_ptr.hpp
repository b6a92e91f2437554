// RAII owners for libarchive handles.
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <string>

namespace ocipack::util {

struct ArchiveWriteFree {
  void operator()(::archive* a) const { archive_write_free(a); }
};
struct ArchiveReadFree {
  void operator()(::archive* a) const { archive_read_free(a); }
};
struct ArchiveEntryFree {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

using ArchiveWriter = std::unique_ptr<::archive, ArchiveWriteFree>;
using ArchiveReader = std::unique_ptr<::archive, ArchiveReadFree>;
using ArchiveEntry = std::unique_ptr<archive_entry, ArchiveEntryFree>;

// libarchive's message for the last failure on `a`.
inline std::string archive_message(::archive* a) {
  const char* msg = archive_error_string(a);
  return msg != nullptr ? msg : "unknown libarchive error";
}

}  // namespace ocipack::util
