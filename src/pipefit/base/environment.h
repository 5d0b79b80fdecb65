// Environment variables behind an interface so tests control HF_HOME,
// HF_HUB_CACHE, HOME and friends without touching the process.
#ifndef PIPEFIT_BASE_ENVIRONMENT_H_
#define PIPEFIT_BASE_ENVIRONMENT_H_

#include <map>
#include <optional>
#include <string>

namespace pipefit {

class Environment {
 public:
  virtual ~Environment() = default;
  // The variable's value, or nullopt when unset. An empty value is returned
  // as an empty string.
  virtual std::optional<std::string> Get(const std::string& name) const = 0;
  // The value when set and non-empty.
  std::optional<std::string> GetNonEmpty(const std::string& name) const;
};

class ProcessEnvironment : public Environment {
 public:
  std::optional<std::string> Get(const std::string& name) const override;
};

class FakeEnvironment : public Environment {
 public:
  FakeEnvironment() = default;
  explicit FakeEnvironment(std::map<std::string, std::string> vars) : vars_(std::move(vars)) {}
  void Set(const std::string& name, const std::string& value) { vars_[name] = value; }
  std::optional<std::string> Get(const std::string& name) const override;

 private:
  std::map<std::string, std::string> vars_;
};

}  // namespace pipefit

#endif  // PIPEFIT_BASE_ENVIRONMENT_H_
