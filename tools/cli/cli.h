// Command-line plumbing every subcommand shares: the program name GOption
// prints in --help, the one-line error messages with their exit status, and
// owners for the strings GOption allocates (so option structs free nothing
// by hand).
#pragma once

#include <glib.h>

#include <string>

namespace focusmeter::cli {

// Sets the program name to "focusmeter COMMAND", so --help says
// "Usage: focusmeter COMMAND [OPTION…]" and not "Usage: focusmeter [OPTION…]".
void set_command_name(const char* command);

// "focusmeter COMMAND: MESSAGE" and a pointer to --help on stderr; returns
// kExitUsage (64).
int usage_error(const char* command, const std::string& message);

// "focusmeter COMMAND: MESSAGE" on stderr; returns `code`.
int fail(const char* command, int code, const std::string& message);

// A string option's value: GOption writes a g_malloc'd string through
// slot(); the destructor frees it. Not copyable (one owner).
class OptionString {
 public:
  OptionString() = default;
  OptionString(const OptionString&) = delete;
  OptionString& operator=(const OptionString&) = delete;
  ~OptionString() { g_free(value_); }

  gchar** slot() { return &value_; }  // for GOptionEntry::arg_data
  const char* get() const { return value_; }
  bool given() const { return value_ != nullptr; }
  // The value, or `fallback` when the option was not given.
  std::string or_else(const std::string& fallback) const { return value_ ? std::string(value_) : fallback; }

 private:
  gchar* value_ = nullptr;
};

// A string-array option's value (G_OPTION_ARG_*_ARRAY, G_OPTION_REMAINING).
class OptionStrings {
 public:
  OptionStrings() = default;
  OptionStrings(const OptionStrings&) = delete;
  OptionStrings& operator=(const OptionStrings&) = delete;
  ~OptionStrings() { g_strfreev(values_); }

  gchar*** slot() { return &values_; }
  gchar** begin() const { return values_; }
  gchar** end() const { return values_ ? values_ + g_strv_length(values_) : nullptr; }
  bool empty() const { return !values_ || !values_[0]; }

 private:
  gchar** values_ = nullptr;
};

}  // namespace focusmeter::cli
