// One helper thread that runs a task while its owner does something else
// with the same data: the layer writer hashes a buffer while the helper
// writes it out.
#pragma once

#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace ocipack::util {

class SideThread {
public:
  SideThread() = default;
  ~SideThread();
  SideThread(const SideThread&) = delete;
  SideThread& operator=(const SideThread&) = delete;

  // Starts `task` on the helper thread (started on first use). The previous
  // task must have been joined.
  void start(std::function<void()> task);
  // Waits for the task; rethrows what it threw.
  void join();

private:
  void loop();

  std::thread m_thread;
  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::function<void()> m_task;  // set: to run; cleared by the helper when done
  bool m_busy = false;
  bool m_stop = false;
  std::exception_ptr m_failure;
};

// Runs `side` on `thread` and `here` on the calling thread at the same time;
// returns once both are done. An exception from either reaches the caller
// (the one from `here` first), never before both have finished.
template <typename Here>
void overlap(SideThread& thread, std::function<void()> side, Here&& here) {
  thread.start(std::move(side));
  try {
    here();
  } catch (...) {
    try {
      thread.join();
    } catch (...) {}
    throw;
  }
  thread.join();
}

}  // namespace ocipack::util
