// The duet command line: parses arguments, loads configuration, runs a
// subcommand.
//
//   duet serve [--config FILE] [--host H] [--port P] [--log-level L]
//              [--set section.key=value]...
//   duet config [...same flags]   print the effective configuration as TOML
//   duet route "PROMPT" | --jsonl FILE   explain routing decisions
//   duet key-id KEY                print a client key's id
//   duet --version | --help | <subcommand> --help
//
// Thread safety: call from main only.
#pragma once

#include <memory>
#include <vector>

#include "backend/backend.h"

namespace duet {

// Runs the CLI. `extra_backends` are served before any configured ones (the
// test server passes its scripted backend here). Returns the exit code:
// 0 success, 1 runtime failure (e.g. the port is taken), 2 bad usage or
// invalid configuration.
int RunCli(int argc, char** argv,
           std::vector<std::shared_ptr<Backend>> extra_backends);

}  // namespace duet
