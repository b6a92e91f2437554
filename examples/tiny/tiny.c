/* Hello from an image smaller than Docker's hello-world: no C library, no
 * start files, two system calls of x86-64 Linux. */

static const char message[] = "Hello from an image under 1 kB!\n";

/* The ELF entry point: the kernel jumps here with no stack frame to return
 * to, so it ends with exit and never returns. */
void _start(void) {
  long written;
  /* write(1, message, length): rax = 1, arguments in rdi, rsi, rdx; the
   * syscall instruction clobbers rcx and r11. */
  __asm__ volatile("syscall"
                   : "=a"(written)
                   : "a"(1L), "D"(1L), "S"(message), "d"(sizeof message - 1)
                   : "rcx", "r11", "memory");
  /* exit(0 when the whole message was written, else 1): rax = 60. */
  __asm__ volatile("syscall"
                   :
                   : "a"(60L), "D"((long)(written != sizeof message - 1))
                   : "rcx", "r11", "memory");
  __builtin_unreachable();
}
