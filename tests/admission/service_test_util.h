// Owns: the fixture the allocator tests share: services created through a chain over the real
// store (or through two chains at once), and "storing" them in the fake lookup as the API
// server's write would.
// Does not own: assertions.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "admission/admission_test_util.h"
#include "admission/service_allocator.h"
#include "common/strings.h"
#include "json/write.h"

namespace cubelet::admission::testing {

class ServiceAllocatorTest : public AdmissionTest {
 protected:
  ChainOptions Options() override {
    ChainOptions o = AdmissionTest::Options();
    o.network.cluster_ip_range = range_;
    o.network.node_port_min = port_min_;
    o.network.node_port_max = port_max_;
    return o;
  }

  static json::Value Service(const std::string& name, std::string_view spec, const std::string& ns = "default") {
    return Json(StrCat(R"({"metadata":{"name":")", name, R"(","namespace":")", ns, R"(","uid":"uid-)", name,
                       R"("},"spec":)", spec, "}"));
  }

  // Admits a create of `service` through `chain` (the fixture's by default); on success the
  // service is "stored" so that the allocator sees its owner.
  absl::Status Create(json::Value* service, const Chain* chain = nullptr, bool store = true) {
    const std::string ns = service->GetString({"metadata", "namespace"});
    const std::string name = service->GetString({"metadata", "name"});
    Request r = MakeRequest(Admin(), Operation::kCreate, "", "services", ns, name);
    absl::Status s = (chain != nullptr ? chain : chain_.get())->Admit(r, service, nullptr);
    if (s.ok()) s = (chain != nullptr ? chain : chain_.get())->Validate(r, service, nullptr);
    if (s.ok() && store) Store(*service);
    return s;
  }

  absl::Status Update(json::Value* service, const json::Value& old) {
    Request r = MakeRequest(Admin(), Operation::kUpdate, "", "services", old.GetString({"metadata", "namespace"}),
                            old.GetString({"metadata", "name"}));
    absl::Status s = Write(r, service, &old);
    if (s.ok()) Store(*service);
    return s;
  }

  void Store(const json::Value& service) {
    lookup_.Put("", "services", service.GetString({"metadata", "namespace"}), service.GetString({"metadata", "name"}),
                json::Write(service));
  }

  bool Allocated(std::string_view prefix, std::string_view item) {
    auto got = store_->Get(StrCat(prefix, item));
    EXPECT_TRUE(got.ok()) << got.status();
    return got.ok() && got->kv.has_value();
  }

  // Two API servers on one store: creates 100 services of `spec` through the fixture's chain and
  // as many through a second chain at once (named <prefix><chain>-<i>), and appends what they
  // created to `created`. Fails fatally when a create fails.
  void CreateThroughTwoChains(std::string_view prefix, std::string_view spec, std::vector<json::Value>* created) {
    std::unique_ptr<Chain> second = NewChain(&lookup_, store_.get(), Options());
    std::vector<json::Value> got[2];
    absl::Status failed[2];
    auto run = [&](int which, const Chain* chain) {
      for (int i = 0; i < 100; ++i) {
        json::Value svc = Service(StrCat(prefix, which, "-", i), spec);
        absl::Status s = Create(&svc, chain);
        if (!s.ok()) {
          failed[which] = s;
          return;
        }
        got[which].push_back(std::move(svc));
      }
    };
    std::thread t0(run, 0, chain_.get());
    std::thread t1(run, 1, second.get());
    t0.join();
    t1.join();
    ASSERT_TRUE(failed[0].ok()) << failed[0];
    ASSERT_TRUE(failed[1].ok()) << failed[1];
    for (std::vector<json::Value>& services : got) {
      for (json::Value& svc : services) created->push_back(std::move(svc));
    }
  }

  std::string range_ = "10.0.0.0/24";
  int port_min_ = 30000;
  int port_max_ = 32767;
};

}  // namespace cubelet::admission::testing
