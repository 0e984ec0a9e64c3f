// duet's entry point: everything else lives in libraries the tests link.
#include "app/cli.h"

int main(int argc, char** argv) { return duet::RunCli(argc, argv, {}); }
