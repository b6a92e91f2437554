// Streaming SHA-256 on OpenSSL's EVP interface.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace ocipack::util {

class Sha256 {
public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(const void* data, std::size_t size);
  // Lower-case hex of the digest; the hasher cannot be updated afterwards.
  std::string finish_hex();

  static std::string hex_of(std::string_view data);

private:
  evp_md_ctx_st* m_ctx;
};

}  // namespace ocipack::util
