#include "util/sha256.hpp"

#include "util/error.hpp"

#include <openssl/evp.h>

#include <cstring>
#include <system_error>

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
  return to_hex(md, len);
}

void EvpHash::finish_into(unsigned char* out, std::size_t size) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(m_ctx, md, &len) != 1 || len != size) {
    throw Error(std::string(m_name) + " finalisation failed (OpenSSL)");
  }
  std::memcpy(out, md, size);
}

std::string to_hex(const unsigned char* bytes, std::size_t size) {
  static const char digits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    hex.push_back(digits[bytes[i] >> 4]);
    hex.push_back(digits[bytes[i] & 0xf]);
  }
  return hex;
}

namespace {

template <std::size_t N>
bool parse_hex(const std::string& hex, std::array<unsigned char, N>& out) {
  if (hex.size() != 2 * N) return false;
  auto value = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; };
  for (std::size_t i = 0; i < N; ++i) {
    const int hi = value(hex[2 * i]), lo = value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<unsigned char>(hi << 4 | lo);
  }
  return true;
}

}  // namespace

FileDigests FileDigests::from_hex(const std::string& sha256, const std::string& sha1) {
  FileDigests d;
  if (!parse_hex(sha256, d.sha256)) throw Error("\"" + sha256 + "\" is not a SHA-256 in lower-case hex");
  if (!parse_hex(sha1, d.sha1)) throw Error("\"" + sha1 + "\" is not a SHA-1 in lower-case hex");
  return d;
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

DigestWarmUp::DigestWarmUp() {
  try {
    m_thread = std::thread([] {
      Sha256::sha256_md();
      Sha1::sha1_md();
    });
  } catch (const std::system_error&) {
    // No thread: the first hasher does it.
  }
}

DigestWarmUp::~DigestWarmUp() {
  if (m_thread.joinable()) m_thread.join();
}

}  // namespace ocipack::util
