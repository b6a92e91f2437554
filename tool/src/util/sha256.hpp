// Streaming SHA-256 and SHA-1 on OpenSSL's EVP interface.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

struct evp_md_ctx_st;
struct evp_md_st;

namespace ocipack::util {

// One EVP digest, fed in pieces.
class EvpHash {
public:
  EvpHash(const EvpHash&) = delete;
  EvpHash& operator=(const EvpHash&) = delete;
  ~EvpHash();

  void update(const void* data, std::size_t size);
  // Lower-case hex of the digest; the hasher cannot be updated afterwards.
  std::string finish_hex();

protected:
  EvpHash(const evp_md_st* md, const char* name);

private:
  evp_md_ctx_st* m_ctx;
  const char* m_name;  // for errors
};

class Sha256 : public EvpHash {
public:
  Sha256();
  static std::string hex_of(std::string_view data);

private:
  static const evp_md_st* sha256_md();
};

// Only for what a format requires it for (SPDX 2.3 files): never an identity.
class Sha1 : public EvpHash {
public:
  Sha1();

private:
  static const evp_md_st* sha1_md();
};

// A file's checksums as an SBOM lists them (lower-case hex).
struct FileDigests {
  std::string sha256, sha1;
};

// Both checksums of one file's bytes as they stream past.
class FileHasher {
public:
  void update(const void* data, std::size_t size) {
    m_sha256.update(data, size);
    m_sha1.update(data, size);
  }
  FileDigests finish() { return {m_sha256.finish_hex(), m_sha1.finish_hex()}; }

private:
  Sha256 m_sha256;
  Sha1 m_sha1;
};

}  // namespace ocipack::util
