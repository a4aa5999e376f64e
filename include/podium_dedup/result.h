// Error values that cross module boundaries.
//
// Every operation that touches the disk, the network or user input returns a
// Status or a Result<T> instead of throwing. The error code is a stable string
// (ERR_DEDUP_*), listed with its cause and fix in docs/errors.md; the message
// names the offending value. Only the CLI's main() turns codes into exit codes.
#ifndef PODIUM_DEDUP_RESULT_H_
#define PODIUM_DEDUP_RESULT_H_

#include <string>
#include <utility>
#include <variant>

namespace podium_dedup {

struct Error {
  std::string code;     // stable ERR_DEDUP_* identifier
  std::string message;  // what failed, on which value, and what to do next
};

class Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design

  static Status Ok() { return Status(); }

  bool ok() const { return ok_; }
  const Error& error() const { return error_; }
  const std::string& code() const { return error_.code; }
  const std::string& message() const { return error_.message; }

 private:
  Error error_;
  bool ok_ = true;
};

template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}       // NOLINT: implicit by design
  Result(Error error) : value_(std::move(error)) {}   // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(value_); }
  const T& value() const& { return std::get<T>(value_); }
  T& value() & { return std::get<T>(value_); }
  T&& value() && { return std::get<T>(std::move(value_)); }
  const Error& error() const { return std::get<Error>(value_); }
  Status status() const { return ok() ? Status::Ok() : Status(error()); }

 private:
  std::variant<T, Error> value_;
};

}  // namespace podium_dedup

#endif  // PODIUM_DEDUP_RESULT_H_
