#pragma once

namespace sluice {

// The nice value of threads whose work no request waits on.
inline constexpr int kBackgroundNice = 10;

// Gives the calling thread (alone: Linux keeps a nice value per thread) at least
// kBackgroundNice, so that when the CPUs are busy it yields them to the threads serving
// requests. Best effort, like a name: false if the system refused, and the thread runs on
// as before.
bool MakeThisThreadBackground();

// The calling thread's nice value.
int ThisThreadNice();

}  // namespace sluice
