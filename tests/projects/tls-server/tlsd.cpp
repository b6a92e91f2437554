// A small HTTPS server with OpenSSL loaded at run time:
//   tlsd <port> <cert.pem> <key.pem> [<connections>]
// listens on 127.0.0.1:<port>, answers <connections> requests (default 1)
// with the OpenSSL version it loaded, then exits; it also exits by itself
// after 120 seconds.
#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

namespace {

// The few libssl functions the server calls, looked up by name.
struct Ssl {
  void* (*server_method)();
  void* (*ctx_new)(const void*);
  int (*use_chain)(void*, const char*);
  int (*use_key)(void*, const char*, int);
  void* (*ssl_new)(void*);
  int (*set_fd)(void*, int);
  int (*accept)(void*);
  int (*read)(void*, void*, int);
  int (*write)(void*, const void*, int);
  int (*shutdown)(void*);
  void (*free)(void*);
  const char* (*version)(int);
};

template <typename F>
void bind_symbol(void* lib, const char* name, F& f) {
  f = reinterpret_cast<F>(dlsym(lib, name));
  if (f == nullptr) {
    std::cerr << "tlsd: libssl has no " << name << "\n";
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: tlsd <port> <cert.pem> <key.pem> [<connections>]\n";
    return 2;
  }
  alarm(120);
  void* lib = dlopen("libssl.so.3", RTLD_NOW | RTLD_GLOBAL);
  if (lib == nullptr) {
    std::cerr << "tlsd: cannot load libssl.so.3: " << dlerror() << "\n";
    return 1;
  }
  Ssl s{};
  bind_symbol(lib, "TLS_server_method", s.server_method);
  bind_symbol(lib, "SSL_CTX_new", s.ctx_new);
  bind_symbol(lib, "SSL_CTX_use_certificate_chain_file", s.use_chain);
  bind_symbol(lib, "SSL_CTX_use_PrivateKey_file", s.use_key);
  bind_symbol(lib, "SSL_new", s.ssl_new);
  bind_symbol(lib, "SSL_set_fd", s.set_fd);
  bind_symbol(lib, "SSL_accept", s.accept);
  bind_symbol(lib, "SSL_read", s.read);
  bind_symbol(lib, "SSL_write", s.write);
  bind_symbol(lib, "SSL_shutdown", s.shutdown);
  bind_symbol(lib, "SSL_free", s.free);
  bind_symbol(lib, "OpenSSL_version", s.version);

  void* ctx = s.ctx_new(s.server_method());
  const int kPem = 1;  // SSL_FILETYPE_PEM
  if (ctx == nullptr || s.use_chain(ctx, argv[2]) != 1 || s.use_key(ctx, argv[3], kPem) != 1) {
    std::cerr << "tlsd: cannot use the certificate " << argv[2] << " and key " << argv[3] << "\n";
    return 1;
  }
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::atoi(argv[1])));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // 127.0.0.1 only
  if (bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listener, 4) != 0) {
    std::perror("tlsd: 127.0.0.1");
    return 1;
  }
  std::cout << "tlsd: listening on 127.0.0.1:" << argv[1] << " with " << s.version(0) << std::endl;
  const int connections = argc > 4 ? std::atoi(argv[4]) : 1;
  for (int i = 0; i < connections; ++i) {
    int fd = accept(listener, nullptr, nullptr);
    if (fd < 0) continue;
    void* ssl = s.ssl_new(ctx);
    s.set_fd(ssl, fd);
    if (s.accept(ssl) == 1) {
      char request[4096];
      s.read(ssl, request, sizeof request);
      const std::string body = std::string("hello over TLS from ") + s.version(0) + "\n";
      const std::string response = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                                   std::to_string(body.size()) + "\r\n\r\n" + body;
      s.write(ssl, response.data(), static_cast<int>(response.size()));
      s.shutdown(ssl);
    }
    s.free(ssl);
    close(fd);
  }
  return 0;
}
