// Exit statuses shared by every focusmeter subcommand, for monitoring
// scripts (documented in docs/reports.md).
#pragma once

namespace focusmeter::cli {

constexpr int kExitAllClear = 0;    // everything checked, all CLEAR
constexpr int kExitBlurry = 1;      // at least one BLURRY
constexpr int kExitUnchecked = 2;   // at least one could not be checked, none BLURRY
constexpr int kExitUsage = 64;      // bad command line (EX_USAGE)
constexpr int kExitDataError = 65;  // bad input data that stops the command (EX_DATAERR)
constexpr int kExitSoftware = 70;   // internal error (EX_SOFTWARE)

}  // namespace focusmeter::cli
