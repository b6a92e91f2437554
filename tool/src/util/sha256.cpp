#include "util/sha256.hpp"

#include "util/error.hpp"

#include <openssl/evp.h>

namespace ocipack::util {

namespace {

// Fetched once: with the legacy EVP_sha256() every EVP_DigestInit_ex looks
// the implementation up again in OpenSSL 3's provider tables (a lock and a
// search), which shows in a layer of 100,000 files hashed twice each. Kept
// for the life of the process.
const EVP_MD* fetched(const char* name, const EVP_MD* fallback) {
  const EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  return md != nullptr ? md : fallback;
}

}  // namespace

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

Sha256::Sha256() : EvpHash(sha256_md(), "SHA-256") {}

const EVP_MD* Sha256::sha256_md() {
  static const EVP_MD* md = fetched("SHA2-256", EVP_sha256());
  return md;
}

std::string Sha256::hex_of(std::string_view data) {
  Sha256 h;
  h.update(data.data(), data.size());
  return h.finish_hex();
}

Sha1::Sha1() : EvpHash(sha1_md(), "SHA-1") {}

const EVP_MD* Sha1::sha1_md() {
  static const EVP_MD* md = fetched("SHA1", EVP_sha1());
  return md;
}

}  // namespace ocipack::util
