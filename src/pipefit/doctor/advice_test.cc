#include "pipefit/doctor/advice.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pipefit {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<std::string> Rules(const OomReport& r) {
  std::vector<std::string> ids;
  for (const Advice& a : AdviseOnOom(r)) ids.push_back(a.rule);
  return ids;
}

OomReport Cuda(OomStage stage) {
  OomReport r;
  r.kind = OomKind::kCuda;
  r.stage = stage;
  r.requested = 20 * kMiB;
  r.gpu_total = 24 * kGiB;
  r.gpu_free = 12 * kMiB;
  r.process_in_use = 24 * kGiB - 12 * kMiB;
  r.allocated_by_pytorch = 23 * kGiB;
  r.reserved_unallocated = 20 * kMiB;
  return r;
}

TEST(AdviceTest, NotAnOomSaysSoAndNothingElse) {
  EXPECT_EQ(Rules(OomReport{}), std::vector<std::string>{"not-oom"});
}

TEST(AdviceTest, EachStageGetsItsOwnAdvice) {
  EXPECT_EQ(Rules(Cuda(OomStage::kLoading)), std::vector<std::string>{"loading"});
  EXPECT_EQ(Rules(Cuda(OomStage::kTextEncoding)), std::vector<std::string>{"text-encoding"});
  EXPECT_EQ(Rules(Cuda(OomStage::kDenoising)), std::vector<std::string>{"denoising"});
  EXPECT_EQ(Rules(Cuda(OomStage::kVaeDecode)), std::vector<std::string>{"vae"});
  EXPECT_EQ(Rules(Cuda(OomStage::kTraining)), std::vector<std::string>{"training"});
  EXPECT_EQ(Rules(Cuda(OomStage::kUnknown)), std::vector<std::string>{"stage-unknown"});
}

TEST(AdviceTest, VaeAdviceNamesTheVaeLevelCallNotThePipelineOne) {
  OomReport r = Cuda(OomStage::kVaeDecode);
  r.vae_call = "decode";
  const std::string text = AdviseOnOom(r).front().text;
  EXPECT_THAT(text, HasSubstr("pipe.vae.enable_tiling()"));
  EXPECT_THAT(text, HasSubstr("decoding"));
}

TEST(AdviceTest, FragmentationWhenReservedButUnallocatedCoversTheRequest) {
  OomReport r = Cuda(OomStage::kDenoising);
  r.requested = 512 * kMiB;
  r.reserved_unallocated = 3 * kGiB;
  EXPECT_THAT(Rules(r), Contains("fragmentation"));
  r.reserved_unallocated = 256 * kMiB;  // less than the request: not fragmentation
  EXPECT_THAT(Rules(r), Not(Contains("fragmentation")));
  r.reserved_unallocated = std::nullopt;
  EXPECT_THAT(Rules(r), Not(Contains("fragmentation")));
}

TEST(AdviceTest, OtherProcessFromProcessLinesOrUnaccountedMemory) {
  OomReport r = Cuda(OomStage::kDenoising);
  EXPECT_THAT(Rules(r), Not(Contains("other-process")));
  r.other_processes.push_back({4242, 3 * kGiB});
  EXPECT_THAT(Rules(r), Contains("other-process"));
  r.other_processes.clear();
  r.process_in_use = 16 * kGiB;  // 24 - 0.01 - 16: about 8 GiB belongs to someone else
  EXPECT_THAT(Rules(r), Contains("other-process"));
}

TEST(AdviceTest, SingleRequestLargerThanHalfTheCardIsAnActivation) {
  OomReport r = Cuda(OomStage::kVaeDecode);
  r.requested = 16 * kGiB;
  EXPECT_THAT(Rules(r), Contains("single-request-too-large"));
  r.requested = 11 * kGiB;
  EXPECT_THAT(Rules(r), Not(Contains("single-request-too-large")));
}

TEST(AdviceTest, HostAndMpsAndTruncated) {
  OomReport host;
  host.kind = OomKind::kHost;
  host.requested = 44 * kGiB;
  EXPECT_EQ(Rules(host), std::vector<std::string>{"host-oom"});
  EXPECT_THAT(AdviseOnOom(host).front().text, HasSubstr("44.00 GiB"));
  OomReport mps;
  mps.kind = OomKind::kMps;
  mps.stage = OomStage::kDenoising;
  EXPECT_EQ(Rules(mps), (std::vector<std::string>{"denoising", "mps-watermark"}));
  OomReport cut = Cuda(OomStage::kDenoising);
  cut.truncated = true;
  EXPECT_EQ(Rules(cut), (std::vector<std::string>{"truncated", "denoising"}));
}

}  // namespace
}  // namespace pipefit
