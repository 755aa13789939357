// python3-kubernetes 22.6 (the Debian package, under /usr/bin/python3) against one
// cubelet-server. Each script under tests/e2e/python checks one area and exits non-zero with a
// message per failed check; the scripts use their own namespaces or names, so they share the
// server.
#include <string>

#include <gtest/gtest.h>

#include "common/strings.h"
#include "e2e/server_fixture.h"

namespace cubelet::testing {
namespace {

class PythonClientTest : public SharedServerTest<> {
 protected:
  void RunScript(const std::string& script) {
    CommandResult r = server_->Python(StrCat(E2eDir(), "/python/", script));
    EXPECT_EQ(r.exit_code, 0) << script << ": " << r.Describe();
    EXPECT_EQ(r.out, "ok\n") << r.Describe();
  }
};

TEST_F(PythonClientTest, Version) { RunScript("version.py"); }
TEST_F(PythonClientTest, PodCrud) { RunScript("pods_crud.py"); }
TEST_F(PythonClientTest, ListSelectorsAndPaging) { RunScript("list_paging.py"); }
TEST_F(PythonClientTest, WatchSeesAddedModifiedDeleted) { RunScript("watch_events.py"); }
TEST_F(PythonClientTest, WatchResumesFromAResourceVersion) { RunScript("watch_resume.py"); }
TEST_F(PythonClientTest, DynamicClientLease) { RunScript("dynamic_lease.py"); }
TEST_F(PythonClientTest, DeleteGracePeriodsAndPreconditions) { RunScript("delete_grace.py"); }
TEST_F(PythonClientTest, PodStatusPatch) { RunScript("pod_status.py"); }
TEST_F(PythonClientTest, ConcurrentUpdates) { RunScript("concurrent_update.py"); }
TEST_F(PythonClientTest, ContentInANewNamespaceAtOnce) { RunScript("new_namespace_content.py"); }

}  // namespace
}  // namespace cubelet::testing
