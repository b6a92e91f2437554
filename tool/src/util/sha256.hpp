// Streaming SHA-256 and SHA-1 on OpenSSL's EVP interface.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

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
  // The digest's `size` bytes into `out` (its exact size), the same way.
  void finish_into(unsigned char* out, std::size_t size);

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
  friend class DigestWarmUp;
  static const evp_md_st* sha256_md();
};

// Only for what a format requires it for (SPDX 2.3 files): never an identity.
class Sha1 : public EvpHash {
public:
  Sha1();

private:
  friend class DigestWarmUp;
  static const evp_md_st* sha1_md();
};

// OpenSSL's start (its configuration, providers and the two digests'
// lookup: 1 ms) on a thread of its own, from construction, while the caller
// reads its inputs; the first hasher waits for it if it is not done. The
// destructor waits too.
class DigestWarmUp {
public:
  DigestWarmUp();
  DigestWarmUp(const DigestWarmUp&) = delete;
  DigestWarmUp& operator=(const DigestWarmUp&) = delete;
  ~DigestWarmUp();

private:
  std::thread m_thread;
};

// Lower-case hex of `size` bytes.
std::string to_hex(const unsigned char* bytes, std::size_t size);

// A file's checksums as an SBOM lists them. Kept as bytes (52, not 104
// characters in two allocations: an image may have 100,000 files).
struct FileDigests {
  std::array<unsigned char, 32> sha256{};
  std::array<unsigned char, 20> sha1{};

  std::string sha256_hex() const { return to_hex(sha256.data(), sha256.size()); }
  std::string sha1_hex() const { return to_hex(sha1.data(), sha1.size()); }
  // From lower-case hex, as sha256_hex() and sha1_hex() give it; an Error
  // when either is not.
  static FileDigests from_hex(const std::string& sha256, const std::string& sha1);
};

// Both checksums of one file's bytes as they stream past.
class FileHasher {
public:
  void update(const void* data, std::size_t size) {
    m_sha256.update(data, size);
    m_sha1.update(data, size);
  }
  FileDigests finish() {
    FileDigests d;
    m_sha256.finish_into(d.sha256.data(), d.sha256.size());
    m_sha1.finish_into(d.sha1.data(), d.sha1.size());
    return d;
  }

private:
  Sha256 m_sha256;
  Sha1 m_sha1;
};

}  // namespace ocipack::util
