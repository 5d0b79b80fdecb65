// A temporary directory removed (recursively) when the object dies.
#ifndef PIPEFIT_TESTING_TEMP_DIR_H_
#define PIPEFIT_TESTING_TEMP_DIR_H_

#include <string>

namespace pipefit::testkit {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  // path()/relative, creating parent folders.
  std::string Make(const std::string& relative) const;

 private:
  std::string path_;
};

// Writes `content` to `path`, creating parent folders.
void WriteTextFile(const std::string& path, const std::string& content);

}  // namespace pipefit::testkit

#endif  // PIPEFIT_TESTING_TEMP_DIR_H_
