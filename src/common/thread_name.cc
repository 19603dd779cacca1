#include "common/thread_name.h"

#include <pthread.h>

namespace sluice {

void NameThisThread(const std::string& name) {
  constexpr size_t kMaxLength = 15;
  // Naming is a diagnostic aid: a failure leaves the inherited name, nothing else.
  (void)pthread_setname_np(pthread_self(), name.substr(0, kMaxLength).c_str());
}

}  // namespace sluice
