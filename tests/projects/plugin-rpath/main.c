#include <dlfcn.h>
#include <stdio.h>

const char* core_greeting(void);

int main(void) {
  puts(core_greeting());
  void* plugin = dlopen(PLUGIN_PATH, RTLD_NOW);
  if (plugin == NULL) {
    fprintf(stderr, "demo: %s\n", dlerror());
    return 1;
  }
  int (*run)(void) = (int (*)(void))dlsym(plugin, "plugin_run");
  if (run == NULL) {
    fprintf(stderr, "demo: %s\n", dlerror());
    return 1;
  }
  printf("plugin says %d\n", run());
  return 0;
}
