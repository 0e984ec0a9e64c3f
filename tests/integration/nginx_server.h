// NginxServer: a real nginx (Debian's nginx package, installed by
// scripts/install-deps.sh) serving a folder over plain HTTP on 127.0.0.1,
// for tests of duet's downloads: nginx answers Range requests (206, 416)
// the way real file servers and CDNs do, which a hand-written server
// would only imitate.
//
// The server runs in the foreground as a child process (daemon off,
// master_process off: one process, killed with the fixture), with every
// file it writes (pid, logs, temp folders) in its own temporary folder.
// nginx cannot listen on port 0, so Start picks a free port first and tries
// again with another when nginx loses the race for it.
//
// Each request is logged as one line of AccessLog():
//   GET /path status=206 range=bytes=100- auth=Bearer x host=localhost
// ("-" for an absent header), so tests can check what duet asked for.
//
// Thread safety: none; use one NginxServer from one thread.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace duet::integration {

// True when an nginx executable is installed (PATH or /usr/sbin).
bool HaveNginx();

class NginxServer {
 public:
  NginxServer();
  ~NginxServer();
  NginxServer(const NginxServer&) = delete;
  NginxServer& operator=(const NginxServer&) = delete;

  // Starts nginx serving `root` with `server_directives` (nginx
  // configuration: locations, headers) inside its server block. Returns
  // false, with error() saying why (nginx's error log included), when it
  // did not come up within a few seconds.
  bool Start(const std::string& root, const std::string& server_directives);

  uint16_t port() const { return port_; }
  // "http://127.0.0.1:<port>".
  std::string Url() const;
  // Every request logged so far.
  std::string AccessLog() const;
  const std::string& error() const { return error_; }

 private:
  bool StartOnce(const std::string& root, const std::string& server_directives);
  void Stop();

  std::string work_dir_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string error_;
};

}  // namespace duet::integration
