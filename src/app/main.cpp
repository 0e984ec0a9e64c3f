// duet's entry point: everything else lives in libraries the tests link.
#include "app/cli.h"

#if DUET_USE_MIMALLOC
// Linked as a shared library, mimalloc already serves malloc and free for
// the whole process; these operator new/delete call it directly instead of
// through malloc, and being references to it they also keep linkers that
// drop unused libraries (--as-needed) from dropping it.
#include <mimalloc-new-delete.h>
#endif

int main(int argc, char** argv) { return duet::RunCli(argc, argv, {}); }
