#include "util/side_thread.hpp"

namespace ocipack::util {

SideThread::~SideThread() {
  if (!m_thread.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_stop = true;
  }
  m_changed.notify_all();
  m_thread.join();
}

void SideThread::start(std::function<void()> task) {
  if (!m_thread.joinable()) m_thread = std::thread([this] { loop(); });
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_task = std::move(task);
    m_busy = true;
    m_failure = nullptr;
  }
  m_changed.notify_all();
}

void SideThread::join() {
  std::exception_ptr failure;
  {
    std::unique_lock<std::mutex> lock(m_mutex);
    m_changed.wait(lock, [this] { return !m_busy; });
    failure = m_failure;
    m_failure = nullptr;
  }
  if (failure) std::rethrow_exception(failure);
}

void SideThread::loop() {
  std::unique_lock<std::mutex> lock(m_mutex);
  for (;;) {
    m_changed.wait(lock, [this] { return m_stop || m_task; });
    if (m_stop) return;
    std::function<void()> task = std::move(m_task);
    m_task = nullptr;
    lock.unlock();
    std::exception_ptr failure;
    try {
      task();
    } catch (...) {
      failure = std::current_exception();
    }
    lock.lock();
    m_failure = failure;
    m_busy = false;
    m_changed.notify_all();
  }
}

}  // namespace ocipack::util
