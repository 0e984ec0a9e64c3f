// duet_scripted: the real duet CLI with the scripted test backend registered
// (tests/support/scripted_backend.h). Integration and SDK client tests run
// this binary on port 0; it differs from `duet` only in that one backend.
#include <memory>

#include "app/cli.h"
#include "support/scripted_backend.h"

int main(int argc, char** argv) {
  return duet::RunCli(argc, argv,
                      {std::make_shared<duet::testing::ScriptedBackend>()});
}
