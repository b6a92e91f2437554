// A dynamically linked C++ program: iostream, std::thread and OpenSSL.
// ocipack puts it FROM scratch together with every shared library it needs.
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

static std::string sha256_hex(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr);
  std::string hex;
  char byte[3];
  for (unsigned int i = 0; i < size; ++i) {
    std::snprintf(byte, sizeof byte, "%02x", digest[i]);
    hex += byte;
  }
  return hex;
}

int main(int argc, char** argv) {
  std::vector<std::string> words(argv + 1, argv + argc);
  if (words.empty()) words = {"ocipack"};
  std::vector<std::string> digests(words.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < words.size(); ++i) {
    threads.emplace_back([&, i] { digests[i] = sha256_hex(words[i]); });
  }
  for (auto& t : threads) t.join();
  std::cout << OpenSSL_version(OPENSSL_VERSION) << ", " << threads.size() << " thread(s)\n";
  for (std::size_t i = 0; i < words.size(); ++i) {
    std::cout << "sha256(" << words[i] << ") = " << digests[i] << "\n";
  }
  return 0;
}
