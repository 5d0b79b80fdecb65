#include "pipefit/base/environment.h"

#include <cstdlib>

namespace pipefit {

std::optional<std::string> Environment::GetNonEmpty(const std::string& name) const {
  auto value = Get(name);
  if (!value || value->empty()) return std::nullopt;
  return value;
}

std::optional<std::string> ProcessEnvironment::Get(const std::string& name) const {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::optional<std::string> FakeEnvironment::Get(const std::string& name) const {
  auto it = vars_.find(name);
  if (it == vars_.end()) return std::nullopt;
  return it->second;
}

}  // namespace pipefit
