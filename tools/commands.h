// The focusmeter subcommands. Each takes the arguments after its own name
// (argv[0] is the subcommand) and returns the process exit status.
#pragma once

int focusmeter_scan_main(int argc, char** argv);
int focusmeter_discover_main(int argc, char** argv);
int focusmeter_check_main(int argc, char** argv);
int focusmeter_train_main(int argc, char** argv);
int focusmeter_serve_main(int argc, char** argv);
int focusmeter_watch_main(int argc, char** argv);
int focusmeter_watch_reference_main(int argc, char** argv);
int focusmeter_watch_report_main(int argc, char** argv);
