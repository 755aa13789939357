// The cubelet-server binary itself: strict flags (an unknown flag or a bad value is an error
// naming it), a corrupt or foreign database file is a clear error naming the file and is left
// as it was, the kubeconfig subcommand, and a restart reusing the CA, serving certificate and
// admin kubeconfig.
#include <sys/stat.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/strings.h"
#include "e2e/e2e_util.h"
#include "e2e/server_fixture.h"

namespace cubelet::testing {
namespace {

CommandResult Server(const std::vector<std::string>& args, int timeout = 20) {
  std::vector<std::string> argv = {CUBELET_SERVER_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, {}, "", timeout);
}

TEST(ServerCliTest, UnknownFlagsAndBadValuesAreErrorsNamingThem) {
  TempDir dir;
  struct Case {
    std::vector<std::string> args;
    std::string named;
  };
  const std::vector<Case> cases = {
      {{"--data-dir", dir.path(), "--no-such-flag"}, "--no-such-flag"},
      {{"--data-dir", dir.path(), "--secure-port", "http"}, "--secure-port"},
      {{"--data-dir", dir.path(), "--secure-port", "70000"}, "--secure-port"},
      {{"--data-dir", dir.path(), "--bind-address", "not-an-ip"}, "--bind-address"},
      {{"--data-dir", dir.path(), "--event-ttl", "soon"}, "--event-ttl"},
      {{"--data-dir", dir.path(), "--service-cluster-ip-range", "10.0.0.0/99"}, "--service-cluster-ip-range"},
      {{"--data-dir", dir.path(), "--secure-port", std::to_string(FreePort()), "--token-auth-file",
        StrCat(dir.path(), "/missing.csv")},
       "missing.csv"},
      {{"--secure-port", "6443"}, "--data-dir"},
      {{"kubeconfig", "--data-dir", dir.path(), "--node", "n1", "--out", StrCat(dir.path(), "/n1.kubeconfig")},
       "--server"},
  };
  for (const Case& c : cases) {
    CommandResult r = Server(c.args);
    EXPECT_NE(r.exit_code, 0) << c.named << ": " << r.Describe();
    EXPECT_NE(r.exit_code, -1) << c.named << ": the server started instead of refusing";
    EXPECT_NE(r.err.find(c.named), std::string::npos) << "the error does not name " << c.named << ": " << r.Describe();
  }
  CommandResult version = Server({"--version"});
  EXPECT_EQ(version.exit_code, 0) << version.Describe();
  EXPECT_NE(version.out.find("v1.32."), std::string::npos) << version.out;
}

TEST(ServerCliTest, CorruptOrForeignDatabaseIsRefusedAndLeftAlone) {
  for (const std::string& contents :
       {std::string("this is not a database at all, just text that someone left here\n"),
        // A valid SQLite header followed by garbage pages.
        std::string("SQLite format 3\0", 16) + std::string(4096 * 2, '\x5a')}) {
    TempDir dir;
    std::string db = dir.Write("state.db", contents);
    CommandResult r = Server({"--data-dir", dir.path(), "--secure-port", std::to_string(FreePort())});
    EXPECT_NE(r.exit_code, 0) << r.Describe();
    EXPECT_NE(r.exit_code, -1) << "the server started on a corrupt database";
    EXPECT_NE(r.err.find("state.db"), std::string::npos) << "the error does not name the file: " << r.Describe();
    EXPECT_EQ(ReadFileOrEmpty(db), contents) << "the database file was rewritten";
  }
}

TEST(ServerCliTest, RestartReusesCertificatesAndKubeconfigs) {
  ServerFixture server;
  ASSERT_TRUE(server.started()) << server.Log();
  std::string kubeconfig = ReadFileOrEmpty(server.admin_kubeconfig());
  std::string ca = ReadFileOrEmpty(StrCat(server.data_dir(), "/pki/ca.crt"));
  ASSERT_FALSE(kubeconfig.empty());
  ASSERT_FALSE(ca.empty());
  struct stat st {};
  ASSERT_EQ(::stat(StrCat(server.data_dir(), "/pki/ca.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(server.admin_kubeconfig().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0077, 0u) << "the admin kubeconfig is readable by others";

  std::string node = server.NodeKubeconfig("cli-node");
  ASSERT_FALSE(node.empty());
  EXPECT_NE(ReadFileOrEmpty(node).find(server.url()), std::string::npos);

  server.Restart();
  ASSERT_TRUE(server.started()) << server.Log();
  EXPECT_EQ(ReadFileOrEmpty(server.admin_kubeconfig()), kubeconfig);
  EXPECT_EQ(ReadFileOrEmpty(StrCat(server.data_dir(), "/pki/ca.crt")), ca);
  // Kubeconfigs made before the restart still work, admin and node.
  CommandResult admin = server.Kubectl({"get", "ns"});
  EXPECT_EQ(admin.exit_code, 0) << admin.Describe();
  CommandResult n = server.Kubectl({"get", "node", "cli-node"}, "", node);
  EXPECT_NE(n.err.find("NotFound"), std::string::npos) << "the node could not even ask: " << n.Describe();
}

}  // namespace
}  // namespace cubelet::testing
