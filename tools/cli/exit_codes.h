// Exit statuses shared by every focusmeter subcommand, for monitoring
// scripts (documented in docs/reports.md).
#pragma once

namespace focusmeter::cli {

constexpr int kExitAllClear = 0;  // everything checked, all CLEAR
constexpr int kExitBlurry = 1;    // at least one BLURRY
// At least one could not be checked or was not judged, none BLURRY: an
// error, a camera that did not answer, a verdict UNKNOWN (nothing to judge:
// too dark, no detail), or --no-model (features only: nothing judged).
// BLURRY wins: one BLURRY makes it 1 whatever else happened.
constexpr int kExitUnchecked = 2;
constexpr int kExitUsage =
    64;  // bad command line (EX_USAGE), a model named by --model or $FOCUSMETER_MODEL that does not exist
constexpr int kExitDataError = 65;  // bad input data that stops the command (EX_DATAERR), an invalid model file
constexpr int kExitSoftware = 70;   // internal error (EX_SOFTWARE)

}  // namespace focusmeter::cli
