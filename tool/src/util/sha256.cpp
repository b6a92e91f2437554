#include "util/sha256.hpp"

#include "util/error.hpp"

#include <openssl/evp.h>

namespace ocipack::util {

EvpHash::EvpHash(const EVP_MD* md, const char* name) : m_ctx(EVP_MD_CTX_new()), m_name(name) {
  if (m_ctx == nullptr || EVP_DigestInit_ex(m_ctx, md, nullptr) != 1) {
    EVP_MD_CTX_free(m_ctx);
    throw Error(std::string("cannot initialise ") + name + " (OpenSSL)");
  }
}

EvpHash::~EvpHash() { EVP_MD_CTX_free(m_ctx); }

void EvpHash::update(const void* data, std::size_t size) {
  if (size != 0 && EVP_DigestUpdate(m_ctx, data, size) != 1) {
    throw Error(std::string(m_name) + " update failed (OpenSSL)");
  }
}

std::string EvpHash::finish_hex() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(m_ctx, md, &len) != 1) {
    throw Error(std::string(m_name) + " finalisation failed (OpenSSL)");
  }
  static const char digits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    hex.push_back(digits[md[i] >> 4]);
    hex.push_back(digits[md[i] & 0xf]);
  }
  return hex;
}

Sha256::Sha256() : EvpHash(EVP_sha256(), "SHA-256") {}

std::string Sha256::hex_of(std::string_view data) {
  Sha256 h;
  h.update(data.data(), data.size());
  return h.finish_hex();
}

Sha1::Sha1() : EvpHash(EVP_sha1(), "SHA-1") {}

}  // namespace ocipack::util
