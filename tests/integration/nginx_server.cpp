#include "integration/nginx_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace duet::integration {
namespace {

namespace fs = std::filesystem;

std::string NginxPath() {
  for (const char* candidate : {"/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"}) {
    if (::access(candidate, X_OK) == 0) {
      return candidate;
    }
  }
  return "";
}

// A port nobody listens on right now (the kernel's choice for port 0).
uint16_t FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    return 0;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

bool Accepts(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    return false;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  const bool connected =
      ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  ::close(fd);
  return connected;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

bool HaveNginx() { return !NginxPath().empty(); }

NginxServer::NginxServer() {
  std::string pattern = "/tmp/duet-nginx-XXXXXX";
  if (::mkdtemp(pattern.data()) != nullptr) {
    work_dir_ = pattern;
  }
}

NginxServer::~NginxServer() {
  Stop();
  if (!work_dir_.empty()) {
    std::error_code ignored;
    fs::remove_all(work_dir_, ignored);
  }
}

std::string NginxServer::Url() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::string NginxServer::AccessLog() const { return ReadAll(work_dir_ + "/access.log"); }

bool NginxServer::Start(const std::string& root, const std::string& server_directives) {
  if (work_dir_.empty()) {
    error_ = "mkdtemp failed";
    return false;
  }
  if (!HaveNginx()) {
    error_ = "nginx is not installed (scripts/install-deps.sh installs it)";
    return false;
  }
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (StartOnce(root, server_directives)) {
      return true;
    }
  }
  return false;
}

bool NginxServer::StartOnce(const std::string& root, const std::string& server_directives) {
  Stop();
  port_ = FreePort();
  if (port_ == 0) {
    error_ = "no free port";
    return false;
  }
  const std::string& dir = work_dir_;
  const std::string conf = dir + "/nginx.conf";
  {
    std::ofstream out(conf, std::ios::trunc);
    out << "daemon off;\n"
           "master_process off;\n"
           "pid "
        << dir << "/nginx.pid;\n"
        << "error_log " << dir << "/error.log warn;\n"
        << "events { worker_connections 64; }\n"
           "http {\n"
           "  log_format duet '$request_method $uri status=$status range=$http_range "
           "auth=$http_authorization host=$host';\n"
        << "  access_log " << dir << "/access.log duet;\n"
        << "  client_body_temp_path " << dir << "/client_body;\n"
        << "  proxy_temp_path " << dir << "/proxy;\n"
        << "  fastcgi_temp_path " << dir << "/fastcgi;\n"
        << "  uwsgi_temp_path " << dir << "/uwsgi;\n"
        << "  scgi_temp_path " << dir << "/scgi;\n"
        << "  default_type application/octet-stream;\n"
           "  server {\n"
           "    listen 127.0.0.1:"
        << port_ << ";\n"
        << "    root " << root << ";\n"
        << server_directives << "\n"
        << "  }\n"
           "}\n";
  }
  const std::string nginx = NginxPath();
  const std::string error_log = dir + "/error.log";
  std::vector<std::string> args = {nginx, "-p", dir, "-c", conf, "-e", error_log};
  std::vector<char*> argv;
  for (std::string& arg : args) {
    argv.push_back(arg.data());
  }
  argv.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t child = ::fork();
  if (child < 0) {
    error_ = "fork failed";
    return false;
  }
  if (child == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) {
      ::_exit(127);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  pid_ = child;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      error_ = "nginx exited at start: " + ReadAll(error_log);
      return false;
    }
    if (Accepts(port_)) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  error_ = "nginx did not listen within 10 s: " + ReadAll(error_log);
  Stop();
  return false;
}

void NginxServer::Stop() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
}

}  // namespace duet::integration
