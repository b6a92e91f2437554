// Converts "héllo" to UTF-16LE with iconv and formats a number in the
// C.UTF-8 locale: both need files glibc loads at run time.
#include <iconv.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <locale>
#include <sstream>

int main() {
  iconv_t cd = iconv_open("UTF-16LE", "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    std::perror("iconv_open UTF-16LE");
    return 1;
  }
  char in[] = "h\xc3\xa9llo";
  char out[64];
  char* inp = in;
  char* outp = out;
  size_t inleft = std::strlen(in), outleft = sizeof out;
  if (iconv(cd, &inp, &inleft, &outp, &outleft) == static_cast<size_t>(-1)) {
    std::perror("iconv");
    return 1;
  }
  std::cout << "UTF-16LE:";
  for (char* p = out; p < outp; ++p) std::printf(" %02x", static_cast<unsigned char>(*p));
  std::cout << std::endl;
  try {
    std::locale utf8("C.UTF-8");
    std::cout << "locale " << utf8.name() << std::endl;
  } catch (const std::exception& e) {
    std::cerr << "std::locale(\"C.UTF-8\"): " << e.what() << "\n";
    return 1;
  }
  return 0;
}
