// tlsclient <port>: connects to 127.0.0.1:<port>, verifies the server's
// certificate for "localhost" with OpenSSL's default trust store, and says
// who issued it.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: tlsclient <port>\n";
    return 2;
  }
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
    std::cerr << "tlsclient: no default trust store\n";
    return 1;
  }
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::atoi(argv[1])));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // 127.0.0.1 only
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    std::perror("tlsclient: 127.0.0.1");
    return 1;
  }
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  SSL_set_tlsext_host_name(ssl, "localhost");
  SSL_set1_host(ssl, "localhost");
  if (SSL_connect(ssl) != 1) {
    std::cerr << "tlsclient: handshake failed: "
              << X509_verify_cert_error_string(SSL_get_verify_result(ssl)) << "\n";
    return 1;
  }
  X509* peer = SSL_get1_peer_certificate(ssl);
  char issuer[256] = {};
  X509_NAME_get_text_by_NID(X509_get_issuer_name(peer), NID_commonName, issuer, sizeof issuer);
  std::cout << "verified localhost, issued by " << issuer << std::endl;
  SSL_write(ssl, "GET / HTTP/1.0\r\n\r\n", 18);
  char buffer[512];
  while (SSL_read(ssl, buffer, sizeof buffer) > 0) {
  }
  SSL_shutdown(ssl);
  X509_free(peer);
  SSL_free(ssl);
  close(fd);
  SSL_CTX_free(ctx);
  return 0;
}
