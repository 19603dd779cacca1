#pragma once

#include <string>

namespace sluice::testutil {

// A fresh folder under $TMPDIR (or /tmp), removed with everything in it when this goes
// out of scope.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace sluice::testutil
