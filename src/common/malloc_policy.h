#pragma once

namespace sluice {

// Has malloc keep the memory of freed large buffers for the next ones instead of handing
// it back to the kernel at once. A GetRecords page of thousands of records takes a read
// buffer and a response of megabytes each; with glibc's defaults (a trim threshold of
// twice the largest recent mmap'ed block) each came from fresh pages, faulted in and
// zeroed, and went back at the next trim: a third of the server's CPU while a reader
// caught up (BENCHMARKS.md, issue #4). Process-wide: call once at start-up, before other
// threads. Best effort: false if malloc refused (a sanitizer's allocator does).
bool KeepFreedMemoryForReuse();

}  // namespace sluice
